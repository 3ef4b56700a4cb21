//! A month of the time sheet composed from the rules: each calendar day's source (stamps or a
//! manual entry, D6), Soll from the work-time model, the absence and the public holidays (B3,
//! B4, L), Ist, flex (B4), the law hints (C1–C3), the month's sums (B6), the flex balance
//! (B5), the ArbZG average (C4) and the remaining vacation (B2). Pure: the server reads the
//! ledger, the models and the absences and hands them in.

use chrono::{Datelike, Months, NaiveDate};
use num_rational::Ratio;

use super::break_law::{self, CompensationWindow, WorkTimeWarning};
use super::duration::Minutes;
use super::flex::{self, Absence, DayFlex, FlexModel};
use super::holidays::{denmark, germany, sweden};
use super::work_model::{RemainingLeave, WorkTimeModel};

/// Which public holidays an organisation keeps (L and the German and Danish sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayCalendar {
    Sweden,
    Denmark,
    /// Germany's nationwide holidays, plus a Bundesland's own when given.
    Germany(Option<germany::Bundesland>),
    /// No public holidays (an organisation that plans them as absences).
    None,
}

impl HolidayCalendar {
    /// `SE`, `DK`, `DE`, `DE-BY` (a Bundesland's code), `none`.
    pub fn parse(code: &str) -> Option<HolidayCalendar> {
        match code {
            "SE" => Some(HolidayCalendar::Sweden),
            "DK" => Some(HolidayCalendar::Denmark),
            "DE" => Some(HolidayCalendar::Germany(None)),
            "none" => Some(HolidayCalendar::None),
            other => other.strip_prefix("DE-").and_then(germany::Bundesland::parse).map(|l| HolidayCalendar::Germany(Some(l))),
        }
    }

    /// The holiday on `date`, by its name in the country's language.
    pub fn holiday(self, date: NaiveDate) -> Option<&'static str> {
        let list = match self {
            HolidayCalendar::Sweden => sweden::holidays(date.year()),
            HolidayCalendar::Denmark => denmark::holidays(date.year()),
            HolidayCalendar::Germany(land) => germany::holidays(date.year(), land),
            HolidayCalendar::None => return None,
        };
        list.into_iter().find(|h| h.date == date).map(|h| h.name)
    }
}

/// How a day was recorded (D6: one or the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Stamps,
    Entry,
}

/// What was recorded on a day: its Ist and its break blocks (the gaps between stamps, or the
/// time sheet's single break value, INTERP-9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub source: Source,
    pub actual: Minutes,
    pub blocks: Vec<Minutes>,
}

/// One calendar day's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayInput<'a> {
    pub date: NaiveDate,
    pub recorded: Option<Recorded>,
    pub absence: Option<Absence>,
    /// The model in force that day; `None`: the employee has no model (Soll 0).
    pub model: Option<&'a WorkTimeModel>,
}

/// A day of the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetDay {
    pub date: NaiveDate,
    pub source: Option<Source>,
    pub figures: DayFlex,
    /// Saturday, Sunday or a day the model gives 0 hours (B4).
    pub weekend: bool,
    pub holiday: Option<&'static str>,
    /// The seed's hints of C1–C3.
    pub warnings: Vec<WorkTimeWarning>,
}

/// B3 + B4 + L + C1–C3 for one day. A public holiday is category 1 whatever absence was also
/// entered (its Soll is 0 and nothing is taken from vacation), except a sick day, which keeps
/// category 3 (no flex). Days after `today` count nothing (INTERP-50).
pub fn sheet_day(input: &DayInput<'_>, holidays: HolidayCalendar, today: NaiveDate) -> SheetDay {
    let empty;
    let model = match input.model {
        Some(m) => m,
        None => {
            empty = WorkTimeModel::empty();
            &empty
        }
    };
    let holiday = holidays.holiday(input.date);
    let absence = match (holiday, input.absence) {
        (_, Some(Absence::Sick)) => Some(Absence::Sick),
        (Some(_), _) => Some(Absence::PublicHoliday),
        (None, a) => a,
    };
    let actual = input.recorded.as_ref().map(|r| r.actual);
    let figures = flex::day_flex(model, input.date, absence, actual, today);
    let warnings = match &input.recorded {
        Some(r) if !r.actual.is_zero() => break_law::check_day(r.actual, &r.blocks),
        _ => Vec::new(),
    };
    SheetDay {
        date: input.date,
        source: input.recorded.as_ref().map(|r| r.source),
        figures,
        weekend: flex::is_weekend(model, input.date),
        holiday,
        warnings,
    }
}

