//! Device governance from the web (seed 000, I3–I5): sync requirements with history, and
//! uninstalling a tablet after a confirmation that names the risk.

use shared_model::ErrorCode;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared_model::wire::{Page, PersonRef};
use shared_model::{PayPeriod, SyncRequirement};
use uuid::Uuid;

use super::devices::{views, DeviceView};
use super::extract::{parse_id, ApiJson, RawBody};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{devices, organisations, Device};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/devices/{id}", delete(uninstall).patch(rename))
        .route("/api/v1/devices/{id}/sync-requirement", put(set_requirement))
        .route("/api/v1/devices/{id}/history", get(history))
}

/// An installed device of the caller's organisation, or 404.
pub async fn installed_device(state: &AppState, caller: &Caller, id: &str) -> Result<Device, ApiError> {
    let id = parse_id(id, "device")?;
    match devices::get(&mut state.store.conn().await?, id).await? {
        Some(d) if d.organisation_id == caller.org() && d.is_installed() => Ok(d),
        _ => Err(ApiError::NotFound("device")),
    }
}

/// `PUT /api/v1/devices/{id}/sync-requirement` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementInput {
    /// `active`, `disabled_for_period` or `disabled_permanently`.
    #[schema(example = "disabled_for_period")]
    pub state: String,
    /// `YYYY-MM` (years 1900–9999), only with `disabled_for_period`; absent or null: the open period.
    #[schema(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: Option<String>,
}

/// Set a tablet's sync requirement (recorded in its history).
#[utoipa::path(put, path = "/api/v1/devices/{id}/sync-requirement", tag = "devices", operation_id = "set_sync_requirement", request_body = RequirementInput,
    params(("id" = Uuid, Path, description = "The device's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = DeviceView),
              (status = 400, description = "`invalid_request`: an unknown state, a malformed period, or a period with another state than `disabled_for_period`"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no installed device of that id in the organisation")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn set_requirement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RequirementInput>,
) -> Result<Json<DeviceView>, ApiError> {
    caller.require_manager()?;
    let device = installed_device(&state, &caller, &id).await?;
    let now = state.clock.now();
    let req = match (input.state.as_str(), input.period.as_deref()) {
        ("active", None) => SyncRequirement::Active,
        ("disabled_permanently", None) => SyncRequirement::DisabledPermanently,
        ("disabled_for_period", p) => {
            let period = match p {
                Some(p) => p.parse::<PayPeriod>().map_err(|e| ApiError::InvalidRequest(e.to_string()))?,
                None => {
                    let mut tx = state.store.begin_read().await?;
                    let org = organisations::get(&mut tx, caller.org()).await?.ok_or(ApiError::NotFound("organisation"))?;
                    tx.commit().await?;
                    PayPeriod::containing(now, org.tz()?)
                }
            };
            SyncRequirement::DisabledForPeriod { period }
        }
        ("active" | "disabled_permanently", Some(_)) => {
            return Err(ApiError::InvalidRequest("period is only allowed with state disabled_for_period".into()))
        }
        (other, _) => {
            return Err(ApiError::InvalidRequest(format!(
                "state {other:?} is not one of active, disabled_for_period, disabled_permanently"
            )))
        }
    };
    let mut tx = state.store.begin().await?;
    if !devices::set_sync_requirement(&mut tx, caller.org(), device.id, &req, Some(caller.person.id), now).await? {
        return Err(ApiError::NotFound("device"));
    }
    let updated = devices::get(&mut tx, device.id).await?.ok_or(ApiError::NotFound("device"))?;
    tx.commit().await?;
    let mut v = views(&state, caller.org(), vec![updated]).await?;
    v.pop().map(Json).ok_or(ApiError::NotFound("device"))
}

/// One history row (I5).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryItem {
    pub at: DateTime<Utc>,
    /// `null` when the system made the change (a locked period re-activating a requirement).
    pub by: Option<PersonRef>,
    /// `installed`, `sync_requirement_changed` or `uninstalled`.
    pub event: String,
    /// The requirement after the event.
    pub sync_requirement: SyncRequirement,
}

/// A tablet's history, oldest first; 404 once it is uninstalled (the audit log keeps the rows).
#[utoipa::path(get, path = "/api/v1/devices/{id}/history", tag = "devices", operation_id = "device_history", params(("id" = Uuid, Path, description = "The device's id (a malformed id is 404 `not_found`)")),
    security(("session" = [])),
    responses((status = 200, body = Page<HistoryItem>), (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no installed device of that id in the organisation (also once uninstalled)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn history(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Page<HistoryItem>>, ApiError> {
    caller.require_manager()?;
    let device = installed_device(&state, &caller, &id).await?;
    let mut tx = state.store.begin_read().await?;
    let rows = devices::history(&mut tx, caller.org(), device.id).await?;
    tx.commit().await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let sync_requirement = SyncRequirement::from_parts(&r.sync_state, r.sync_period.as_deref())
                .ok_or_else(|| ApiError::Internal(format!("history row with state {:?}", r.sync_state)))?;
            let by = r.by_person.map(|id| PersonRef { id, name: r.by_name.clone().unwrap_or_default() });
            Ok(HistoryItem { at: r.at, by, event: r.event, sync_requirement })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(Page { items, next_cursor: None }))
}

/// `DELETE /api/v1/devices/{id}` body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UninstallConfirmation {
    pub confirm: Option<bool>,
}

/// The web uninstall's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebUninstalled {
    pub id: Uuid,
    pub uninstalled_at: DateTime<Utc>,
    pub by: PersonRef,
}

/// `PATCH /api/v1/devices/{id}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevicePatch {
    /// 1–60 printable characters after trimming, e.g. "Entré" or "Kök".
    #[schema(min_length = 1, max_length = 60, example = "Entré")]
    pub name: String,
}

