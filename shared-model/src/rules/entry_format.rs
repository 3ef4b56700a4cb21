//! A1 and A2: the short shapes a person types for a time of day and for a break in the
//! time sheet, so `7`, `0700` and `07:00` all mean 07:00 and `100` and `60` both mean an hour.

use chrono::NaiveTime;

use super::duration::Minutes;

/// Why a typed time or break was refused; the UI translates the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryFormatError {
    /// Nothing was typed where a time is required (A1).
    #[error("empty")]
    Empty,
    /// The text has no accepted shape (letters, too many digits, misplaced colon).
    #[error("not an accepted shape")]
    Shape,
    /// The hour is above 23 (A1; `24:00` is refused too, INTERP-4).
    #[error("hour out of range")]
    Hour,
    /// The minutes are 60 or more where they follow hours (A1, A2 INTERP-2).
    #[error("minutes out of range")]
    Minute,
}

impl EntryFormatError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            EntryFormatError::Empty => "empty",
            EntryFormatError::Shape => "bad_shape",
            EntryFormatError::Hour => "hour_out_of_range",
            EntryFormatError::Minute => "minute_out_of_range",
        }
    }
}

/// Splits `H:MM`/`HH:MM` or pure digits; `None` for anything else. Only ASCII digits count.
fn split(text: &str) -> Option<Shape<'_>> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 && all_digits(h) && all_digits(m) => {
            Some(Shape::Colon(h, m))
        }
        Some(_) => None,
        None if all_digits(text) && text.len() <= 4 => Some(Shape::Digits(text)),
        None => None,
    }
}

enum Shape<'a> {
    Colon(&'a str, &'a str),
    Digits(&'a str),
}

/// Digits already checked to be 1–4 ASCII digits, so this cannot fail.
fn number(digits: &str) -> u32 {
    digits.bytes().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

/// A1: reads a start or end time of day: `H`, `HH`, `HMM`, `HHMM`, `H:MM`, `HH:MM`, 00:00–23:59.
pub fn parse_time_of_day(input: &str) -> Result<NaiveTime, EntryFormatError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(EntryFormatError::Empty);
    }
    let (hour, minute) = match split(text).ok_or(EntryFormatError::Shape)? {
        Shape::Colon(h, m) => (number(h), number(m)),
        Shape::Digits(d) if d.len() <= 2 => (number(d), 0),
        Shape::Digits(d) => {
            let (h, m) = d.split_at(d.len() - 2);
            (number(h), number(m))
        }
    };
    if hour > 23 {
        return Err(EntryFormatError::Hour);
    }
    if minute > 59 {
        return Err(EntryFormatError::Minute);
    }
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or(EntryFormatError::Shape)
}

/// A1: how a time of day is shown and can be typed again (`HH:MM`).
pub fn display_time_of_day(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// A2: reads a break: 1–2 digits are minutes (`90` = 1:30), 3–4 digits are `H(H)MM`,
/// `H:MM`/`HH:MM` are hours and minutes; empty is no break.
pub fn parse_break(input: &str) -> Result<Minutes, EntryFormatError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(Minutes::ZERO);
    }
    let (hours, minutes) = match split(text).ok_or(EntryFormatError::Shape)? {
        Shape::Digits(d) if d.len() <= 2 => return Ok(Minutes::whole(i64::from(number(d)))),
        Shape::Digits(d) => {
            let (h, m) = d.split_at(d.len() - 2);
            (number(h), number(m))
        }
        Shape::Colon(h, m) => (number(h), number(m)),
    };
    if minutes > 59 {
        return Err(EntryFormatError::Minute);
    }
    Ok(Minutes::hm(i64::from(hours), i64::from(minutes)))
}

