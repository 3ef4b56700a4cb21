//! The audit log in the unit-of-work shape: a row written in the same transaction as the
//! change it records.

use uuid::Uuid;

use super::tx::on_both;
use super::{AuditEntry, StoreResult, Tx};

pub async fn record(tx: &mut Tx, a: &AuditEntry) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO audit_log (id, organisation_id, at, actor, kind, subject, details) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(a.organisation_id)
    .bind(a.at)
    .bind(a.actor)
    .bind(a.kind)
    .bind(&a.subject)
    .bind(a.details.as_ref().map(|d| d.to_string()))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(())
}
