//! The punch-clock policy of an organisation (rule D4): a rule of the model, which the wire
//! contract carries (`wire::DeviceConfig`) but does not own.

use serde::{Deserialize, Serialize};

/// Whether a tablet lets staff fix earlier days (Tomahawk) or only stamp today (Calumet), rule D4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    SelfService,
    Strict,
}

impl Policy {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::SelfService => "self_service",
            Policy::Strict => "strict",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Policy> {
        match s {
            "self_service" => Some(Policy::SelfService),
            "strict" => Some(Policy::Strict),
            _ => None,
        }
    }
}
