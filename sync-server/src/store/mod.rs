//! Persistence behind one trait, with a PostgreSQL and an SQLite implementation chosen by the
//! database URL. Every method that touches organisation data takes the organisation id and
//! filters on it; only a device or session lookup by its own secret-bearing key is global.

pub mod audit;
pub mod devices;
#[macro_use]
mod sql;
#[macro_use]
mod sql_governance;
mod governance;
pub mod ledger;
pub mod timesheet;
mod postgres;
mod records;
mod sqlite;
mod tx;

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shared_model::wire::Roster;
use uuid::Uuid;

pub use governance::*;
pub use postgres::PgStore;
pub use postgres::postgres_insert_page;
pub use records::*;
pub use sqlite::SqliteStore;
pub use tx::Tx;

/// What a storage call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique value (employee number, username, link) is already taken; names the field.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// An id that does not belong to the organisation; names what kind of id.
    #[error("unknown {0}")]
    UnknownReference(&'static str),
    /// The same event id is stored with other content.
    #[error("event {0} is already stored with other content")]
    EventConflict(Uuid),
    /// The device sequence number is stored under another event id.
    #[error("device_seq {seq} is already stored as event {existing}")]
    SequenceConflict { seq: i64, existing: Uuid },
    /// A stored value that cannot be read back (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// A unique violation names `field` (for a table whose constraint names say nothing useful).
    pub fn map_conflict(self, field: &'static str) -> StoreError {
        match self {
            StoreError::Conflict(_) => StoreError::Conflict(field),
            other => other,
        }
    }
}

