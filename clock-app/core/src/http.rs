//! The device side of PROTOCOL.md's transport: JSON posts, Ed25519-signed requests with a
//! strictly increasing corrected `X-Timestamp`, the clock offset learned from `server_time`,
//! and the one immediate retry after `clock_skew`.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared_model::device_auth::{HEADER_DEVICE_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use shared_model::wire::ErrorBody;
use shared_model::ErrorCode;

use crate::error::CoreError;
use crate::store::DeviceRecord;
use crate::Kiosk;

/// How a request failed: no usable answer, or an error answer of the contract.
#[derive(Debug)]
pub(crate) enum Failure {
    Transport(String),
    Api { status: u16, code: String, message: String, details: Option<serde_json::Value> },
}

impl From<Failure> for CoreError {
    fn from(f: Failure) -> CoreError {
        match f {
            Failure::Transport(why) => CoreError::Offline(why),
            Failure::Api { status, code, message, .. } => match ErrorCode::parse(&code) {
                Some(ErrorCode::DeviceUninstalled) => CoreError::DeviceUninstalled,
                Some(ErrorCode::UnknownEnrolmentCode) => CoreError::UnknownEnrolmentCode,
                Some(ErrorCode::EnrolmentCodeExpired) => CoreError::EnrolmentCodeExpired,
                Some(ErrorCode::InvalidPersonnummer) => CoreError::InvalidPersonnummer,
                Some(ErrorCode::NotAuthorised) => CoreError::NotAuthorised,
                Some(ErrorCode::UnsyncedEvents) => CoreError::UnsyncedEvents,
                Some(ErrorCode::TooManyAttempts) => CoreError::TooManyAttempts,
                _ => CoreError::Server { status, code, message },
            },
        }
    }
}

/// A successful answer and the raw device clock around it.
pub(crate) struct Answer<R> {
    pub body: R,
    pub sent_raw: DateTime<Utc>,
    pub received_raw: DateTime<Utc>,
}

impl<R> Answer<R> {
    /// Server time minus the raw device clock, taking the server's reading as mid-flight.
    pub fn offset_ms(&self, server_time: DateTime<Utc>) -> i64 {
        let mid = self.sent_raw + (self.received_raw - self.sent_raw) / 2;
        (server_time - mid).num_milliseconds()
    }
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

async fn decode<R: DeserializeOwned>(resp: reqwest::Response) -> Result<R, Failure> {
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| Failure::Transport(format!("reading the answer: {e}")))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| Failure::Api {
            status: status.as_u16(),
            code: "bad_answer".into(),
            message: format!("the server's answer could not be read: {e}"),
            details: None,
        });
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(b) => Err(Failure::Api { status: status.as_u16(), code: b.error.code, message: b.error.message, details: b.error.details }),
        // A proxy or load balancer answering without the contract's body: the server is not there.
        Err(_) if status.is_server_error() || status == reqwest::StatusCode::NOT_FOUND => {
            Err(Failure::Transport(format!("HTTP {status} without an API answer")))
        }
        Err(_) => Err(Failure::Api { status: status.as_u16(), code: "http_error".into(), message: format!("HTTP {status}"), details: None }),
    }
}

fn transport(e: reqwest::Error) -> Failure {
    Failure::Transport(if e.is_timeout() { "the server did not answer in time".into() } else { format!("{e}") })
}

impl Kiosk {
    /// An unsigned JSON POST (enrolment).
    pub(crate) async fn post_unsigned<B: Serialize, R: DeserializeOwned>(&self, base: &str, path: &str, body: &B) -> Result<Answer<R>, Failure> {
        let sent_raw = self.inner.clock.now();
        let resp = self.inner.http.post(url(base, path)).json(body).send().await.map_err(transport)?;
        let body = decode(resp).await?;
        Ok(Answer { body, sent_raw, received_raw: self.inner.clock.now() })
    }

    /// A strictly increasing signing time: corrected now, at least 1 ms after the last one.
    fn signing_time(&self, device: &DeviceRecord) -> DateTime<Utc> {
        let now = crate::millis(self.now(device).corrected);
        let mut last = self.inner.last_signed.lock().unwrap_or_else(|p| p.into_inner());
        // A correction that moves the clock back by more than a moment starts afresh.
        let t = if now > *last || *last - now > Duration::seconds(1) { now } else { *last + Duration::milliseconds(1) };
        *last = t;
        t
    }

    /// A signed JSON POST; after a `clock_skew` answer it learns the offset from
    /// `details.server_time` and retries once at once.
    pub(crate) async fn post_signed<B: Serialize, R: DeserializeOwned>(&self, path: &str, body: &B) -> Result<Answer<R>, Failure> {
        let bytes = serde_json::to_vec(body).map_err(|e| Failure::Transport(format!("encoding the request: {e}")))?;
        let key = self.key().map_err(|e| Failure::Transport(e.to_string()))?;
        let mut retried = false;
        loop {
            let device = self.device().map_err(|e| Failure::Transport(e.to_string()))?;
            let stamp = self.signing_time(&device).to_rfc3339_opts(SecondsFormat::Millis, true);
            let signature = key.sign("POST", path, &stamp, &bytes);
            let sent_raw = self.inner.clock.now();
            let resp = self
                .inner
                .http
                .post(url(&device.server_url, path))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(HEADER_DEVICE_ID, device.device_id.to_string())
                .header(HEADER_TIMESTAMP, &stamp)
                .header(HEADER_SIGNATURE, signature)
                .body(bytes.clone())
                .send()
                .await
                .map_err(transport)?;
            let received_raw = self.inner.clock.now();
            match decode::<R>(resp).await {
                Ok(body) => return Ok(Answer { body, sent_raw, received_raw }),
                Err(Failure::Api { code, details, .. }) if code == ErrorCode::ClockSkew.as_str() && !retried => {
                    let server_time = details
                        .as_ref()
                        .and_then(|d| d.get("server_time"))
                        .and_then(|t| t.as_str())
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc))
                        .ok_or_else(|| Failure::Api {
                            status: 401,
                            code: ErrorCode::ClockSkew.as_str().into(),
                            message: "the server reported a clock skew without its time".into(),
                            details: None,
                        })?;
                    let answer = Answer { body: (), sent_raw, received_raw };
                    let offset = answer.offset_ms(server_time);
                    tracing::info!(offset_ms = offset, "device clock corrected after clock_skew");
                    self.inner.store.set_clock_offset(offset).map_err(|e| Failure::Transport(e.to_string()))?;
                    retried = true;
                }
                Err(f) => return Err(f),
            }
        }
    }
}
