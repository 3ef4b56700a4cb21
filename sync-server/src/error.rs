//! The server's one error enum, mapped once to the error body and status of PROTOCOL.md.

use shared_model::ErrorCode;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use shared_model::wire::{ErrorBody, ErrorDetail};

use crate::store::StoreError;

/// Everything a request can fail with. Each variant carries the contract's error code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{message}")]
    Coded { status: StatusCode, code: ErrorCode, message: String, details: Option<Value> },
    #[error("not found")]
    NotFound(&'static str),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// An error with an explicit status and code from PROTOCOL.md.
    pub fn coded(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::Coded { status, code, message: message.into(), details: None }
    }

    /// The same with a `details` object.
    pub fn with_details(status: StatusCode, code: ErrorCode, message: impl Into<String>, details: Value) -> ApiError {
        ApiError::Coded { status, code, message: message.into(), details: Some(details) }
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::coded(StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, "log in first (unknown user, wrong password or expired session)")
    }

    pub fn forbidden() -> ApiError {
        ApiError::coded(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "your role may not do this")
    }

    pub fn bad_signature(why: &str) -> ApiError {
        ApiError::coded(StatusCode::UNAUTHORIZED, ErrorCode::BadSignature, format!("request signature rejected: {why}"))
    }

    pub fn too_many_attempts(retry_after_s: i64) -> ApiError {
        ApiError::with_details(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            format!("too many attempts; try again in {} minutes", (retry_after_s + 59) / 60),
            serde_json::json!({ "retry_after_s": retry_after_s }),
        )
    }

    fn parts(&self) -> (StatusCode, ErrorCode, String, Option<Value>) {
        match self {
            ApiError::InvalidRequest(m) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, m.clone(), None),
            ApiError::Coded { status, code, message, details } => (*status, *code, message.clone(), details.clone()),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such {what}"), None),
            ApiError::Store(StoreError::Conflict(what)) => {
                (StatusCode::CONFLICT, ErrorCode::AlreadyExists, format!("{what} is already taken"), Some(serde_json::json!({ "field": what })))
            }
            ApiError::Store(StoreError::UnknownReference(what)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownReference, format!("unknown {what}"), None)
            }
            ApiError::Store(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError, "the server failed; the request was not applied".into(), None)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, details) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(code = code.as_str(), "request refused");
        }
        (status, Json(ErrorBody { error: ErrorDetail { code: code.as_str().to_owned(), message, details } })).into_response()
    }
}

/// Turns axum's JSON rejection into the contract's `invalid_request` naming what was wrong.
pub fn json_error(e: serde_json::Error) -> ApiError {
    ApiError::InvalidRequest(format!("malformed JSON body: {e}"))
}
