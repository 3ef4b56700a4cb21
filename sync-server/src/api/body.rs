//! Every request body is read to its end before routing.
//!
//! A handler that answers without needing the body (an unknown id, a missing role) would
//! otherwise leave it unread, and hyper closes such a connection as soon as the answer is out:
//! a client still sending a large body then sees a broken pipe instead of the answer. Reading
//! the body first (bounded by [`MAX_BODY_BYTES`]) means every client gets its answer.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;

use super::MAX_BODY_BYTES;
use crate::error::ApiError;

/// Middleware: buffers the body, answering 413 `payload_too_large` past the limit.
pub async fn read_whole_body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(e) => {
            let inner = e.into_inner();
            if inner.downcast_ref::<LengthLimitError>().is_some() {
                ApiError::coded(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large").into_response()
            } else {
                ApiError::InvalidRequest(format!("unreadable body: {inner}")).into_response()
            }
        }
    }
}
