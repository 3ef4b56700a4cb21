//! Enrolment codes: created by an admin, redeemed once by a tablet, which is registered in the
//! same transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::tx::on_both;
use super::{devices, map_unique, organisations, NewDevice, NewEnrolmentCode, Redeemed, StoreError, StoreResult, Tx};

pub async fn create_code(tx: &mut Tx, code: &NewEnrolmentCode) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO enrolment_codes (code_hash, organisation_id, created_by, created_at, expires_at, device_name) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&code.code_hash)
    .bind(code.organisation_id)
    .bind(code.created_by)
    .bind(code.created_at)
    .bind(code.expires_at)
    .bind(&code.device_name)
    .execute(&mut **c)
    .await
    .map_err(map_unique)?
    .rows_affected());
    Ok(())
}

/// An enrolment code's organisation, creator, expiry, use and the name it gives the tablet.
type CodeRow = (Uuid, Option<Uuid>, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>);

/// Uses a code once and registers the device (with its `installed` history row) in `tx`.
/// Call it in a write transaction (`Store::begin`): the code must not be used twice.
pub async fn redeem(tx: &mut Tx, code_hash: &str, d: &NewDevice) -> StoreResult<Redeemed> {
    let row: Option<CodeRow> = on_both!(tx, c => sqlx::query_as(
        "SELECT organisation_id, created_by, expires_at, used_at, device_name FROM enrolment_codes WHERE code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(&mut **c)
    .await?);
    let Some((org, created_by, expires_at, used_at, name)) = row else {
        return Ok(Redeemed::Unknown);
    };
    if used_at.is_some() || expires_at <= d.now {
        return Ok(Redeemed::Expired);
    }
    let used = on_both!(tx, c => sqlx::query("UPDATE enrolment_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1 AND used_at IS NULL")
        .bind(code_hash)
        .bind(d.now)
        .bind(d.id)
        .execute(&mut **c)
        .await?
        .rows_affected());
    if used != 1 {
        return Ok(Redeemed::Expired);
    }
    let device = devices::register(tx, org, created_by, d, name.as_deref()).await?;
    let organisation = organisations::get(tx, org).await?.ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
    Ok(Redeemed::Enrolled { device: Box::new(device), organisation: Box::new(organisation) })
}
