//! L: the holidays of Sweden, Germany (nationwide and every Land) and Denmark, cross-checked
//! for every year 1900–2100 against tables generated from the PyPI `holidays` package
//! (tests/data/gen_holidays.py says how the Swedish law and the package are reconciled).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use shared_model::rules::holidays::{denmark, germany, sweden, Holiday};

/// One reference line: region, year, and the holiday dates as MMDD.
fn parse(table: &str) -> Vec<(String, i32, BTreeSet<String>)> {
    table
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let region = parts.next().unwrap_or_default().to_string();
            let year = parts.next().and_then(|y| y.parse().ok()).unwrap_or(0);
            let dates = parts.next().unwrap_or_default().split_whitespace().map(String::from).collect();
            (region, year, dates)
        })
        .collect()
}

fn mmdd(list: &[Holiday]) -> BTreeSet<String> {
    list.iter().map(|h| h.date.format("%m%d").to_string()).collect()
}

fn check(table: &str, regions: usize, ours: impl Fn(&str, i32) -> Vec<Holiday>) {
    let rows = parse(table);
    assert_eq!(rows.len(), regions * 201, "L reference has every year 1900–2100 for every region");
    let mut mismatches = Vec::new();
    for (region, year, reference) in rows {
        assert!((1900..=2100).contains(&year), "L bad reference year {year}");
        let got = mmdd(&ours(&region, year));
        if got != reference {
            mismatches.push(format!("{region} {year}: ours {got:?} reference {reference:?}"));
        }
    }
    assert!(mismatches.is_empty(), "L holidays differ from the reference:\n{}", mismatches.join("\n"));
}

#[test]
fn l_sweden_matches_the_reference_1900_2100() {
    check(include_str!("data/holidays_se.tsv"), 1, |_, y| sweden::holidays(y));
}

#[test]
fn l_germany_matches_the_reference_1900_2100() {
    check(include_str!("data/holidays_de.tsv"), 17, |region, y| {
        let land = if region == "DE" { None } else { germany::Bundesland::parse(region) };
        assert!(region == "DE" || land.is_some(), "L unknown Land {region}");
        germany::holidays(y, land)
    });
}

#[test]
fn l_denmark_matches_the_reference_1900_2100() {
    check(include_str!("data/holidays_dk.tsv"), 1, |_, y| denmark::holidays(y));
}

#[test]
fn l_sweden_every_sunday_is_a_holiday_though_the_reference_omits_them() {
    // The reference leaves ordinary Sundays out (include_sundays=False); the law counts them all.
    let mut day = NaiveDate::from_ymd_opt(2026, 1, 4).unwrap_or_default(); // a Sunday
    for _ in 0..52 {
        assert!(sweden::is_public_holiday(day), "L Sunday {day}");
        day += chrono::Duration::days(7);
    }
}
