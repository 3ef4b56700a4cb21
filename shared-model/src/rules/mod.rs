//! The time rules of REQUIREMENTS.md (sections A–H and L) as pure functions.

pub mod booking;
pub mod duration;
pub mod entry_format;
pub mod local_time;
pub mod punch_day;
pub mod punch_links;
pub mod punch_policy;
pub mod timesheet;
pub mod break_law;
pub mod flex;
pub mod holidays;
pub mod time_bank;
pub mod work_model;
