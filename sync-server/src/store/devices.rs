//! The device registry's writes in the unit-of-work shape (`Tx`): naming a tablet.

use uuid::Uuid;

use super::tx::on_both;
use super::{StoreResult, Tx};

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
