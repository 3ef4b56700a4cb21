//! C1–C4: the working-time-law hints of the time sheet (breaks after 6 and 9 hours in blocks
//! of at least 15 minutes, the 10-hour maximum) as structured warnings a UI can translate,
//! plus ArbZG-only readings the seed does not enforce, flagged as informational.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc, Weekday};

use super::duration::Minutes;

/// How much a warning matters: the seed's hints, or the law's stricter readings (C4) shown for information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Info,
}

/// One hint about a work day; `code()` is the stable key a UI translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkTimeWarning {
    /// C1 + C2: counted breaks (blocks ≥ 15 min) below what the actual hours require.
    BreakTooShort { required: Minutes, counted: Minutes },
    /// C3: actual hours above 10:00.
    MaximumExceeded { actual: Minutes },
    /// C4, ArbZG §4 S.3: more than six hours worked without a break of at least 15 minutes.
    Law6hContinuous { longest: Minutes },
    /// C4, ArbZG §4 read with gaps under 15 min as work time: the break required on that basis is missing.
    LawShortGapsCountAsWork { work_time: Minutes, required: Minutes, counted: Minutes },
    /// C4, ArbZG §3: more than 8 hours on a Werktag (allowed up to 10 only on a balancing average).
    LawAbove8h { actual: Minutes },
    /// C4, ArbZG §5(1): less than 11 hours of rest since the previous work day ended.
    LawRestUnder11h { rest: Minutes },
    /// C4, ArbZG §3 S.2: the Werktag average of the compensation window is above 8 hours.
    LawAverageOver8h { average: Minutes, werktage: i64 },
}