/// The stable code a warning travels under in the time sheet (issue 12's names).
pub fn warning_code(w: &WorkTimeWarning) -> &'static str {
    match w {
        WorkTimeWarning::BreakTooShort { .. } => "arbzg_break",
        WorkTimeWarning::MaximumExceeded { .. } => "arbzg_10h",
        WorkTimeWarning::LawAverageOver8h { .. } => "arbzg_average",
        other => other.code(),
    }
}

/// B6: Σ Soll, Σ Ist, Σ flex of the days.
pub fn totals(days: &[SheetDay]) -> DayFlex {
    days.iter().fold(DayFlex::default(), |mut t, d| {
        t.target += d.figures.target;
        t.actual += d.figures.actual;
        t.flex += d.figures.flex;
        t
    })
}

/// B5: the flex balance at `at` from each day's flex since the employee's first model
/// (`days` holds every such day up to `at`).
pub fn flex_balance(model: FlexModel, days: &[SheetDay], at: NaiveDate) -> Minutes {
    let flex: Vec<(NaiveDate, Minutes)> = days.iter().map(|d| (d.date, d.figures.flex)).collect();
    flex::flex_balance(model, &flex, at)
}

/// C4 (informational): the Werktag average over the six calendar months ending with the month
/// of `last_day`, from each day's Ist (`days` must cover that window).
pub fn average_warning(days: &[(NaiveDate, Minutes)], last_day: NaiveDate) -> Option<WorkTimeWarning> {
    let first_of_month = last_day.with_day(1)?;
    let start = first_of_month.checked_sub_months(Months::new(5))?;
    break_law::check_average(days, CompensationWindow::SixCalendarMonths, start)
}

/// One vacation absence as it counts against the entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VacationDay<'a> {
    pub date: NaiveDate,
    pub half: bool,
    pub model: Option<&'a WorkTimeModel>,
}

/// B2: the vacation left of a yearly entitlement of `entitled_days`, in days under a regular
/// model and in hours under an irregular one (INTERP-28's conversion: a day of an irregular
/// model is its average working day, the week's hours over its working days). A vacation day
/// on a weekend or public holiday takes nothing (its Soll is 0, B4).
pub fn vacation_left(current: &WorkTimeModel, entitled_days: Ratio<i64>, taken: &[VacationDay<'_>], holidays: HolidayCalendar) -> RemainingLeave {
    let counts = |v: &VacationDay<'_>| -> Option<(Ratio<i64>, Minutes)> {
        let model = v.model.unwrap_or(current);
        if holidays.holiday(v.date).is_some() || flex::is_weekend(model, v.date) {
            return None;
        }
        let hours = model.hours_on(v.date.weekday());
        Some(if v.half { (Ratio::new(1, 2), hours.div_int(2).unwrap_or(Minutes::ZERO)) } else { (Ratio::from_integer(1), hours) })
    };
    let used: Vec<(Ratio<i64>, Minutes)> = taken.iter().filter_map(counts).collect();
    if current.is_regular() {
        let days: Ratio<i64> = used.iter().map(|(d, _)| *d).sum();
        return RemainingLeave::Days(entitled_days - days);
    }
    let working_days = chrono_weekdays().filter(|w| !current.hours_on(*w).is_zero()).count() as i64;
    let week: Minutes = chrono_weekdays().map(|w| current.hours_on(w)).sum();
    let average_day = week.div_int(working_days.max(1)).unwrap_or(Minutes::ZERO);
    let entitled = Minutes::from_ratio(average_day.as_ratio() * entitled_days);
    let used_hours: Minutes = used.iter().map(|(_, h)| *h).sum();
    RemainingLeave::Hours(entitled - used_hours)
}

