//! D5 and D7: the comment a new stamp inherits from the same link earlier that work day,
//! and the five most recent links offered for one-tap starting.

use std::collections::HashSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::punch_day::{sorted, Stamp};

/// D5: the given comment if non-empty, else the comment of the latest other stamp of the same
/// work day and link that has one (INTERP-21), else empty. `day_stamps` are that work day's stamps.
pub fn carried_over_comment(given: Option<&str>, link: Uuid, day_stamps: &[&Stamp]) -> String {
    if let Some(c) = given.filter(|c| !c.trim().is_empty()) {
        return c.to_string();
    }
    day_stamps
        .iter()
        .filter(|s| s.link == link && !s.comment.trim().is_empty())
        .max_by_key(|s| (s.start, s.id))
        .map(|s| s.comment.clone())
        .unwrap_or_default()
}

/// D7: how many links the start list offers.
pub const RECENT_LINKS: usize = 5;

/// D7: distinct links of the stamp history, most recently used first, only those still active
/// and assigned to the user, at most five.
pub fn recent_links(history: &[Stamp], active_and_assigned: &HashSet<Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    sorted(history)
        .into_iter()
        .rev()
        .map(|s| s.link)
        .filter(|l| active_and_assigned.contains(l) && seen.insert(*l))
        .take(RECENT_LINKS)
        .collect()
}

/// The stamps of `work_day`, given each stamp's work day (D3), for D5.
pub fn stamps_of_day<'a>(
    stamps: &'a [Stamp],
    work_days: &std::collections::BTreeMap<Uuid, NaiveDate>,
    work_day: NaiveDate,
) -> Vec<&'a Stamp> {
    stamps.iter().filter(|s| work_days.get(&s.id) == Some(&work_day)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn stamp(n: u128, link: u128, comment: &str, hour: u32) -> Stamp {
        let start: DateTime<Utc> = format!("2026-06-01T{hour:02}:00:00Z").parse().expect("test literal");
        Stamp { id: Uuid::from_u128(n), link: Uuid::from_u128(link), comment: comment.into(), start, end: None }
    }

    #[test]
    fn d5_comment_carry_over() {
        let a = stamp(1, 10, "Kunde Müller", 8);
        let b = stamp(2, 10, "Kunde Meier", 10);
        let c = stamp(3, 10, "", 11);
        let other = stamp(4, 20, "anderes Projekt", 12);
        let day = [&a, &b, &c, &other];
        let link = Uuid::from_u128(10);
        let cases = [
            (Some("neu"), link, "neu"),                     // 1. the given comment wins
            (None, link, "Kunde Meier"),                    // 2. latest same-link entry with a comment (INTERP-21)
            (Some("  "), link, "Kunde Meier"),              // a blank comment is no comment
            (None, Uuid::from_u128(30), ""),                // 3. otherwise empty
            (None, Uuid::from_u128(20), "anderes Projekt"), // same link only
        ];
        for (given, link, expected) in cases {
            assert_eq!(carried_over_comment(given, link, &day), expected, "D5 {given:?}");
        }
    }

    #[test]
    fn d7_five_most_recent_active_assigned_links() {
        let history: Vec<Stamp> = [(1, 1), (2, 2), (3, 3), (4, 1), (5, 4), (6, 5), (7, 6), (8, 7), (9, 8)]
            .iter()
            .map(|&(n, link)| stamp(n, link, "", n as u32))
            .collect();
        let all: HashSet<Uuid> = (1..=8).map(Uuid::from_u128).collect();
        let ids = |v: Vec<Uuid>| v.into_iter().map(|u| u.as_u128()).collect::<Vec<_>>();
        assert_eq!(ids(recent_links(&history, &all)), vec![8, 7, 6, 5, 4], "D7 newest first, max 5");
        let without_7_and_6: HashSet<Uuid> = [1, 2, 3, 4, 5, 8].into_iter().map(Uuid::from_u128).collect();
        assert_eq!(ids(recent_links(&history, &without_7_and_6)), vec![8, 5, 4, 1, 3], "D7 inactive links filtered, duplicates once");
        assert!(recent_links(&[], &all).is_empty(), "D7 empty history");
    }
}
