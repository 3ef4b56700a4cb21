//! What every day-by-day export shares: the default mapping of our time and absence types to
//! time codes (the Swedish standard abbreviations of PAXml 2.0, which Visma Lön uses too), the
//! types a basis holds without a code, each employee's day rows per code, and hours rounded so
//! that an employee's rows of a code add up to their total rounded once: day by day the running
//! total is rounded, and a day gets the difference. A payroll system summing the rows gets the
//! basis's total.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::basis::{BasisDay, BasisEmployee};

/// The default mapping of our time and absence types to time codes (PAXml `tidkod`).
pub fn default_code(item: &str) -> Option<&'static str> {
    Some(match item {
        "worked" => "ARB",
        "vacation" | "half_vacation" => "SEM",
        "sick" => "SJK",
        "parental" => "FPE",
        "flex_leave" => "FLX",
        "special_leave" | "half_special_leave" => "PEM",
        "maternity" => "HAV",
        "vocational_school" => "UTB",
        _ => return None,
    })
}

/// The absence types of `employees` without a code, each once, in order.
pub fn unmapped(employees: &[&BasisEmployee]) -> Vec<String> {
    let mut kinds: Vec<String> = employees.iter().flat_map(|e| e.absences.iter().map(|a| a.kind.clone())).filter(|k| default_code(k).is_none()).collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Minutes as hundredths of an hour, rounded half away from zero (`1` → 2, `-90` → -150).
pub fn round_hundredths(minutes: i64) -> i64 {
    (minutes * 200 + minutes.signum() * 60) / 120
}

/// Hundredths as a decimal with two places and the given separator (`750`, '.' → `7.50`).
pub fn decimal(hundredths: i64, separator: char) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.abs();
    format!("{sign}{}{separator}{:02}", h / 100, h % 100)
}

/// Hundredths of an hour per day, rounded so that their sum is the total rounded once
/// (minutes are never negative here).
pub fn hundredths(days: &[BasisDay]) -> Vec<i64> {
    let mut out = Vec::with_capacity(days.len());
    let (mut minutes, mut written) = (0i64, 0i64);
    for d in days {
        minutes += d.minutes;
        let rounded = round_hundredths(minutes);
        out.push(rounded - written);
        written = rounded;
    }
    out
}

/// One employee's day rows per code (codes in order, days in order), in hundredths of an hour:
/// worked time as `ARB`, each absence under its code. Only what counts is written: a day of 0
/// minutes (a public holiday in a vacation) writes nothing. Call after [`unmapped`] found none.
pub fn rows_by_code(e: &BasisEmployee) -> Vec<(&'static str, Vec<(NaiveDate, i64)>)> {
    let mut per_code: BTreeMap<&'static str, Vec<BasisDay>> = BTreeMap::new();
    per_code.entry("ARB").or_default().extend(e.worked_days.iter().copied());
    for a in &e.absences {
        per_code.entry(default_code(&a.kind).unwrap_or("ARB")).or_default().extend(a.days.iter().copied());
    }
    per_code
        .into_iter()
        .map(|(code, mut days)| {
            days.retain(|d| d.minutes > 0);
            days.sort_by_key(|d| d.date);
            let rows: Vec<(NaiveDate, i64)> = days.iter().zip(hundredths(&days)).filter(|(_, h)| *h > 0).map(|(d, h)| (d.date, h)).collect();
            (code, rows)
        })
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payroll::fixtures::day;

    #[test]
    fn hundredths_add_up_to_the_total_rounded_once() {
        // 20 minutes three times is 1:00: 0.33 + 0.34 + 0.33, not 0.99.
        let h = hundredths(&[day(1, 20), day(2, 20), day(3, 20)]);
        assert_eq!(h, [33, 34, 33]);
        assert_eq!(h.iter().sum::<i64>(), 100);
        assert_eq!(hundredths(&[day(1, 510)]), [850]);
        assert_eq!(hundredths(&[day(1, 1), day(2, 1)]), [2, 1], "1 and 2 minutes are 0.02 and 0.03 rounded");
    }

    #[test]
    fn every_built_in_type_has_a_code() {
        for kind in ["worked", "vacation", "half_vacation", "flex_leave", "maternity", "parental", "special_leave", "half_special_leave", "vocational_school", "sick"] {
            assert!(default_code(kind).is_some(), "{kind}");
        }
    }
}
