//! L, Germany: the nationwide gesetzliche Feiertage and those of each Bundesland, as the
//! Länder's Feiertagsgesetze set them for the reunified country (from 1991).

use chrono::{Datelike, NaiveDate, Weekday};

use super::{easter_plus, easter_sunday, first_on_or_after, list, Holiday};

/// The first year covered: the first full year of the reunified Federal Republic.
pub const FIRST_YEAR: i32 = 1991;

/// The sixteen Länder by their official two-letter codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bundesland {
    BB,
    BE,
    BW,
    BY,
    HB,
    HE,
    HH,
    MV,
    NI,
    NW,
    RP,
    SH,
    SL,
    SN,
    ST,
    TH,
}

impl Bundesland {
    /// Every Land, for tables and tests.
    pub const ALL: [Bundesland; 16] = [
        Bundesland::BB, Bundesland::BE, Bundesland::BW, Bundesland::BY, Bundesland::HB, Bundesland::HE,
        Bundesland::HH, Bundesland::MV, Bundesland::NI, Bundesland::NW, Bundesland::RP, Bundesland::SH,
        Bundesland::SL, Bundesland::SN, Bundesland::ST, Bundesland::TH,
    ];

    /// The official code (`BY`), as stored in configuration.
    pub fn code(self) -> &'static str {
        match self {
            Bundesland::BB => "BB",
            Bundesland::BE => "BE",
            Bundesland::BW => "BW",
            Bundesland::BY => "BY",
            Bundesland::HB => "HB",
            Bundesland::HE => "HE",
            Bundesland::HH => "HH",
            Bundesland::MV => "MV",
            Bundesland::NI => "NI",
            Bundesland::NW => "NW",
            Bundesland::RP => "RP",
            Bundesland::SH => "SH",
            Bundesland::SL => "SL",
            Bundesland::SN => "SN",
            Bundesland::ST => "ST",
            Bundesland::TH => "TH",
        }
    }

    /// Reads the official code.
    pub fn parse(code: &str) -> Option<Bundesland> {
        Bundesland::ALL.into_iter().find(|b| b.code() == code)
    }
}

/// Buß- und Bettag: the Wednesday before 23 November.
fn repentance_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 11, 16).map(|d| first_on_or_after(d, Weekday::Wed))
}

/// The holidays of a year nationwide (`None`) or in one Land (nationwide days included);
/// empty before 1991. Days that only mostly-Catholic municipalities keep (Mariä Himmelfahrt in
/// Bayern, Fronleichnam in Sachsen and Thüringen) and city holidays (Augsburg) are not included.
pub fn holidays(year: i32, land: Option<Bundesland>) -> Vec<Holiday> {
    use Bundesland::*;
    if year < FIRST_YEAR {
        return Vec::new();
    }
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let easter = easter_sunday(year);
    let mut days = vec![
        (ymd(1, 1), "Neujahr"),
        (easter_plus(easter, -2), "Karfreitag"),
        (easter_plus(easter, 1), "Ostermontag"),
        (ymd(5, 1), "Erster Mai"),
        (easter_plus(easter, 39), "Christi Himmelfahrt"),
        (easter_plus(easter, 50), "Pfingstmontag"),
        (ymd(10, 3), "Tag der Deutschen Einheit"),
        (ymd(12, 25), "Erster Weihnachtstag"),
        (ymd(12, 26), "Zweiter Weihnachtstag"),
    ];
    if year <= 1994 {
        days.push((repentance_day(year), "Buß- und Bettag"));
    }
    let reformation = (ymd(10, 31), "Reformationstag");
    if year == 2017 && land.is_none_or(|l| !matches!(l, BB | MV | SN | ST | TH)) {
        days.push(reformation); // the 500th anniversary, once nationwide
    }
    let Some(land) = land else {
        return list(days);
    };
    let epiphany = (ymd(1, 6), "Heilige Drei Könige");
    let corpus_christi = (easter_plus(easter, 60), "Fronleichnam");
    let all_saints = (ymd(11, 1), "Allerheiligen");
    let womens_day = (ymd(3, 8), "Frauentag");
    match land {
        BB => days.extend([(easter, "Ostersonntag"), (easter_plus(easter, 49), "Pfingstsonntag"), reformation]),
        BE => {
            if year >= 2019 {
                days.push(womens_day);
            }
            if year == 2020 || year == 2025 {
                days.push((ymd(5, 8), "Jahrestag der Befreiung"));
            }
            if year == 2028 {
                days.push((ymd(6, 17), "75. Jahrestag des Aufstandes vom 17. Juni 1953"));
            }
        }
        BW | BY => days.extend([epiphany, corpus_christi, all_saints]),
        HB | HH | NI | SH => {
            if year >= 2018 {
                days.push(reformation);
            }
        }
        HE => days.push(corpus_christi),
        MV => {
            if year >= 2023 {
                days.push(womens_day);
            }
            days.push(reformation);
        }
        NW | RP => days.extend([corpus_christi, all_saints]),
        SL => days.extend([corpus_christi, (ymd(8, 15), "Mariä Himmelfahrt"), all_saints]),
        SN => {
            days.push(reformation);
            if year >= 1995 {
                days.push((repentance_day(year), "Buß- und Bettag"));
            }
        }
        ST => days.extend([epiphany, reformation]),
        TH => {
            if year >= 2019 {
                days.push((ymd(9, 20), "Weltkindertag"));
            }
            days.push(reformation);
        }
    }
    list(days)
}

