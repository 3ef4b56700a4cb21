//! The audit log of governance actions, newest first, for admins.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::wire::{Page, PersonRef};
use uuid::Uuid;

use super::extract::ApiQuery;
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(list))
}

/// `?cursor=&limit=&kind=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// The `next_cursor` of the previous page (a UUID in any of its spellings); empty or absent for the first page.
    #[param(pattern = "^(|[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub cursor: Option<String>,
    /// Items per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only entries of this kind, e.g. `device_uninstalled`; at most 64 characters.
    #[param(max_length = 64)]
    pub kind: Option<String>,
}

/// One governance action.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditItem {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `null` for the system.
    pub by: Option<PersonRef>,
    pub kind: String,
    pub subject: Option<String>,
    pub details: Option<serde_json::Value>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "list_audit", params(AuditQuery),
    security(("session" = [])),
    responses((status = 200, body = Page<AuditItem>), (status = 403, description = "`forbidden`: admins only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<AuditQuery>) -> Result<Json<Page<AuditItem>>, ApiError> {
    caller.require_admin()?;
    let (cursor, limit) = super::extract::PageQuery { cursor: q.cursor, limit: q.limit }.resolve()?;
    if q.kind.as_ref().is_some_and(|k| k.chars().count() > 64) {
        return Err(ApiError::InvalidRequest("kind is too long".into()));
    }
    let mut tx = state.store.begin_read().await?;
    let rows = crate::store::audit::list(&mut tx, caller.org(), cursor, limit, q.kind.as_deref()).await?;
    tx.commit().await?;
    let next_cursor = if rows.len() as i64 == limit { rows.last().map(|r| r.id.to_string()) } else { None };
    let items = rows
        .into_iter()
        .map(|r| AuditItem {
            id: r.id,
            at: r.at,
            by: r.actor.map(|id| PersonRef { id, name: r.actor_name.clone().unwrap_or_default() }),
            kind: r.kind,
            subject: r.subject,
            details: r.details.and_then(|d| serde_json::from_str(&d).ok()),
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}
