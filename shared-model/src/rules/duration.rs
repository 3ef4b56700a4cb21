//! G-FMT: exact durations (rational minutes) and their `HH:MM` display, rounded half away
//! from zero only when shown (INTERP-33), so seven Timbank/7 days still add up to the week.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use num_rational::Ratio;

/// A signed, exact length of time in minutes; fractions arise from /5, /7 and seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Minutes(Ratio<i64>);

/// Why an `HH:MM` display string could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationParseError {
    /// The text is not `[-]H+:MM` with minutes below 60.
    #[error("expected [-]HH:MM with minutes below 60")]
    Shape,
    /// The hours do not fit the exact type.
    #[error("duration too large")]
    TooLarge,
}

/// Hours above which a duration is refused: keeps every sum of rule figures far from overflow.
const MAX_HOURS: i64 = 1_000_000_000;

impl Minutes {
    /// No time at all: the neutral element of every sum.
    pub const ZERO: Minutes = Minutes(Ratio::new_raw(0, 1));

    /// A whole number of minutes, the unit of every entry the user types.
    pub fn whole(minutes: i64) -> Minutes {
        Minutes(Ratio::from_integer(minutes))
    }

    /// Hours and minutes as a user reads them (`8, 30` is 8:30).
    pub fn hm(hours: i64, minutes: i64) -> Minutes {
        Minutes::whole(hours * 60 + minutes)
    }

    /// Whole hours, the unit of weekly contract hours and work-time models.
    pub fn hours(hours: i64) -> Minutes {
        Minutes::whole(hours * 60)
    }

    /// An exact fraction of a minute; `None` for a zero denominator.
    pub fn fraction(numerator: i64, denominator: i64) -> Option<Minutes> {
        (denominator != 0).then(|| Minutes(Ratio::new(numerator, denominator)))
    }

    /// Elapsed real time between two instants (G-TZ), exact to the second.
    pub fn between(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> Minutes {
        Minutes(Ratio::new((to - from).num_seconds(), 60))
    }

    /// The exact value, for rules that need rational arithmetic (factors, ratios).
    pub fn as_ratio(self) -> Ratio<i64> {
        self.0
    }

    /// Wraps an exact rational number of minutes.
    pub fn from_ratio(r: Ratio<i64>) -> Minutes {
        Minutes(r)
    }

    /// This duration divided by a whole number, exactly; `None` when dividing by zero.
    pub fn div_int(self, divisor: i64) -> Option<Minutes> {
        (divisor != 0).then(|| Minutes(self.0 / divisor))
    }

    /// This duration taken `times` times, exactly.
    pub fn times(self, times: i64) -> Minutes {
        Minutes(self.0 * times)
    }

    /// This duration scaled by an exact factor (e.g. a flex factor of 3/2).
    pub fn scale(self, factor: Ratio<i64>) -> Minutes {
        Minutes(self.0 * factor)
    }

    /// True when below zero, e.g. a flex debit.
    pub fn is_negative(self) -> bool {
        self.0 < Ratio::from_integer(0)
    }

    /// True when exactly zero.
    pub fn is_zero(self) -> bool {
        self.0 == Ratio::from_integer(0)
    }

    /// The larger of two durations.
    pub fn max(self, other: Minutes) -> Minutes {
        if self >= other { self } else { other }
    }

    /// The nearest whole minute, halves away from zero (INTERP-33): what the display shows.
    pub fn rounded_minutes(self) -> i64 {
        round_half_away(self.0)
    }

    /// `HH:MM` or `-HH:MM` (G-FMT); hours take as many digits as needed (`2032:00`).
    pub fn to_hhmm(self) -> String {
        let total = self.rounded_minutes();
        let sign = if total < 0 { "-" } else { "" };
        let abs = total.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
    }

    /// Reads back what [`Minutes::to_hhmm`] shows, so a displayed figure can be compared or re-entered.
    pub fn parse_hhmm(text: &str) -> Result<Minutes, DurationParseError> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (h, m) = body.split_once(':').ok_or(DurationParseError::Shape)?;
        if h.is_empty() || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(DurationParseError::Shape);
        }
        if h.len() > 10 {
            return Err(DurationParseError::TooLarge);
        }
        let hours: i64 = h.parse().map_err(|_| DurationParseError::TooLarge)?;
        let minutes: i64 = m.parse().map_err(|_| DurationParseError::Shape)?;
        if minutes >= 60 {
            return Err(DurationParseError::Shape);
        }
        if hours > MAX_HOURS {
            return Err(DurationParseError::TooLarge);
        }
        let total = Minutes::hm(hours, minutes);
        Ok(if negative { -total } else { total })
    }
}

