//! The payroll basis of a run (issue 15, item 1): per employee the month's worked and target
//! time, flex and its balance, absences by type with their dates, the warnings still open and
//! the stamps and corrections counted, with totals that are the sums of the rows. Built from the
//! locked month's timesheets ([`crate::timesheet::months_of`]) by the pure [`of_months`], stored
//! with the run and never recomputed after; [`changes`] compares a re-run with the run before.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::timesheet::MonthView;

/// The run a basis belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunRef {
    pub id: Uuid,
    /// `YYYY-MM`.
    pub period: String,
    pub locked_at: DateTime<Utc>,
}

/// One day's minutes (worked, or of an absence): what the day-by-day exports (PAXml) write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisDay {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub minutes: i64,
}

/// The days of one absence type in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisAbsence {
    /// The absence type (`vacation`, `sick`, `parental`, …; B4).
    #[serde(rename = "type")]
    pub kind: String,
    /// Every date of it, in order (Swedish employers report e.g. parental-leave days by date).
    #[schema(value_type = Vec<String>)]
    pub dates: Vec<NaiveDate>,
    /// The time these days stand in for ([`absence_minutes`]), whole minutes: the sum of `days`.
    pub minutes: i64,
    /// The same per date.
    #[serde(default)]
    pub days: Vec<BasisDay>,
}

/// A pay-code total (the Danish codes configure them; empty until then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisPayCode {
    pub code: String,
    pub quantity: i64,
    pub unit: String,
}

/// A warning still open in the period: a day's (`date` set) or the month's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisWarning {
    #[schema(value_type = Option<String>)]
    pub date: Option<NaiveDate>,
    /// `arbzg_break`, `arbzg_10h`, `arbzg_average`, or an anomaly of the ledger
    /// (`stop_without_start`, `overlapping_intervals`, `interval_over_16h`, …).
    pub code: String,
}

/// One employee's basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisEmployee {
    pub employee_id: Uuid,
    pub number: Option<String>,
    pub name: String,
    /// Ist (D1, with entries), whole minutes: the sum of `worked_days`, each day's Ist as the
    /// timesheet shows it.
    pub worked_min: i64,
    /// Ist per day, the days with any.
    #[serde(default)]
    pub worked_days: Vec<BasisDay>,
    /// The schedule per day: the work-time model's minutes of each working day that is not a
    /// public holiday (what Visma Lön calls normal working time), the days with any.
    #[serde(default)]
    pub scheduled_days: Vec<BasisDay>,
    /// Soll (B1, B3, B4, holidays), whole minutes.
    pub target_min: i64,
    /// The month's flex movement (B5).
    pub flex_min: i64,
    /// The flex balance at the month's end.
    pub flex_balance_min: i64,
    /// Timbank movement and balance (G): `null` until the organisation configures a Timbank.
    pub time_bank_min: Option<i64>,
    pub time_bank_balance_min: Option<i64>,
    pub absences: Vec<BasisAbsence>,
    pub pay_codes: Vec<BasisPayCode>,
    pub warnings: Vec<BasisWarning>,
    /// Ledger records (stamps and web records) behind the month's days.
    pub records: i64,
    /// Corrections made to the month's stamps.
    pub corrections: i64,
}

impl BasisEmployee {
    /// Whether the period holds any time or absence for them (exports leave the others out).
    pub fn has_time(&self) -> bool {
        self.worked_min != 0 || !self.absences.is_empty() || self.records > 0
    }

    /// Whether the exports carry them: an employee number and some time or absence.
    pub fn exported(&self) -> bool {
        self.number.as_deref().is_some_and(|n| !n.trim().is_empty()) && self.has_time()
    }
}

/// The duration fields of every row summed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisTotals {
    pub employees: i64,
    pub worked_min: i64,
    pub target_min: i64,
    pub flex_min: i64,
    pub flex_balance_min: i64,
    pub time_bank_min: Option<i64>,
    pub time_bank_balance_min: Option<i64>,
    /// Minutes of every absence type together.
    pub absence_min: i64,
    pub records: i64,
    pub corrections: i64,
}

