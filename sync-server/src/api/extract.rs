//! Request extractors that turn every malformed input into the contract's error body.

use shared_model::ErrorCode;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ApiError;

/// A JSON body whose rejections (bad syntax, unknown field, wrong type) become `invalid_request`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::InvalidRequest("expected Content-Type: application/json".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(bytes_error)?;
        // Every body of the contract is a JSON object. serde would also read a struct from an
        // array of its fields in order (`[null, null]`), which no client means to send.
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            _ => return Err(ApiError::InvalidRequest("malformed JSON body: the body must be a JSON object".into())),
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError::InvalidRequest(format!("malformed JSON body: {}", e.body_text()))),
        }
    }
}

/// `application/json` or a `+json` type, as axum's own `Json` requires.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The raw body, for signed requests whose signature covers the exact bytes.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state).await.map(RawBody).map_err(bytes_error)
    }
}

fn bytes_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::coded(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, "the request body is too large")
    } else {
        ApiError::InvalidRequest(format!("unreadable body: {}", e.body_text()))
    }
}

/// `?cursor=&limit=` of list endpoints.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page (a UUID in any of its spellings); empty or absent for the first page.
    #[param(pattern = "^(|[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub cursor: Option<String>,
    /// Items per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The cursor as an id and the checked limit.
    pub fn resolve(&self) -> Result<(Option<Uuid>, i64), ApiError> {
        let cursor = match &self.cursor {
            None => None,
            Some(c) if c.is_empty() => None,
            Some(c) => Some(c.parse::<Uuid>().map_err(|_| ApiError::InvalidRequest("cursor is not one this server issued".into()))?),
        };
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::InvalidRequest("limit must be between 1 and 1000".into()));
        }
        Ok((cursor, limit))
    }
}

/// Query string parsing with the contract's error body.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| ApiError::InvalidRequest(format!("bad query string: {}", e.body_text())))
    }
}

/// A path id that must be a UUID.
pub fn parse_id(s: &str, what: &'static str) -> Result<Uuid, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound(what))
}

/// The next cursor for a page of `limit` items ordered by id.
pub fn next_cursor(ids: impl DoubleEndedIterator<Item = Uuid> + ExactSizeIterator, limit: i64) -> Option<String> {
    let len = ids.len();
    if (len as i64) < limit {
        return None;
    }
    ids.last().map(|id| id.to_string())
}
