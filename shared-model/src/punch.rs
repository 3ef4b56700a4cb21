//! The ledger's unit: an immutable punch event as a tablet records it.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether a stamp starts a task (a start while another runs is a switch) or stops work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PunchKind {
    Start,
    Stop,
}

impl PunchKind {
    /// The wire and database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PunchKind::Start => "start",
            PunchKind::Stop => "stop",
        }
    }

    /// Parses the wire and database spelling.
    pub fn parse(s: &str) -> Option<PunchKind> {
        match s {
            "start" => Some(PunchKind::Start),
            "stop" => Some(PunchKind::Stop),
            _ => None,
        }
    }
}

/// One stamp, exactly as PROTOCOL.md's `PunchEvent`: never edited, only superseded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PunchEvent {
    /// UUIDv7 made on the tablet: time-ordered, so the ledger's key index stays hot.
    pub id: Uuid,
    /// The tablet's gap-free counter, from 1; `(device, device_seq)` is unique in the ledger.
    #[schema(minimum = 1)]
    pub device_seq: i64,
    pub employee_id: Uuid,
    pub kind: PunchKind,
    /// The project/account link: required for a start where the organisation requires links
    /// (`links_required`, the default); `null` for a stop and for a start where it does not.
    #[serde(default)]
    pub link_id: Option<Uuid>,
    /// At most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: Option<String>,
    /// Corrected device time with the local UTC offset at that moment.
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: DateTime<FixedOffset>,
    /// The raw device clock at the same moment, kept so a wrong clock never silently moves a stamp.
    #[schema(value_type = String, format = DateTime)]
    pub device_clock_at: DateTime<FixedOffset>,
}

/// The longest comment a stamp may carry, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

impl PunchEvent {
    /// Checks the shape rules that make an event malformed (and so refused with 400):
    /// sequences start at 1, comments are bounded, ids are not nil, and a start needs a link
    /// where the organisation requires links (`links_required`, its setting; true unless an
    /// organisation without projects — a restaurant, a shop — turned it off).
    pub fn check_shape(&self, links_required: bool) -> Result<(), String> {
        if self.device_seq < 1 {
            return Err(format!("event {}: device_seq must be at least 1", self.id));
        }
        if links_required && self.kind == PunchKind::Start && self.link_id.is_none() {
            return Err(format!("event {}: a start needs a link_id (this organisation requires a project/account link)", self.id));
        }
        if let Some(c) = &self.comment {
            if c.chars().count() > MAX_COMMENT_CHARS {
                return Err(format!("event {}: comment longer than {MAX_COMMENT_CHARS} characters", self.id));
            }
        }
        if self.id.is_nil() || self.employee_id.is_nil() {
            return Err(format!("event {}: nil id", self.id));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PunchEvent {
        serde_json::from_str(
            r#"{"id":"01937f3e-0000-7000-8000-000000000001","device_seq":41,
                "employee_id":"01937f3e-0000-7000-8000-000000000002","kind":"start",
                "link_id":"01937f3e-0000-7000-8000-000000000003","comment":null,
                "occurred_at":"2026-11-22T07:58:00+01:00","device_clock_at":"2026-11-22T07:57:31+01:00"}"#,
        )
        .unwrap()
    }

    #[test]
    fn parses_the_protocol_example_and_keeps_the_offset() {
        let e = sample();
        assert_eq!(e.kind, PunchKind::Start);
        assert_eq!(e.occurred_at.offset().local_minus_utc(), 3600);
        assert!(e.check_shape(true).is_ok());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["extra"] = serde_json::json!(1);
        let err = serde_json::from_value::<PunchEvent>(v).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn a_start_without_link_is_malformed() {
        let mut e = sample();
        e.link_id = None;
        assert!(e.check_shape(true).unwrap_err().contains("link_id"));
        assert!(e.check_shape(false).is_ok(), "an organisation without projects stamps in without a link");
        e.kind = PunchKind::Stop;
        assert!(e.check_shape(true).is_ok());
        e.device_seq = 0;
        assert!(e.check_shape(true).is_err());
    }
}
