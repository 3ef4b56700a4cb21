//! B3–B6: a day's target hours (*Soll*) and flex from the model and any absence, the flex
//! balance (accumulated, or reset every month) and the monthly overview.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use uuid::Uuid;

use super::booking::Booking;
use super::duration::Minutes;
use super::work_model::WorkTimeModel;

/// B4: the absences a day can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absence {
    PublicHoliday,
    RegularVacation,
    FlexLeave,
    MaternityProtection,
    ParentalLeave,
    SpecialLeave,
    HalfVacationDay,
    HalfSpecialLeave,
    /// Berufsschule: its target is configured, not derivable (INTERP-12).
    VocationalSchool { target: Minutes },
    Sick,
}

/// B4: the seed's three categories, which decide target and flex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceCategory {
    /// 1: target 00:00, everything worked is flex.
    NoTarget,
    /// 2: a reduced target; flex is actual − target.
    ReducedTarget,
    /// 3: sick: target shown as actual, never any flex.
    Sick,
}

impl Absence {
    /// B4: the category of the absence.
    pub fn category(self) -> AbsenceCategory {
        match self {
            Absence::HalfVacationDay | Absence::HalfSpecialLeave | Absence::VocationalSchool { .. } => AbsenceCategory::ReducedTarget,
            Absence::Sick => AbsenceCategory::Sick,
            _ => AbsenceCategory::NoTarget,
        }
    }
}

/// What the time sheet shows for a day: target, actual and the day's flex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayFlex {
    pub target: Minutes,
    pub actual: Minutes,
    pub flex: Minutes,
}

/// B4: a weekend is Saturday, Sunday or a day the model gives 0 hours; its target is 0.
pub fn is_weekend(model: &WorkTimeModel, day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || model.hours_on(day.weekday()).is_zero()
}

/// B3 + B4: the day's target and flex; a past working day without entry is a debit (INTERP-50),
/// a day after today counts nothing.
pub fn day_flex(model: &WorkTimeModel, day: NaiveDate, absence: Option<Absence>, actual: Option<Minutes>, today: NaiveDate) -> DayFlex {
    if day > today {
        return DayFlex::default();
    }
    let actual = actual.unwrap_or(Minutes::ZERO);
    let base = if is_weekend(model, day) { Minutes::ZERO } else { model.hours_on(day.weekday()) };
    let target = match absence {
        None => base,
        Some(Absence::VocationalSchool { target }) => target,
        Some(a) => match a.category() {
            AbsenceCategory::ReducedTarget => base.div_int(2).unwrap_or(Minutes::ZERO), // INTERP-12
            AbsenceCategory::NoTarget => Minutes::ZERO,
            AbsenceCategory::Sick => return DayFlex { target: actual, actual, flex: Minutes::ZERO }, // INTERP-13
        },
    };
    DayFlex { target, actual, flex: actual - target }
}

/// B5: how the flex balance runs over months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlexModel {
    /// Normal flex: the opening balance from user admin plus every month's flex.
    Accumulating { opening: Minutes },
    /// Flex within the month: back to 00:00 on the 1st of every month.
    WithinMonth,
}

/// B5: the total flex on `at`, from each work day's flex (G-WORKDAY decides the month).
pub fn flex_balance(model: FlexModel, days: &[(NaiveDate, Minutes)], at: NaiveDate) -> Minutes {
    let upto = days.iter().filter(|(d, _)| *d <= at);
    match model {
        FlexModel::Accumulating { opening } => opening + upto.map(|(_, f)| *f).sum::<Minutes>(),
        FlexModel::WithinMonth => {
            upto.filter(|(d, _)| d.year() == at.year() && d.month() == at.month()).map(|(_, f)| *f).sum()
        }
    }
}

/// B6: the monthly overview's sums.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MonthOverview {
    pub target: Minutes,
    pub actual: Minutes,
    pub flex: Minutes,
    pub booked: BTreeMap<Uuid, Minutes>,
}

