//! Web sessions, stored by the hash of their token.

use sqlx::{FromRow, Row};

use super::people::PERSON_COLS;
use super::tx::on_both;
use super::{Db, Person, Session, StoreResult, Tx};

pub async fn create(tx: &mut Tx, s: &Session) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO sessions (token_hash, organisation_id, person_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.token_hash)
    .bind(s.organisation_id)
    .bind(s.person_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.expires_at)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(())
}

/// The session with this token hash and its person (of the session's organisation), in one
/// statement. Every admin request runs it, on a pooled connection outside a transaction (see
/// [`super::Conn`]).
pub async fn lookup(db: &mut impl Db, token_hash: &str) -> StoreResult<Option<(Session, Person)>> {
    let person_cols: String = PERSON_COLS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {person_cols}, s.csrf_token AS session_csrf_token, s.created_at AS session_created_at, \
         s.expires_at AS session_expires_at FROM sessions s \
         JOIN people p ON p.organisation_id = s.organisation_id AND p.id = s.person_id WHERE s.token_hash = $1"
    );
    let found = on_both!(db, c => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(&mut **c).await? {
        None => None,
        Some(row) => {
            let person = Person::from_row(&row)?;
            let session = Session {
                token_hash: token_hash.to_owned(),
                organisation_id: person.organisation_id,
                person_id: person.id,
                csrf_token: row.try_get("session_csrf_token")?,
                created_at: row.try_get("session_created_at")?,
                expires_at: row.try_get("session_expires_at")?,
            };
            Some((session, person))
        }
    });
    Ok(found)
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut **c).await?.rows_affected());
    Ok(())
}
