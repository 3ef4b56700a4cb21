//! The roster tablets cache: people with a number, their links, and the version it is labelled
//! with.

use std::collections::HashMap;

use shared_model::wire::{Roster, RosterEmployee, RosterLink};
use uuid::Uuid;

use super::tx::on_both;
use super::{StoreError, StoreResult, Tx};

/// The roster of `org`; its version is read before its content: content newer than its label
/// is refreshed again at the next sync, while the reverse would leave a tablet on stale PINs
/// for good.
pub async fn get(tx: &mut Tx, org: Uuid) -> StoreResult<Roster> {
    let (version,): (i64,) =
        on_both!(tx, c => sqlx::query_as("SELECT roster_version FROM organisations WHERE id = $1").bind(org).fetch_one(&mut **c).await?);
    let people: Vec<(Uuid, String, String, String, Option<String>, bool)> = on_both!(tx, c => sqlx::query_as(
        "SELECT id, number, name, role, pin_hash, active FROM people WHERE organisation_id = $1 AND number IS NOT NULL ORDER BY number",
    )
    .bind(org)
    .fetch_all(&mut **c)
    .await?);
    let assigned: Vec<(Uuid, Uuid)> = on_both!(tx, c => sqlx::query_as(
        "SELECT person_id, link_id FROM person_links WHERE organisation_id = $1 ORDER BY person_id, link_id",
    )
    .bind(org)
    .fetch_all(&mut **c)
    .await?);
    let links: Vec<(Uuid, String, String, bool)> = on_both!(tx, c => sqlx::query_as(
        "SELECT id, project, account, active FROM links WHERE organisation_id = $1 ORDER BY project, account",
    )
    .bind(org)
    .fetch_all(&mut **c)
    .await?);
    let mut by_person: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (p, l) in assigned {
        by_person.entry(p).or_default().push(l);
    }
    let mut employees = Vec::with_capacity(people.len());
    for (id, number, name, role, pin_hash, active) in people {
        let role = shared_model::Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
        employees.push(RosterEmployee { id, number, name, role, pin_hash, active, links: by_person.remove(&id).unwrap_or_default() });
    }
    Ok(Roster {
        version: version.to_string(),
        employees,
        links: links.into_iter().map(|(id, project, account, active)| RosterLink { id, project, account, active }).collect(),
    })
}
