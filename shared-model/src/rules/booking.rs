//! E1–E3: hours booked to accounts never exceed the day's actual hours, "vollständig
//! verbuchen" books what is left (per day or for the month), and a locked month is frozen.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::duration::Minutes;
use super::punch_policy::RecordingSource;

/// Hours of one work day booked to one account (project / time account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub work_day: NaiveDate,
    pub account: Uuid,
    pub duration: Minutes,
}

/// Why a booking action was refused; the UI translates the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    /// The bookings of the day would add up to more than its actual hours (E1).
    #[error("bookings exceed the actual hours of the day")]
    ExceedsActual { actual: Minutes, booked: Minutes },
    /// A booking must be longer than zero.
    #[error("booking must be positive")]
    NotPositive,
    /// Auto-booking needs work time on the day (E2).
    #[error("no work time to book")]
    NoWorkTime,
    /// Auto-booking is off for days stamped with the punch clock (E2, D6).
    #[error("day recorded with the punch clock")]
    PunchClockDay,
    /// The employee's month is locked (E3).
    #[error("month is locked")]
    MonthLocked,
}

impl BookingError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::ExceedsActual { .. } => "bookings_exceed_actual",
            BookingError::NotPositive => "booking_not_positive",
            BookingError::NoWorkTime => "no_work_time",
            BookingError::PunchClockDay => "punch_clock_day",
            BookingError::MonthLocked => "month_locked",
        }
    }
}

/// E1: a new or edited booking may be saved only while the day's bookings stay within its actual hours.
/// `others` are the day's other bookings (without the one being edited).
pub fn check_booking(actual: Minutes, others: &[Minutes], new: Minutes) -> Result<(), BookingError> {
    if new.is_negative() || new.is_zero() {
        return Err(BookingError::NotPositive);
    }
    let booked: Minutes = others.iter().sum::<Minutes>() + new;
    if booked > actual {
        return Err(BookingError::ExceedsActual { actual, booked });
    }
    Ok(())
}

/// E1 (INTERP-24): an edit of work time may not leave the day's actual hours below what is booked.
pub fn check_actual_edit(new_actual: Minutes, bookings: &[Minutes]) -> Result<(), BookingError> {
    let booked: Minutes = bookings.iter().sum();
    if booked > new_actual {
        return Err(BookingError::ExceedsActual { actual: new_actual, booked });
    }
    Ok(())
}

/// E2 daily: what "vollständig verbuchen" books for a day; `None` when nothing remains (INTERP-22).
pub fn auto_book_day(
    actual: Option<Minutes>,
    existing: &[Minutes],
    source: Option<RecordingSource>,
    locked: bool,
) -> Result<Option<Minutes>, BookingError> {
    if locked {
        return Err(BookingError::MonthLocked);
    }
    if source == Some(RecordingSource::PunchClock) {
        return Err(BookingError::PunchClockDay);
    }
    let actual = actual.ok_or(BookingError::NoWorkTime)?;
    let rest = actual - existing.iter().sum::<Minutes>();
    Ok((!rest.is_negative() && !rest.is_zero()).then_some(rest))
}

/// One day of the month as the monthly booking sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookableDay {
    pub work_day: NaiveDate,
    pub source: Option<RecordingSource>,
    pub actual: Option<Minutes>,
    pub booked: Vec<Minutes>,
}

/// E2 monthly ("Monatsbuchung"): the daily rule on every time-sheet day, skipping punch-clock
/// days (INTERP-23) and days with nothing left; refused as a whole for a locked month.
pub fn auto_book_month(days: &[BookableDay], locked: bool) -> Result<Vec<(NaiveDate, Minutes)>, BookingError> {
    if locked {
        return Err(BookingError::MonthLocked);
    }
    let mut out = Vec::new();
    for day in days {
        if day.source != Some(RecordingSource::Timesheet) {
            continue;
        }
        if let Ok(Some(rest)) = auto_book_day(day.actual, &day.booked, day.source, false) {
            out.push((day.work_day, rest));
        }
    }
    Ok(out)
}

/// E3: the months locked per employee; unlocked is the default, unlocking restores editing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthLocks {
    locked: BTreeSet<(Uuid, i32, u32)>,
}

/// E3 (INTERP-26): who may lock and unlock a month's time sheet; the seed does not say, so managers (and admins).
pub fn may_lock(actor: crate::Role) -> bool {
    actor.is_manager_or_admin()
}

impl MonthLocks {
    /// Freezes an employee's work times and bookings of a month (E3; the manager's action, INTERP-26).
    pub fn lock(&mut self, employee: Uuid, year: i32, month: u32) {
        self.locked.insert((employee, year, month));
    }

    /// Makes the month editable again (E3).
    pub fn unlock(&mut self, employee: Uuid, year: i32, month: u32) {
        self.locked.remove(&(employee, year, month));
    }

