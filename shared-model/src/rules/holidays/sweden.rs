//! L, Sweden: the allmänna helgdagar of Lag (1989:253), as amended by SFS 2004:1320
//! (Nationaldagen from 2005 instead of Annandag pingst), back to the 1952 act that fixed
//! Midsommardagen and Alla helgons dag on Saturdays.

use chrono::{Datelike, NaiveDate, Weekday};

use super::{easter_plus, easter_sunday, first_on_or_after, list, Holiday};

/// The first year of the modern calendar (Lag 1952:48); earlier years are outside this table.
pub const FIRST_YEAR: i32 = 1953;

/// The named holidays of a year (every Sunday is a holiday too, see [`is_public_holiday`]);
/// empty before 1953. The eves (midsommar-, jul-, nyårs-, påsk-, pingstafton) are not holidays.
pub fn holidays(year: i32) -> Vec<Holiday> {
    if year < FIRST_YEAR {
        return Vec::new();
    }
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let easter = easter_sunday(year);
    let mut days = vec![
        (ymd(1, 1), "Nyårsdagen"),
        (ymd(1, 6), "Trettondedag jul"),
        (easter_plus(easter, -2), "Långfredagen"),
        (easter, "Påskdagen"),
        (easter_plus(easter, 1), "Annandag påsk"),
        (ymd(5, 1), "Första maj"),
        (easter_plus(easter, 39), "Kristi himmelsfärdsdag"),
        (easter_plus(easter, 49), "Pingstdagen"),
        (ymd(6, 20).map(|d| first_on_or_after(d, Weekday::Sat)), "Midsommardagen"),
        (ymd(10, 31).map(|d| first_on_or_after(d, Weekday::Sat)), "Alla helgons dag"),
        (ymd(12, 25), "Juldagen"),
        (ymd(12, 26), "Annandag jul"),
    ];
    if year <= 1989 {
        // Lag 1952:48: the Sunday in 22–28 March, or the Sunday before Palm Sunday if that is Palm or Easter Sunday.
        let sunday = ymd(3, 22).map(|d| first_on_or_after(d, Weekday::Sun));
        let moved = sunday == easter || sunday == easter_plus(easter, -7);
        days.push((if moved { easter_plus(easter, -14) } else { sunday }, "Marie bebådelsedag"));
    }
    if year <= 2004 {
        days.push((easter_plus(easter, 50), "Annandag pingst"));
    } else {
        days.push((ymd(6, 6), "Nationaldagen"));
    }
    list(days)
}

/// L: whether a date is an allmän helgdag: any Sunday, or a named holiday of its year.
pub fn is_public_holiday(date: NaiveDate) -> bool {
    date.weekday() == Weekday::Sun || holidays(date.year()).iter().any(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date_of(year: i32, name: &str) -> Option<NaiveDate> {
        holidays(year).into_iter().find(|h| h.name == name).map(|h| h.date)
    }

    #[test]
    fn l_sweden_movable_feasts_of_the_requirements_table() {
        // (year, Långfredag, Annandag påsk, Kristi himmelsf., Pingstdagen, Midsommardagen, Alla helgons)
        let cases = [
            (2024, "03-29", "04-01", "05-09", "05-19", "06-22", "11-02"),
            (2025, "04-18", "04-21", "05-29", "06-08", "06-21", "11-01"),
            (2026, "04-03", "04-06", "05-14", "05-24", "06-20", "10-31"),
            (2027, "03-26", "03-29", "05-06", "05-16", "06-26", "11-06"),
            (2028, "04-14", "04-17", "05-25", "06-04", "06-24", "11-04"),
        ];
        for (y, lf, ap, kh, pd, md, ah) in cases {
            let names = ["Långfredagen", "Annandag påsk", "Kristi himmelsfärdsdag", "Pingstdagen", "Midsommardagen", "Alla helgons dag"];
            for (name, md_) in names.iter().zip([lf, ap, kh, pd, md, ah]) {
                let expected = NaiveDate::parse_from_str(&format!("{y}-{md_}"), "%Y-%m-%d").ok();
                assert_eq!(date_of(y, name), expected, "L {y} {name}");
            }
        }
    }

    #[test]
    fn l_sweden_annandag_pingst_until_2004_nationaldagen_from_2005() {
        assert!(date_of(2004, "Annandag pingst").is_some(), "L 2004 Annandag pingst");
        assert!(date_of(2004, "Nationaldagen").is_none(), "L 2004 no Nationaldagen");
        assert!(date_of(2005, "Annandag pingst").is_none(), "L 2005 no Annandag pingst");
        assert_eq!(date_of(2005, "Nationaldagen"), NaiveDate::from_ymd_opt(2005, 6, 6), "L 2005 Nationaldagen");
    }

    #[test]
    fn l_sweden_sundays_count_eves_do_not() {
        let d = |s: &str| -> NaiveDate { s.parse().expect("test literal") };
        let cases = [
            ("2026-06-07", true),  // an ordinary Sunday
            ("2026-06-06", true),  // Nationaldagen on a Saturday
            ("2026-06-19", false), // Midsommarafton
            ("2026-12-24", false), // Julafton
            ("2026-12-31", false), // Nyårsafton
            ("2026-04-04", false), // Påskafton
            ("2026-05-23", false), // Pingstafton
            ("2026-06-08", false), // an ordinary Monday
        ];
        for (day, holiday) in cases {
            assert_eq!(is_public_holiday(d(day)), holiday, "L {day}");
        }
        assert_eq!(holidays(2026).len(), 13, "L 2026 named holidays");
        assert!(holidays(1952).is_empty(), "L before the 1952 act");
    }
}
