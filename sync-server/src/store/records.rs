//! Rows and inputs of the store, as plain structs decoded by sqlx in both dialects.

use chrono::{DateTime, Utc};
use shared_model::{PunchEvent, Role, SyncRequirement};
use uuid::Uuid;

use super::StoreError;

/// An organisation (tenant): its time zone decides days and pay periods.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub policy: String,
    pub sync_interval_s: i64,
    pub roster_version: i64,
    pub created_at: DateTime<Utc>,
    /// Whether a start must name a link (false: staff stamp in and out without projects).
    pub links_required: bool,
}

impl Organisation {
    /// The organisation's IANA zone; a bad stored name is a corrupt row.
    pub fn tz(&self) -> Result<chrono_tz::Tz, StoreError> {
        shared_model::pay_period::parse_time_zone(&self.time_zone).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// A person without secrets: staff, web user, or both.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub number: Option<String>,
    pub name: String,
    pub role: String,
    pub username: Option<String>,
    pub personnummer_last4: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Person {
    /// The stored role; an unknown spelling is a corrupt row.
    pub fn role(&self) -> Result<Role, StoreError> {
        Role::parse(&self.role).ok_or_else(|| StoreError::Corrupt(format!("role {:?}", self.role)))
    }
}

/// A person to create; secrets arrive already hashed.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub number: Option<String>,
    pub name: String,
    pub role: Role,
    pub username: Option<String>,
    pub password_hash: Option<String>,
    pub pin_hash: Option<String>,
    pub personnummer_hmac: Option<String>,
    pub personnummer_last4: Option<String>,
    pub active: bool,
}

/// A partial update of a person; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    pub number: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub username: Option<String>,
    pub password_hash: Option<String>,
    pub pin_hash: Option<String>,
    pub personnummer_hmac: Option<String>,
    pub personnummer_last4: Option<String>,
    pub active: Option<bool>,
}

impl PersonPatch {
    /// Whether the change alters what tablets hold, so the roster version must move.
    pub fn touches_roster(&self) -> bool {
        self.number.is_some() || self.name.is_some() || self.role.is_some() || self.pin_hash.is_some() || self.active.is_some()
    }

    /// The credentials this change sets, by field name (for the audit log; never the values).
    pub fn credential_fields(&self) -> Vec<&'static str> {
        credential_fields(&self.username, &self.password_hash, &self.pin_hash)
    }
}

impl NewPerson {
    /// The credentials a new person is created with, by field name.
    pub fn credential_fields(&self) -> Vec<&'static str> {
        credential_fields(&self.username, &self.password_hash, &self.pin_hash)
    }
}

fn credential_fields(username: &Option<String>, password: &Option<String>, pin: &Option<String>) -> Vec<&'static str> {
    [("username", username.is_some()), ("password", password.is_some()), ("pin", pin.is_some())]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect()
}

/// Who makes a change to a person, for the audit row written in the same transaction.
#[derive(Debug, Clone, Default)]
pub struct ChangedBy {
    /// The person acting; `None` for the system (command line, demo).
    pub actor: Option<Uuid>,
    /// The session that makes the change: it survives the actor's own password change, while
    /// every other session of the person ends.
    pub keep_session: Option<String>,
}

/// A project/account link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub project: String,
    pub account: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A link to create.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub id: Uuid,
    pub project: String,
    pub account: String,
    pub active: bool,
}

/// A partial update of a link.
#[derive(Debug, Clone, Default)]
pub struct LinkPatch {
    pub project: Option<String>,
    pub account: Option<String>,
    pub active: Option<bool>,
}

/// A single-use enrolment code, stored only as its hash.
#[derive(Debug, Clone)]
pub struct NewEnrolmentCode {
    pub code_hash: String,
    pub organisation_id: Uuid,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The name the tablet enrolled with it gets; `None`: unnamed.
    pub device_name: Option<String>,
}

/// A tablet being enrolled.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: Uuid,
    pub public_key: String,
    pub platform: String,
    pub app_version: String,
    pub now: DateTime<Utc>,
}

/// What redeeming an enrolment code did.
#[derive(Debug, Clone)]
pub enum Redeemed {
    Enrolled { device: Box<Device>, organisation: Box<Organisation> },
    Unknown,
    /// Expired or already used.
    Expired,
}

/// An installed (or uninstalled) tablet as the registry shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Device {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub public_key: String,
    pub platform: String,
    pub app_version: String,
    pub installed_at: DateTime<Utc>,
    pub installed_by: Option<Uuid>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub last_full_sync_at: Option<DateTime<Utc>>,
    pub pending_events: i64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub clock_offset_s: Option<i64>,
    pub sync_state: String,
    pub sync_period: Option<String>,
    pub uninstalled_at: Option<DateTime<Utc>>,
    pub uninstalled_by: Option<Uuid>,
    /// What the admin calls it ("Entré", "Kök"); `None` until named.
    pub name: Option<String>,
    /// When an admin or manager last asked it to sync at its next contact.
    pub sync_requested_at: Option<DateTime<Utc>>,
}

impl Device {
    /// The stored sync requirement; an unknown spelling is a corrupt row.
    pub fn sync_requirement(&self) -> Result<SyncRequirement, StoreError> {
        SyncRequirement::from_parts(&self.sync_state, self.sync_period.as_deref())
            .ok_or_else(|| StoreError::Corrupt(format!("sync requirement {:?}/{:?}", self.sync_state, self.sync_period)))
    }

    pub fn is_installed(&self) -> bool {
        self.uninstalled_at.is_none()
    }

    /// Whether an admin's request to sync still waits: made, and no full sync since.
    pub fn sync_request_pending(&self) -> bool {
        match (self.sync_requested_at, self.last_full_sync_at) {
            (Some(asked), Some(full)) => full < asked,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// An event to store with its ledger status and the anomalies found for a manager.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event: PunchEvent,
    /// `accepted` or `quarantined`.
    pub status: &'static str,
    pub flags: Option<String>,
}

/// What a sync tells about the device, written with its page.
#[derive(Debug, Clone)]
pub struct SyncBookkeeping {
    pub now: DateTime<Utc>,
    pub pending_after: i64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub clock_offset_s: Option<i64>,
}

/// A stored event as read back to compare with a resent one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: Uuid,
    pub device_id: Uuid,
    pub device_seq: i64,
    pub employee_id: Uuid,
    pub kind: String,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub occurred_offset_s: i32,
    pub device_clock_at: DateTime<Utc>,
    pub device_clock_offset_s: i32,
}

impl StoredEvent {
    /// Whether `e` from `device` is exactly this stored event (a harmless duplicate).
    pub fn same_as(&self, device: Uuid, e: &PunchEvent) -> bool {
        self.id == e.id
            && self.device_id == device
            && self.device_seq == e.device_seq
            && self.employee_id == e.employee_id
            && self.kind == e.kind.as_str()
            && self.link_id == e.link_id
            && self.comment == e.comment
            && self.occurred_at == e.occurred_at.with_timezone(&Utc)
            && self.occurred_offset_s == e.occurred_at.offset().local_minus_utc()
            && self.device_clock_at == e.device_clock_at.with_timezone(&Utc)
            && self.device_clock_offset_s == e.device_clock_at.offset().local_minus_utc()
    }
}

/// A web session, stored by the hash of its token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub organisation_id: Uuid,
    pub person_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One governance action for the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub organisation_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub kind: &'static str,
    pub subject: Option<String>,
    pub details: Option<serde_json::Value>,
}
