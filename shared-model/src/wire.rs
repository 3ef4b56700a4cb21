//! The HTTP contract v1 of PROTOCOL.md as serde types. Requests reject unknown fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::policy::Policy;
use crate::{PunchEvent, Role, SyncRequirement};

/// The most events one sync page may carry.
pub const MAX_EVENTS_PER_PAGE: usize = 500;
/// The default sync interval of a tablet, in seconds (seed 000: every five minutes).
pub const DEFAULT_SYNC_INTERVAL_S: u32 = 300;

/// Every 4xx/5xx body: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable snake_case code the UIs translate, a sentence for people reading logs, and details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    #[schema(pattern = "^[a-z][a-z0-9_]*$", example = "invalid_request")]
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// `POST /api/v1/device/enrol` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The code of the admin page; case, spaces and dashes do not matter (1–32 letters and digits).
    #[schema(example = "K7Q4-9ZXM")]
    pub enrolment_code: String,
    /// base64url of the 32-byte Ed25519 public key.
    pub public_key: String,
    /// OS, webview and app version: the registry's "browser" column.
    pub platform: String,
    pub app_version: String,
}

/// The organisation as a device learns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrganisationInfo {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
}

/// `POST /api/v1/device/enrol` 201 answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnrolResponse {
    pub device_id: Uuid,
    pub organisation: OrganisationInfo,
    pub sync_interval_s: u32,
    pub server_time: DateTime<Utc>,
    /// Whether a start must name a link (the organisation's setting, as in the sync answer's
    /// `config`); absent from an older server's answer: true.
    #[serde(default = "links_required_default")]
    pub links_required: bool,
}

/// `POST /api/v1/device/sync` request: one page of the outbox plus what is still queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// At most 500 events.
    #[schema(max_items = 500)]
    pub events: Vec<PunchEvent>,
    /// Events still queued on the device after this page.
    pub pending_after: u32,
    /// `occurred_at` of the oldest still-queued event.
    #[serde(default)]
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// The roster version the device holds.
    #[serde(default)]
    pub roster_version: Option<String>,
}


/// Server-side settings the device follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceConfig {
    pub sync_interval_s: u32,
    pub policy: Policy,
    pub sync_requirement: SyncRequirement,
    /// Whether a start must name a project/account link (the organisation's setting). Absent
    /// from an older server's answer: true, as every organisation was before the setting.
    #[serde(default = "links_required_default")]
    pub links_required: bool,
    /// An admin or manager asked this tablet to sync: send everything, take the roster sent
    /// with this answer and refresh the week view now. Absent from an older server: false.
    #[serde(default)]
    pub sync_requested: bool,
}

fn links_required_default() -> bool {
    true
}

/// `POST /api/v1/device/sync` 200 answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SyncResponse {
    /// Every id of the page now durably stored, duplicates included.
    pub acked: Vec<Uuid>,
    pub server_time: DateTime<Utc>,
    pub config: DeviceConfig,
    /// `null` when the device's roster version is current.
    pub roster: Option<Roster>,
}

/// Who may stamp on the tablet and on what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Roster {
    pub version: String,
    pub employees: Vec<RosterEmployee>,
    pub links: Vec<RosterLink>,
}

/// An employee as the tablet needs them: number, name, PIN hash and allowed links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RosterEmployee {
    pub id: Uuid,
    pub number: String,
    pub name: String,
    pub role: Role,
    /// PHC `$pbkdf2-sha256$i=…$salt$hash`, checked offline on the tablet.
    pub pin_hash: Option<String>,
    pub active: bool,
    pub links: Vec<Uuid>,
}

/// A project/account link staff stamp on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RosterLink {
    pub id: Uuid,
    pub project: String,
    pub account: String,
    pub active: bool,
}

/// `POST /api/v1/device/uninstall` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UninstallRequest {
    /// The personnummer of an active admin or manager of the organisation, in any accepted spelling.
    #[schema(example = "19811218-9876")]
    pub personnummer: String,
}

/// A person named in an answer: id and display name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

/// `POST /api/v1/device/uninstall` 200 answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UninstallResponse {
    pub uninstalled_at: DateTime<Utc>,
    pub by: PersonRef,
}

/// `GET /api/v1/health` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub database: String,
}

/// A page of a list endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_request_rejects_unknown_fields_and_accepts_the_minimal_shape() {
        let ok: SyncRequest = serde_json::from_str(r#"{"events":[],"pending_after":0}"#).unwrap();
        assert_eq!(ok.roster_version, None);
        let err = serde_json::from_str::<SyncRequest>(r#"{"events":[],"pending_after":0,"x":1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `x`"), "{err}");
        assert!(serde_json::from_str::<SyncRequest>(r#"{"events":[],"pending_after":-1}"#).is_err());
    }

    #[test]
    fn enrol_request_rejects_unknown_fields() {
        let j = r#"{"enrolment_code":"K7Q4-9ZXM","public_key":"k","platform":"p","app_version":"0.1.0","admin":true}"#;
        assert!(serde_json::from_str::<EnrolRequest>(j).is_err());
    }

    #[test]
    fn error_body_omits_absent_details() {
        let b = ErrorBody { error: ErrorDetail { code: "bad_signature".into(), message: "m".into(), details: None } };
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"error":{"code":"bad_signature","message":"m"}}"#);
    }
}

/// `POST /api/v1/device/weeks` 200 answer: each roster employee's current week as the
/// server's timesheet has it, for the tablet to show after identification (offline too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WeekSummaries {
    /// When the server computed them; the tablet shows "as of".
    pub as_of: DateTime<Utc>,
    /// Monday of the week (organisation zone).
    #[schema(value_type = String, format = Date)]
    pub week_start: chrono::NaiveDate,
    pub employees: Vec<EmployeeWeek>,
}

/// One employee's week: Ist and Soll per day, Monday first, and the flex balance (B5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmployeeWeek {
    pub employee_id: Uuid,
    pub days: Vec<WeekDay>,
    /// The flex balance at the end of today (B5), whole minutes.
    pub flex_balance_min: i64,
}

/// One day of [`EmployeeWeek`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WeekDay {
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    pub actual_min: i64,
    pub target_min: i64,
}
