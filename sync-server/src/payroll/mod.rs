//! What a payroll run hands the payroll office (issue 15): the basis of the locked period
//! (`basis`), computed once right after the run locks the month and stored with it, and its
//! exports (`csv`). `ledger::gate::run` locks; [`compute_and_store`] follows it.

pub mod basis;
pub mod codes;
pub mod csv;
pub mod paxml;
pub mod visma;

use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::locks::{self, StoredRun};
use crate::timesheet::{self, EmployeeRef};
use basis::{PayrollBasis, RunRef};

/// A run's basis with what changed against the previous run of the same period.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BasisAnswer {
    #[serde(flatten)]
    pub basis: PayrollBasis,
    /// The run of the same period before this one (unlocked since), if any.
    pub previous_run_id: Option<Uuid>,
    /// What moved against that run; empty without one.
    pub changes: Vec<basis::BasisChange>,
}

/// Computes the basis of `run` from the month as it is now. The caller makes sure the period
/// is locked by this run, so "now" is the locked month.
async fn compute(state: &AppState, org: Uuid, run: &StoredRun) -> Result<PayrollBasis, ApiError> {
    let period = run.period.parse().map_err(|e: shared_model::ModelError| ApiError::Internal(format!("stored period {}: {e}", run.period)))?;
    crate::ledger::projection::drain(state, Some(org)).await?;
    let facts = timesheet::OrgMonthFacts::load(state, org).await?;
    let (first, last) = timesheet::period_days(period);
    let mut tx = state.store.begin_read().await?;
    let mut people = Vec::new();
    let mut cursor = None;
    loop {
        let page = crate::store::people::list(&mut tx, org, cursor, 1000).await?;
        let done = page.len() < 1000;
        cursor = page.last().map(|p| p.id);
        people.extend(page);
        if done {
            break;
        }
    }
    tx.commit().await?;
    let who: Vec<EmployeeRef> = people.iter().map(|p| EmployeeRef { id: p.id, name: p.name.clone(), number: p.number.clone() }).collect();
    let active: std::collections::BTreeSet<Uuid> = people.iter().filter(|p| p.active).map(|p| p.id).collect();
    let months = timesheet::months_of(state, &facts, who, period).await?;
    // Everyone active, and whoever has left but has time or absence in the period.
    let months: Vec<_> = months
        .into_iter()
        .filter(|m| active.contains(&m.employee.id) || m.days.iter().any(|d| d.date >= first && d.date <= last && (d.actual_min != 0 || d.absence.is_some())))
        .collect();
    let locked_at = run.created_at;
    Ok(basis::of_months(RunRef { id: run.id, period: run.period.clone(), locked_at }, &months))
}

/// Computes and stores the basis of a run that has just locked its period. A basis already
/// stored is kept (a basis never changes).
#[tracing::instrument(skip(state))]
pub async fn compute_and_store(state: &AppState, org: Uuid, run_id: Uuid) -> Result<PayrollBasis, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let run = locks::run(&mut tx, org, run_id).await?.ok_or(ApiError::NotFound("payroll run"))?;
    tx.commit().await?;
    if let Some(json) = &run.basis {
        return parse(json);
    }
    if !run.current {
        // Only a run made before the basis existed can lack one; once its period was unlocked
        // the month it locked is gone, and nothing may be invented in its place.
        return Err(ApiError::coded(
            axum::http::StatusCode::CONFLICT,
            shared_model::ErrorCode::PeriodNotLocked,
            format!("payroll run {run_id} has no stored basis and its period {} was unlocked since; run payroll for the period again", run.period),
        ));
    }
    let basis = compute(state, org, &run).await?;
    let json = serde_json::to_string(&basis).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut tx = state.store.begin().await?;
    let stored = locks::set_run_basis(&mut tx, org, run_id, &json).await?;
    tx.commit().await?;
    if !stored {
        // Another request stored it first: answer that one.
        let mut tx = state.store.begin_read().await?;
        let run = locks::run(&mut tx, org, run_id).await?.ok_or(ApiError::NotFound("payroll run"))?;
        tx.commit().await?;
        return parse(run.basis.as_deref().unwrap_or("null"));
    }
    tracing::info!(run = %run_id, employees = basis.employees.len(), "payroll basis stored");
    Ok(basis)
}

