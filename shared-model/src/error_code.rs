//! The error codes of the HTTP contract (PROTOCOL.md, "Errors"), one enum shared by the server
//! that sends them and the kiosk that reacts to them — never a string literal on either side.

use serde::{Deserialize, Serialize};

/// Every `error.code` the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    Unauthenticated,
    Forbidden,
    CsrfFailed,
    TooManyAttempts,
    BadSignature,
    ClockSkew,
    DeviceUninstalled,
    UnknownEnrolmentCode,
    EnrolmentCodeExpired,
    EventConflict,
    SequenceConflict,
    UnknownReference,
    NotAuthorised,
    UnsyncedEvents,
    InvalidPersonnummer,
    ConfirmationRequired,
    NotFound,
    AlreadyExists,
    PeriodLocked,
    PeriodNotEnded,
    PeriodNotLocked,
    DevicesNotSynced,
    PayloadTooLarge,
    MethodNotAllowed,
    RequestTimeout,
    FutureEntry,
    DayHasStamps,
    BookingsExceedActual,
    NothingToBook,
    AbsenceExists,
    UnmappedCode,
    InternalError,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 33] = [
        ErrorCode::InvalidRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::CsrfFailed,
        ErrorCode::TooManyAttempts,
        ErrorCode::BadSignature,
        ErrorCode::ClockSkew,
        ErrorCode::DeviceUninstalled,
        ErrorCode::UnknownEnrolmentCode,
        ErrorCode::EnrolmentCodeExpired,
        ErrorCode::EventConflict,
        ErrorCode::SequenceConflict,
        ErrorCode::UnknownReference,
        ErrorCode::NotAuthorised,
        ErrorCode::UnsyncedEvents,
        ErrorCode::InvalidPersonnummer,
        ErrorCode::ConfirmationRequired,
        ErrorCode::NotFound,
        ErrorCode::AlreadyExists,
        ErrorCode::PeriodLocked,
        ErrorCode::PeriodNotEnded,
        ErrorCode::PeriodNotLocked,
        ErrorCode::DevicesNotSynced,
        ErrorCode::PayloadTooLarge,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::FutureEntry,
        ErrorCode::DayHasStamps,
        ErrorCode::BookingsExceedActual,
        ErrorCode::NothingToBook,
        ErrorCode::AbsenceExists,
        ErrorCode::UnmappedCode,
        ErrorCode::InternalError,
    ];

    /// The code as it travels: snake_case.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::ClockSkew => "clock_skew",
            ErrorCode::DeviceUninstalled => "device_uninstalled",
            ErrorCode::UnknownEnrolmentCode => "unknown_enrolment_code",
            ErrorCode::EnrolmentCodeExpired => "enrolment_code_expired",
            ErrorCode::EventConflict => "event_conflict",
            ErrorCode::SequenceConflict => "sequence_conflict",
            ErrorCode::UnknownReference => "unknown_reference",
            ErrorCode::NotAuthorised => "not_authorised",
            ErrorCode::UnsyncedEvents => "unsynced_events",
            ErrorCode::InvalidPersonnummer => "invalid_personnummer",
            ErrorCode::ConfirmationRequired => "confirmation_required",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::PeriodLocked => "period_locked",
            ErrorCode::PeriodNotEnded => "period_not_ended",
            ErrorCode::PeriodNotLocked => "period_not_locked",
            ErrorCode::DevicesNotSynced => "devices_not_synced",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::FutureEntry => "future_entry",
            ErrorCode::DayHasStamps => "day_has_stamps",
            ErrorCode::BookingsExceedActual => "bookings_exceed_actual",
            ErrorCode::NothingToBook => "nothing_to_book",
            ErrorCode::AbsenceExists => "absence_exists",
            ErrorCode::UnmappedCode => "unmapped_code",
            ErrorCode::InternalError => "internal_error",
        }
    }

    /// The code a server answer carries, if it is one of the contract's.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_text_and_json() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::Value::String(c.as_str().to_owned()));
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }
}
