//! Table-driven tests of G1–G8 with the seed's worked examples (−5:43, −08:00, 2032:00, 32:00, 40:00, 57:09).

use super::*;
use crate::rules::holidays::sweden::is_public_holiday;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test literal")
}
fn h(x: i64) -> Minutes {
    Minutes::hours(x)
}
fn settings(kind: TimebankType) -> TimebankSettings {
    TimebankSettings { kind, weekly: h(40), shifts_on_holidays: false }
}
/// Swedish legal holidays Monday–Friday count as "helgdag" (INTERP-32); Sundays never deduct.
fn se(day: NaiveDate) -> bool {
    is_public_holiday(day)
}

#[test]
fn g1_only_per_five_and_per_seven_create_balances() {
    assert!(TimebankType::PerFive.has_balance(), "G1 /5");
    assert!(TimebankType::PerSeven.has_balance(), "G1 /7");
    assert!(!TimebankType::ReportOnly.has_balance(), "G1 report only");
    let report_only = settings(TimebankType::ReportOnly);
    assert_eq!(daily_delta(&report_only, d("2026-06-01"), false, h(3), Minutes::ZERO), Minutes::ZERO, "G1 no daily entry");
}

#[test]
fn g2_daily_minus_per_type_and_weekday() {
    let monday = d("2026-06-01");
    let saturday = d("2026-06-06");
    let seventh = Minutes::fraction(40 * 60, 7).expect("exact");
    let cases = [
        (TimebankType::PerFive, monday, h(8)),
        (TimebankType::PerFive, saturday, h(0)),
        (TimebankType::PerSeven, monday, seventh),
        (TimebankType::PerSeven, saturday, seventh),
    ];
    for (kind, day, minus) in cases {
        assert_eq!(daily_minus(&settings(kind), day, false), minus, "G2 {kind:?} {day}");
    }
    assert_eq!(seventh.to_hhmm(), "05:43", "G2 W/7 shown as 5:43");
    let week: Minutes = d("2026-06-01").iter_days().take(7).map(|day| daily_minus(&settings(TimebankType::PerSeven), day, false)).sum();
    assert_eq!(week, h(40), "G2 seven days of /7 are exactly 40:00 (INTERP-33)");
    let plus = h(9);
    assert_eq!(daily_delta(&settings(TimebankType::PerFive), monday, false, plus, Minutes::ZERO), h(1), "G2 delta");
}

#[test]
fn g3_withdrawal_goes_minus_the_debt_not_the_shift() {
    let monday = d("2026-06-01");
    for shift in [h(8), h(6), Minutes::hm(7, 30)] {
        let per7 = withdrawal_day_delta(&settings(TimebankType::PerSeven), monday, false, shift);
        assert_eq!(per7.to_hhmm(), "-05:43", "G3 Timbank/7 example, shift {shift}");
        let per5 = withdrawal_day_delta(&settings(TimebankType::PerFive), monday, false, shift);
        assert_eq!(per5.to_hhmm(), "-08:00", "G3 Timbank/5 example, shift {shift}");
    }
}

#[test]
fn g4_balance_window_starts_after_the_last_reconciliation() {
    let deltas = [(d("2026-01-30"), h(1)), (d("2026-01-31"), h(2)), (d("2026-02-01"), h(4)), (d("2026-02-02"), -h(1))];
    let start = d("2026-01-01");
    assert_eq!(balance(None, start, &deltas, d("2026-02-02")), h(6), "G4 from employment start");
    assert_eq!(balance(None, d("2026-01-31"), &deltas, d("2026-02-02")), h(5), "G4 employment start inclusive");
    assert_eq!(balance(Some((d("2026-01-31"), h(10))), start, &deltas, d("2026-02-02")), h(13), "G4 INTERP-34 from the day after");
    assert_eq!(balance(Some((d("2026-01-31"), h(10))), start, &deltas, d("2026-02-01")), h(14), "G4 through t");
}

#[test]
fn g5_holidays_deduct_w_over_five_on_weekdays_only() {
    let good_friday = d("2026-04-03");
    let midsummer_day = d("2026-06-20"); // a Saturday
    let mut on = settings(TimebankType::PerFive);
    assert_eq!(daily_minus(&on, good_friday, se(good_friday)), h(0), "G5 /5 weekday holiday: no minus (INTERP-29)");
    on.shifts_on_holidays = true;
    assert_eq!(daily_minus(&on, good_friday, se(good_friday)), h(8), "G5 shifts on holidays: nothing deducted");
    let week = |from: &str| weekly_expected(d(from), d(from) + chrono::Duration::days(6), h(40), &se, false);
    assert_eq!(week("2026-03-30"), h(32), "G5/G7 week with a weekday holiday: W − W/5");
    assert_eq!(week("2026-06-15"), h(40), "G5/G7 holiday on Saturday: W");
    let per7_week: Minutes = d("2026-03-30").iter_days().take(7).map(|day| daily_minus(&settings(TimebankType::PerSeven), day, se(day))).sum();
    assert_eq!(per7_week, h(40) - h(8), "G5 /7 proposal: the week with Good Friday mirrors G7");
    assert!(se(midsummer_day), "L Midsommardagen");
}

#[test]
fn g6_annual_report_2026() {
    let (from, to) = (d("2026-01-01"), d("2026-12-31"));
    let weekdays = from.iter_days().take_while(|x| *x <= to).filter(|x| x.weekday().num_days_from_monday() < 5).count();
    assert_eq!(weekdays, 261, "G6 weekdays of 2026");
    assert_eq!(deducted_holidays(from, to, &se, false), 7, "G6 weekday holidays of 2026");
    assert_eq!(annual_expected(from, to, h(40), &se, false).to_hhmm(), "2032:00", "G6 example");
    assert_eq!(annual_expected(from, to, h(40), &se, true).to_hhmm(), "2088:00", "G6 example, shifts on holidays");
    assert_eq!(period_balance(h(2040), h(2032)), h(8), "G6 INTERP-30 actual − expected");
}

