//! K: the personnummer parser never panics, whatever the input and the reference date.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shared_model::personnummer::Personnummer;

fuzz_target!(|data: &[u8]| {
    // The first two bytes pick a reference day between 1900 and 2077; the rest is the input.
    let (head, rest) = data.split_at(data.len().min(2));
    let offset = head.iter().fold(0i64, |acc, b| acc * 256 + i64::from(*b)) % 65_000;
    let Some(today) = NaiveDate::from_ymd_opt(1900, 1, 1).and_then(|d| d.checked_add_signed(chrono::Duration::days(offset))) else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = Personnummer::parse(text, today);
    }
});
