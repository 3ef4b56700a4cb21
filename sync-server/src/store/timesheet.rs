//! The timesheet's storage (issue 12): the holiday calendar, work-time models and their
//! assignments, absences, manual entries (versioned), bookings and the locks of one employee's
//! month. Plain functions over a [`Tx`], so a change, its checks and its audit row are one unit.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::tx::on_both;
use super::{map_unique, StoreResult, Tx};

/// Serialises changes to one employee's timesheet until the transaction ends: on PostgreSQL a
/// row lock on the person (two requests checking E1 against the same day cannot both pass) —
/// `NO KEY UPDATE`, which does not block the `KEY SHARE` locks foreign-key checks take, so a
/// projection rebuild inserting this person's days never waits for it (and cannot deadlock
/// with it on the dirty-day queue); on
/// SQLite `BEGIN IMMEDIATE` already holds the write lock. Answers whether the person exists in
/// the organisation.
pub async fn lock_employee(tx: &mut Tx, org: Uuid, employee: Uuid) -> StoreResult<bool> {
    let row: Option<(Uuid,)> = match tx {
        Tx::Postgres(c) => sqlx::query_as("SELECT id FROM people WHERE organisation_id = $1 AND id = $2 FOR NO KEY UPDATE")
            .bind(org)
            .bind(employee)
            .fetch_optional(&mut **c)
            .await?,
        Tx::Sqlite(c) => sqlx::query_as("SELECT id FROM people WHERE organisation_id = $1 AND id = $2").bind(org).bind(employee).fetch_optional(&mut **c).await?,
    };
    Ok(row.is_some())
}

/// The organisation's settings a timesheet needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgSettings {
    pub time_zone: String,
    pub holiday_calendar: String,
    pub policy: String,
}

pub async fn org_settings(tx: &mut Tx, org: Uuid) -> StoreResult<Option<OrgSettings>> {
    let row = on_both!(tx, c => sqlx::query_as("SELECT time_zone, holiday_calendar, policy FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_optional(&mut **c)
        .await?);
    Ok(row)
}

pub async fn set_holiday_calendar(tx: &mut Tx, org: Uuid, code: &str) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("UPDATE organisations SET holiday_calendar = $2 WHERE id = $1").bind(org).bind(code).execute(&mut **c).await?.rows_affected());
    Ok(())
}

pub async fn set_policy(tx: &mut Tx, org: Uuid, policy: &str) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("UPDATE organisations SET policy = $2 WHERE id = $1").bind(org).bind(policy).execute(&mut **c).await?.rows_affected());
    Ok(())
}

/// A work-time model (B1): minutes per weekday, Monday first.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkModelRow {
    pub id: Uuid,
    pub name: String,
    pub mon_min: i64,
    pub tue_min: i64,
    pub wed_min: i64,
    pub thu_min: i64,
    pub fri_min: i64,
    pub sat_min: i64,
    pub sun_min: i64,
}

impl WorkModelRow {
    pub fn minutes(&self) -> [i64; 7] {
        [self.mon_min, self.tue_min, self.wed_min, self.thu_min, self.fri_min, self.sat_min, self.sun_min]
    }
}

const MODEL_COLUMNS: &str = "id, name, mon_min, tue_min, wed_min, thu_min, fri_min, sat_min, sun_min";

pub async fn work_models(tx: &mut Tx, org: Uuid) -> StoreResult<Vec<WorkModelRow>> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM work_models WHERE organisation_id = $1 ORDER BY name, id");
    let rows = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).fetch_all(&mut **c).await?);
    Ok(rows)
}

pub async fn work_model(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<Option<WorkModelRow>> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM work_models WHERE organisation_id = $1 AND id = $2");
    let row = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(id).fetch_optional(&mut **c).await?);
    Ok(row)
}