fn parse(json: &str) -> Result<PayrollBasis, ApiError> {
    serde_json::from_str(json).map_err(|e| ApiError::Internal(format!("stored payroll basis: {e}")))
}

/// A run's basis and its changes against the previous run of the period.
pub async fn answer(state: &AppState, org: Uuid, run_id: Uuid) -> Result<BasisAnswer, ApiError> {
    let basis = compute_and_store(state, org, run_id).await?;
    let period = basis.run.period.parse().ok();
    let mut tx = state.store.begin_read().await?;
    let runs = locks::runs(&mut tx, org, period).await?;
    tx.commit().await?;
    // Newest first: the first one after this run in the list is the one before it.
    let previous = runs.iter().skip_while(|r| r.id != run_id).skip(1).find(|r| r.basis.is_some());
    let (previous_run_id, changes) = match previous {
        Some(p) => (Some(p.id), basis::changes(&parse(p.basis.as_deref().unwrap_or("null"))?, &basis)),
        None => (None, Vec::new()),
    };
    Ok(BasisAnswer { basis, previous_run_id, changes })
}

/// A fixed basis the export tests share: odd minutes, names to escape, an absence day of 0
/// minutes, one employee without a number (left out of every export).
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{DateTime, NaiveDate};
    use uuid::Uuid;

    use super::basis::{totals_of, BasisAbsence, BasisDay, BasisEmployee, PayrollBasis, RunRef};

    /// Checks `file` against `testdata/formats/<xsd>` with xmllint, failing with its message.
    pub fn assert_schema_valid(xsd: &str, file: &std::path::Path) {
        let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/formats").join(xsd);
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(file)
            .output()
            .expect("xmllint (Debian: libxml2-utils; scripts/test.sh installs it)");
        assert!(out.status.success(), "xmllint: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn day(d: u32, minutes: i64) -> BasisDay {
        BasisDay { date: NaiveDate::from_ymd_opt(2026, 10, d).unwrap_or_default(), minutes }
    }

    fn employee(id: u128, number: Option<&str>, name: &str, worked: Vec<BasisDay>, absences: Vec<(&str, Vec<BasisDay>)>) -> BasisEmployee {
        BasisEmployee {
            employee_id: Uuid::from_u128(id),
            number: number.map(str::to_owned),
            name: name.to_owned(),
            worked_min: worked.iter().map(|d| d.minutes).sum(),
            worked_days: worked,
            scheduled_days: [5, 6, 7, 8, 9, 12, 13, 14].into_iter().map(|d| day(d, 480)).collect(),
            target_min: 0,
            flex_min: 0,
            flex_balance_min: 0,
            time_bank_min: None,
            time_bank_balance_min: None,
            absences: absences
                .into_iter()
                .map(|(k, days)| BasisAbsence { kind: k.to_owned(), dates: days.iter().map(|d| d.date).collect(), minutes: days.iter().map(|d| d.minutes).sum(), days })
                .collect(),
            pay_codes: Vec::new(),
            warnings: Vec::new(),
            records: 2,
            corrections: 0,
        }
    }

    /// A fixed basis: odd minutes, a name to escape, an absence on a holiday, one employee
    /// without a number (left out).
    pub fn sample() -> PayrollBasis {
        let employees = vec![
            employee(1, Some("101"), "Åsa <Öberg> & Co", vec![day(5, 510), day(6, 440), day(7, 1)], vec![("sick", vec![day(8, 480)])]),
            employee(2, Some("102"), "Björn \"Bo\" Berg", vec![day(5, 20), day(6, 20), day(7, 20)], vec![("vacation", vec![day(12, 480), day(13, 0)]), ("half_vacation", vec![day(14, 240)])]),
            employee(3, None, "Utan Nummer", vec![day(5, 480)], vec![]),
        ];
        // Björn has no work-time model: no schedule.
        let mut employees = employees;
        employees[1].scheduled_days.clear();
        let run = RunRef {
            id: Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001),
            period: "2026-10".into(),
            locked_at: DateTime::parse_from_rfc3339("2026-11-02T09:30:00Z").map(|t| t.to_utc()).unwrap_or_default(),
        };
        let totals = totals_of(&employees);
        PayrollBasis { run, employees, totals }
    }
}
