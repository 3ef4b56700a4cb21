//! The client side of stampclock's HTTP contract (`PROTOCOL.md`), written once:
//!
//! - [`DeviceClient`]: a tablet's signed requests (Ed25519 over the exact body bytes, a signing
//!   timestamp that never repeats), enrolment, sync and the tablet uninstall;
//! - [`WebClient`]: an admin or manager session (the session cookie, `X-CSRF-Token` on every
//!   state-changing request).
//!
//! The end-to-end tests (`stampclock-tests`), the load generator (`sync-loadgen`) and the kiosk's
//! tools use it; it does not depend on the server. Calls that a test wants to inspect answer the
//! status and the body as JSON (a body that is not JSON as a JSON string); transport failures
//! are errors, never panics.

mod device;
mod web;

pub use device::DeviceClient;
pub use web::{WebClient, CSRF_HEADER, LOGIN_PATH, SESSION_COOKIE};
pub use device::{ENROL_PATH, SYNC_PATH, UNINSTALL_PATH};

pub use reqwest::{Method, StatusCode};

/// What a protocol call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request did not reach the server or its answer did not arrive.
    #[error("{what}: {source}")]
    Transport { what: String, source: reqwest::Error },
    /// The server answered, but not with the success the call expects.
    #[error("{what}: {status} {body}")]
    Refused { what: String, status: StatusCode, body: serde_json::Value },
    /// A success answer without what the contract promises.
    #[error("{what}: {why}")]
    Answer { what: String, why: String },
}

impl ClientError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ClientError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Reads an answer as status and JSON, as the tests compare it: a body that is not JSON becomes
/// a JSON string, and one that breaks off after the status (the status is what counts) `""`.
pub async fn read_answer(resp: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, parse_body(text))
}

fn parse_body(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}
