//! A1: the time-of-day parser never panics and reads back what it displays.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared_model::rules::entry_format::{display_time_of_day, parse_time_of_day};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = parse_time_of_day(text) {
            assert_eq!(parse_time_of_day(&display_time_of_day(t)), Ok(t));
        }
    }
});