/// Inserts (`insert`) or updates a model; a taken name is `Conflict("name")`.
pub async fn save_work_model(tx: &mut Tx, org: Uuid, m: &WorkModelRow, insert: bool, now: DateTime<Utc>) -> StoreResult<()> {
    let [mo, tu, we, th, fr, sa, su] = m.minutes();
    let sql = if insert {
        "INSERT INTO work_models (id, organisation_id, name, mon_min, tue_min, wed_min, thu_min, fri_min, sat_min, sun_min, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)"
    } else {
        "UPDATE work_models SET name = $3, mon_min = $4, tue_min = $5, wed_min = $6, thu_min = $7, fri_min = $8, sat_min = $9, sun_min = $10, \
         updated_at = $11 WHERE id = $1 AND organisation_id = $2"
    };
    on_both!(tx, c => sqlx::query(sql)
        .bind(m.id)
        .bind(org)
        .bind(&m.name)
        .bind(mo)
        .bind(tu)
        .bind(we)
        .bind(th)
        .bind(fr)
        .bind(sa)
        .bind(su)
        .bind(now)
        .execute(&mut **c)
        .await
        .map_err(|e| map_unique(e).map_conflict("name"))?
        .rows_affected());
    Ok(())
}

/// An employee's model from `valid_from` on (B1, B2, B5).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    pub valid_from: NaiveDate,
    pub work_model_id: Uuid,
    pub flex_model: String,
    pub flex_opening_min: i64,
    pub vacation_centidays: Option<i64>,
}

/// The employee's assignments, oldest first.
pub async fn assignments(tx: &mut Tx, org: Uuid, employee: Uuid) -> StoreResult<Vec<AssignmentRow>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT valid_from, work_model_id, flex_model, flex_opening_min, vacation_centidays FROM employee_work_models \
         WHERE organisation_id = $1 AND employee_id = $2 ORDER BY valid_from",
    )
    .bind(org)
    .bind(employee)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Sets the assignment starting `a.valid_from` (replacing one of the same day).
pub async fn put_assignment(tx: &mut Tx, org: Uuid, employee: Uuid, a: &AssignmentRow, by: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("DELETE FROM employee_work_models WHERE organisation_id = $1 AND employee_id = $2 AND valid_from = $3")
        .bind(org)
        .bind(employee)
        .bind(a.valid_from)
        .execute(&mut **c)
        .await?
        .rows_affected());
    on_both!(tx, c => sqlx::query(
        "INSERT INTO employee_work_models (organisation_id, employee_id, valid_from, work_model_id, flex_model, flex_opening_min, vacation_centidays, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(org)
    .bind(employee)
    .bind(a.valid_from)
    .bind(a.work_model_id)
    .bind(&a.flex_model)
    .bind(a.flex_opening_min)
    .bind(a.vacation_centidays)
    .bind(now)
    .bind(by)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(())
}

/// An absence of one day (B4).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AbsenceRow {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub work_date: NaiveDate,
    pub kind: String,
    pub target_min: Option<i64>,
    pub note: Option<String>,
}

