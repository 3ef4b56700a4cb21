//! The time rules of REQUIREMENTS.md (sections A–H and L) as pure functions: no I/O, no clock
//! reads; "today", "now" and the organisation's time zone are always parameters.

pub mod booking;
pub mod break_law;
pub mod danish_accrual;
pub mod danish_pay;
pub mod duration;
pub mod employee_day;
pub mod entry_format;
pub mod flex;
pub mod holidays;
pub mod local_time;
pub mod month_sheet;
pub mod punch_day;
pub mod punch_links;
pub mod punch_policy;
pub mod time_bank;
pub mod timesheet;
pub mod work_model;