#[test]
fn g6_report_equals_timbank_five_from_last_reconciliation_through_yesterday() {
    // The seed: with Timbank/5, from the last reconciliation through yesterday, both show the same value.
    let s = settings(TimebankType::PerFive);
    let (from, to) = (d("2026-03-01"), d("2026-06-30"));
    let worked = |day: NaiveDate| Minutes::whole(i64::from(day.ordinal() % 11) * 50);
    let timbank: Minutes = from.iter_days().take_while(|x| *x <= to).map(|day| daily_delta(&s, day, se(day), worked(day), Minutes::ZERO)).sum();
    let actual: Minutes = from.iter_days().take_while(|x| *x <= to).map(worked).sum();
    assert_eq!(period_balance(actual, annual_expected(from, to, h(40), &se, false)), timbank, "G6 = Timbank/5");
}

#[test]
fn g7_weekly_report_examples() {
    assert_eq!(weekly_expected(d("2026-06-01"), d("2026-06-10"), h(40), &se, false).to_hhmm(), "57:09", "G7 10 days × 40/7");
    assert_eq!(weekly_expected(d("2026-06-01"), d("2026-06-07"), h(40), &se, false), h(40), "G7 whole week");
    assert_eq!(weekly_expected(d("2026-12-21"), d("2026-12-27"), h(40), &se, false), h(32), "G7 Christmas week: Juldagen Fri");
}

#[test]
fn g7_weekly_report_row_columns() {
    let with_account = |carried: Minutes, off: Minutes| PeriodReconciliation { carried_over: carried, written_off: off, written_off_account: Some("7310".into()) };
    let no_account = |carried: Minutes, off: Minutes| PeriodReconciliation { written_off_account: None, ..with_account(carried, off) };
    let worked = |m: Minutes| vec![(m, PostingSource::Registration)];
    // (case, from, to, postings, Periodavstämning, expected, Periodens saldo, Flyttat, Avskrivet)
    let cases = [
        ("Good Friday week", "2026-03-30", "2026-04-05", worked(h(34)), with_account(h(3), h(2)), "32:00", "02:00", "03:00", Some("02:00")),
        ("whole week", "2026-06-01", "2026-06-07", worked(h(40)), no_account(-h(1), h(2)), "40:00", "00:00", "-01:00", None),
        ("10 days", "2026-06-01", "2026-06-10", worked(h(56)), with_account(Minutes::ZERO, Minutes::ZERO), "57:09", "-01:09", "00:00", Some("00:00")),
        ("manual balance ignored", "2026-06-15", "2026-06-21", vec![(h(40), PostingSource::Registration), (h(25), PostingSource::ManualBalance)], no_account(h(5), Minutes::ZERO), "40:00", "00:00", "05:00", None),
    ];
    for (case, from, to, postings, rec, expected, saldo, carried, off) in cases {
        let row = weekly_report_row(d(from), d(to), h(40), &se, false, &postings, &rec);
        assert_eq!(row.expected.to_hhmm(), expected, "G7 expected, {case}");
        assert_eq!(row.period_balance.to_hhmm(), saldo, "G7 Periodens saldo = actual − expected (INTERP-30), {case}");
        assert_eq!(row.carried_over.to_hhmm(), carried, "G7 Flyttat från föregående period, {case}");
        assert_eq!(row.written_off.map(Minutes::to_hhmm).as_deref(), off, "G7 Avskrivet only with an account, {case}");
        assert_eq!(row.accumulated_balance(), row.period_balance, "G7 Ackumulerat saldo = Periodens saldo, {case}");
        assert_eq!(row.period_balance, period_balance(row.actual, row.expected), "G7 carried and written off stay out of the saldo, {case}");
    }
    assert_eq!(report_actual(&[(h(3), PostingSource::ManualBalance)]), Minutes::ZERO, "G7 manual balances are not taken into account");
}

#[test]
fn g7_deviation_goes_to_overtime_flex_or_deduction() {
    use DeviationAccount::*;
    let cases = [(Overtime, Ok(())), (Flex, Ok(())), (Deduction, Ok(())), (Timbank, Err(ConfigError::DeviationToTimbank))];
    for (account, expected) in cases {
        assert_eq!(check_deviation_account(account), expected, "G7 deviation to {account:?}");
    }
    assert_eq!(ConfigError::DeviationToTimbank.code(), "weekly_report_deviation_to_timbank", "G7 stable code");
    assert_eq!(ConfigError::WeeklyWithPerFive.code(), "weekly_report_with_timbank_5", "G8 stable code");
}

#[test]
fn g8_weekly_report_with_timbank_five_is_refused() {
    use ReconciliationReport::*;
    use TimebankType::*;
    let cases = [
        (Weekly, PerFive, Err(ConfigError::WeeklyWithPerFive)),
        (Weekly, PerSeven, Ok(None)),
        (Weekly, ReportOnly, Ok(None)),
        (Annual, PerFive, Ok(None)),
        (Annual, PerSeven, Ok(Some(ConfigWarning::AnnualWithPerSeven))),
        (Annual, ReportOnly, Ok(None)),
    ];
    for (report, kind, expected) in cases {
        assert_eq!(check_configuration(report, kind), expected, "G8 {report:?} + {kind:?}");
    }
}
