//! The device registry: registering a tablet, looking it up by id (every signed request), listing,
//! naming, the clock offset a refused request reveals, its sync requirement with history, and
//! uninstalling it.

use chrono::{DateTime, Utc};
use shared_model::SyncRequirement;
use uuid::Uuid;

use super::tx::on_both;
use super::{audit, keyset_page, map_unique, AuditEntry, Db, Device, NewDevice, StoreResult, Tx};

const DEVICE_COLS: &str = "id, organisation_id, public_key, platform, app_version, installed_at, \
     installed_by, last_contact_at, last_full_sync_at, pending_events, oldest_pending_at, clock_offset_s, \
     sync_state, sync_period, uninstalled_at, uninstalled_by, name, sync_requested_at";

/// One row of a device's history (I5): the requirement after the event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub at: DateTime<Utc>,
    pub by_person: Option<Uuid>,
    pub by_name: Option<String>,
    pub event: String,
    pub sync_state: String,
    pub sync_period: Option<String>,
}

/// A device by its id, installed or not (the id comes from a signed request, so the lookup is
/// global). Takes any [`Db`]: every signed request runs it on a pooled connection, outside a
/// transaction (see [`super::Conn`]).
pub async fn get(db: &mut impl Db, id: Uuid) -> StoreResult<Option<Device>> {
    let sql = format!("SELECT {DEVICE_COLS} FROM devices WHERE id = $1");
    Ok(on_both!(db, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **c).await?))
}

/// Installed devices of `org`, by id, after the cursor `after`.
pub async fn list(tx: &mut Tx, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Device>> {
    keyset_page(tx, &format!("SELECT {DEVICE_COLS} FROM devices WHERE organisation_id = $1 AND uninstalled_at IS NULL"), org, after, limit).await
}

/// Registers an enrolled tablet of `org`, named `name` where its enrolment code gave one, with
/// its `installed` history row.
pub(crate) async fn register(tx: &mut Tx, org: Uuid, installed_by: Option<Uuid>, d: &NewDevice, name: Option<&str>) -> StoreResult<Device> {
    let sql = format!(
        "INSERT INTO devices (id, organisation_id, public_key, platform, app_version, installed_at, installed_by, name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {DEVICE_COLS}"
    );
    let device: Device = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(d.id)
        .bind(org)
        .bind(&d.public_key)
        .bind(&d.platform)
        .bind(&d.app_version)
        .bind(d.now)
        .bind(installed_by)
        .bind(name)
        .fetch_one(&mut **c)
        .await
        .map_err(map_unique)?);
    history_row(tx, org, d.id, d.now, installed_by, "installed", "active", None).await?;
    Ok(device)
}