/// What a run hands the payroll office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PayrollBasis {
    pub run: RunRef,
    pub employees: Vec<BasisEmployee>,
    pub totals: BasisTotals,
}

/// A difference of a re-run against the run before it (same period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BasisChange {
    pub employee_id: Uuid,
    pub name: String,
    /// `worked_min`, `target_min`, `flex_min`, `flex_balance_min`, `absence:<type>` (minutes),
    /// or `employee` (in only one of the two runs: `from`/`to` 1 or 0).
    pub field: String,
    pub from: i64,
    pub to: i64,
}

/// The time an absence day stands in for (B4): the model's minutes of the weekday, half of them
/// for a half day, what school leaves of the day for vocational school (its configured Soll is
/// what remains to work), nothing on a public holiday (nothing is taken then).
pub fn absence_minutes(kind: &str, planned_min: i64, configured_target_min: Option<i64>, holiday: bool) -> i64 {
    if holiday && kind != "sick" {
        return 0;
    }
    match kind {
        "half_vacation" | "half_special_leave" => planned_min / 2,
        "vocational_school" => (planned_min - configured_target_min.unwrap_or(0)).max(0),
        _ => planned_min,
    }
}

/// One employee's row from their locked month.
pub fn employee_of(m: &MonthView) -> BasisEmployee {
    let mut absences: BTreeMap<String, BasisAbsence> = BTreeMap::new();
    let mut warnings: BTreeSet<BasisWarning> = BTreeSet::new();
    let mut records: BTreeSet<Uuid> = BTreeSet::new();
    let mut corrections = 0i64;
    let (mut worked_days, mut scheduled_days) = (Vec::new(), Vec::new());
    for d in &m.days {
        if let Some(a) = &d.absence {
            let entry = absences.entry(a.kind.clone()).or_insert_with(|| BasisAbsence { kind: a.kind.clone(), dates: Vec::new(), minutes: 0, days: Vec::new() });
            let minutes = absence_minutes(&a.kind, d.planned_min, a.target_min, d.holiday.is_some());
            entry.dates.push(d.date);
            entry.minutes += minutes;
            entry.days.push(BasisDay { date: d.date, minutes });
        }
        if d.planned_min > 0 && d.holiday.is_none() {
            scheduled_days.push(BasisDay { date: d.date, minutes: d.planned_min });
        }
        if d.actual_min != 0 {
            worked_days.push(BasisDay { date: d.date, minutes: d.actual_min });
        }
        for w in &d.warnings {
            warnings.insert(BasisWarning { date: Some(d.date), code: w.clone() });
        }
        for a in &d.anomalies {
            warnings.insert(BasisWarning { date: Some(d.date), code: a.code.clone() });
            records.extend(a.record_ids.iter().copied());
        }
        for iv in &d.intervals {
            records.extend(iv.record_ids.iter().copied());
        }
        corrections += d.corrections.len() as i64;
    }
    for w in &m.warnings {
        warnings.insert(BasisWarning { date: None, code: w.clone() });
    }
    BasisEmployee {
        employee_id: m.employee.id,
        number: m.employee.number.clone(),
        name: m.employee.name.clone(),
        // The days as the timesheet shows them, summed: a total never differs from its rows
        // (the timesheet's own total rounds the exact sum once, which can be a minute off).
        worked_min: worked_days.iter().map(|d| d.minutes).sum(),
        worked_days,
        scheduled_days,
        target_min: m.totals.target_min,
        flex_min: m.totals.flex_min,
        flex_balance_min: m.flex_balance_min,
        time_bank_min: None,
        time_bank_balance_min: None,
        absences: absences.into_values().collect(),
        pay_codes: Vec::new(),
        warnings: warnings.into_iter().collect(),
        records: records.len() as i64,
        corrections,
    }
}