/// The SQL dialect behind a store, for logs and health output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// The server's persistence. Implemented once per SQL dialect.
#[async_trait]
pub trait Store: GovernanceStore + Send + Sync + 'static {
    fn dialect(&self) -> Dialect;
    /// Applies the dialect's migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Opens a unit of work for the store's plain functions (`store::ledger`, …). On SQLite it
    /// holds the write lock from the start (`BEGIN IMMEDIATE`).
    async fn begin(&self) -> StoreResult<Tx>;
    /// Opens a unit of work that only reads: on SQLite a deferred `BEGIN`, so readers never
    /// queue behind writers for the write lock.
    async fn begin_read(&self) -> StoreResult<Tx>;
    /// A trivial round trip, for health checks.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_organisation(&self, name: &str, time_zone: &str, now: DateTime<Utc>) -> StoreResult<Organisation>;
    /// Finds an organisation by exact name or by id (for the command line).
    async fn find_organisation(&self, name_or_id: &str) -> StoreResult<Option<Organisation>>;
    async fn organisation(&self, id: Uuid) -> StoreResult<Option<Organisation>>;

    /// Creates a person as the system (command line, demo, fixtures).
    async fn create_person(&self, person: &NewPerson, now: DateTime<Utc>) -> StoreResult<Person> {
        self.create_person_by(person, &ChangedBy::default(), now).await
    }
    /// Creates a person; credentials set with it are audited (`credentials_changed`) in the
    /// same transaction.
    async fn create_person_by(&self, person: &NewPerson, by: &ChangedBy, now: DateTime<Utc>) -> StoreResult<Person>;
    /// Changes a person as the system.
    async fn update_person(&self, org: Uuid, id: Uuid, patch: &PersonPatch, now: DateTime<Utc>) -> StoreResult<Option<Person>> {
        self.update_person_by(org, id, patch, &ChangedBy::default(), now).await
    }
    /// Changes a person. In the same transaction: a credential change is audited
    /// (`credentials_changed`: who, whose, which fields — never the secret); a new password or
    /// a deactivation ends the person's sessions (all but `by.keep_session`, for a password).
    async fn update_person_by(&self, org: Uuid, id: Uuid, patch: &PersonPatch, by: &ChangedBy, now: DateTime<Utc>) -> StoreResult<Option<Person>>;
    async fn person(&self, org: Uuid, id: Uuid) -> StoreResult<Option<Person>>;
    async fn list_people(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Person>>;
    /// The person with this username and their password hash, for login (usernames are global).
    async fn login_candidate(&self, username: &str) -> StoreResult<Option<(Person, Option<String>)>>;
    /// People of `org` whose keyed personnummer hash is `hmac`.
    async fn people_by_personnummer(&self, org: Uuid, hmac: &str) -> StoreResult<Vec<Person>>;
    /// The link ids assigned to each of `people`.
    async fn person_links(&self, org: Uuid, people: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<Uuid>>>;
    /// Replaces a person's links; `UnknownReference` when the person or a link is not of `org`.
    async fn set_person_links(&self, org: Uuid, person: Uuid, links: &[Uuid]) -> StoreResult<()>;

    async fn create_link(&self, org: Uuid, link: &NewLink, now: DateTime<Utc>) -> StoreResult<Link>;
    async fn update_link(&self, org: Uuid, id: Uuid, patch: &LinkPatch) -> StoreResult<Option<Link>>;
    async fn list_links(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Link>>;

    async fn create_enrolment_code(&self, code: &NewEnrolmentCode) -> StoreResult<()>;
    /// Uses a code once and registers the device in the same transaction.
    async fn redeem_enrolment_code(&self, code_hash: &str, device: &NewDevice) -> StoreResult<Redeemed>;

    /// A device by its id, installed or not (the id comes from a signed request).
    async fn device(&self, id: Uuid) -> StoreResult<Option<Device>>;
    /// Installed devices of `org`, by id.
    async fn list_devices(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Device>>;
    /// Records what a refused (clock-skewed) request told us about the device's clock.
    async fn record_clock_offset(&self, device: &Device, now: DateTime<Utc>, clock_offset_s: i64) -> StoreResult<()>;

    /// Which of these employee and link ids belong to `org`, whether they are active, and which
    /// (employee, link) pairs are assigned.
    async fn reference_check(&self, org: Uuid, employees: &[Uuid], links: &[Uuid]) -> StoreResult<ReferenceCheck>;
    /// Stores one page of events idempotently with the device bookkeeping and the employee-days
    /// it touched (`dirty`, for the projection), in one transaction; answers every id now
    /// stored. A conflict stores nothing.
    async fn store_sync_page(
        &self,
        device: &Device,
        events: &[NewEvent],
        book: &SyncBookkeeping,
        dirty: &[(Uuid, chrono::NaiveDate)],
    ) -> StoreResult<Vec<Uuid>>;
    /// Number of ledger events of `org` with this status (tests, reports).
    async fn count_events(&self, org: Uuid, status: &str) -> StoreResult<i64>;

    /// The roster tablets cache; its version is read before its content.
    async fn roster(&self, org: Uuid) -> StoreResult<Roster>;

    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<(Session, Person)>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()>;
}

/// Answer of [`Store::reference_check`].
#[derive(Debug, Default, Clone)]
pub struct ReferenceCheck {
    /// Employee id → active, for those of the organisation.
    pub employees: HashMap<Uuid, bool>,
    /// Link id → active, for those of the organisation.
    pub links: HashMap<Uuid, bool>,
    /// Assigned (employee, link) pairs.
    pub assignments: HashSet<(Uuid, Uuid)>,
}

/// Opens the store a database URL names (`postgres://…` or `sqlite://…`).
pub async fn connect(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Database(sqlx::Error::Configuration(
            format!("unsupported database URL (expected postgres:// or sqlite://): {}", redact_url(url)).into(),
        )))
    }
}

/// The file an embedded (SQLite) database URL names; `None` for PostgreSQL or an in-memory
/// database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty() && path != std::path::Path::new(":memory:") && !url.contains("mode=memory"))
        .then(|| path.to_path_buf())
}

/// A database URL with its password removed, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Maps a unique-constraint violation to the field it guards.
pub(crate) fn map_unique(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let text = format!("{} {}", db.constraint().unwrap_or(""), db.message());
            let field = if text.contains("username") {
                "username"
            } else if text.contains("number") {
                "number"
            } else if text.contains("project") || text.contains("account") {
                "link"
            } else if text.contains("name") {
                "name"
            } else {
                "value"
            };
            return StoreError::Conflict(field);
        }
        if db.is_foreign_key_violation() {
            return StoreError::UnknownReference("reference");
        }
    }
    StoreError::Database(e)
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_are_redacted() {
        assert_eq!(super::redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