/// L: whether a date is a public holiday nationwide (`None`) or in the given Land.
pub fn is_public_holiday(date: NaiveDate, land: Option<Bundesland>) -> bool {
    holidays(date.year(), land).iter().any(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test literal")
    }

    #[test]
    fn l_germany_nationwide_and_per_land() {
        // (date, Land, holiday?)
        let cases = [
            ("2026-10-03", None, true),                     // Tag der Deutschen Einheit
            ("2026-04-03", None, true),                     // Karfreitag
            ("2026-05-25", None, true),                     // Pfingstmontag
            ("2026-06-04", None, false),                    // Fronleichnam is not nationwide
            ("2026-06-04", Some(Bundesland::BY), true),
            ("2026-06-04", Some(Bundesland::BE), false),
            ("2026-01-06", Some(Bundesland::BW), true),      // Heilige Drei Könige
            ("2026-03-08", Some(Bundesland::BE), true),      // Frauentag from 2019
            ("2018-03-08", Some(Bundesland::BE), false),
            ("2026-10-31", Some(Bundesland::NI), true),      // Reformationstag from 2018
            ("2017-10-31", None, true),                      // once nationwide
            ("2016-10-31", Some(Bundesland::SN), true),
            ("2026-11-18", Some(Bundesland::SN), true),      // Buß- und Bettag in Sachsen
            ("2026-11-18", None, false),
            ("1994-11-16", None, true),                      // nationwide until 1994
            ("2026-08-15", Some(Bundesland::SL), true),      // Mariä Himmelfahrt
            ("2026-09-20", Some(Bundesland::TH), true),      // Weltkindertag
            ("2026-04-05", Some(Bundesland::BB), true),      // Ostersonntag
            ("2026-04-05", None, false),
            ("2026-12-24", None, false),                     // Heiligabend is not a holiday
        ];
        for (day, land, holiday) in cases {
            assert_eq!(is_public_holiday(d(day), land), holiday, "L DE {day} {land:?}");
        }
        assert_eq!(holidays(2026, None).len(), 9, "L DE nine nationwide days");
        assert!(holidays(1990, None).is_empty(), "L DE from 1991");
        assert_eq!(Bundesland::parse("NW"), Some(Bundesland::NW));
        assert_eq!(Bundesland::parse("XX"), None);
    }
}
