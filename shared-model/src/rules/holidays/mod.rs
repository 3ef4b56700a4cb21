//! L: public holidays of the product's markets (Sweden by law, Germany nationwide and per
//! Bundesland, Denmark), computed from the Gregorian Easter date; pure, any year.

pub mod denmark;
pub mod germany;
pub mod sweden;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// One public holiday: its date and its name in the country's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

/// Easter Sunday by the anonymous Gregorian computus (Meeus–Jones–Butcher, INTERP-48);
/// `None` only for years chrono cannot represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The first `weekday` on or after `from`, for holidays such as "the Saturday in 20–26 June".
pub(crate) fn first_on_or_after(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(i64::from(ahead))
}

/// Builds a holiday list, dropping dates that do not exist; kept sorted by date.
pub(crate) fn list(days: impl IntoIterator<Item = (Option<NaiveDate>, &'static str)>) -> Vec<Holiday> {
    let mut v: Vec<Holiday> = days.into_iter().filter_map(|(d, name)| d.map(|date| Holiday { date, name })).collect();
    v.sort();
    v
}

/// A date relative to Easter Sunday.
pub(crate) fn easter_plus(easter: Option<NaiveDate>, days: i64) -> Option<NaiveDate> {
    easter.and_then(|e| e.checked_add_signed(Duration::days(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_easter_dates_of_the_requirements_table() {
        let cases = [(2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"), (2028, "2028-04-16"), (1818, "1818-03-22"), (2285, "2285-03-22"), (1943, "1943-04-25"), (2038, "2038-04-25")];
        for (year, date) in cases {
            assert_eq!(easter_sunday(year), date.parse().ok(), "L Easter {year} (INTERP-48)");
        }
    }
}
