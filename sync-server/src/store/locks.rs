//! Pay periods: the organisation's period locks, the payroll run that sets one, and unlocking.

use chrono::{DateTime, Utc};
use shared_model::PayPeriod;
use uuid::Uuid;

use super::tx::on_both;
use super::{audit, devices, AuditEntry, StoreResult, Tx};

/// A locked pay period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodLock {
    pub period: String,
    pub locked_at: DateTime<Utc>,
    pub locked_by: Option<Uuid>,
    pub payroll_run_id: Option<Uuid>,
}

/// A payroll run that went out.
#[derive(Debug, Clone)]
pub struct PayrollRun {
    pub id: Uuid,
    pub period: PayPeriod,
    pub locked_at: DateTime<Utc>,
}

/// What a payroll run attempt did.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    Locked(PayrollRun),
    AlreadyLocked,
}

pub async fn period_lock(tx: &mut Tx, org: Uuid, period: PayPeriod) -> StoreResult<Option<PeriodLock>> {
    Ok(on_both!(tx, c => sqlx::query_as(
        "SELECT period, locked_at, locked_by, payroll_run_id FROM period_locks WHERE organisation_id = $1 AND period = $2",
    )
    .bind(org)
    .bind(period.to_string())
    .fetch_optional(&mut **c)
    .await?))
}

/// The locked periods of `org` (`YYYY-MM`).
pub async fn locked_periods(tx: &mut Tx, org: Uuid) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> =
        on_both!(tx, c => sqlx::query_as("SELECT period FROM period_locks WHERE organisation_id = $1").bind(org).fetch_all(&mut **c).await?);
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// Records the run and locks the period (call it in a write transaction, and commit only on
/// `Locked`); every `disabled_for_period(P)` returns to `active`, recorded with `by: null`.
pub async fn run_payroll(tx: &mut Tx, org: Uuid, period: PayPeriod, by: Uuid, now: DateTime<Utc>) -> StoreResult<RunOutcome> {
    let p = period.to_string();
    let run_id = Uuid::now_v7();
    on_both!(tx, c => sqlx::query("INSERT INTO payroll_runs (id, organisation_id, period, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(run_id)
        .bind(org)
        .bind(&p)
        .bind(now)
        .bind(by)
        .execute(&mut **c)
        .await?
        .rows_affected());
    let locked = on_both!(tx, c => sqlx::query(
        "INSERT INTO period_locks (organisation_id, period, locked_at, locked_by, payroll_run_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(org)
    .bind(&p)
    .bind(now)
    .bind(by)
    .bind(run_id)
    .execute(&mut **c)
    .await?
    .rows_affected());
    if locked != 1 {
        return Ok(RunOutcome::AlreadyLocked);
    }
    let reset = devices::reset_disabled_for(tx, org, &p, now).await?;
    let details = serde_json::json!({ "period": p, "payroll_run_id": run_id, "requirements_reset": reset });
    let entry = |kind, details| AuditEntry { organisation_id: org, at: now, actor: Some(by), kind, subject: Some(p.clone()), details };
    audit::record(tx, &entry("payroll_run", Some(details))).await?;
    audit::record(tx, &entry("period_locked", None)).await?;
    Ok(RunOutcome::Locked(PayrollRun { id: run_id, period, locked_at: now }))
}

/// Reopens a locked period (audited); `false` when it was not locked.
pub async fn unlock_period(tx: &mut Tx, org: Uuid, period: PayPeriod, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    let p = period.to_string();
    let done = on_both!(tx, c => sqlx::query("DELETE FROM period_locks WHERE organisation_id = $1 AND period = $2")
        .bind(org)
        .bind(&p)
        .execute(&mut **c)
        .await?
        .rows_affected());
    if done != 1 {
        return Ok(false);
    }
    audit::record(tx, &AuditEntry { organisation_id: org, at: now, actor: Some(by), kind: "period_unlocked", subject: Some(p), details: None }).await?;
    Ok(true)
}

/// A payroll run as stored, with its basis (JSON) once computed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredRun {
    pub id: Uuid,
    pub period: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub basis: Option<String>,
    /// Whether this run holds its period's lock now (the period was not unlocked since).
    pub current: bool,
}

const RUN_COLS: &str = "r.id, r.period, r.created_at, r.created_by, r.basis, \
     (l.payroll_run_id IS NOT NULL) AS current";
const RUN_FROM: &str = "payroll_runs r LEFT JOIN period_locks l \
     ON l.organisation_id = r.organisation_id AND l.period = r.period AND l.payroll_run_id = r.id";

/// One run of `org`, or `None`.
pub async fn run(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<Option<StoredRun>> {
    let sql = format!("SELECT {RUN_COLS} FROM {RUN_FROM} WHERE r.organisation_id = $1 AND r.id = $2");
    Ok(on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(id).fetch_optional(&mut **c).await?))
}

/// The runs of `org`, newest first; of one period when given.
pub async fn runs(tx: &mut Tx, org: Uuid, period: Option<PayPeriod>) -> StoreResult<Vec<StoredRun>> {
    let sql = format!(
        "SELECT {RUN_COLS} FROM {RUN_FROM} WHERE r.organisation_id = $1 AND ($2 IS NULL OR r.period = $2) \
         ORDER BY r.created_at DESC, r.id DESC"
    );
    Ok(on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(period.map(|p| p.to_string())).fetch_all(&mut **c).await?))
}

/// Stores a run's basis once: `false` when it already has one (a basis never changes).
pub async fn set_run_basis(tx: &mut Tx, org: Uuid, id: Uuid, basis: &str) -> StoreResult<bool> {
    let n = on_both!(tx, c => sqlx::query("UPDATE payroll_runs SET basis = $3 WHERE organisation_id = $1 AND id = $2 AND basis IS NULL")
        .bind(org)
        .bind(id)
        .bind(basis)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}