/// Name a tablet ("Entré", "Kök"): the name shows in the registry, the history and the payroll
/// gate's blockers. Recorded in the audit log.
#[utoipa::path(patch, path = "/api/v1/devices/{id}", tag = "devices", operation_id = "rename_device", request_body = DevicePatch,
    params(("id" = Uuid, Path, description = "The device's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = DeviceView), (status = 400, description = "`invalid_request`: a name that is empty, longer than 60 characters or holds control characters"),
              (status = 403, description = "`forbidden`: admins only"),
              (status = 404, description = "`not_found`: no installed device of that id in the organisation")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn rename(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(body): ApiJson<DevicePatch>) -> Result<Json<DeviceView>, ApiError> {
    caller.require_admin()?;
    let id = parse_id(&id, "device")?;
    let name = super::devices::device_name("name", &body.name)?;
    let name = name.as_str();
    let mut tx = state.store.begin().await?;
    if !devices::rename(&mut tx, caller.org(), id, name).await? {
        return Err(ApiError::NotFound("device"));
    }
    let entry = crate::store::AuditEntry {
        organisation_id: caller.org(),
        at: state.clock.now(),
        actor: Some(caller.person.id),
        kind: "device_renamed",
        subject: Some(id.to_string()),
        details: Some(json!({ "name": name })),
    };
    crate::store::audit::record(&mut tx, &entry).await?;
    let device = devices::get(&mut tx, id).await?.ok_or(ApiError::NotFound("device"))?;
    tx.commit().await?;
    let view = views(&state, caller.org(), vec![device]).await?.pop().ok_or(ApiError::NotFound("device"))?;
    Ok(Json(view))
}

/// Uninstall a tablet from the web. Without `{"confirm": true}` answers 409
/// `confirmation_required` naming the risk (pending events, last contact).
#[utoipa::path(delete, path = "/api/v1/devices/{id}", tag = "devices", operation_id = "uninstall_device",
    request_body(content = UninstallConfirmation, description = "Optional: an empty body asks for the confirmation (409).", content_type = "application/json"),
    params(("id" = Uuid, Path, description = "The device's id (a malformed id is 404 `not_found`)")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = WebUninstalled), (status = 400, description = "`invalid_request`: a body that is not the confirmation object"),
              (status = 403, description = "`forbidden`: admins only"),
              (status = 404, description = "`not_found`: no installed device of that id in the organisation"),
              (status = 409, description = "`confirmation_required` without `{\"confirm\": true}` (`details`: `pending_events`, `last_contact_at`, `last_full_sync_at`)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn uninstall(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Json<WebUninstalled>, ApiError> {
    caller.require_admin()?;
    let device = installed_device(&state, &caller, &id).await?;
    // The body is optional: an empty DELETE asks for the confirmation.
    let confirmation: UninstallConfirmation = if body.iter().all(u8::is_ascii_whitespace) {
        UninstallConfirmation::default()
    } else {
        serde_json::from_slice(&body).map_err(crate::error::json_error)?
    };
    let confirmed = confirmation.confirm.unwrap_or(false);
    if !confirmed {
        let risk = if device.pending_events > 0 {
            format!("the tablet reported {} stamps not yet synced; they may be missing from payroll", device.pending_events)
        } else {
            "stamps made since the tablet's last contact may not have reached the server".to_owned()
        };
        return Err(ApiError::with_details(
            StatusCode::CONFLICT,
            ErrorCode::ConfirmationRequired,
            format!("confirm the uninstall: {risk}"),
            json!({ "pending_events": device.pending_events, "last_contact_at": device.last_contact_at,
                    "last_full_sync_at": device.last_full_sync_at }),
        ));
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    if !devices::uninstall(&mut tx, &device, Some(caller.person.id), "web", now).await? {
        return Err(ApiError::NotFound("device"));
    }
    tx.commit().await?;
    tracing::info!(device = %device.id, by = %caller.person.id, "device uninstalled from the web");
    Ok(Json(WebUninstalled { id: device.id, uninstalled_at: now, by: PersonRef { id: caller.person.id, name: caller.person.name.clone() } }))
}
