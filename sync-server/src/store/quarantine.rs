//! Events held back from the ledger because their tablet was uninstalled, and their review.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::tx::on_both;
use super::{audit, keyset_page, AuditEntry, StoreResult, Tx};

/// An event held back from the ledger because its tablet was uninstalled.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuarantinedEvent {
    pub id: Uuid,
    pub device_id: Uuid,
    pub device_seq: i64,
    pub employee_id: Uuid,
    pub kind: String,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub occurred_offset_s: i32,
    pub received_at: DateTime<Utc>,
    pub flags: Option<String>,
}

/// Quarantined events of `org` by id, after the cursor `after`.
pub async fn list(tx: &mut Tx, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<QuarantinedEvent>> {
    keyset_page(
        tx,
        "SELECT id, device_id, device_seq, employee_id, kind, link_id, comment, occurred_at, occurred_offset_s, \
         received_at, flags FROM events WHERE status = 'quarantined' AND organisation_id = $1",
        org,
        after,
        limit,
    )
    .await
}

/// Accepts a quarantined event into the ledger or rejects it (kept, marked rejected), audited;
/// `false` when `event` is not a quarantined event of `org`.
pub async fn review(tx: &mut Tx, org: Uuid, event: Uuid, accept: bool, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    let status = if accept { "accepted" } else { "rejected" };
    let done = on_both!(tx, c => sqlx::query(
        "UPDATE events SET status = $3, reviewed_at = $4, reviewed_by = $5 WHERE organisation_id = $1 AND id = $2 AND status = 'quarantined'",
    )
    .bind(org)
    .bind(event)
    .bind(status)
    .bind(now)
    .bind(by)
    .execute(&mut **c)
    .await?
    .rows_affected());
    if done != 1 {
        return Ok(false);
    }
    let kind = if accept { "quarantine_accepted" } else { "quarantine_rejected" };
    audit::record(tx, &AuditEntry { organisation_id: org, at: now, actor: Some(by), kind, subject: Some(event.to_string()), details: None }).await?;
    Ok(true)
}