/// B6: Σ target, Σ actual, Σ flex and Σ booked per account over the work days of a month.
pub fn month_overview(year: i32, month: u32, days: &[(NaiveDate, DayFlex)], bookings: &[Booking]) -> MonthOverview {
    let in_month = |d: &NaiveDate| d.year() == year && d.month() == month;
    let mut o = MonthOverview::default();
    for (_, f) in days.iter().filter(|(d, _)| in_month(d)) {
        o.target += f.target;
        o.actual += f.actual;
        o.flex += f.flex;
    }
    for b in bookings.iter().filter(|b| in_month(&b.work_day)) {
        *o.booked.entry(b.account).or_default() += b.duration;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x: i64) -> Minutes {
        Minutes::hours(x)
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test literal")
    }
    fn model() -> WorkTimeModel {
        WorkTimeModel::new("Vollzeit", [8, 8, 8, 8, 8, 0, 0].map(|x| Some(h(x)))).expect("valid")
    }

    #[test]
    fn b3_b4_target_and_flex_per_absence() {
        let today = d("2026-06-30");
        let monday = d("2026-06-01");
        let saturday = d("2026-06-06");
        // (day, absence, actual, target, flex)
        let cases = [
            (monday, None, Some(h(9)), h(8), h(1)),                               // B3 model hours
            (monday, None, None, h(8), -h(8)),                                    // INTERP-50 no entry
            (saturday, None, Some(h(3)), h(0), h(3)),                             // weekend: all flex
            (monday, Some(Absence::PublicHoliday), Some(h(2)), h(0), h(2)),       // cat 1
            (monday, Some(Absence::RegularVacation), None, h(0), h(0)),           // cat 1
            (monday, Some(Absence::FlexLeave), None, h(0), h(0)),                 // cat 1 (INTERP-14)
            (monday, Some(Absence::ParentalLeave), Some(h(1)), h(0), h(1)),       // cat 1
            (monday, Some(Absence::HalfVacationDay), Some(h(5)), h(4), h(1)),     // cat 2 (INTERP-12)
            (monday, Some(Absence::HalfSpecialLeave), Some(h(3)), h(4), -h(1)),   // cat 2 below target
            (monday, Some(Absence::VocationalSchool { target: h(6) }), Some(h(6)), h(6), h(0)),
            (monday, Some(Absence::Sick), Some(h(3)), h(3), h(0)),                // cat 3: target = actual
            (monday, Some(Absence::Sick), None, h(0), h(0)),                      // cat 3 nothing recorded
            (d("2026-07-01"), None, None, h(0), h(0)),                            // future: not counted
        ];
        for (day, absence, actual, target, flex) in cases {
            let f = day_flex(&model(), day, absence, actual, today);
            assert_eq!((f.target, f.flex), (target, flex), "B3/B4 {day} {absence:?} {actual:?}");
        }
        let four_day = WorkTimeModel::new("4-Tage", [8, 8, 8, 8, 0, 0, 0].map(|x| Some(h(x)))).expect("valid");
        assert!(is_weekend(&four_day, d("2026-06-05")), "B4 a 0-hour Friday is a weekend day");
    }

    #[test]
    fn b5_accumulated_versus_reset_every_month() {
        let days = [(d("2026-01-30"), h(2)), (d("2026-01-31"), -h(1)), (d("2026-02-01"), h(3)), (d("2026-02-02"), h(1))];
        let acc = FlexModel::Accumulating { opening: h(10) };
        assert_eq!(flex_balance(acc, &days, d("2026-01-31")), h(11), "B5 accumulated");
        assert_eq!(flex_balance(acc, &days, d("2026-02-02")), h(15), "B5 accumulated over months");
        assert_eq!(flex_balance(FlexModel::WithinMonth, &days, d("2026-01-31")), h(1), "B5 within month");
        assert_eq!(flex_balance(FlexModel::WithinMonth, &days, d("2026-02-01")), h(3), "B5 reset on the 1st");
        let negative = [(d("2026-01-31"), -h(5))];
        assert_eq!(flex_balance(FlexModel::WithinMonth, &negative, d("2026-02-01")), h(0), "B5 negative reset too");
    }

    #[test]
    fn b5_night_shift_counts_in_its_work_days_month() {
        // 31 Jan 22:00 → 1 Feb 02:00 is a January work day (G-WORKDAY), so it resets with January.
        let days = [(d("2026-01-31"), h(4))];
        assert_eq!(flex_balance(FlexModel::WithinMonth, &days, d("2026-02-01")), h(0), "B5 work-day month");
    }

    #[test]
    fn b6_monthly_sums() {
        let today = d("2026-06-30");
        let m = model();
        let days: Vec<(NaiveDate, DayFlex)> = [("2026-05-29", Some(h(8))), ("2026-06-01", Some(h(9))), ("2026-06-02", Some(h(7))), ("2026-06-06", Some(h(2)))]
            .iter()
            .map(|(s, a)| (d(s), day_flex(&m, d(s), None, *a, today)))
            .collect();
        let (p, q) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let bookings = [
            Booking { work_day: d("2026-06-01"), account: p, duration: h(5) },
            Booking { work_day: d("2026-06-02"), account: p, duration: h(2) },
            Booking { work_day: d("2026-06-02"), account: q, duration: h(5) },
            Booking { work_day: d("2026-05-29"), account: q, duration: h(8) },
        ];
        let o = month_overview(2026, 6, &days, &bookings);
        assert_eq!((o.target, o.actual, o.flex), (h(16), h(18), h(2)), "B6 Σ Soll, Ist, flex");
        assert_eq!(o.booked, BTreeMap::from([(p, h(7)), (q, h(5))]), "B6 Σ per account");
    }
}