/// Sums the rows: totals are never computed any other way, so they always equal the rows.
pub fn totals_of(rows: &[BasisEmployee]) -> BasisTotals {
    let sum_opt = |f: fn(&BasisEmployee) -> Option<i64>| rows.iter().filter_map(f).reduce(|a, b| a + b);
    BasisTotals {
        employees: rows.len() as i64,
        worked_min: rows.iter().map(|r| r.worked_min).sum(),
        target_min: rows.iter().map(|r| r.target_min).sum(),
        flex_min: rows.iter().map(|r| r.flex_min).sum(),
        flex_balance_min: rows.iter().map(|r| r.flex_balance_min).sum(),
        time_bank_min: sum_opt(|r| r.time_bank_min),
        time_bank_balance_min: sum_opt(|r| r.time_bank_balance_min),
        absence_min: rows.iter().flat_map(|r| &r.absences).map(|a| a.minutes).sum(),
        records: rows.iter().map(|r| r.records).sum(),
        corrections: rows.iter().map(|r| r.corrections).sum(),
    }
}

/// The basis of `run` from the months of its employees (by number, then name).
pub fn of_months(run: RunRef, months: &[MonthView]) -> PayrollBasis {
    let mut employees: Vec<BasisEmployee> = months.iter().map(employee_of).collect();
    employees.sort_by_key(|e| (number_key(e.number.as_deref()), e.name.clone(), e.employee_id));
    let totals = totals_of(&employees);
    PayrollBasis { run, employees, totals }
}

/// Employee numbers in the order people count them: `2` before `101`, numbers before other
/// spellings, people without a number last.
fn number_key(number: Option<&str>) -> (u8, u128, String) {
    match number {
        Some(n) => match n.trim().parse::<u128>() {
            Ok(v) => (0, v, n.to_owned()),
            Err(_) => (1, 0, n.to_owned()),
        },
        None => (2, 0, String::new()),
    }
}

