//! The audit log: a row written in the same transaction as the change it records, and the
//! log read back newest first.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::tx::on_both;
use super::{AuditEntry, Link, Person, StoreResult, Tx};

/// An audit log row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub actor_name: Option<String>,
    pub kind: String,
    pub subject: Option<String>,
    pub details: Option<String>,
}

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

/// The audit row of a credential change: who, whose, which fields, when — never a value.
pub(crate) async fn credentials_changed(
    tx: &mut Tx,
    org: Uuid,
    actor: Option<Uuid>,
    subject: Uuid,
    fields: &[&str],
    sessions_ended: u64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let entry = AuditEntry {
        organisation_id: org,
        at: now,
        actor,
        kind: "credentials_changed",
        subject: Some(subject.to_string()),
        details: Some(serde_json::json!({ "fields": fields, "sessions_ended": sessions_ended })),
    };
    record(tx, &entry).await
}

/// A person created (the first-day issue, item 7): who, whom, and the plain fields — never a
/// PIN, a password or a personnummer (those are `credentials_changed`, by field name only).
pub(crate) async fn person_created(tx: &mut Tx, actor: Option<Uuid>, p: &Person, now: DateTime<Utc>) -> StoreResult<()> {
    let entry = AuditEntry {
        organisation_id: p.organisation_id,
        at: now,
        actor,
        kind: "person_created",
        subject: Some(p.id.to_string()),
        details: Some(serde_json::json!({ "name": p.name, "number": p.number, "role": p.role, "active": p.active })),
    };
    record(tx, &entry).await
}

/// A person's plain fields changed (number, name, role, active): each as `{"from", "to"}`; no
/// row when nothing of them changed.
pub(crate) async fn person_changed(tx: &mut Tx, actor: Option<Uuid>, before: &Person, after: &Person, now: DateTime<Utc>) -> StoreResult<()> {
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            changes.insert(field.to_owned(), serde_json::json!({ "from": from, "to": to }));
        }
    };
    note("number", before.number.clone().into(), after.number.clone().into());
    note("name", before.name.clone().into(), after.name.clone().into());
    note("role", before.role.clone().into(), after.role.clone().into());
    note("active", before.active.into(), after.active.into());
    if changes.is_empty() {
        return Ok(());
    }
    let entry = AuditEntry {
        organisation_id: after.organisation_id,
        at: now,
        actor,
        kind: if before.active && !after.active { "person_deactivated" } else { "person_changed" },
        subject: Some(after.id.to_string()),
        details: Some(serde_json::json!({ "changes": changes })),
    };
    record(tx, &entry).await
}

/// The links a person may stamp on changed: the ids added and removed; no row when the set is
/// the same.
pub(crate) async fn person_links_changed(tx: &mut Tx, org: Uuid, actor: Option<Uuid>, person: Uuid, before: &[Uuid], after: &[Uuid], now: DateTime<Utc>) -> StoreResult<()> {
    let added: Vec<Uuid> = after.iter().filter(|l| !before.contains(l)).copied().collect();
    let removed: Vec<Uuid> = before.iter().filter(|l| !after.contains(l)).copied().collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(());
    }
    let entry = AuditEntry {
        organisation_id: org,
        at: now,
        actor,
        kind: "person_links_changed",
        subject: Some(person.to_string()),
        details: Some(serde_json::json!({ "added": added, "removed": removed })),
    };
    record(tx, &entry).await
}

/// A project/account link created or changed: its fields as they now are.
pub(crate) async fn link_saved(tx: &mut Tx, actor: Option<Uuid>, link: &Link, created: bool, now: DateTime<Utc>) -> StoreResult<()> {
    let entry = AuditEntry {
        organisation_id: link.organisation_id,
        at: now,
        actor,
        kind: if created { "link_created" } else { "link_changed" },
        subject: Some(link.id.to_string()),
        details: Some(serde_json::json!({ "project": link.project, "account": link.account, "active": link.active })),
    };
    record(tx, &entry).await
}

/// Audit rows of `org`, newest first, before the cursor `before`, of one `kind` if given.
pub async fn list(tx: &mut Tx, org: Uuid, before: Option<Uuid>, limit: i64, kind: Option<&str>) -> StoreResult<Vec<AuditRow>> {
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor, p.name AS actor_name, a.kind, a.subject, a.details FROM audit_log a \
         LEFT JOIN people p ON p.id = a.actor AND p.organisation_id = a.organisation_id WHERE a.organisation_id = $1",
    );
    let mut n = 1;
    if before.is_some() {
        n += 1;
        sql.push_str(&format!(" AND a.id < ${n}"));
    }
    if kind.is_some() {
        n += 1;
        sql.push_str(&format!(" AND a.kind = ${n}"));
    }
    sql.push_str(&format!(" ORDER BY a.id DESC LIMIT ${}", n + 1));
    Ok(on_both!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org);
        let q = match before { Some(b) => q.bind(b), None => q };
        let q = match kind { Some(k) => q.bind(k), None => q };
        q.bind(limit).fetch_all(&mut **c).await?
    }))
}
