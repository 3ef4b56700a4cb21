//! The one error type of the kiosk core: every variant has a stable snake_case code the UIs
//! translate, and a sentence in English for logs and the command line.

use shared_model::ErrorCode;
use chrono::{DateTime, Utc};
use shared_model::rules::punch_policy::PunchError;

/// Everything a kiosk action can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No device identity yet: enrol first.
    #[error("this tablet is not enrolled; enrol it with the server address and an enrolment code")]
    NotEnrolled,
    /// Enrolling twice would orphan the first identity.
    #[error("this tablet is already enrolled; uninstall it first")]
    AlreadyEnrolled,
    /// The server address is not a URL.
    #[error("the server address is not a valid URL: {0}")]
    InvalidServerUrl(String),
    /// Plain HTTP to anything but this machine would send personnummer in clear text.
    #[error("the server address must start with https:// (plain http is allowed only for this machine)")]
    InsecureServerUrl,
    /// The enrolment code does not exist.
    #[error("no such enrolment code; check what you typed")]
    UnknownEnrolmentCode,
    /// The enrolment code expired or was used.
    #[error("this enrolment code has expired or was already used; ask an admin for a new one")]
    EnrolmentCodeExpired,
    /// Unknown number or wrong PIN (deliberately the same answer).
    #[error("wrong employee number or PIN")]
    WrongPin,
    /// Too many wrong PINs for this employee on this tablet.
    #[error("too many wrong PINs; try again after {until}")]
    EmployeeLocked { until: DateTime<Utc> },
    /// The employee has left or is deactivated.
    #[error("this employee is not active")]
    EmployeeInactive,
    /// A start needs a project/account link.
    #[error("choose a project and account to start")]
    LinkRequired,
    /// The link is unknown, inactive or not assigned to the employee.
    #[error("this project and account is not available to you")]
    LinkNotAllowed,
    /// A punch-clock rule refused the action (D2/D4); the code is the rule's.
    #[error("{0}")]
    Punch(#[from] PunchError),
    /// The server reported this tablet as uninstalled: no new stamps are taken.
    #[error("this tablet has been uninstalled by an admin; it takes no more stamps")]
    DeviceUninstalled,
    /// The server could not be reached (or answered nothing usable).
    #[error("the server cannot be reached: {0}")]
    Offline(String),
    /// Uninstall refused locally: events are still queued and the final sync failed.
    #[error("{pending} stamps have not reached the server and the server cannot be reached; connect the tablet and try again")]
    UnsyncedOffline { pending: u64 },
    /// The personnummer typed for uninstall is not valid.
    #[error("this is not a valid personnummer")]
    InvalidPersonnummer,
    /// The personnummer is not an active admin or manager of the organisation.
    #[error("this person may not uninstall the tablet")]
    NotAuthorised,
    /// The server knows of events still on the tablet.
    #[error("the tablet still holds unsynced stamps; sync first")]
    UnsyncedEvents,
    /// The server throttled the attempts.
    #[error("too many attempts; wait a few minutes")]
    TooManyAttempts,
    /// Any other error answer of the server, with its code.
    #[error("the server refused: {message} ({code})")]
    Server { status: u16, code: String, message: String },
    /// The tablet's storage is full (or the database reached its configured cap): the action
    /// was not saved, and everything saved before is intact.
    #[error("the tablet's storage is full: this was not saved (earlier stamps are safe); free space or tell an admin")]
    StorageFull,
    /// The local database failed.
    #[error("local database: {0}")]
    Storage(rusqlite::Error),
    /// A file (the device key) could not be read or written.
    #[error("file: {0}")]
    Io(std::io::Error),
    /// Something stored or received cannot be understood.
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

impl CoreError {
    /// The stable code a UI translates.
    pub fn code(&self) -> &str {
        match self {
            CoreError::NotEnrolled => "not_enrolled",
            CoreError::AlreadyEnrolled => "already_enrolled",
            CoreError::InvalidServerUrl(_) => "invalid_server_url",
            CoreError::InsecureServerUrl => "insecure_server_url",
            CoreError::UnknownEnrolmentCode => ErrorCode::UnknownEnrolmentCode.as_str(),
            CoreError::EnrolmentCodeExpired => ErrorCode::EnrolmentCodeExpired.as_str(),
            CoreError::WrongPin => "wrong_pin",
            CoreError::EmployeeLocked { .. } => "employee_locked",
            CoreError::EmployeeInactive => "employee_inactive",
            CoreError::LinkRequired => "link_required",
            CoreError::LinkNotAllowed => "link_not_allowed",
            CoreError::Punch(p) => p.code(),
            CoreError::DeviceUninstalled => ErrorCode::DeviceUninstalled.as_str(),
            CoreError::Offline(_) => "offline",
            CoreError::UnsyncedOffline { .. } => "unsynced_events_offline",
            CoreError::InvalidPersonnummer => ErrorCode::InvalidPersonnummer.as_str(),
            CoreError::NotAuthorised => ErrorCode::NotAuthorised.as_str(),
            CoreError::UnsyncedEvents => ErrorCode::UnsyncedEvents.as_str(),
            CoreError::TooManyAttempts => ErrorCode::TooManyAttempts.as_str(),
            CoreError::Server { code, .. } => code,
            CoreError::StorageFull => "storage_full",
            CoreError::Storage(_) => "storage",
            CoreError::Io(_) => "io",
            CoreError::Corrupt(_) => "corrupt",
        }
    }

    /// Whether retrying later may help (transport trouble, server hiccups), for the backoff.
    pub fn is_transient(&self) -> bool {
        match self {
            CoreError::Offline(_) => true,
            CoreError::Server { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> CoreError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => CoreError::StorageFull,
            _ => CoreError::Storage(e),
        }
    }
}

impl From<std::io::Error> for CoreError {
    fn from(e: std::io::Error) -> CoreError {
        match e.kind() {
            std::io::ErrorKind::StorageFull => CoreError::StorageFull,
            _ => CoreError::Io(e),
        }
    }
}

/// Result of every core call.
pub type CoreResult<T> = Result<T, CoreError>;