impl WorkTimeWarning {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            WorkTimeWarning::BreakTooShort { .. } => "break_too_short",
            WorkTimeWarning::MaximumExceeded { .. } => "maximum_10h_exceeded",
            WorkTimeWarning::Law6hContinuous { .. } => "law_6h_continuous",
            WorkTimeWarning::LawShortGapsCountAsWork { .. } => "law_short_gaps_count_as_work",
            WorkTimeWarning::LawAbove8h { .. } => "law_above_8h",
            WorkTimeWarning::LawRestUnder11h { .. } => "law_rest_under_11h",
            WorkTimeWarning::LawAverageOver8h { .. } => "law_average_over_8h",
        }
    }

    /// The seed's checks are warnings; the law-only readings of C4 are informational (INTERP-10).
    pub fn severity(&self) -> Severity {
        match self {
            WorkTimeWarning::BreakTooShort { .. } | WorkTimeWarning::MaximumExceeded { .. } => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// C2: a break block counts only from this length on.
pub const MIN_BLOCK_MINUTES: i64 = 15;

/// C1 (INTERP-7): 0 up to 6:00, 30 min above 6:00, 45 min above 9:00.
pub fn required_break(actual: Minutes) -> Minutes {
    if actual > Minutes::hours(9) {
        Minutes::whole(45)
    } else if actual > Minutes::hours(6) {
        Minutes::whole(30)
    } else {
        Minutes::ZERO
    }
}

/// C2: the sum of the break blocks of at least 15 minutes.
pub fn counted_break(blocks: &[Minutes]) -> Minutes {
    blocks.iter().filter(|b| **b >= Minutes::whole(MIN_BLOCK_MINUTES)).sum()
}

/// C1–C3: the seed's warnings for a work day from its net actual hours (INTERP-8) and its break
/// blocks (gaps between stamps, or the time sheet's single break value, INTERP-9).
pub fn check_day(actual: Minutes, blocks: &[Minutes]) -> Vec<WorkTimeWarning> {
    let mut out = Vec::new();
    let (required, counted) = (required_break(actual), counted_break(blocks));
    if counted < required {
        out.push(WorkTimeWarning::BreakTooShort { required, counted });
    }
    if actual > Minutes::hours(10) {
        out.push(WorkTimeWarning::MaximumExceeded { actual });
    }
    out
}

/// The previous work day's end, for the rest-period reading of C4.
pub type PreviousEnd = Option<DateTime<Utc>>;

/// C4: the law-only readings for a stamped day given its work periods in order (closed
/// stamps as start/end): informational, never blocking (INTERP-10).
pub fn check_law(periods: &[(DateTime<Utc>, DateTime<Utc>)], previous_end: PreviousEnd) -> Vec<WorkTimeWarning> {
    let mut out = Vec::new();
    let Some(first) = periods.first() else {
        return out;
    };
    let short = Minutes::whole(MIN_BLOCK_MINUTES);
    let (mut longest, mut stretch) = (Minutes::ZERO, Minutes::ZERO);
    let (mut blocks, mut short_gaps) = (Vec::new(), Minutes::ZERO);
    let mut actual = Minutes::ZERO;
    for (i, &(s, e)) in periods.iter().enumerate() {
        if i > 0 {
            let gap = Minutes::between(periods[i - 1].1, s);
            if gap >= short {
                stretch = Minutes::ZERO;
                blocks.push(gap);
            } else {
                stretch += gap; // a short gap is no Ruhepause: the stretch goes on
                short_gaps += gap;
            }
        }
        let len = Minutes::between(s, e);
        actual += len;
        stretch += len;
        longest = longest.max(stretch);
    }
    if longest > Minutes::hours(6) {
        out.push(WorkTimeWarning::Law6hContinuous { longest });
    }
    let work_time = actual + short_gaps;
    let (required, counted) = (required_break(work_time), counted_break(&blocks));
    if counted < required && required > required_break(actual) {
        out.push(WorkTimeWarning::LawShortGapsCountAsWork { work_time, required, counted });
    }
    if actual > Minutes::hours(8) {
        out.push(WorkTimeWarning::LawAbove8h { actual });
    }
    if let Some(prev) = previous_end {
        let rest = Minutes::between(prev, first.0);
        if rest < Minutes::hours(11) {
            out.push(WorkTimeWarning::LawRestUnder11h { rest });
        }
    }
    out
}

/// C4, ArbZG §3 S.2: the compensation window over which the Werktag average must stay ≤ 8 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompensationWindow {
    /// "sechs Kalendermonate": from the start date up to the same day six months later (exclusive).
    SixCalendarMonths,
    /// "24 Wochen": 168 calendar days from the start date.
    TwentyFourWeeks,
}

impl CompensationWindow {
    /// The first day after the window starting on `start`; `None` beyond the calendar's range.
    pub fn end_exclusive(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            CompensationWindow::SixCalendarMonths => start.checked_add_months(Months::new(6)),
            CompensationWindow::TwentyFourWeeks => start.checked_add_days(Days::new(24 * 7)),
        }
    }
}

/// ArbZG §3: a Werktag is Monday to Saturday.
pub fn is_werktag(day: NaiveDate) -> bool {
    day.weekday() != Weekday::Sun
}

