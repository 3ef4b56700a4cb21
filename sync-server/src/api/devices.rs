//! The registry of installed tablets (seed 000, rule I1).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use shared_model::wire::{Page, PersonRef};
use shared_model::SyncRequirement;
use uuid::Uuid;

use super::extract::{next_cursor, ApiQuery, PageQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{devices as store_devices, organisations, people, Device};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/devices", get(list))
        .route("/api/v1/devices/sync-request", post(request_sync_all))
        .route("/api/v1/devices/{id}/sync-request", post(request_sync_one))
}

/// A tablet as the registry shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeviceView {
    pub id: Uuid,
    /// What the admin calls it ("Entré", "Kök"); `null` until named.
    pub name: Option<String>,
    pub installed_at: DateTime<Utc>,
    /// The admin who created the enrolment code.
    pub installed_by: Option<PersonRef>,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// The last sync after which the tablet held nothing unsynced.
    pub last_full_sync_at: Option<DateTime<Utc>>,
    /// OS, webview and app version (the "browser" of seed 000).
    pub platform: String,
    pub app_version: String,
    /// Events still on the tablet, as it last reported.
    pub pending_events: i64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub sync_requirement: SyncRequirement,
    /// The tablet's raw clock minus server time, in seconds, as last observed.
    pub clock_offset_s: Option<i64>,
    /// How often the tablet syncs (the organisation's setting), in seconds: "out of contact"
    /// means no contact for longer than two of these.
    pub sync_interval_s: i64,
    /// When an admin or manager last asked it to sync at its next contact; `null`: never.
    pub sync_requested_at: Option<DateTime<Utc>>,
    /// Whether that request still waits for the tablet: no full sync since it was made.
    pub sync_request_pending: bool,
}

/// A tablet's name as an admin typed it: at most 60 characters as sent, 1–60 printable ones
/// once trimmed; otherwise 400 `invalid_request` naming `field`.
pub fn device_name(field: &str, raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    // At most 60 as sent (the schema's `maxLength`), and 1–60 without controls once trimmed.
    if raw.chars().count() > 60 || name.is_empty() || name.chars().any(char::is_control) {
        return Err(ApiError::InvalidRequest(format!("{field} must be 1–60 printable characters")));
    }
    Ok(name.to_owned())
}

/// Builds registry rows, naming the installers.
pub async fn views(state: &AppState, org: Uuid, devices: Vec<Device>) -> Result<Vec<DeviceView>, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let interval = organisations::get(&mut tx, org).await?.map(|o| o.sync_interval_s).unwrap_or(i64::from(shared_model::wire::DEFAULT_SYNC_INTERVAL_S));
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for id in devices.iter().filter_map(|d| d.installed_by) {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id) {
            if let Some(p) = people::get(&mut tx, org, id).await? {
                e.insert(p.name);
            }
        }
    }
    tx.commit().await?;
    devices
        .into_iter()
        .map(|d| {
            let sync_request_pending = d.sync_request_pending();
            Ok(DeviceView {
                sync_requirement: d.sync_requirement()?,
                installed_by: d.installed_by.and_then(|id| names.get(&id).map(|n| PersonRef { id, name: n.clone() })),
                id: d.id,
                name: d.name,
                installed_at: d.installed_at,
                last_contact_at: d.last_contact_at,
                last_full_sync_at: d.last_full_sync_at,
                platform: d.platform,
                app_version: d.app_version,
                pending_events: d.pending_events,
                oldest_pending_at: d.oldest_pending_at,
                clock_offset_s: d.clock_offset_s,
                sync_interval_s: interval,
                sync_request_pending,
                sync_requested_at: d.sync_requested_at,
            })
        })
        .collect()
}

/// Every installed tablet of the organisation.
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", operation_id = "list_devices", params(PageQuery),
    security(("session" = [])),
    responses((status = 200, body = Page<DeviceView>), (status = 403, description = "`forbidden`: admins and managers only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<DeviceView>>, ApiError> {
    caller.require_manager()?;
    let (cursor, limit) = q.resolve()?;
    let mut tx = state.store.begin_read().await?;
    let devices = store_devices::list(&mut tx, caller.org(), cursor, limit).await?;
    tx.commit().await?;
    let next_cursor = next_cursor(devices.iter().map(|d| d.id), limit);
    Ok(Json(Page { items: views(&state, caller.org(), devices).await?, next_cursor }))
}

/// The answer to a sync request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SyncRequestView {
    /// When the request was made; a tablet has answered it once its `last_full_sync_at` is at
    /// or after this instant.
    pub requested_at: DateTime<Utc>,
    /// How many installed tablets were asked.
    pub devices: u64,
}

/// Ask every installed tablet of the organisation to sync at its next contact: the answer to
/// its next sync (the five-minute cycle, or the quick sync after a stamp) tells it to send
/// everything it holds, fetch the roster anew and refresh its week view. The registry shows the
/// request as pending until the tablet's next full sync. Recorded in the audit log.
#[utoipa::path(post, path = "/api/v1/devices/sync-request", tag = "devices", operation_id = "request_sync_all",
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = SyncRequestView), (status = 403, description = "`forbidden`: admins and managers only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn request_sync_all(State(state): State<AppState>, caller: Caller) -> Result<Json<SyncRequestView>, ApiError> {
    request_sync(&state, &caller, None).await
}

/// Ask one installed tablet to sync at its next contact (as the organisation-wide request).
#[utoipa::path(post, path = "/api/v1/devices/{id}/sync-request", tag = "devices", operation_id = "request_sync_one",
    params(("id" = Uuid, Path, description = "The device's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = SyncRequestView), (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no installed device of that id in the organisation")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn request_sync_one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<SyncRequestView>, ApiError> {
    let id = super::extract::parse_id(&id, "device")?;
    request_sync(&state, &caller, Some(id)).await
}

async fn request_sync(state: &AppState, caller: &Caller, device: Option<Uuid>) -> Result<Json<SyncRequestView>, ApiError> {
    caller.require_manager()?;
    // Microseconds, what both databases keep: the answer equals what the registry shows.
    let now = chrono::SubsecRound::trunc_subsecs(state.clock.now(), 6);
    let mut tx = state.store.begin().await?;
    let asked = store_devices::request_sync(&mut tx, caller.org(), device, now).await?;
    if device.is_some() && asked == 0 {
        return Err(ApiError::NotFound("device"));
    }
    let entry = crate::store::AuditEntry {
        organisation_id: caller.org(),
        at: now,
        actor: Some(caller.person.id),
        kind: "devices_sync_requested",
        subject: device.map(|d| d.to_string()),
        details: Some(json!({ "devices": asked })),
    };
    crate::store::audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(devices = asked, "sync requested");
    Ok(Json(SyncRequestView { requested_at: now, devices: asked }))
}
