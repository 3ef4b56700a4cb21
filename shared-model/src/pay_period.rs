//! Pay periods: calendar months in the organisation's IANA time zone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// A calendar month named `YYYY-MM`; its instants depend on the organisation's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PayPeriod {
    year: i32,
    month: u32,
}

impl PayPeriod {
    /// The period of a given year and month (1–12).
    pub fn new(year: i32, month: u32) -> Result<PayPeriod, ModelError> {
        if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
            return Err(ModelError::InvalidPayPeriod(format!("{year:04}-{month:02}")));
        }
        Ok(PayPeriod { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The period containing `instant` in `tz` ("the open period" when `instant` is now).
    pub fn containing(instant: DateTime<Utc>, tz: Tz) -> PayPeriod {
        let local = instant.with_timezone(&tz);
        PayPeriod { year: local.year(), month: local.month() }
    }

    /// The following month.
    pub fn next(self) -> PayPeriod {
        if self.month == 12 {
            PayPeriod { year: self.year + 1, month: 1 }
        } else {
            PayPeriod { year: self.year, month: self.month + 1 }
        }
    }

    /// The previous month.
    pub fn previous(self) -> PayPeriod {
        if self.month == 1 {
            PayPeriod { year: self.year - 1, month: 12 }
        } else {
            PayPeriod { year: self.year, month: self.month - 1 }
        }
    }

    /// The first calendar day of the period.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The first instant of the period: local midnight of its first day in `tz`.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.first_day(), tz)
    }

    /// The end instant E of the period (exclusive): the first instant of the next period.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        self.next().start(tz)
    }

    /// Whether `instant` falls in this period in `tz`.
    pub fn contains(self, instant: DateTime<Utc>, tz: Tz) -> bool {
        instant >= self.start(tz) && instant < self.end(tz)
    }
}

/// Local midnight of `day` in `tz`; where midnight falls in a DST gap, the first instant after it,
/// and where it is ambiguous, its first occurrence (REQUIREMENTS.md section 0).
pub fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // A gap at midnight (e.g. historic zones): take the offset in force before it.
            let before = tz.offset_from_utc_datetime(&(naive - chrono::Duration::hours(3)));
            let offset = chrono::Offset::fix(&before);
            (naive - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

/// Parses an IANA time zone name, e.g. `Europe/Stockholm`.
pub fn parse_time_zone(name: &str) -> Result<Tz, ModelError> {
    name.parse::<Tz>().map_err(|_| ModelError::UnknownTimeZone(name.to_owned()))
}

impl FromStr for PayPeriod {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::InvalidPayPeriod(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = s[..4].parse().map_err(|_| bad())?;
        let month: u32 = s[5..].parse().map_err(|_| bad())?;
        PayPeriod::new(year, month).map_err(|_| bad())
    }
}

impl fmt::Display for PayPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for PayPeriod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PayPeriod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn parses_and_displays_yyyy_mm() {
        let p: PayPeriod = "2026-11".parse().unwrap();
        assert_eq!(p.to_string(), "2026-11");
        for bad in ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "2026-11-01", "abcd-ef", "+026-11"] {
            assert!(bad.parse::<PayPeriod>().is_err(), "{bad}");
        }
    }

    #[test]
    fn october_2026_in_stockholm_ends_on_the_first_instant_of_november_cet() {
        // The DST change of 2026-10-25 lies inside October; E is 2026-11-01T00:00+01:00.
        let p: PayPeriod = "2026-10".parse().unwrap();
        let tz = chrono_tz::Europe::Stockholm;
        assert_eq!(p.start(tz), at("2026-10-01T00:00:00+02:00"));
        assert_eq!(p.end(tz), at("2026-11-01T00:00:00+01:00"));
        assert!(p.contains(at("2026-10-31T22:59:59Z"), tz));
        assert!(!p.contains(at("2026-10-31T23:00:00Z"), tz));
        assert_eq!(p.end(chrono_tz::Europe::Berlin), at("2026-10-31T23:00:00Z"));
    }

    #[test]
    fn march_has_a_spring_gap_and_year_end_rolls_over() {
        let tz = chrono_tz::Europe::Copenhagen;
        let mar: PayPeriod = "2026-03".parse().unwrap();
        assert_eq!(mar.end(tz), at("2026-04-01T00:00:00+02:00"));
        let dec: PayPeriod = "2026-12".parse().unwrap();
        assert_eq!(dec.next().to_string(), "2027-01");
        assert_eq!(dec.next().previous(), dec);
        assert_eq!(dec.end(tz), at("2027-01-01T00:00:00+01:00"));
        let feb: PayPeriod = "2028-02".parse().unwrap();
        assert_eq!(feb.end(tz) - feb.start(tz), chrono::Duration::days(29));
    }

    #[test]
    fn the_open_period_is_computed_in_the_organisation_zone() {
        let tz = chrono_tz::Europe::Stockholm;
        // 23:30 UTC on 31 Oct is already 1 November in Stockholm.
        assert_eq!(PayPeriod::containing(at("2026-10-31T23:30:00Z"), tz).to_string(), "2026-11");
        assert_eq!(PayPeriod::containing(at("2026-10-31T22:59:59Z"), tz).to_string(), "2026-10");
    }
}