/// A2: how a break is shown (`HH:MM`); every shown value parses back to itself.
pub fn display_break(b: Minutes) -> String {
    b.to_hhmm()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("test literal")
    }

    #[test]
    fn a1_accepts_every_seed_spelling_of_07_and_16() {
        // The seed: "7, 07, 0700, 07:00, 16, 1600, 16:00"; INTERP-3 adds 730 and 7:30.
        let cases = [
            ("7", t(7, 0)),
            ("07", t(7, 0)),
            ("0700", t(7, 0)),
            ("07:00", t(7, 0)),
            ("16", t(16, 0)),
            ("1600", t(16, 0)),
            ("16:00", t(16, 0)),
            ("730", t(7, 30)),
            ("7:30", t(7, 30)),
            ("0", t(0, 0)),
            ("00:00", t(0, 0)),
            ("2359", t(23, 59)),
            (" 8 ", t(8, 0)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_time_of_day(input), Ok(expected), "A1 accepts {input:?}");
        }
    }

    #[test]
    fn a1_rejects_out_of_range_and_other_shapes() {
        let cases = [
            ("25", EntryFormatError::Hour),
            ("24", EntryFormatError::Hour),    // INTERP-4
            ("2400", EntryFormatError::Hour),  // INTERP-4
            ("24:00", EntryFormatError::Hour), // INTERP-4
            ("0760", EntryFormatError::Minute),
            ("7:60", EntryFormatError::Minute),
            ("", EntryFormatError::Empty),
            ("  ", EntryFormatError::Empty),
            ("ab", EntryFormatError::Shape),
            ("7h", EntryFormatError::Shape),
            ("07000", EntryFormatError::Shape),
            ("7:3", EntryFormatError::Shape),
            ("007:00", EntryFormatError::Shape),
            (":30", EntryFormatError::Shape),
            ("-7", EntryFormatError::Shape),
            ("+7", EntryFormatError::Shape),
            ("٧", EntryFormatError::Shape), // a non-ASCII digit
        ];
        for (input, expected) in cases {
            assert_eq!(parse_time_of_day(input), Err(expected.clone()), "A1 rejects {input:?}");
            assert!(!expected.code().is_empty());
        }
    }

    #[test]
    fn a2_reads_breaks_as_the_seed_and_register_say() {
        // The seed: "30, 030, 0030, 00:30" are half an hour; "100" and "60" are one hour.
        let cases = [
            ("30", 30),
            ("030", 30),
            ("0030", 30),
            ("00:30", 30),
            ("100", 60),
            ("60", 60),
            ("90", 90),  // INTERP-1
            ("130", 90), // INTERP-2
            ("1:30", 90),
            ("", 0), // empty break is none
            ("0", 0),
            ("99", 99),
            ("9959", 99 * 60 + 59),
        ];
        for (input, minutes) in cases {
            assert_eq!(parse_break(input), Ok(Minutes::whole(minutes)), "A2 reads {input:?}");
        }
    }

    #[test]
    fn a2_rejects_minutes_of_60_and_more_after_hours() {
        let cases = [
            ("160", EntryFormatError::Minute), // INTERP-2
            ("0060", EntryFormatError::Minute),
            ("00:60", EntryFormatError::Minute),
            ("12345", EntryFormatError::Shape),
            ("x", EntryFormatError::Shape),
            ("0:3", EntryFormatError::Shape),
            ("-30", EntryFormatError::Shape),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_break(input), Err(expected), "A2 rejects {input:?}");
        }
    }

    #[test]
    fn a1_a2_displayed_values_parse_back() {
        for (h, m) in [(0, 0), (7, 0), (16, 0), (23, 59)] {
            let shown = display_time_of_day(t(h, m));
            assert_eq!(parse_time_of_day(&shown), Ok(t(h, m)), "A1 round trip {shown}");
        }
        for minutes in [0, 30, 60, 90, 605] {
            let shown = display_break(Minutes::whole(minutes));
            assert_eq!(parse_break(&shown), Ok(Minutes::whole(minutes)), "A2 round trip {shown}");
        }
    }
}
