//! G-TZ and G-TODAY: turning the organisation's wall-clock times into instants, one fixed way
//! through DST gaps and overlaps, so every device and the server compute the same durations.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a wall-clock time means in `tz` (G-TZ, INTERP-6): a time in the spring gap
/// takes the offset in force before the transition, a time in the autumn overlap its first occurrence.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Walk back to the last wall time before the gap; its offset is the one in force.
            let mut probe = local;
            for _ in 0..48 {
                probe -= chrono::Duration::hours(1);
                if let Some(t) = tz.from_local_datetime(&probe).latest() {
                    let offset = t.offset().fix();
                    let seconds = i64::from(offset.local_minus_utc());
                    return DateTime::from_naive_utc_and_offset(local - chrono::Duration::seconds(seconds), Utc);
                }
            }
            // No zone has a gap of two days; treat the wall time as UTC rather than fail.
            DateTime::from_naive_utc_and_offset(local, Utc)
        }
    }
}

/// The instant of a date and time of day in `tz` (G-TZ).
pub fn resolve(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(time))
}

/// The calendar date of an instant in the organisation's zone: its calendar day before D3.
pub fn local_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// G-TODAY: "today" is the calendar date of `now` in the organisation's zone.
pub fn today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    local_date(tz, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("test literal")
    }

    #[test]
    fn g_tz_resolves_gap_and_overlap_as_section_0_says() {
        // (local wall time in Europe/Stockholm, expected UTC instant)
        let cases = [
            ("2026-03-29T02:00:00", "2026-03-29T01:00:00Z"), // gap: pre-transition offset +01:00
            ("2026-03-29T02:30:00", "2026-03-29T01:30:00Z"), // gap
            ("2026-03-29T03:00:00", "2026-03-29T01:00:00Z"), // first valid CEST time
            ("2026-10-25T02:00:00", "2026-10-25T00:00:00Z"), // overlap: first occurrence (CEST)
            ("2026-10-25T02:59:00", "2026-10-25T00:59:00Z"),
            ("2026-10-25T03:00:00", "2026-10-25T02:00:00Z"), // after overlap: CET
            ("2026-07-01T12:00:00", "2026-07-01T10:00:00Z"),
            ("2026-01-01T12:00:00", "2026-01-01T11:00:00Z"),
        ];
        for (local, expected) in cases {
            let naive: NaiveDateTime = local.parse().expect("test literal");
            assert_eq!(resolve_local(Stockholm, naive), utc(expected), "G-TZ {local}");
        }
    }

    #[test]
    fn g_today_is_the_stockholm_date() {
        // 23:30 UTC on 31 Dec is already 1 Jan in Stockholm.
        let now = utc("2025-12-31T23:30:00Z");
        assert_eq!(today(Stockholm, now), NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"), "G-TODAY");
    }
}