/// Absences of `org` between `from` and `to` (both inclusive), of one employee when given.
pub async fn absences(tx: &mut Tx, org: Uuid, employee: Option<Uuid>, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<AbsenceRow>> {
    let rows = match tx {
        Tx::Postgres(c) => sqlx::query_as(
            "SELECT id, employee_id, work_date, kind, target_min, note FROM absences \
             WHERE organisation_id = $1 AND ($2::uuid IS NULL OR employee_id = $2) AND work_date BETWEEN $3 AND $4 ORDER BY work_date, employee_id",
        )
        .bind(org)
        .bind(employee)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await?,
        Tx::Sqlite(c) => sqlx::query_as(
            "SELECT id, employee_id, work_date, kind, target_min, note FROM absences \
             WHERE organisation_id = $1 AND ($2 IS NULL OR employee_id = $2) AND work_date BETWEEN $3 AND $4 ORDER BY work_date, employee_id",
        )
        .bind(org)
        .bind(employee)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await?,
    };
    Ok(rows)
}

pub async fn absence(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<Option<AbsenceRow>> {
    let row = on_both!(tx, c => sqlx::query_as("SELECT id, employee_id, work_date, kind, target_min, note FROM absences WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .fetch_optional(&mut **c)
        .await?);
    Ok(row)
}

/// Inserts an absence; a day that has one already is `Conflict("absence")`.
pub async fn insert_absence(tx: &mut Tx, org: Uuid, a: &AbsenceRow, by: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO absences (id, organisation_id, employee_id, work_date, kind, target_min, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(a.id)
    .bind(org)
    .bind(a.employee_id)
    .bind(a.work_date)
    .bind(&a.kind)
    .bind(a.target_min)
    .bind(&a.note)
    .bind(now)
    .bind(by)
    .execute(&mut **c)
    .await
    .map_err(|e| map_unique(e).map_conflict("absence"))?
    .rows_affected());
    Ok(())
}

pub async fn delete_absence(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<u64> {
    let n = on_both!(tx, c => sqlx::query("DELETE FROM absences WHERE organisation_id = $1 AND id = $2").bind(org).bind(id).execute(&mut **c).await?.rows_affected());
    Ok(n)
}

/// A manual entry's current row (`deleted` rows mark a deletion).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EntryRow {
    pub id: Uuid,
    pub work_date: NaiveDate,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub break_min: i64,
    pub deleted: bool,
}

/// The current entry rows of `employee` between `from` and `to`: per day the row nothing
/// supersedes (a `deleted` one means the day has no entry).
pub async fn entries(tx: &mut Tx, org: Uuid, employee: Uuid, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<EntryRow>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT t.id, t.work_date, t.start_time, t.end_time, t.break_min, t.deleted FROM timesheet_entries t \
         WHERE t.organisation_id = $1 AND t.employee_id = $2 AND t.work_date BETWEEN $3 AND $4 \
         AND NOT EXISTS (SELECT 1 FROM timesheet_entries s WHERE s.supersedes = t.id) ORDER BY t.work_date",
    )
    .bind(org)
    .bind(employee)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Appends an entry version (`supersedes` the current row, if any); a concurrent change of the
/// same row is `Conflict("entry")`.
pub async fn insert_entry(tx: &mut Tx, org: Uuid, employee: Uuid, row: &EntryRow, supersedes: Option<Uuid>, by: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO timesheet_entries (id, organisation_id, employee_id, work_date, start_time, end_time, break_min, deleted, supersedes, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(row.id)
    .bind(org)
    .bind(employee)
    .bind(row.work_date)
    .bind(&row.start_time)
    .bind(&row.end_time)
    .bind(row.break_min)
    .bind(row.deleted)
    .bind(supersedes)
    .bind(by)
    .bind(now)
    .execute(&mut **c)
    .await
    .map_err(|e| map_unique(e).map_conflict("entry"))?
    .rows_affected());
    Ok(())
}

/// A booking with its link's names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BookingRow {
    pub id: Uuid,
    pub work_date: NaiveDate,
    pub link_id: Uuid,
    pub project: String,
    pub account: String,
    pub minutes: i64,
}

/// The live bookings of `employee` between `from` and `to`.
pub async fn bookings(tx: &mut Tx, org: Uuid, employee: Uuid, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<BookingRow>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT b.id, b.work_date, b.link_id, l.project, l.account, b.minutes FROM bookings b JOIN links l ON l.id = b.link_id \
         WHERE b.organisation_id = $1 AND b.employee_id = $2 AND b.work_date BETWEEN $3 AND $4 AND b.deleted_at IS NULL \
         ORDER BY b.work_date, b.created_at, b.id",
    )
    .bind(org)
    .bind(employee)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

pub async fn insert_booking(tx: &mut Tx, org: Uuid, employee: Uuid, b: &BookingRow, by: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO bookings (id, organisation_id, employee_id, work_date, link_id, minutes, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(b.id)
    .bind(org)
    .bind(employee)
    .bind(b.work_date)
    .bind(b.link_id)
    .bind(b.minutes)
    .bind(by)
    .bind(now)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn update_booking(tx: &mut Tx, org: Uuid, id: Uuid, link: Uuid, minutes: i64) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("UPDATE bookings SET link_id = $3, minutes = $4 WHERE organisation_id = $1 AND id = $2 AND deleted_at IS NULL")
        .bind(org)
        .bind(id)
        .bind(link)
        .bind(minutes)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(())
}

/// Deletes one booking (`Some(id)`) or every booking of a day (A6); answers how many.
pub async fn delete_bookings(tx: &mut Tx, org: Uuid, employee: Uuid, date: NaiveDate, id: Option<Uuid>, by: Uuid, now: DateTime<Utc>) -> StoreResult<u64> {
    let n = match tx {
        Tx::Postgres(c) => sqlx::query(
            "UPDATE bookings SET deleted_at = $5, deleted_by = $6 WHERE organisation_id = $1 AND employee_id = $2 AND work_date = $3 \
             AND ($4::uuid IS NULL OR id = $4) AND deleted_at IS NULL",
        )
        .bind(org)
        .bind(employee)
        .bind(date)
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(&mut **c)
        .await?
        .rows_affected(),
        Tx::Sqlite(c) => sqlx::query(
            "UPDATE bookings SET deleted_at = $5, deleted_by = $6 WHERE organisation_id = $1 AND employee_id = $2 AND work_date = $3 \
             AND ($4 IS NULL OR id = $4) AND deleted_at IS NULL",
        )
        .bind(org)
        .bind(employee)
        .bind(date)
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(&mut **c)
        .await?
        .rows_affected(),
    };
    Ok(n)
}

/// A lock of one employee's month.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmployeeLock {
    pub period: String,
    pub locked_at: DateTime<Utc>,
    pub locked_by: Option<Uuid>,
}

/// The employee's locked months.
pub async fn employee_locks(tx: &mut Tx, org: Uuid, employee: Uuid) -> StoreResult<Vec<EmployeeLock>> {
    let rows = on_both!(tx, c => sqlx::query_as("SELECT period, locked_at, locked_by FROM employee_month_locks WHERE organisation_id = $1 AND employee_id = $2 ORDER BY period")
        .bind(org)
        .bind(employee)
        .fetch_all(&mut **c)
        .await?);
    Ok(rows)
}

/// Every employee's own locked months of `org` from `since` (`YYYY-MM`) on: (employee, period).
pub async fn employee_locks_since(tx: &mut Tx, org: Uuid, since: &str) -> StoreResult<Vec<(Uuid, String)>> {
    let rows = on_both!(tx, c => sqlx::query_as("SELECT employee_id, period FROM employee_month_locks WHERE organisation_id = $1 AND period >= $2")
        .bind(org)
        .bind(since)
        .fetch_all(&mut **c)
        .await?);
    Ok(rows)
}

/// The organisation's lock of `period`, if any.
pub async fn organisation_lock(tx: &mut Tx, org: Uuid, period: &str) -> StoreResult<Option<EmployeeLock>> {
    let row = on_both!(tx, c => sqlx::query_as("SELECT period, locked_at, locked_by FROM period_locks WHERE organisation_id = $1 AND period = $2")
        .bind(org)
        .bind(period)
        .fetch_optional(&mut **c)
        .await?);
    Ok(row)
}

/// Locks (`true`) or unlocks one employee's month; answers whether anything changed.
pub async fn set_employee_lock(tx: &mut Tx, org: Uuid, employee: Uuid, period: &str, locked: bool, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = if locked {
        on_both!(tx, c => sqlx::query(
            "INSERT INTO employee_month_locks (organisation_id, employee_id, period, locked_at, locked_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(org)
        .bind(employee)
        .bind(period)
        .bind(now)
        .bind(by)
        .execute(&mut **c)
        .await?
        .rows_affected())
    } else {
        on_both!(tx, c => sqlx::query("DELETE FROM employee_month_locks WHERE organisation_id = $1 AND employee_id = $2 AND period = $3")
            .bind(org)
            .bind(employee)
            .bind(period)
            .execute(&mut **c)
            .await?
            .rows_affected())
    };
    Ok(n == 1)
}

/// (work day, Ist minutes) of the employee's projected days between `from` and `to`.
pub async fn day_actuals(tx: &mut Tx, org: Uuid, employee: Uuid, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<(NaiveDate, i64)>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT work_date, actual_min FROM ledger_days WHERE organisation_id = $1 AND employee_id = $2 AND work_date BETWEEN $3 AND $4 ORDER BY work_date",
    )
    .bind(org)
    .bind(employee)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// A record made on the web (a correction) with what it replaced.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CorrectionRow {
    pub id: Uuid,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub link_id: Option<Uuid>,
    pub supersedes: Option<Uuid>,
    pub original_kind: Option<String>,
    pub original_at: Option<DateTime<Utc>>,
    pub author: Option<String>,
    pub reason: Option<String>,
    pub made_at: DateTime<Utc>,
}

/// The web records of `employee` whose instant (or whose original's) lies in `[from, to]`.
pub async fn corrections(tx: &mut Tx, org: Uuid, employee: Uuid, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<CorrectionRow>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT e.id, e.kind, e.occurred_at, e.link_id, e.supersedes, o.kind AS original_kind, o.occurred_at AS original_at, \
         p.name AS author, e.reason, e.received_at AS made_at \
         FROM events e LEFT JOIN events o ON o.id = e.supersedes LEFT JOIN people p ON p.id = e.author_id \
         WHERE e.organisation_id = $1 AND e.employee_id = $2 AND e.source = 'web' \
         AND ((e.occurred_at BETWEEN $3 AND $4) OR (o.occurred_at BETWEEN $3 AND $4)) ORDER BY e.received_at, e.id",
    )
    .bind(org)
    .bind(employee)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// The projected days of `org` between `from` and `to` that carry anomalies: (employee, name, day JSON).
pub async fn anomalous_days(tx: &mut Tx, org: Uuid, from: NaiveDate, to: NaiveDate, limit: i64) -> StoreResult<Vec<(Uuid, String, String)>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT d.employee_id, p.name, d.day FROM ledger_days d JOIN people p ON p.id = d.employee_id \
         WHERE d.organisation_id = $1 AND d.work_date BETWEEN $2 AND $3 AND d.day NOT LIKE '%\"anomalies\":[]%' \
         ORDER BY d.work_date, p.name, d.employee_id LIMIT $4",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Every link of `org`: (id, project, account).
pub async fn link_names(tx: &mut Tx, org: Uuid) -> StoreResult<Vec<(Uuid, String, String)>> {
    let rows = on_both!(tx, c => sqlx::query_as("SELECT id, project, account FROM links WHERE organisation_id = $1").bind(org).fetch_all(&mut **c).await?);
    Ok(rows)
}

/// A link of `org`: (active, project, account).
pub async fn link(tx: &mut Tx, org: Uuid, link: Uuid) -> StoreResult<Option<(bool, String, String)>> {
    let row = on_both!(tx, c => sqlx::query_as("SELECT active, project, account FROM links WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(link)
        .fetch_optional(&mut **c)
        .await?);
    Ok(row)
}

/// A row of some employee, as the organisation-wide reads below answer them (the month of every
/// employee at once: one statement per table instead of one per employee and table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned<T> {
    pub employee_id: Uuid,
    pub row: T,
}

impl<'r, R, T> sqlx::FromRow<'r, R> for Owned<T>
where
    R: sqlx::Row,
    T: sqlx::FromRow<'r, R>,
    &'static str: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Owned { employee_id: sqlx::Row::try_get(row, "employee_id")?, row: T::from_row(row)? })
    }
}

