//! G1–G8: the Swedish Timbank (/5 and /7), its balance window, holidays, the annual and the
//! weekly reconciliation reports (with the weekly report's row), and the forbidden configurations. Exact fractions throughout
//! (W/7 is 5:42.857… for W = 40), rounded only when displayed.

use chrono::{Datelike, NaiveDate, Weekday};

use super::duration::Minutes;

/// G1: the Timbank type on the agreement's Timbank code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimebankType {
    /// Veckoarbetstid/5: a minus every Monday–Friday.
    PerFive,
    /// Veckoarbetstid/7: a minus every day.
    PerSeven,
    /// "Inget beräkn. anv. rapport": reports only, no daily balance.
    ReportOnly,
}

impl TimebankType {
    /// G1: only /5 and /7 create daily plus and minus entries.
    pub fn has_balance(self) -> bool {
        !matches!(self, TimebankType::ReportOnly)
    }
}

/// What the Timbank needs from the agreement and the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimebankSettings {
    pub kind: TimebankType,
    /// W: weekly hours of the employment contract.
    pub weekly: Minutes,
    /// "Skapa arbetspass på helgdag": when checked, holidays deduct nothing (G5).
    pub shifts_on_holidays: bool,
}

fn is_weekday(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

fn w_over(weekly: Minutes, n: i64) -> Minutes {
    weekly.div_int(n).unwrap_or(Minutes::ZERO)
}

/// G2 + G5: the day's minus. /5: W/5 on Mon–Fri, none on a weekday holiday unless shifts are
/// created on holidays (INTERP-29). /7: W/7 every day, a weekday holiday giving back W/5 (G5 proposal).
pub fn daily_minus(s: &TimebankSettings, day: NaiveDate, is_holiday: bool) -> Minutes {
    let holiday_off = is_holiday && is_weekday(day) && !s.shifts_on_holidays;
    match s.kind {
        TimebankType::ReportOnly => Minutes::ZERO,
        TimebankType::PerFive if !is_weekday(day) || holiday_off => Minutes::ZERO,
        TimebankType::PerFive => w_over(s.weekly, 5),
        TimebankType::PerSeven if holiday_off => w_over(s.weekly, 7) - w_over(s.weekly, 5),
        TimebankType::PerSeven => w_over(s.weekly, 7),
    }
}

/// G2: `plus − minus − withdrawal`; `plus` is the day's hours on the Timbank account group
/// (a withdrawal counts as worked there, G3). Zero for report-only agreements (G1).
pub fn daily_delta(s: &TimebankSettings, day: NaiveDate, is_holiday: bool, plus: Minutes, withdrawal: Minutes) -> Minutes {
    if !s.kind.has_balance() {
        return Minutes::ZERO;
    }
    plus - daily_minus(s, day, is_holiday) - withdrawal
}

/// G3: a full-day withdrawal on a scheduled shift of length `shift`: the person goes minus
/// their debt for the day, not the shift's length.
pub fn withdrawal_day_delta(s: &TimebankSettings, day: NaiveDate, is_holiday: bool, shift: Minutes) -> Minutes {
    daily_delta(s, day, is_holiday, shift, shift)
}

/// G4: the Timbank balance on `at`: the amount carried at the last reconciliation plus every
/// delta from the day after it (INTERP-34), or from the employment start if never reconciled.
pub fn balance(
    last_reconciliation: Option<(NaiveDate, Minutes)>,
    employment_start: NaiveDate,
    deltas: &[(NaiveDate, Minutes)],
    at: NaiveDate,
) -> Minutes {
    let (carried, counts) = match last_reconciliation {
        Some((date, carried)) => (carried, Box::new(move |d: NaiveDate| d > date) as Box<dyn Fn(NaiveDate) -> bool>),
        None => (Minutes::ZERO, Box::new(move |d: NaiveDate| d >= employment_start) as Box<dyn Fn(NaiveDate) -> bool>),
    };
    carried + deltas.iter().filter(|(d, _)| counts(*d) && *d <= at).map(|(_, m)| *m).sum::<Minutes>()
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

/// G5: weekday legal holidays in the period that deduct (none when shifts are created on holidays).
pub fn deducted_holidays(from: NaiveDate, to: NaiveDate, is_holiday: &dyn Fn(NaiveDate) -> bool, shifts_on_holidays: bool) -> i64 {
    if shifts_on_holidays {
        return 0;
    }
    days(from, to).filter(|d| is_weekday(*d) && is_holiday(*d)).count() as i64
}

/// G6: expected hours of the annual report: weekdays/5 × W − weekday holidays × W/5.
pub fn annual_expected(from: NaiveDate, to: NaiveDate, weekly: Minutes, is_holiday: &dyn Fn(NaiveDate) -> bool, shifts_on_holidays: bool) -> Minutes {
    let weekdays = days(from, to).filter(|d| is_weekday(*d)).count() as i64;
    let hol = deducted_holidays(from, to, is_holiday, shifts_on_holidays);
    w_over(weekly, 5).times(weekdays - hol)
}

/// G7: expected hours of the weekly report: calendar days × W/7 − weekday holidays × W/5.
pub fn weekly_expected(from: NaiveDate, to: NaiveDate, weekly: Minutes, is_holiday: &dyn Fn(NaiveDate) -> bool, shifts_on_holidays: bool) -> Minutes {
    let n = days(from, to).count() as i64;
    let hol = deducted_holidays(from, to, is_holiday, shifts_on_holidays);
    w_over(weekly, 7).times(n) - w_over(weekly, 5).times(hol)
}

/// G6/G7 "Periodens saldo": actual on the Timbank account group minus expected (INTERP-30).
pub fn period_balance(actual: Minutes, expected: Minutes) -> Minutes {
    actual - expected
}

/// G7: where a posting on the Timbank account group came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingSource {
    /// A registration (worked hours, absence or withdrawal) on an account of the group.
    Registration,
    /// A manually entered balance: neither report takes it into account.
    ManualBalance,
}

/// G7: the actual hours the report counts: registrations on the group, manual balances left out.
pub fn report_actual(postings: &[(Minutes, PostingSource)]) -> Minutes {
    postings.iter().filter(|(_, src)| *src == PostingSource::Registration).map(|(m, _)| *m).sum()
}

/// G7: the account an agreement on the weekly report books the deviation from the schedule to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviationAccount {
    /// An overtime account (övertidskonto).
    Overtime,
    /// A flex account (flexkonto).
    Flex,
    /// A pay-deduction account (löneavdragskonto).
    Deduction,
    /// The Timbank account, where a Timbank agreement puts all deviation.
    Timbank,
}