/// What changed from `before` (the previous run of the period) to `after`.
pub fn changes(before: &PayrollBasis, after: &PayrollBasis) -> Vec<BasisChange> {
    let old: BTreeMap<Uuid, &BasisEmployee> = before.employees.iter().map(|e| (e.employee_id, e)).collect();
    let new: BTreeMap<Uuid, &BasisEmployee> = after.employees.iter().map(|e| (e.employee_id, e)).collect();
    let mut out = Vec::new();
    for (id, e) in &new {
        let Some(o) = old.get(id) else {
            out.push(BasisChange { employee_id: *id, name: e.name.clone(), field: "employee".into(), from: 0, to: 1 });
            continue;
        };
        let fields = [
            ("worked_min", o.worked_min, e.worked_min),
            ("target_min", o.target_min, e.target_min),
            ("flex_min", o.flex_min, e.flex_min),
            ("flex_balance_min", o.flex_balance_min, e.flex_balance_min),
        ];
        for (field, from, to) in fields {
            if from != to {
                out.push(BasisChange { employee_id: *id, name: e.name.clone(), field: field.into(), from, to });
            }
        }
        let minutes = |b: &BasisEmployee| b.absences.iter().map(|a| (a.kind.clone(), a.minutes)).collect::<BTreeMap<_, _>>();
        let (was, is) = (minutes(o), minutes(e));
        for kind in was.keys().chain(is.keys()).collect::<BTreeSet<_>>() {
            let (from, to) = (was.get(kind).copied().unwrap_or(0), is.get(kind).copied().unwrap_or(0));
            if from != to || was.contains_key(kind) != is.contains_key(kind) {
                out.push(BasisChange { employee_id: *id, name: e.name.clone(), field: format!("absence:{kind}"), from, to });
            }
        }
    }
    for (id, o) in &old {
        if !new.contains_key(id) {
            out.push(BasisChange { employee_id: *id, name: o.name.clone(), field: "employee".into(), from: 1, to: 0 });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u128, worked: i64, absences: Vec<(&str, i64)>) -> BasisEmployee {
        BasisEmployee {
            employee_id: Uuid::from_u128(id),
            number: Some(id.to_string()),
            name: format!("E{id}"),
            worked_min: worked,
            worked_days: vec![BasisDay { date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default(), minutes: worked }],
            scheduled_days: Vec::new(),
            target_min: 480,
            flex_min: worked - 480,
            flex_balance_min: worked - 480,
            time_bank_min: None,
            time_bank_balance_min: None,
            absences: absences
                .into_iter()
                .map(|(k, m)| {
                    let date = NaiveDate::from_ymd_opt(2026, 10, 2).unwrap_or_default();
                    BasisAbsence { kind: k.into(), dates: vec![date], minutes: m, days: vec![BasisDay { date, minutes: m }] }
                })
                .collect(),
            pay_codes: Vec::new(),
            warnings: Vec::new(),
            records: 2,
            corrections: 0,
        }
    }

    fn basis(rows: Vec<BasisEmployee>) -> PayrollBasis {
        let run = RunRef { id: Uuid::from_u128(9), period: "2026-10".into(), locked_at: DateTime::from_timestamp(0, 0).unwrap_or_default() };
        let totals = totals_of(&rows);
        PayrollBasis { run, employees: rows, totals }
    }

    #[test]
    fn b4_an_absence_stands_in_for_the_models_minutes_of_its_day() {
        assert_eq!(absence_minutes("vacation", 480, None, false), 480);
        assert_eq!(absence_minutes("sick", 480, None, false), 480);
        assert_eq!(absence_minutes("half_vacation", 465, None, false), 232, "whole minutes, rounded down");
        assert_eq!(absence_minutes("vocational_school", 480, Some(180), false), 300);
        assert_eq!(absence_minutes("vacation", 480, None, true), 0, "L: nothing is taken on a public holiday");
        assert_eq!(absence_minutes("sick", 480, None, true), 480, "a sick day stays a sick day (B4 category 3)");
        assert_eq!(absence_minutes("vacation", 0, None, false), 0, "a day the model does not work");
    }

    #[test]
    fn employees_are_listed_by_number_as_people_count() {
        let mut rows = vec![row(101, 0, vec![]), row(2, 0, vec![]), row(1, 0, vec![])];
        rows[0].number = Some("A-7".into());
        rows.push(BasisEmployee { number: None, ..row(3, 0, vec![]) });
        rows.push(row(10, 0, vec![]));
        let run = RunRef { id: Uuid::from_u128(9), period: "2026-10".into(), locked_at: DateTime::from_timestamp(0, 0).unwrap_or_default() };
        let months: Vec<MonthView> = Vec::new();
        assert!(of_months(run, &months).employees.is_empty());
        rows.sort_by_key(|e| (number_key(e.number.as_deref()), e.name.clone(), e.employee_id));
        let order: Vec<Option<&str>> = rows.iter().map(|e| e.number.as_deref()).collect();
        assert_eq!(order, [Some("1"), Some("2"), Some("10"), Some("A-7"), None]);
    }

    #[test]
    fn totals_are_the_sums_of_the_rows_even_of_odd_minutes() {
        let b = basis(vec![row(1, 481, vec![("sick", 7)]), row(2, 1, vec![]), row(3, 479, vec![("vacation", 480), ("sick", 1)])]);
        assert_eq!(b.totals.worked_min, 961);
        assert_eq!(b.totals.target_min, 1440);
        assert_eq!(b.totals.flex_min, 961 - 1440);
        assert_eq!(b.totals.absence_min, 488);
        assert_eq!(b.totals.employees, 3);
        assert_eq!(b.totals.time_bank_min, None, "no Timbank configured: null, not 0");
    }

    #[test]
    fn a_re_run_lists_every_field_that_moved_and_who_came_or_went() {
        let before = basis(vec![row(1, 480, vec![]), row(2, 480, vec![("sick", 480)])]);
        let after = basis(vec![row(1, 500, vec![("vacation", 240)]), row(3, 60, vec![])]);
        let c = changes(&before, &after);
        let fields: Vec<(u128, &str, i64, i64)> = c.iter().map(|c| (c.employee_id.as_u128(), c.field.as_str(), c.from, c.to)).collect();
        assert!(fields.contains(&(1, "worked_min", 480, 500)));
        assert!(fields.contains(&(1, "flex_min", 0, 20)));
        assert!(fields.contains(&(1, "absence:vacation", 0, 240)));
        assert!(fields.contains(&(3, "employee", 0, 1)));
        assert!(fields.contains(&(2, "employee", 1, 0)));
        assert!(!fields.iter().any(|f| f.1 == "target_min"), "unchanged fields are not listed: {fields:?}");
        assert!(changes(&after, &after).is_empty());
    }
}
