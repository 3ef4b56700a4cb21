//! Device governance in the store (seed 000): sync requirements with history, uninstall,
//! quarantine review, payroll runs and period locks, and the audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shared_model::{PayPeriod, SyncRequirement};
use uuid::Uuid;

use super::records::Device;
use super::StoreResult;

/// One row of a device's history (I5): the requirement after the event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub at: DateTime<Utc>,
    pub by_person: Option<Uuid>,
    pub by_name: Option<String>,
    pub event: String,
    pub sync_state: String,
    pub sync_period: Option<String>,
}

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

/// The governance half of the store; every method is scoped by the organisation.
#[async_trait]
pub trait GovernanceStore: Send + Sync {
    /// Sets an installed device's requirement and records it in history and audit log;
    /// false when the device is not an installed device of `org`.
    async fn set_sync_requirement(&self, org: Uuid, device: Uuid, req: &SyncRequirement, by: Option<Uuid>, now: DateTime<Utc>) -> StoreResult<bool>;
    async fn device_history(&self, org: Uuid, device: Uuid) -> StoreResult<Vec<HistoryRow>>;
    /// Revokes a device (history and audit recorded); false when already uninstalled.
    async fn uninstall_device(&self, device: &Device, by: Option<Uuid>, via: &'static str, now: DateTime<Utc>) -> StoreResult<bool>;

    async fn list_quarantine(&self, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<QuarantinedEvent>>;
    /// Accepts a quarantined event into the ledger or rejects it (kept, marked rejected);
    /// false when `event` is not a quarantined event of `org`.
    async fn review_quarantined(&self, org: Uuid, event: Uuid, accept: bool, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool>;

    async fn period_lock(&self, org: Uuid, period: PayPeriod) -> StoreResult<Option<PeriodLock>>;
    async fn locked_periods(&self, org: Uuid) -> StoreResult<Vec<String>>;
    /// Records the run and locks the period in one transaction; every `disabled_for_period(P)`
    /// returns to `active`, recorded with `by: null`.
    async fn run_payroll(&self, org: Uuid, period: PayPeriod, by: Uuid, now: DateTime<Utc>) -> StoreResult<RunOutcome>;
    /// Reopens a locked period; false when it was not locked.
    async fn unlock_period(&self, org: Uuid, period: PayPeriod, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool>;

    async fn list_audit(&self, org: Uuid, before: Option<Uuid>, limit: i64, kind: Option<&str>) -> StoreResult<Vec<AuditRow>>;
}