/// C4, ArbZG §3 S.2: informational check that days above 8 h are balanced. The average is
/// the Ist of the window's Werktage (Mon–Sat) over their number; a Werktag without an entry
/// counts 0 h, so a window still running warns only once it can no longer be balanced.
/// Sunday entries are neither Werktage nor counted (Sunday work is §11's matter; C3 still
/// warns above 10 h), entries outside the window are ignored, and an exact 8:00 is no warning.
pub fn check_average(days: &[(NaiveDate, Minutes)], window: CompensationWindow, start: NaiveDate) -> Option<WorkTimeWarning> {
    let end = window.end_exclusive(start)?;
    let werktage = start.iter_days().take_while(|d| *d < end).filter(|d| is_werktag(*d)).count() as i64;
    let total: Minutes = days.iter().filter(|(d, _)| *d >= start && *d < end && is_werktag(*d)).map(|(_, ist)| *ist).sum();
    let average = total.div_int(werktage)?;
    (average > Minutes::hours(8)).then_some(WorkTimeWarning::LawAverageOver8h { average, werktage })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(x: i64) -> Minutes {
        Minutes::whole(x)
    }

    #[test]
    fn c1_required_break_thresholds() {
        // (actual minutes, required) — INTERP-7: strictly more than 6 h / 9 h
        let cases = [(0, 0), (360, 0), (361, 30), (540, 30), (541, 45), (720, 45)];
        for (actual, required) in cases {
            assert_eq!(required_break(m(actual)), m(required), "C1 {actual} min");
        }
    }

    #[test]
    fn c1_c2_break_violations_and_splits() {
        // (actual, blocks, violation?) — the edges listed under C1+C2
        let cases: [(i64, &[i64], bool); 9] = [
            (360, &[], false),           // exactly 6:00 → nothing required
            (361, &[], true),            // 6:01 → 30 min required
            (420, &[20, 10], true),      // 20+10 split: counted 20
            (420, &[15, 15], false),     // 15+15 split: counted 30
            (420, &[10, 10, 10], true),  // 10+10+10 split: counted 0
            (420, &[30], false),
            (560, &[30], true),          // 9:20 needs 45
            (560, &[30, 15], false),
            (560, &[45], false),
        ];
        for (actual, blocks, violation) in cases {
            let blocks: Vec<Minutes> = blocks.iter().map(|&b| m(b)).collect();
            let w = check_day(m(actual), &blocks);
            assert_eq!(w.iter().any(|w| w.code() == "break_too_short"), violation, "C1/C2 {actual} {blocks:?}");
        }
        assert_eq!(
            check_day(m(420), &[m(20), m(10)]),
            vec![WorkTimeWarning::BreakTooShort { required: m(30), counted: m(20) }],
            "C2 reports the counted figure"
        );
    }

    #[test]
    fn c3_ten_hour_maximum() {
        let cases = [(600, false), (601, true), (540, false)];
        for (actual, warned) in cases {
            let w = check_day(m(actual), &[m(45)]);
            assert_eq!(w.iter().any(|w| w.code() == "maximum_10h_exceeded"), warned, "C3 {actual} (INTERP-11)");
            assert!(w.iter().all(|w| w.severity() == Severity::Warning), "C3 seed checks are warnings");
        }
    }

    #[test]
    fn c3_autumn_night_adds_the_real_hour() {
        use crate::rules::timesheet::{entry_figures, TimesheetEntry};
        let t = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").expect("test literal");
        // 21:00 → 07:00 is 10 h on the wall clock; on 24/25 Oct 2026 it is 11 h of real time.
        for (day, warned) in [("2026-10-24", true), ("2026-06-13", false)] {
            let entry = TimesheetEntry { work_day: day.parse().expect("test literal"), start: t("21:00"), end: t("07:00"), break_time: m(45) };
            let f = entry_figures(&entry, chrono_tz::Europe::Stockholm).expect("valid entry");
            let w = check_day(f.actual, &[m(45)]);
            assert_eq!(w.iter().any(|w| w.code() == "maximum_10h_exceeded"), warned, "C3 elapsed time on {day}");
        }
    }

    #[test]
    fn c4_law_only_checks_are_informational() {
        let t = |h: u32, mi: u32| -> DateTime<Utc> {
            format!("2026-06-01T{h:02}:{mi:02}:00Z").parse().expect("test literal")
        };
        // 6:10 span with a 10-min gap: the seed sees Ist 6:00 (no break), the law sees 6:10 of work.
        let day = [(t(8, 0), t(11, 0)), (t(11, 10), t(14, 10))];
        assert!(check_day(m(360), &[m(10)]).is_empty(), "C4 seed is looser");
        let law = check_law(&day, None);
        let codes: Vec<&str> = law.iter().map(|w| w.code()).collect();
        assert_eq!(codes, vec!["law_6h_continuous", "law_short_gaps_count_as_work"], "C4 {law:?}");
        assert!(law.iter().all(|w| w.severity() == Severity::Info), "C4 informational (INTERP-10)");
        // A real break resets the stretch; 8:30 of work is above §3's 8 h; 10 h rest is under §5's 11 h.
        let day = [(t(7, 0), t(11, 30)), (t(12, 0), t(16, 0))];
        let codes: Vec<&str> = check_law(&day, Some(t(0, 0) - chrono::Duration::hours(3))).iter().map(|w| w.code()).collect();
        assert_eq!(codes, vec!["law_above_8h", "law_rest_under_11h"], "C4 §3 and §5");
        assert!(check_law(&[], None).is_empty(), "C4 empty day");
    }

    #[test]
    fn c4_average_over_the_compensation_window() {
        use CompensationWindow::*;
        let d = |s: &str| -> NaiveDate { s.parse().expect("test literal") };
        // Every day of the window with the given Ist per weekday (Mon..Sun), plus extra minutes on the first day.
        let fill = |window: CompensationWindow, start: NaiveDate, week: [i64; 7], extra: i64| -> Vec<(NaiveDate, Minutes)> {
            let end = window.end_exclusive(start).expect("in range");
            start
                .iter_days()
                .take_while(|x| *x < end)
                .enumerate()
                .map(|(i, x)| (x, m(week[x.weekday().num_days_from_monday() as usize] + if i == 0 { extra } else { 0 })))
                .collect()
        };
        let (monday, new_year) = (d("2026-01-05"), d("2026-01-01"));
        let eight = [480, 480, 480, 480, 480, 480, 0];
        let balanced = [600, 600, 540, 420, 360, 360, 0]; // 10+10+9+7+6+6 = 48 h over six Werktage
        let sunday_work = [480, 480, 480, 480, 480, 480, 600];
        // (case, window, start, week, extra minutes, warned?)
        let cases = [
            ("24 weeks, exactly 8:00", TwentyFourWeeks, monday, eight, 0, false),
            ("24 weeks, one minute over", TwentyFourWeeks, monday, eight, 1, true),
            ("24 weeks, 10 h days balanced by short ones", TwentyFourWeeks, monday, balanced, 0, false),
            ("24 weeks, balanced plus one minute", TwentyFourWeeks, monday, balanced, 1, true),
            ("24 weeks, Sunday work is no Werktag", TwentyFourWeeks, monday, sunday_work, 0, false),
            ("6 months, exactly 8:00", SixCalendarMonths, new_year, eight, 0, false),
            ("6 months, one minute over", SixCalendarMonths, new_year, eight, 1, true),
            ("6 months, Sunday work is no Werktag", SixCalendarMonths, new_year, sunday_work, 0, false),
        ];
        for (case, window, start, week, extra, warned) in cases {
            let w = check_average(&fill(window, start, week, extra), window, start);
            assert_eq!(w.as_ref().map(|w| w.code()), warned.then_some("law_average_over_8h"), "C4 §3 {case}");
            assert!(w.iter().all(|w| w.severity() == Severity::Info), "C4 §3 informational (INTERP-10): {case}");
        }
        // Sundays are not in the denominator: 144 Werktage in 24 weeks, 155 from 1 Jan to 30 Jun 2026.
        let over = |window, start, werktage: i64| {
            let average = Minutes::hours(8) + Minutes::fraction(1, werktage).expect("exact");
            (check_average(&fill(window, start, eight, 1), window, start), Some(WorkTimeWarning::LawAverageOver8h { average, werktage }))
        };
        let (got, want) = over(TwentyFourWeeks, monday, 144);
        assert_eq!(got, want, "C4 §3 24 weeks have 144 Werktage");
        let (got, want) = over(SixCalendarMonths, new_year, 155);
        assert_eq!(got, want, "C4 §3 Jan–Jun 2026 have 155 Werktage");
        // Werktage without an entry count 0 h; days outside the window are ignored.
        let lone = [(monday, m(600)), (d("2025-12-31"), m(600 * 200)), (d("2026-06-22"), m(600 * 200))];
        assert_eq!(check_average(&lone, TwentyFourWeeks, monday), None, "C4 §3 one 10 h day in a window");
        assert_eq!(check_average(&[], SixCalendarMonths, new_year), None, "C4 §3 empty window");
        assert_eq!(TwentyFourWeeks.end_exclusive(monday), Some(d("2026-06-22")), "C4 §3 24 weeks end");
        assert_eq!(SixCalendarMonths.end_exclusive(d("2026-08-31")), Some(d("2027-02-28")), "C4 §3 six months clamp to month end");
        assert_eq!(TwentyFourWeeks.end_exclusive(NaiveDate::MAX), None, "C4 §3 beyond the calendar");
    }
}