    /// Whether the month of `work_day` is locked for the employee.
    pub fn is_locked(&self, employee: Uuid, work_day: NaiveDate) -> bool {
        self.locked.contains(&(employee, work_day.year(), work_day.month()))
    }

    /// E3 (and INTERP-25 for stamps): any change to work time or bookings of `work_day` must pass this.
    pub fn check_editable(&self, employee: Uuid, work_day: NaiveDate) -> Result<(), BookingError> {
        if self.is_locked(employee, work_day) { Err(BookingError::MonthLocked) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(x: i64) -> Minutes {
        Minutes::whole(x)
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test literal")
    }

    #[test]
    fn e1_bookings_may_reach_but_not_exceed_actual() {
        // (actual, others, new, ok?)
        let cases = [
            (480, vec![], 480, true),      // equality allowed
            (480, vec![240], 240, true),
            (480, vec![240], 241, false),  // one minute too many
            (480, vec![], 481, false),
            (0, vec![], 1, false),
            (480, vec![], 0, false),       // a booking must be positive
        ];
        for (actual, others, new, ok) in cases {
            let others: Vec<Minutes> = others.into_iter().map(m).collect();
            assert_eq!(check_booking(m(actual), &others, m(new)).is_ok(), ok, "E1 {actual} {others:?} + {new}");
        }
        assert_eq!(
            check_booking(m(480), &[m(240)], m(241)),
            Err(BookingError::ExceedsActual { actual: m(480), booked: m(481) }),
            "E1 names the figures"
        );
    }

    #[test]
    fn e1_work_time_edit_below_booked_is_refused() {
        assert!(check_actual_edit(m(300), &[m(200), m(100)]).is_ok(), "E1 INTERP-24 equal");
        assert_eq!(check_actual_edit(m(299), &[m(200), m(100)]).map_err(|e| e.code()), Err("bookings_exceed_actual"), "E1 INTERP-24");
    }

    #[test]
    fn e2_daily_auto_booking_books_the_rest() {
        let ts = Some(RecordingSource::Timesheet);
        assert_eq!(auto_book_day(Some(m(480)), &[m(180)], ts, false), Ok(Some(m(300))), "E2 rest");
        assert_eq!(auto_book_day(Some(m(480)), &[], ts, false), Ok(Some(m(480))), "E2 all");
        assert_eq!(auto_book_day(Some(m(480)), &[m(480)], ts, false), Ok(None), "E2 INTERP-22 nothing left");
        assert_eq!(auto_book_day(None, &[], None, false), Err(BookingError::NoWorkTime), "E2 needs work time");
        assert_eq!(auto_book_day(Some(m(480)), &[], ts, true), Err(BookingError::MonthLocked), "E2 locked");
        assert_eq!(
            auto_book_day(Some(m(480)), &[], Some(RecordingSource::PunchClock), false),
            Err(BookingError::PunchClockDay),
            "E2 stamped day"
        );
    }

    #[test]
    fn e2_monthly_booking_skips_stamped_and_full_days() {
        let day = |s: &str, source, actual: Option<i64>, booked: Vec<i64>| BookableDay {
            work_day: d(s),
            source,
            actual: actual.map(m),
            booked: booked.into_iter().map(m).collect(),
        };
        let days = vec![
            day("2026-06-01", Some(RecordingSource::Timesheet), Some(480), vec![60]),
            day("2026-06-02", Some(RecordingSource::PunchClock), Some(480), vec![]), // INTERP-23
            day("2026-06-03", Some(RecordingSource::Timesheet), Some(480), vec![480]), // nothing left
            day("2026-06-04", None, None, vec![]),                                    // no work time
            day("2026-06-05", Some(RecordingSource::Timesheet), Some(300), vec![]),
        ];
        assert_eq!(auto_book_month(&days, false), Ok(vec![(d("2026-06-01"), m(420)), (d("2026-06-05"), m(300))]), "E2 monthly");
        assert_eq!(auto_book_month(&days, true), Err(BookingError::MonthLocked), "E2 monthly locked");
    }

    #[test]
    fn e3_locking_is_per_employee_and_month_and_reversible() {
        let (anna, bo) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut locks = MonthLocks::default();
        assert!(locks.check_editable(anna, d("2026-06-15")).is_ok(), "E3 default unlocked");
        locks.lock(anna, 2026, 6);
        assert_eq!(locks.check_editable(anna, d("2026-06-30")), Err(BookingError::MonthLocked), "E3 locked");
        assert!(locks.check_editable(anna, d("2026-07-01")).is_ok(), "E3 other month");
        assert!(locks.check_editable(bo, d("2026-06-15")).is_ok(), "E3 other employee");
        assert!(may_lock(crate::Role::Manager) && !may_lock(crate::Role::Employee), "E3 INTERP-26 manager locks");
        locks.unlock(anna, 2026, 6);
        assert!(locks.check_editable(anna, d("2026-06-15")).is_ok(), "E3 unlocked again");
    }
}
