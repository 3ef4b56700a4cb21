//! The one error type of shared-model: every way a value from outside can be malformed.

/// Why a value handed to shared-model was refused; each variant names what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A personnummer or samordningsnummer failed format, date or check-digit validation.
    #[error("invalid personnummer: {0}")]
    InvalidPersonnummer(&'static str),
    /// A pay period name is not `YYYY-MM` of a real month.
    #[error("invalid pay period {0:?}: expected YYYY-MM")]
    InvalidPayPeriod(String),
    /// A time zone name is not a known IANA zone.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// A PHC hash string could not be parsed.
    #[error("malformed password hash: {0}")]
    MalformedHash(&'static str),
    /// A key, signature or encoded value was malformed.
    #[error("malformed {what}: {why}")]
    Malformed { what: &'static str, why: String },
}
