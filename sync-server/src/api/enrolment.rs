//! Single-use enrolment codes an admin types into a new tablet.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::ApiJson;
use super::session::Caller;
use crate::crypto;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{audit, enrolment, AuditEntry, NewEnrolmentCode};

/// Letters and digits that cannot be mistaken for each other on a tablet keyboard.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/enrolment-codes", post(create))
}

/// `POST /api/v1/enrolment-codes` body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Lifetime in seconds, 60–604800 (default 900; null counts as absent).
    #[schema(minimum = 60, maximum = 604800, example = 900)]
    pub expires_in_s: Option<i64>,
    /// The name the tablet enrolled with this code gets ("Entré", "Kök"): 1–60 printable
    /// characters after trimming. Absent or null: the tablet is unnamed until an admin names it.
    #[schema(min_length = 1, max_length = 60, example = "Entré")]
    pub device_name: Option<String>,
}

/// A new code, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeResponse {
    /// `XXXX-XXXX` of letters and digits that cannot be mistaken for each other.
    #[schema(pattern = "^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$", example = "K7Q4-9ZXM")]
    pub code: String,
    pub expires_at: DateTime<Utc>,
    /// The name the tablet enrolled with it gets, as given.
    pub device_name: Option<String>,
}

/// A fresh code `XXXX-XXXX` (31^8 ≈ 8.5·10^11 values).
pub fn new_code() -> String {
    let bytes = crypto::random_bytes(8);
    let chars: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Create a single-use enrolment code.
#[utoipa::path(post, path = "/api/v1/enrolment-codes", tag = "devices", operation_id = "create_enrolment_code", request_body = CodeRequest,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = CodeResponse), (status = 400, description = "`invalid_request`: `expires_in_s` out of range, or a `device_name` that is empty, longer than 60 characters or holds control characters"),
              (status = 403, description = "`forbidden`: admins only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<CodeRequest>) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let ttl = req.expires_in_s.unwrap_or(900);
    if !(60..=604_800).contains(&ttl) {
        return Err(ApiError::InvalidRequest("expires_in_s must be between 60 and 604800".into()));
    }
    let device_name = req.device_name.as_deref().map(|n| super::devices::device_name("device_name", n)).transpose()?;
    let now = state.clock.now();
    let code = new_code();
    let expires_at = now + Duration::seconds(ttl);
    let mut tx = state.store.begin().await?;
    enrolment::create_code(
        &mut tx,
        &NewEnrolmentCode {
            code_hash: crypto::sha256_hex(&super::device::normalise_code(&code)),
            organisation_id: caller.org(),
            created_by: Some(caller.person.id),
            created_at: now,
            expires_at,
            device_name: device_name.clone(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        &AuditEntry {
            organisation_id: caller.org(),
            at: now,
            actor: Some(caller.person.id),
            kind: "enrolment_code_created",
            subject: None,
            details: Some(json!({ "expires_at": expires_at, "device_name": device_name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(CodeResponse { code, expires_at, device_name })).into_response())
}