/// G7: with the weekly report the deviation goes to an overtime, flex or deduction account, not the Timbank.
pub fn check_deviation_account(account: DeviationAccount) -> Result<(), ConfigError> {
    match account {
        DeviationAccount::Timbank => Err(ConfigError::DeviationToTimbank),
        DeviationAccount::Overtime | DeviationAccount::Flex | DeviationAccount::Deduction => Ok(()),
    }
}

/// G7: what Personal → Periodavstämning hands the weekly report for one person and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodReconciliation {
    /// "Flyttat från föregående period": the only way an opening balance enters the report.
    pub carried_over: Minutes,
    /// "Utbet./Avskrivet": the amount paid out or written off.
    pub written_off: Minutes,
    /// The account chosen for the payout or write-off; without one the report does not show it.
    pub written_off_account: Option<String>,
}

/// G7: one person's row of the weekly reconciliation report (Veckoavstämningsrapport).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyReportRow {
    /// Expected hours: calendar days × W/7 − weekday holidays × W/5.
    pub expected: Minutes,
    /// Registrations on the Timbank account group, manual balances left out.
    pub actual: Minutes,
    /// "Periodens saldo": actual − expected (INTERP-30).
    pub period_balance: Minutes,
    /// "Flyttat från föregående period", as Periodavstämning has it.
    pub carried_over: Minutes,
    /// "Avskrivet": shown only when an account was selected for it, else `None`.
    pub written_off: Option<Minutes>,
}

impl WeeklyReportRow {
    /// G7: Periodavstämning's "Ackumulerat saldo", which equals the report's "Periodens saldo".
    pub fn accumulated_balance(&self) -> Minutes {
        self.period_balance
    }
}

/// G7: the report row for [from, to]: expected and "Periodens saldo" from the period and the
/// group's registrations (manual balances ignored), the two columns from Periodavstämning as given.
pub fn weekly_report_row(
    from: NaiveDate,
    to: NaiveDate,
    weekly: Minutes,
    is_holiday: &dyn Fn(NaiveDate) -> bool,
    shifts_on_holidays: bool,
    postings: &[(Minutes, PostingSource)],
    reconciliation: &PeriodReconciliation,
) -> WeeklyReportRow {
    let expected = weekly_expected(from, to, weekly, is_holiday, shifts_on_holidays);
    let actual = report_actual(postings);
    WeeklyReportRow {
        expected,
        actual,
        period_balance: period_balance(actual, expected),
        carried_over: reconciliation.carried_over,
        written_off: reconciliation.written_off_account.as_ref().map(|_| reconciliation.written_off),
    }
}

/// G8: which reconciliation report an agreement uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconciliationReport {
    Annual,
    Weekly,
}

/// G8: a configuration that works but does not keep the report equal to the Timbank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigWarning {
    /// Annual report with Timbank/7: allowed in words, but the equality of G6 does not hold.
    AnnualWithPerSeven,
}

/// G7/G8: the forbidden configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// "Rapporten ska INTE kombineras med Timbank/5": Periodavstämning would not work.
    #[error("the weekly reconciliation report cannot be combined with Timbank/5")]
    WeeklyWithPerFive,
    /// G7: with the weekly report the deviation must go to an overtime, flex or deduction account.
    #[error("with the weekly reconciliation report the deviation cannot go to the Timbank account")]
    DeviationToTimbank,
}

impl ConfigError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::WeeklyWithPerFive => "weekly_report_with_timbank_5",
            ConfigError::DeviationToTimbank => "weekly_report_deviation_to_timbank",
        }
    }
}

/// G8: checks the agreement's report against its Timbank type.
pub fn check_configuration(report: ReconciliationReport, kind: TimebankType) -> Result<Option<ConfigWarning>, ConfigError> {
    match (report, kind) {
        (ReconciliationReport::Weekly, TimebankType::PerFive) => Err(ConfigError::WeeklyWithPerFive),
        (ReconciliationReport::Annual, TimebankType::PerSeven) => Ok(Some(ConfigWarning::AnnualWithPerSeven)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests;