/// Rounds an exact value to the nearest integer, halves away from zero (G-FMT, G-DK-NUM).
pub fn round_half_away(r: Ratio<i64>) -> i64 {
    let (n, d) = (*r.numer(), *r.denom()); // Ratio keeps d > 0
    let q = n / d;
    let rem = n % d;
    if 2 * rem.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hhmm())
    }
}

impl Add for Minutes {
    type Output = Minutes;
    fn add(self, rhs: Minutes) -> Minutes {
        Minutes(self.0 + rhs.0)
    }
}

impl Sub for Minutes {
    type Output = Minutes;
    fn sub(self, rhs: Minutes) -> Minutes {
        Minutes(self.0 - rhs.0)
    }
}

impl Neg for Minutes {
    type Output = Minutes;
    fn neg(self) -> Minutes {
        Minutes(-self.0)
    }
}

impl AddAssign for Minutes {
    fn add_assign(&mut self, rhs: Minutes) {
        self.0 = self.0 + rhs.0;
    }
}

impl SubAssign for Minutes {
    fn sub_assign(&mut self, rhs: Minutes) {
        self.0 = self.0 - rhs.0;
    }
}

impl Sum for Minutes {
    fn sum<I: Iterator<Item = Minutes>>(iter: I) -> Minutes {
        iter.fold(Minutes::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Minutes> for Minutes {
    fn sum<I: Iterator<Item = &'a Minutes>>(iter: I) -> Minutes {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_fmt_display_rounds_half_away_from_zero() {
        // (numerator, denominator, shown) — G-FMT / INTERP-33
        let cases = [
            (40 * 60, 7, "05:43"),   // G2: W/7 for W = 40 h
            (-40 * 60, 7, "-05:43"), // G3: Timbank/7 withdrawal
            (1, 2, "00:01"),         // half a minute rounds up
            (-1, 2, "-00:01"),       // ... and away from zero when negative
            (149, 100, "00:01"),
            (-149, 100, "-00:01"),
            (0, 1, "00:00"),
            (2032 * 60, 1, "2032:00"), // G6: more than two hour digits
            (10 * 40 * 60, 7, "57:09"), // G7: 10 days × 40/7
        ];
        for (n, d, shown) in cases {
            let m = Minutes::fraction(n, d).expect("non-zero denominator");
            assert_eq!(m.to_hhmm(), shown, "G-FMT {n}/{d}");
        }
    }

    #[test]
    fn g_fmt_seven_sevenths_are_exactly_the_week() {
        let day = Minutes::hours(40).div_int(7).expect("7 ≠ 0");
        let week: Minutes = std::iter::repeat_n(day, 7).sum();
        assert_eq!(week, Minutes::hours(40), "INTERP-33: 7 × 5:42.857 = 40:00, not 40:01");
        assert_eq!(week.to_hhmm(), "40:00");
    }

    #[test]
    fn g_fmt_parse_reads_back_display() {
        for text in ["00:00", "05:43", "-05:43", "2032:00", "123:59"] {
            let m = Minutes::parse_hhmm(text).expect("valid display");
            assert_eq!(m.to_hhmm(), text, "G-FMT round trip");
        }
        for bad in ["", ":", "5", "5:7", "05:60", "a5:00", "--05:00", "05:00 ", "+05:00"] {
            assert!(Minutes::parse_hhmm(bad).is_err(), "G-FMT rejects {bad:?}");
        }
    }
}