fn chrono_weekdays() -> impl Iterator<Item = chrono::Weekday> {
    use chrono::Weekday::*;
    [Mon, Tue, Wed, Thu, Fri, Sat, Sun].into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test literal")
    }

    fn m(x: i64) -> Minutes {
        Minutes::whole(x)
    }

    fn full_time() -> WorkTimeModel {
        WorkTimeModel::new("Heltid", [Some(m(480)), Some(m(480)), Some(m(480)), Some(m(480)), Some(m(480)), None, None]).expect("valid")
    }

    fn stamped(actual: i64, blocks: &[i64]) -> Option<Recorded> {
        Some(Recorded { source: Source::Stamps, actual: m(actual), blocks: blocks.iter().map(|b| m(*b)).collect() })
    }

    #[test]
    fn b3_b4_l_target_flex_per_day() {
        let model = full_time();
        let today = d("2026-12-31");
        // (date, recorded Ist, absence, calendar, expected Soll, Ist, flex) — the rule ids in the comment
        type Case = (&'static str, Option<i64>, Option<Absence>, HolidayCalendar, i64, i64, i64);
        let cases: [Case; 12] = [
            ("2026-11-02", Some(480), None, HolidayCalendar::Sweden, 480, 480, 0),                     // B3 Monday
            ("2026-11-03", None, None, HolidayCalendar::Sweden, 480, 0, -480),                         // B3 INTERP-50 unrecorded
            ("2026-11-07", Some(120), None, HolidayCalendar::Sweden, 0, 120, 120),                     // B4 weekend
            ("2026-12-25", Some(60), None, HolidayCalendar::Sweden, 0, 60, 60),                        // L juldagen
            ("2026-12-24", Some(60), None, HolidayCalendar::Sweden, 480, 60, -420),                    // L julafton is no allmän helgdag
            ("2026-06-04", Some(60), None, HolidayCalendar::Germany(None), 480, 60, -420),             // Fronleichnam: not nationwide
            ("2026-12-25", None, Some(Absence::RegularVacation), HolidayCalendar::Denmark, 0, 0, 0),   // L juledag beats vacation
            ("2026-11-04", None, Some(Absence::RegularVacation), HolidayCalendar::Sweden, 0, 0, 0),    // B4 cat 1
            ("2026-11-05", Some(300), Some(Absence::HalfVacationDay), HolidayCalendar::Sweden, 240, 300, 60), // B4 cat 2
            ("2026-11-06", Some(200), Some(Absence::Sick), HolidayCalendar::Sweden, 200, 200, 0),      // B4 cat 3
            ("2026-11-09", Some(100), Some(Absence::VocationalSchool { target: m(300) }), HolidayCalendar::Sweden, 300, 100, -200), // B4 cat 2 configured
            ("2027-01-04", None, None, HolidayCalendar::Sweden, 0, 0, 0),                              // INTERP-50 future
        ];
        for (date, ist, absence, cal, target, actual, flex) in cases {
            let input = DayInput { date: d(date), recorded: ist.and_then(|i| stamped(i, &[])), absence, model: Some(&model) };
            let day = sheet_day(&input, cal, today);
            assert_eq!((day.figures.target, day.figures.actual, day.figures.flex), (m(target), m(actual), m(flex)), "{date} {cal:?}");
        }
    }

    #[test]
    fn no_model_means_no_target() {
        let input = DayInput { date: d("2026-11-02"), recorded: stamped(300, &[]), absence: None, model: None };
        let day = sheet_day(&input, HolidayCalendar::Sweden, d("2026-12-01"));
        assert_eq!((day.figures.target, day.figures.flex), (Minutes::ZERO, m(300)));
    }

    #[test]
    fn c1_c2_c3_warnings_under_their_sheet_codes() {
        let model = full_time();
        // (Ist, break blocks, expected codes)
        let cases: [(i64, &[i64], &[&str]); 5] = [
            (360, &[], &[]),
            (361, &[20, 10], &["arbzg_break"]),
            (361, &[15, 15], &[]),
            (601, &[45], &["arbzg_10h"]),
            (600, &[45], &[]),
        ];
        for (ist, blocks, codes) in cases {
            let input = DayInput { date: d("2026-11-02"), recorded: stamped(ist, blocks), absence: None, model: Some(&model) };
            let day = sheet_day(&input, HolidayCalendar::Sweden, d("2026-12-01"));
            let got: Vec<&str> = day.warnings.iter().map(warning_code).collect();
            assert_eq!(got, codes, "C1/C2/C3 {ist} {blocks:?}");
        }
    }

    #[test]
    fn b5_balance_accumulates_or_resets_at_the_month() {
        let model = full_time();
        let days: Vec<SheetDay> = [("2026-10-30", 540), ("2026-11-02", 420), ("2026-11-03", 500)]
            .iter()
            .map(|(date, ist)| sheet_day(&DayInput { date: d(date), recorded: stamped(*ist, &[]), absence: None, model: Some(&model) }, HolidayCalendar::Sweden, d("2026-12-01")))
            .collect();
        assert_eq!(flex_balance(FlexModel::Accumulating { opening: m(30) }, &days, d("2026-11-03")), m(30 + 60 - 60 + 20));
        assert_eq!(flex_balance(FlexModel::WithinMonth, &days, d("2026-11-03")), m(-40));
    }

    #[test]
    fn b2_vacation_left_in_days_or_hours() {
        let regular = full_time();
        let taken = [
            VacationDay { date: d("2026-07-06"), half: false, model: None },
            VacationDay { date: d("2026-07-07"), half: true, model: None },
            VacationDay { date: d("2026-07-11"), half: false, model: None }, // Saturday: nothing
            VacationDay { date: d("2026-05-14"), half: false, model: None }, // Kristi himmelsfärds dag (Thursday): nothing
        ];
        assert_eq!(vacation_left(&regular, Ratio::from_integer(25), &taken, HolidayCalendar::Sweden), RemainingLeave::Days(Ratio::new(47, 2)));
        let irregular = WorkTimeModel::new("Deltid", [Some(m(480)), Some(m(420)), Some(m(240)), Some(m(120)), None, None, None]).expect("valid");
        // average day = 1260 / 4 = 315 min; 20 days = 6300 min; Monday 480 + Tuesday half 210 taken
        assert_eq!(vacation_left(&irregular, Ratio::from_integer(20), &taken, HolidayCalendar::Sweden), RemainingLeave::Hours(m(6300 - 480 - 210)));
    }

    #[test]
    fn c4_average_over_six_months() {
        // Every Werktag of June–November 2026 with 9 h: the average is above 8 h.
        let days: Vec<(NaiveDate, Minutes)> =
            d("2026-06-01").iter_days().take_while(|x| *x <= d("2026-11-30")).filter(|x| break_law::is_werktag(*x)).map(|x| (x, m(540))).collect();
        assert!(matches!(average_warning(&days, d("2026-11-30")), Some(WorkTimeWarning::LawAverageOver8h { .. })));
        let eight: Vec<(NaiveDate, Minutes)> = days.iter().map(|(x, _)| (*x, m(480))).collect();
        assert_eq!(average_warning(&eight, d("2026-11-30")), None);
    }

    #[test]
    fn calendars_parse() {
        assert_eq!(HolidayCalendar::parse("SE"), Some(HolidayCalendar::Sweden));
        assert_eq!(HolidayCalendar::parse("DE-BY"), Some(HolidayCalendar::Germany(germany::Bundesland::parse("BY"))));
        assert_eq!(HolidayCalendar::parse("XX"), None);
        assert_eq!(HolidayCalendar::parse("DE-XX"), None);
    }
}
