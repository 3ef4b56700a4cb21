//! A3–A7: one time-sheet entry and the month it sits in: shifts over midnight measured in
//! real elapsed time, actual hours, no entries for future days, bookings deleted with their
//! work time, and one row per calendar day.

use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::booking::Booking;
use super::duration::Minutes;
use super::local_time::resolve;

/// A work time typed into the time sheet for one work day (G-WORKDAY: the day it was entered on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimesheetEntry {
    pub work_day: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub break_time: Minutes,
}

/// The figures the time sheet shows for an entry (A3, A4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryFigures {
    /// Real time from start to end (G-TZ), DST included.
    pub elapsed: Minutes,
    pub break_time: Minutes,
    /// `elapsed − break` (A4).
    pub actual: Minutes,
    /// True when the end lies on the next calendar day (A3).
    pub crosses_midnight: bool,
}

/// Why a time-sheet entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimesheetError {
    /// Start and end are the same time of day (A3, INTERP-5).
    #[error("start equals end")]
    StartEqualsEnd,
    /// The break is longer than the time between start and end (A4).
    #[error("break longer than the work time")]
    BreakExceedsElapsed,
    /// A break below zero cannot be typed, but a caller could build one.
    #[error("negative break")]
    NegativeBreak,
    /// The work day lies after today (A5).
    #[error("entries for future days are not possible")]
    FutureDay,
}

impl TimesheetError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            TimesheetError::StartEqualsEnd => "start_equals_end",
            TimesheetError::BreakExceedsElapsed => "break_exceeds_elapsed",
            TimesheetError::NegativeBreak => "negative_break",
            TimesheetError::FutureDay => "future_day",
        }
    }
}

/// A3 + A4: elapsed real time and actual hours; an end before the start lies on the next day.
pub fn entry_figures(entry: &TimesheetEntry, tz: Tz) -> Result<EntryFigures, TimesheetError> {
    if entry.start == entry.end {
        return Err(TimesheetError::StartEqualsEnd);
    }
    if entry.break_time.is_negative() {
        return Err(TimesheetError::NegativeBreak);
    }
    let crosses_midnight = entry.end < entry.start;
    let end_day = if crosses_midnight { entry.work_day.succ_opt().unwrap_or(entry.work_day) } else { entry.work_day };
    let elapsed = Minutes::between(resolve(tz, entry.work_day, entry.start), resolve(tz, end_day, entry.end));
    if entry.break_time > elapsed {
        return Err(TimesheetError::BreakExceedsElapsed);
    }
    Ok(EntryFigures { elapsed, break_time: entry.break_time, actual: elapsed - entry.break_time, crosses_midnight })
}

/// A5: a work day may be recorded up to and including today, never after.
pub fn check_not_future(work_day: NaiveDate, today: NaiveDate) -> Result<(), TimesheetError> {
    if work_day > today { Err(TimesheetError::FutureDay) } else { Ok(()) }
}

/// A6: the bookings left after deleting the work time of `work_day`: its bookings go with it.
pub fn bookings_after_deleting_work_time(bookings: &[Booking], work_day: NaiveDate) -> Vec<Booking> {
    bookings.iter().filter(|b| b.work_day != work_day).cloned().collect()
}

/// A7: the rows of a month's time sheet, one per calendar day; empty for a month that is not 1–12.
pub fn month_rows(year: i32, month: u32) -> Vec<NaiveDate> {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Vec::new();
    };
    first.iter_days().take_while(|d| d.month() == month && d.year() == year).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test literal")
    }
    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("test literal")
    }
    fn entry(day: &str, start: &str, end: &str, brk: i64) -> TimesheetEntry {
        TimesheetEntry { work_day: d(day), start: t(start), end: t(end), break_time: Minutes::whole(brk) }
    }

    #[test]
    fn a3_shifts_over_midnight_are_elapsed_real_time() {
        // (work day, start, end, expected elapsed hours) — the four DST lines of A3 plus plain cases.
        let cases = [
            ("2026-03-28", "22:00", "06:00", Minutes::hours(7)), // spring forward
            ("2026-10-24", "22:00", "06:00", Minutes::hours(9)), // fall back
            ("2026-03-28", "22:00", "02:00", Minutes::hours(4)), // 02:00 in the gap → 01:00 UTC
            ("2026-10-24", "22:00", "02:00", Minutes::hours(4)), // ambiguous → first occurrence
            ("2026-02-24", "22:00", "02:00", Minutes::hours(4)), // the seed's 22:00–02:00
            ("2026-06-01", "07:00", "16:00", Minutes::hours(9)),
        ];
        for (day, start, end, expected) in cases {
            let f = entry_figures(&entry(day, start, end, 0), Stockholm).expect("valid entry");
            assert_eq!(f.elapsed, expected, "A3 {day} {start}–{end}");
            assert_eq!(f.crosses_midnight, end < start, "A3 crossing {day} {start}–{end}");
        }
    }

    #[test]
    fn a3_start_equal_to_end_is_refused() {
        assert_eq!(entry_figures(&entry("2026-06-01", "08:00", "08:00", 0), Stockholm), Err(TimesheetError::StartEqualsEnd), "A3 INTERP-5");
    }

    #[test]
    fn a4_actual_is_elapsed_minus_break() {
        let cases = [
            (entry("2026-06-01", "07:00", "16:00", 30), Ok(Minutes::hm(8, 30))),
            (entry("2026-06-01", "07:00", "16:00", 540), Ok(Minutes::ZERO)), // break == elapsed is allowed
            (entry("2026-10-24", "22:00", "06:00", 60), Ok(Minutes::hours(8))),
            (entry("2026-06-01", "07:00", "16:00", 541), Err(TimesheetError::BreakExceedsElapsed)),
            (entry("2026-06-01", "07:00", "16:00", -1), Err(TimesheetError::NegativeBreak)),
        ];
        for (e, expected) in cases {
            assert_eq!(entry_figures(&e, Stockholm).map(|f| f.actual), expected, "A4 {e:?}");
        }
    }

    #[test]
    fn a5_today_is_allowed_tomorrow_is_not() {
        let today = d("2026-06-10");
        assert_eq!(check_not_future(d("2026-06-09"), today), Ok(()), "A5 past");
        assert_eq!(check_not_future(today, today), Ok(()), "A5 today");
        assert_eq!(check_not_future(d("2026-06-11"), today), Err(TimesheetError::FutureDay), "A5 future");
    }

    #[test]
    fn a6_deleting_work_time_deletes_its_bookings_only() {
        let account = Uuid::from_u128(1);
        let b = |day: &str, m: i64| Booking { work_day: d(day), account, duration: Minutes::whole(m) };
        let all = vec![b("2026-06-01", 60), b("2026-06-01", 30), b("2026-06-02", 45)];
        let left = bookings_after_deleting_work_time(&all, d("2026-06-01"));
        assert_eq!(left, vec![b("2026-06-02", 45)], "A6");
    }

    #[test]
    fn a7_one_row_per_calendar_day() {
        let cases = [(2028, 2, 29), (2026, 2, 28), (2100, 2, 28), (2000, 2, 29), (2026, 1, 31), (2026, 4, 30), (2026, 13, 0)];
        for (y, m, rows) in cases {
            let r = month_rows(y, m);
            assert_eq!(r.len(), rows, "A7 {y}-{m}");
            assert!(r.windows(2).all(|w| w[0].succ_opt() == Some(w[1])), "A7 consecutive days");
        }
    }
}
