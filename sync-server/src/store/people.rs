//! People of an organisation: creating and changing them (with the credential audit and the
//! session ends a change implies, in the same transaction), reading them, the login candidate,
//! the personnummer lookup, and the links assigned to each person.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{FromRow, QueryBuilder, Row};
use uuid::Uuid;

use super::organisations::bump_roster;
use super::tx::on_both;
use super::{audit, keyset_page, map_unique, ChangedBy, NewPerson, Person, PersonPatch, StoreError, StoreResult, Tx};

pub(crate) const PERSON_COLS: &str =
    "id, organisation_id, number, name, role, username, personnummer_last4, active, created_at, updated_at";

/// Creates a person, audited (`person_created`; credentials set with it as `credentials_changed`) in `tx`.
/// The system (command line, demo, fixtures) passes `ChangedBy::default()`.
pub async fn create(tx: &mut Tx, p: &NewPerson, by: &ChangedBy, now: DateTime<Utc>) -> StoreResult<Person> {
    let sql = format!(
        "INSERT INTO people (id, organisation_id, number, name, role, username, password_hash, pin_hash, \
         personnummer_hmac, personnummer_last4, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {PERSON_COLS}"
    );
    let person: Person = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(p.id)
        .bind(p.organisation_id)
        .bind(&p.number)
        .bind(&p.name)
        .bind(p.role.as_str())
        .bind(&p.username)
        .bind(&p.password_hash)
        .bind(&p.pin_hash)
        .bind(&p.personnummer_hmac)
        .bind(&p.personnummer_last4)
        .bind(p.active)
        .bind(now)
        .fetch_one(&mut **c)
        .await
        .map_err(map_unique)?);
    if p.number.is_some() {
        bump_roster(tx, p.organisation_id).await?;
    }
    audit::person_created(tx, by.actor, &person, now).await?;
    let fields = p.credential_fields();
    if !fields.is_empty() {
        audit::credentials_changed(tx, p.organisation_id, by.actor, p.id, &fields, 0, now).await?;
    }
    Ok(person)
}

/// Changes a person. In `tx` as well: a change of number, name, role or active is audited
/// (`person_changed`, `person_deactivated`: each field from → to), a credential change too (`credentials_changed`:
/// who, whose, which fields — never the secret); a new password or a deactivation ends the
/// person's sessions (all but `by.keep_session`, for a password).
pub async fn update(tx: &mut Tx, org: Uuid, id: Uuid, patch: &PersonPatch, by: &ChangedBy, now: DateTime<Utc>) -> StoreResult<Option<Person>> {
    // As it was, for the audit row of what changed (number, name, role, active).
    let Some(before) = get(tx, org, id).await? else { return Ok(None) };
    let sql = format!(
        "UPDATE people SET number = COALESCE($3, number), name = COALESCE($4, name), role = COALESCE($5, role), \
         username = COALESCE($6, username), password_hash = COALESCE($7, password_hash), \
         pin_hash = COALESCE($8, pin_hash), personnummer_hmac = COALESCE($9, personnummer_hmac), \
         personnummer_last4 = COALESCE($10, personnummer_last4), active = COALESCE($11, active), updated_at = $12 \
         WHERE organisation_id = $1 AND id = $2 RETURNING {PERSON_COLS}"
    );
    let person: Option<Person> = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org)
        .bind(id)
        .bind(&patch.number)
        .bind(&patch.name)
        .bind(patch.role.map(|r| r.as_str()))
        .bind(&patch.username)
        .bind(&patch.password_hash)
        .bind(&patch.pin_hash)
        .bind(&patch.personnummer_hmac)
        .bind(&patch.personnummer_last4)
        .bind(patch.active)
        .bind(now)
        .fetch_optional(&mut **c)
        .await
        .map_err(map_unique)?);
    let Some(after) = &person else { return Ok(None) };
    audit::person_changed(tx, by.actor, &before, after, now).await?;
    if patch.touches_roster() {
        bump_roster(tx, org).await?;
    }
    let mut sessions_ended = 0;
    if patch.active == Some(false) {
        // A deactivated person's web sessions end with it.
        sessions_ended += on_both!(tx, c => sqlx::query("DELETE FROM sessions WHERE organisation_id = $1 AND person_id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut **c)
            .await?
            .rows_affected());
    } else if patch.password_hash.is_some() {
        // A new password ends every other session: whoever knew the old one is out.
        sessions_ended += on_both!(tx, c => sqlx::query("DELETE FROM sessions WHERE organisation_id = $1 AND person_id = $2 AND token_hash <> $3")
            .bind(org)
            .bind(id)
            .bind(by.keep_session.as_deref().unwrap_or(""))
            .execute(&mut **c)
            .await?
            .rows_affected());
    }
    let fields = patch.credential_fields();
    if !fields.is_empty() {
        audit::credentials_changed(tx, org, by.actor, id, &fields, sessions_ended, now).await?;
    }
    Ok(person)
}

