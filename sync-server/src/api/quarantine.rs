//! Events from uninstalled tablets, held back until an admin accepts or rejects each one.
//! Nothing a person stamped is ever deleted: a rejected event stays, marked rejected.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde::Serialize;
use shared_model::wire::Page;
use uuid::Uuid;

use super::extract::{next_cursor, parse_id, ApiQuery, PageQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::quarantine;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/quarantine", get(list))
        .route("/api/v1/quarantine/{event_id}/accept", post(accept))
        .route("/api/v1/quarantine/{event_id}/reject", post(reject))
}

/// A quarantined event for review.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuarantineItem {
    pub id: Uuid,
    pub device_id: Uuid,
    pub device_seq: i64,
    pub employee_id: Uuid,
    pub kind: String,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: DateTime<FixedOffset>,
    pub received_at: DateTime<Utc>,
    pub flags: Vec<String>,
}

/// Events of uninstalled tablets awaiting review.
#[utoipa::path(get, path = "/api/v1/quarantine", tag = "devices", operation_id = "list_quarantine", params(PageQuery),
    security(("session" = [])),
    responses((status = 200, body = Page<QuarantineItem>), (status = 403, description = "`forbidden`: admins only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<QuarantineItem>>, ApiError> {
    caller.require_admin()?;
    let (cursor, limit) = q.resolve()?;
    let mut tx = state.store.begin_read().await?;
    let rows = quarantine::list(&mut tx, caller.org(), cursor, limit).await?;
    tx.commit().await?;
    let next_cursor = next_cursor(rows.iter().map(|r| r.id), limit);
    let items = rows
        .into_iter()
        .map(|r| {
            let offset = FixedOffset::east_opt(r.occurred_offset_s).unwrap_or_else(|| Utc.fix());
            QuarantineItem {
                id: r.id,
                device_id: r.device_id,
                device_seq: r.device_seq,
                employee_id: r.employee_id,
                kind: r.kind,
                link_id: r.link_id,
                comment: r.comment,
                occurred_at: r.occurred_at.with_timezone(&offset),
                received_at: r.received_at,
                flags: r.flags.map(|f| f.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}

async fn review(state: AppState, caller: Caller, id: String, accept: bool) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let id = parse_id(&id, "quarantined event")?;
    let mut tx = state.store.begin().await?;
    if !quarantine::review(&mut tx, caller.org(), id, accept, caller.person.id, state.clock.now()).await? {
        return Err(ApiError::NotFound("quarantined event"));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept a quarantined event into the ledger.
#[utoipa::path(post, path = "/api/v1/quarantine/{event_id}/accept", tag = "devices", operation_id = "accept_quarantined_event", params(("event_id" = Uuid, Path, description = "The quarantined event's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "Accepted into the ledger"), (status = 403, description = "`forbidden`: admins only"),
              (status = 404, description = "`not_found`: no quarantined event of that id awaiting review")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn accept(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    review(state, caller, id, true).await
}

/// Reject a quarantined event: it is kept, marked rejected, and never counts.
#[utoipa::path(post, path = "/api/v1/quarantine/{event_id}/reject", tag = "devices", operation_id = "reject_quarantined_event", params(("event_id" = Uuid, Path, description = "The quarantined event's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "Kept, marked rejected"), (status = 403, description = "`forbidden`: admins only"),
              (status = 404, description = "`not_found`: no quarantined event of that id awaiting review")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn reject(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    review(state, caller, id, false).await
}
