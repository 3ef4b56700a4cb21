//! L, Denmark: the helligdage (Sundays of Easter and Pentecost included), with Store bededag
//! abolished from 2024.

use chrono::{Datelike, NaiveDate};

use super::{easter_plus, easter_sunday, list, Holiday};

/// The Danish public holidays of a year.
pub fn holidays(year: i32) -> Vec<Holiday> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let easter = easter_sunday(year);
    let mut days = vec![
        (ymd(1, 1), "Nytårsdag"),
        (easter_plus(easter, -3), "Skærtorsdag"),
        (easter_plus(easter, -2), "Langfredag"),
        (easter, "Påskedag"),
        (easter_plus(easter, 1), "Anden påskedag"),
        (easter_plus(easter, 39), "Kristi himmelfartsdag"),
        (easter_plus(easter, 49), "Pinsedag"),
        (easter_plus(easter, 50), "Anden pinsedag"),
        (ymd(12, 25), "Juledag"),
        (ymd(12, 26), "Anden juledag"),
    ];
    if year <= 2023 {
        days.push((easter_plus(easter, 26), "Store bededag"));
    }
    list(days)
}

/// L: whether a date is a Danish public holiday.
pub fn is_public_holiday(date: NaiveDate) -> bool {
    holidays(date.year()).iter().any(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_denmark_store_bededag_until_2023() {
        let d = |s: &str| -> NaiveDate { s.parse().expect("test literal") };
        let cases = [
            ("2023-05-05", true),  // Store bededag 2023
            ("2024-04-26", false), // abolished from 2024
            ("2026-04-02", true),  // Skærtorsdag
            ("2026-06-05", false), // Grundlovsdag is not a public holiday
            ("2026-05-25", true),  // Anden pinsedag
        ];
        for (day, holiday) in cases {
            assert_eq!(is_public_holiday(d(day)), holiday, "L DK {day}");
        }
    }
}
