//! Property tests of the time rules: the parsers (A1, A2, G-FMT, G-DK-NUM) never panic and read
//! back what they display; D1 aggregation keeps actual + breaks = span; D3 attribution does not
//! depend on the order stamps arrive in, and a new stamp never changes other days outside the
//! 8-hour window.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use proptest::prelude::*;
use shared_model::rules::danish_pay::{display_quantity, parse_quantity};
use shared_model::rules::duration::Minutes;
use shared_model::rules::entry_format::{display_break, display_time_of_day, parse_break, parse_time_of_day};
use shared_model::rules::punch_day::{aggregate_work_days, attribute_work_days, Stamp, ATTRIBUTION_WINDOW_MINUTES};
use uuid::Uuid;

/// Text that looks like what people type: digits, colons, spaces, signs, some letters.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9: +,.-]{0,7}", any::<String>()]
}

proptest! {
    #[test]
    fn a1_time_parser_never_panics_and_round_trips(input in typed()) {
        if let Ok(t) = parse_time_of_day(&input) {
            prop_assert_eq!(parse_time_of_day(&display_time_of_day(t)), Ok(t), "A1 round trip of {:?}", input);
        }
    }

    #[test]
    fn a2_break_parser_never_panics_and_round_trips(input in typed()) {
        if let Ok(b) = parse_break(&input) {
            prop_assert!(!b.is_negative(), "A2 breaks are never negative");
            prop_assert_eq!(parse_break(&display_break(b)), Ok(b), "A2 round trip of {:?}", input);
        }
    }

    #[test]
    fn g_fmt_display_parses_back_to_the_rounded_value(n in -10_000_000i64..10_000_000, d in 1i64..1000) {
        let m = Minutes::fraction(n, d).unwrap_or(Minutes::ZERO);
        let shown = m.to_hhmm();
        prop_assert_eq!(Minutes::parse_hhmm(&shown), Ok(Minutes::whole(m.rounded_minutes())), "G-FMT {}", shown);
        let error = m - Minutes::whole(m.rounded_minutes());
        let half = Minutes::fraction(1, 2).unwrap_or(Minutes::ZERO);
        prop_assert!(error <= half && -error <= half, "G-FMT nearest minute");
    }

    #[test]
    fn g_fmt_parser_never_panics(input in typed()) {
        if let Ok(m) = Minutes::parse_hhmm(&input) {
            prop_assert_eq!(Minutes::parse_hhmm(&m.to_hhmm()), Ok(m));
        }
    }

    #[test]
    fn g_dk_num_quantity_parser_never_panics_and_round_trips(input in typed()) {
        if let Some(q) = parse_quantity(&input) {
            let shown = display_quantity(q);
            let back = parse_quantity(&shown);
            prop_assert!(back.is_some(), "G-DK-NUM {} reads back", shown);
            prop_assert_eq!(back.map(display_quantity), Some(shown));
        }
    }
}

/// Stamps laid end to end from a start near a DST change: (gap before, length) in minutes.
fn history() -> impl Strategy<Value = Vec<Stamp>> {
    let base = prop_oneof![Just("2026-02-23T20:00:00Z"), Just("2026-03-27T18:00:00Z"), Just("2026-10-23T18:00:00Z")];
    (base, proptest::collection::vec((0i64..1200, 1i64..600), 1..12)).prop_map(|(base, parts)| {
        let mut at: DateTime<Utc> = base.parse().unwrap_or_default();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, (gap, len))| {
                at += Duration::minutes(gap);
                let start = at;
                at += Duration::minutes(len);
                Stamp { id: Uuid::from_u128(i as u128 + 1), link: Uuid::from_u128(7), comment: String::new(), start, end: Some(at) }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn d1_actual_plus_breaks_is_span(stamps in history()) {
        let days = aggregate_work_days(&stamps, Stockholm);
        prop_assert!(days.is_ok(), "D1 non-overlapping stamps aggregate");
        for (day, a) in days.unwrap_or_default() {
            prop_assert_eq!(a.actual + a.total_break, a.span, "D1 on {}", day);
            prop_assert!(a.breaks.iter().all(|b| !b.is_negative()), "D1 gaps are not negative");
        }
    }

    #[test]
    fn d3_attribution_does_not_depend_on_arrival_order(
        (stamps, shuffled) in history().prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle()))
    ) {
        prop_assert_eq!(attribute_work_days(&stamps, Stockholm), attribute_work_days(&shuffled, Stockholm), "D3 order");
        prop_assert_eq!(aggregate_work_days(&stamps, Stockholm).ok(), aggregate_work_days(&shuffled, Stockholm).ok(), "D1+D3 order");
    }

    #[test]
    fn d3_a_new_stamp_never_changes_earlier_stamps_or_days_outside_its_window(
        stamps in history(), offset in -3000i64..3000, len in 1i64..600
    ) {
        let start = stamps[0].start + Duration::minutes(offset);
        let new = Stamp { id: Uuid::from_u128(999), link: Uuid::from_u128(7), comment: String::new(), start, end: Some(start + Duration::minutes(len)) };
        let overlaps = stamps.iter().any(|s| s.start < new.end.unwrap_or(start) && start < s.end.unwrap_or(s.start));
        prop_assume!(!overlaps);
        let mut with = stamps.clone();
        with.push(new.clone());
        let (before, after) = (attribute_work_days(&stamps, Stockholm), attribute_work_days(&with, Stockholm));
        for s in stamps.iter().filter(|s| s.start < new.start) {
            prop_assert_eq!(before.get(&s.id), after.get(&s.id), "D3 an earlier stamp keeps its day");
        }
        let window = Duration::minutes(ATTRIBUTION_WINDOW_MINUTES);
        let far = stamps.iter().all(|s| {
            s.end.is_some_and(|e| e + window < new.start) || new.end.is_some_and(|e| e + window < s.start)
        });
        if far {
            let (agg_before, agg_after) = (aggregate_work_days(&stamps, Stockholm).unwrap_or_default(), aggregate_work_days(&with, Stockholm).unwrap_or_default());
            let new_day: NaiveDate = after[&new.id];
            for (day, figures) in &agg_before {
                if *day != new_day {
                    prop_assert_eq!(Some(figures), agg_after.get(day), "D3 day {} unchanged by a far stamp", day);
                }
            }
            for s in &stamps {
                prop_assert_eq!(before.get(&s.id), after.get(&s.id), "D3 a far stamp moves nothing");
            }
        }
    }
}