pub async fn get(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<Option<Person>> {
    let sql = format!("SELECT {PERSON_COLS} FROM people WHERE organisation_id = $1 AND id = $2");
    Ok(on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(id).fetch_optional(&mut **c).await?))
}

/// People of `org` by id, after the cursor `after`.
pub async fn list(tx: &mut Tx, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Person>> {
    keyset_page(tx, &format!("SELECT {PERSON_COLS} FROM people WHERE organisation_id = $1"), org, after, limit).await
}

/// The person with this username and their password hash, for login (usernames are global).
pub async fn login_candidate(tx: &mut Tx, username: &str) -> StoreResult<Option<(Person, Option<String>)>> {
    let sql = format!("SELECT {PERSON_COLS}, password_hash FROM people WHERE username = $1");
    let found = on_both!(tx, c => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&mut **c).await? {
        None => None,
        Some(row) => Some((Person::from_row(&row)?, row.try_get::<Option<String>, _>("password_hash")?)),
    });
    Ok(found)
}

/// People of `org` whose keyed personnummer hash is `hmac`.
pub async fn by_personnummer(tx: &mut Tx, org: Uuid, hmac: &str) -> StoreResult<Vec<Person>> {
    let sql = format!("SELECT {PERSON_COLS} FROM people WHERE organisation_id = $1 AND personnummer_hmac = $2");
    Ok(on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(hmac).fetch_all(&mut **c).await?))
}

/// The link ids assigned to each of `people`. On PostgreSQL one constant statement text
/// (`= ANY($2)` over a uuid array), planned once per connection whatever the list's length.
pub async fn links_of(tx: &mut Tx, org: Uuid, people: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if people.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Uuid, Uuid)> = match tx {
        Tx::Postgres(c) => {
            sqlx::query_as(
                "SELECT person_id, link_id FROM person_links WHERE organisation_id = $1 AND person_id = ANY($2) \
                 ORDER BY person_id, link_id",
            )
            .bind(org)
            .bind(people)
            .fetch_all(&mut **c)
            .await?
        }
        Tx::Sqlite(c) => {
            let mut qb = QueryBuilder::<sqlx::Sqlite>::new("SELECT person_id, link_id FROM person_links WHERE organisation_id = ");
            qb.push_bind(org).push(" AND person_id IN (");
            let mut sep = qb.separated(", ");
            for p in people {
                sep.push_bind(*p);
            }
            qb.push(") ORDER BY person_id, link_id");
            qb.build_query_as().fetch_all(&mut **c).await?
        }
    };
    for (p, l) in rows {
        out.entry(p).or_default().push(l);
    }
    Ok(out)
}

/// Replaces a person's links (and moves the roster version); `UnknownReference` when the person
/// or a link is not of `org`.
pub async fn set_links(tx: &mut Tx, org: Uuid, person: Uuid, links: &[Uuid]) -> StoreResult<()> {
    let exists: Option<(Uuid,)> = on_both!(tx, c => sqlx::query_as("SELECT id FROM people WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(person)
        .fetch_optional(&mut **c)
        .await?);
    if exists.is_none() {
        return Err(StoreError::UnknownReference("employee"));
    }
    let mut wanted: Vec<Uuid> = links.to_vec();
    wanted.sort();
    wanted.dedup();
    if !wanted.is_empty() {
        let (found,): (i64,) = match tx {
            Tx::Postgres(c) => {
                sqlx::query_as("SELECT COUNT(*) FROM links WHERE organisation_id = $1 AND id = ANY($2)")
                    .bind(org)
                    .bind(&wanted)
                    .fetch_one(&mut **c)
                    .await?
            }
            Tx::Sqlite(c) => {
                let mut qb = QueryBuilder::<sqlx::Sqlite>::new("SELECT COUNT(*) FROM links WHERE organisation_id = ");
                qb.push_bind(org).push(" AND id IN (");
                let mut sep = qb.separated(", ");
                for l in &wanted {
                    sep.push_bind(*l);
                }
                qb.push(")");
                qb.build_query_as().fetch_one(&mut **c).await?
            }
        };
        if found != wanted.len() as i64 {
            return Err(StoreError::UnknownReference("link"));
        }
    }
    on_both!(tx, c => sqlx::query("DELETE FROM person_links WHERE organisation_id = $1 AND person_id = $2")
        .bind(org)
        .bind(person)
        .execute(&mut **c)
        .await?
        .rows_affected());
    for l in &wanted {
        on_both!(tx, c => sqlx::query("INSERT INTO person_links (organisation_id, person_id, link_id) VALUES ($1, $2, $3)")
            .bind(org)
            .bind(person)
            .bind(*l)
            .execute(&mut **c)
            .await?
            .rows_affected());
    }
    bump_roster(tx, org).await
}