/// Every employee's assignments of `org`, oldest first.
pub async fn all_assignments(tx: &mut Tx, org: Uuid) -> StoreResult<Vec<Owned<AssignmentRow>>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT employee_id, valid_from, work_model_id, flex_model, flex_opening_min, vacation_centidays FROM employee_work_models \
         WHERE organisation_id = $1 ORDER BY employee_id, valid_from",
    )
    .bind(org)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Every employee's current entry rows of `org` between `from` and `to` (see [`entries`]).
pub async fn all_entries(tx: &mut Tx, org: Uuid, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<Owned<EntryRow>>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT t.employee_id, t.id, t.work_date, t.start_time, t.end_time, t.break_min, t.deleted FROM timesheet_entries t \
         WHERE t.organisation_id = $1 AND t.work_date BETWEEN $2 AND $3 \
         AND NOT EXISTS (SELECT 1 FROM timesheet_entries s WHERE s.supersedes = t.id) ORDER BY t.work_date",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Every employee's live bookings of `org` between `from` and `to`.
pub async fn all_bookings(tx: &mut Tx, org: Uuid, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<Owned<BookingRow>>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT b.employee_id, b.id, b.work_date, b.link_id, l.project, l.account, b.minutes FROM bookings b JOIN links l ON l.id = b.link_id \
         WHERE b.organisation_id = $1 AND b.work_date BETWEEN $2 AND $3 AND b.deleted_at IS NULL \
         ORDER BY b.work_date, b.created_at, b.id",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Every employee's own lock of `period` in `org`.
pub async fn period_employee_locks(tx: &mut Tx, org: Uuid, period: &str) -> StoreResult<Vec<Owned<EmployeeLock>>> {
    let rows = on_both!(tx, c => sqlx::query_as("SELECT employee_id, period, locked_at, locked_by FROM employee_month_locks WHERE organisation_id = $1 AND period = $2")
        .bind(org)
        .bind(period)
        .fetch_all(&mut **c)
        .await?);
    Ok(rows)
}

/// Every employee's projected days of `org` between `from` and `to`: Ist, and the day's JSON
/// for the days from `full_from` on (the month shown; earlier days feed flex and C4 only).
pub async fn all_days(tx: &mut Tx, org: Uuid, from: NaiveDate, to: NaiveDate, full_from: NaiveDate) -> StoreResult<Vec<(Uuid, NaiveDate, i64, Option<String>)>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT employee_id, work_date, actual_min, CASE WHEN work_date >= $4 THEN day END FROM ledger_days \
         WHERE organisation_id = $1 AND work_date BETWEEN $2 AND $3 ORDER BY employee_id, work_date",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .bind(full_from)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}

/// Every employee's web records of `org` whose instant (or whose original's) lies in `[from, to]`.
pub async fn all_corrections(tx: &mut Tx, org: Uuid, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<Owned<CorrectionRow>>> {
    let rows = on_both!(tx, c => sqlx::query_as(
        "SELECT e.employee_id, e.id, e.kind, e.occurred_at, e.link_id, e.supersedes, o.kind AS original_kind, o.occurred_at AS original_at, \
         p.name AS author, e.reason, e.received_at AS made_at \
         FROM events e LEFT JOIN events o ON o.id = e.supersedes LEFT JOIN people p ON p.id = e.author_id \
         WHERE e.organisation_id = $1 AND e.source = 'web' \
         AND ((e.occurred_at BETWEEN $2 AND $3) OR (o.occurred_at BETWEEN $2 AND $3)) ORDER BY e.received_at, e.id",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}
