//! Project/account links staff stamp on.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::wire::Page;
use uuid::Uuid;

use super::extract::{next_cursor, parse_id, ApiJson, ApiQuery, PageQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{links, Link, LinkPatch, NewLink};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/links", get(list).post(create)).route("/api/v1/links/{id}", patch(update))
}

/// Change a link; every field optional (null counts as absent). `project` and `account`: 1–200
/// characters after trimming white space, no control characters.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub project: Option<String>,
    pub account: Option<String>,
    pub active: Option<bool>,
}

/// A link as the admin API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkView {
    pub id: Uuid,
    pub project: String,
    pub account: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

fn view(l: Link) -> LinkView {
    LinkView { id: l.id, project: l.project, account: l.account, active: l.active, created_at: l.created_at }
}

impl From<Link> for LinkView {
    fn from(l: Link) -> LinkView {
        view(l)
    }
}

fn field(name: &str, v: &Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        None => Ok(None),
        Some(s) if s.trim().is_empty() || s.trim().chars().count() > 200 || s.chars().any(char::is_control) => {
            Err(ApiError::InvalidRequest(format!("{name} must be 1–200 printable characters")))
        }
        Some(s) => Ok(Some(s.trim().to_owned())),
    }
}

/// List the organisation's links.
#[utoipa::path(get, path = "/api/v1/links", tag = "people", operation_id = "list_links", params(PageQuery),
    security(("session" = [])),
    responses((status = 200, body = Page<LinkView>), (status = 403, description = "`forbidden`: admins and managers only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<LinkView>>, ApiError> {
    caller.require_manager()?;
    let (cursor, limit) = q.resolve()?;
    let mut tx = state.store.begin_read().await?;
    let page = links::list(&mut tx, caller.org(), cursor, limit).await?;
    tx.commit().await?;
    let next_cursor = next_cursor(page.iter().map(|l| l.id), limit);
    Ok(Json(Page { items: page.into_iter().map(view).collect(), next_cursor }))
}

/// Create a link.
#[utoipa::path(post, path = "/api/v1/links", tag = "people", operation_id = "create_link", request_body = super::openapi::LinkCreate,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = LinkView), (status = 400, description = "`invalid_request`: `project` or `account` missing or breaking its rule"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 409, description = "`already_exists`: the same project and account")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(input): ApiJson<LinkInput>) -> Result<Response, ApiError> {
    caller.require_manager()?;
    let project = field("project", &input.project)?.ok_or_else(|| ApiError::InvalidRequest("project is required".into()))?;
    let account = field("account", &input.account)?.ok_or_else(|| ApiError::InvalidRequest("account is required".into()))?;
    let new = NewLink { id: uuid::Uuid::now_v7(), project, account, active: input.active.unwrap_or(true) };
    let mut tx = state.store.begin().await?;
    let link = links::create(&mut tx, caller.org(), &new, state.clock.now()).await?;
    crate::store::audit::link_saved(&mut tx, Some(caller.person.id), &link, true, state.clock.now()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view(link))).into_response())
}

/// Change a link (deactivate it to stop new stamps on it; stamps already made stay).
#[utoipa::path(patch, path = "/api/v1/links/{id}", tag = "people", operation_id = "update_link", request_body = LinkInput, params(("id" = Uuid, Path, description = "The link's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = LinkView), (status = 400, description = "`invalid_request`: a field breaks its rule"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no such link in the organisation"),
              (status = 409, description = "`already_exists`: the same project and account")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<Json<LinkView>, ApiError> {
    caller.require_manager()?;
    let id = parse_id(&id, "link")?;
    let patch = LinkPatch { project: field("project", &input.project)?, account: field("account", &input.account)?, active: input.active };
    let mut tx = state.store.begin().await?;
    let link = links::update(&mut tx, caller.org(), id, &patch).await?.ok_or(ApiError::NotFound("link"))?;
    crate::store::audit::link_saved(&mut tx, Some(caller.person.id), &link, false, state.clock.now()).await?;
    tx.commit().await?;
    Ok(Json(view(link)))
}
