//! Every request body is read to its end before routing, within a time limit; and every error
//! answer leaves with the contract's error body.
//!
//! A handler that answers without needing the body (an unknown id, a missing role) would
//! otherwise leave it unread, and hyper closes such a connection as soon as the answer is out:
//! a client still sending a large body then sees a broken pipe instead of the answer. Reading
//! the body first (bounded by [`MAX_BODY_BYTES`] and by the state's `body_timeout`) means every
//! client gets its answer, and a client that stalls mid-body is answered 408 and cut off.

use shared_model::ErrorCode;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;

use super::MAX_BODY_BYTES;
use crate::error::ApiError;
use crate::state::AppState;

/// Middleware: buffers the body, answering 413 `payload_too_large` past the limit and 408
/// `request_timeout` (connection closed) when it does not arrive in time.
pub async fn read_whole_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(state.body_timeout, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(e)) => {
            let inner = e.into_inner();
            if inner.downcast_ref::<LengthLimitError>().is_some() {
                ApiError::coded(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, "the request body is too large").into_response()
            } else {
                ApiError::InvalidRequest(format!("unreadable body: {inner}")).into_response()
            }
        }
        Err(_) => {
            tracing::info!(timeout_s = state.body_timeout.as_secs(), "request body not received in time; closing the connection");
            let mut res = ApiError::coded(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                format!("the request body did not arrive within {} s", state.body_timeout.as_secs()),
            )
            .into_response();
            res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

/// Middleware: an error answer made outside our handlers (axum's 405 for a wrong method, a
/// path that does not decode, …) gets the contract's error body, keeping its status and
/// headers (`Allow` of a 405). Answers that already carry JSON pass untouched.
pub async fn error_body(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let (code, fallback) = code_of(status);
    let message = if text.is_empty() { fallback.to_owned() } else { text };
    let fresh = ApiError::coded(status, code, message).into_response();
    let (fresh_parts, fresh_body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, fresh_body)
}

/// The contract's code for an HTTP status we did not produce ourselves.
fn code_of(status: StatusCode) -> (ErrorCode, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => (ErrorCode::InvalidRequest, "the request is malformed"),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "this endpoint does not take that method; see the Allow header"),
        StatusCode::REQUEST_TIMEOUT => (ErrorCode::RequestTimeout, "the request did not arrive in time"),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "the request body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorCode::InvalidRequest, "unsupported content type; send application/json"),
        s if s.is_server_error() => (ErrorCode::InternalError, "the server failed; the request was not applied"),
        _ => (ErrorCode::InvalidRequest, "the request was refused"),
    }
}