/// Names an installed tablet of `org`; `false` when there is no such installed tablet.
pub async fn rename(tx: &mut Tx, org: Uuid, id: Uuid, name: &str) -> StoreResult<bool> {
    let n = on_both!(tx, c => sqlx::query("UPDATE devices SET name = $3 WHERE organisation_id = $1 AND id = $2 AND uninstalled_at IS NULL")
        .bind(org)
        .bind(id)
        .bind(name)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Asks the installed tablets of `org` (every one, or only `device`) to sync at their next
/// contact: sets their `sync_requested_at` to `now`. Answers how many tablets were asked.
pub async fn request_sync(tx: &mut Tx, org: Uuid, device: Option<Uuid>, now: DateTime<Utc>) -> StoreResult<u64> {
    let n = on_both!(tx, c => sqlx::query(
        "UPDATE devices SET sync_requested_at = $2 WHERE organisation_id = $1 AND uninstalled_at IS NULL \
         AND ($3 IS NULL OR id = $3)")
        .bind(org)
        .bind(now)
        .bind(device)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}

/// Records what a refused (clock-skewed) request told us about the device's clock.
pub async fn record_clock_offset(tx: &mut Tx, device: &Device, now: DateTime<Utc>, clock_offset_s: i64) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("UPDATE devices SET last_contact_at = $3, clock_offset_s = $4 WHERE organisation_id = $1 AND id = $2")
        .bind(device.organisation_id)
        .bind(device.id)
        .bind(now)
        .bind(clock_offset_s)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(())
}

/// Sets an installed device's requirement and records it in history and audit log; `false`
/// when the device is not an installed device of `org`.
pub async fn set_sync_requirement(tx: &mut Tx, org: Uuid, device: Uuid, req: &SyncRequirement, by: Option<Uuid>, now: DateTime<Utc>) -> StoreResult<bool> {
    let period = req.period().map(|p| p.to_string());
    let done = on_both!(tx, c => sqlx::query(
        "UPDATE devices SET sync_state = $3, sync_period = $4 WHERE organisation_id = $1 AND id = $2 AND uninstalled_at IS NULL",
    )
    .bind(org)
    .bind(device)
    .bind(req.state_str())
    .bind(&period)
    .execute(&mut **c)
    .await?
    .rows_affected());
    if done != 1 {
        return Ok(false);
    }
    history_row(tx, org, device, now, by, "sync_requirement_changed", req.state_str(), period.as_deref()).await?;
    let entry = AuditEntry {
        organisation_id: org,
        at: now,
        actor: by,
        kind: "sync_requirement_changed",
        subject: Some(device.to_string()),
        details: Some(serde_json::to_value(req).unwrap_or_default()),
    };
    audit::record(tx, &entry).await?;
    Ok(true)
}

/// Every `disabled_for_period(period)` requirement of `org`'s installed devices returns to
/// `active`, recorded in history with `by: null`; answers how many.
pub(crate) async fn reset_disabled_for(tx: &mut Tx, org: Uuid, period: &str, now: DateTime<Utc>) -> StoreResult<usize> {
    let reset: Vec<(Uuid,)> = on_both!(tx, c => sqlx::query_as(
        "UPDATE devices SET sync_state = 'active', sync_period = NULL WHERE organisation_id = $1 \
         AND sync_state = 'disabled_for_period' AND sync_period = $2 AND uninstalled_at IS NULL RETURNING id",
    )
    .bind(org)
    .bind(period)
    .fetch_all(&mut **c)
    .await?);
    for (device,) in &reset {
        history_row(tx, org, *device, now, None, "sync_requirement_changed", "active", None).await?;
    }
    Ok(reset.len())
}

pub async fn history(tx: &mut Tx, org: Uuid, device: Uuid) -> StoreResult<Vec<HistoryRow>> {
    Ok(on_both!(tx, c => sqlx::query_as(
        "SELECT h.at, h.by_person, p.name AS by_name, h.event, h.sync_state, h.sync_period \
         FROM device_history h LEFT JOIN people p ON p.id = h.by_person AND p.organisation_id = h.organisation_id \
         WHERE h.organisation_id = $1 AND h.device_id = $2 ORDER BY h.id",
    )
    .bind(org)
    .bind(device)
    .fetch_all(&mut **c)
    .await?))
}

/// Revokes a device (history and audit recorded, `via` the web or the tablet); `false` when
/// it was already uninstalled.
pub async fn uninstall(tx: &mut Tx, device: &Device, by: Option<Uuid>, via: &'static str, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = on_both!(tx, c => sqlx::query(
        "UPDATE devices SET uninstalled_at = $3, uninstalled_by = $4 WHERE organisation_id = $1 AND id = $2 AND uninstalled_at IS NULL",
    )
    .bind(device.organisation_id)
    .bind(device.id)
    .bind(now)
    .bind(by)
    .execute(&mut **c)
    .await?
    .rows_affected());
    if done != 1 {
        return Ok(false);
    }
    history_row(tx, device.organisation_id, device.id, now, by, "uninstalled", &device.sync_state, device.sync_period.as_deref()).await?;
    let details = serde_json::json!({
        "via": via,
        "pending_events": device.pending_events,
        "last_contact_at": device.last_contact_at,
    });
    let entry = AuditEntry {
        organisation_id: device.organisation_id,
        at: now,
        actor: by,
        kind: "device_uninstalled",
        subject: Some(device.id.to_string()),
        details: Some(details),
    };
    audit::record(tx, &entry).await?;
    Ok(true)
}

/// Appends a device history row.
#[allow(clippy::too_many_arguments)]
async fn history_row(
    tx: &mut Tx,
    org: Uuid,
    device: Uuid,
    at: DateTime<Utc>,
    by: Option<Uuid>,
    event: &str,
    state: &str,
    period: Option<&str>,
) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO device_history (id, organisation_id, device_id, at, by_person, event, sync_state, sync_period) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(org)
    .bind(device)
    .bind(at)
    .bind(by)
    .bind(event)
    .bind(state)
    .bind(period)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(())
}
