//! The registry of installed tablets (seed 000, rule I1).

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_model::wire::{Page, PersonRef};
use shared_model::SyncRequirement;
use uuid::Uuid;

use super::extract::{next_cursor, ApiQuery, PageQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{devices as store_devices, organisations, people, Device};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/devices", get(list))
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
