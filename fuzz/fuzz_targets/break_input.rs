//! A2: the break parser never panics, never yields a negative break, and reads back what it displays.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared_model::rules::entry_format::{display_break, parse_break};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(b) = parse_break(text) {
            assert!(!b.is_negative());
            assert_eq!(parse_break(&display_break(b)), Ok(b));
        }
    }
});
