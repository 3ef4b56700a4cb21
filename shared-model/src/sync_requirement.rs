//! Whether a tablet must have synced before a payroll run (seed 000, rule I3).

use serde::{Deserialize, Serialize};

use crate::PayPeriod;

/// A device's sync requirement: `active`, off for one pay period, or off until re-enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum SyncRequirement {
    Active,
    DisabledForPeriod {
        #[schema(value_type = String, example = "2026-11")]
        period: PayPeriod,
    },
    DisabledPermanently,
}

impl SyncRequirement {
    /// The database spelling of the state.
    pub fn state_str(&self) -> &'static str {
        match self {
            SyncRequirement::Active => "active",
            SyncRequirement::DisabledForPeriod { .. } => "disabled_for_period",
            SyncRequirement::DisabledPermanently => "disabled_permanently",
        }
    }

    /// The period of `disabled_for_period`, if any.
    pub fn period(&self) -> Option<PayPeriod> {
        match self {
            SyncRequirement::DisabledForPeriod { period } => Some(*period),
            _ => None,
        }
    }

    /// Rebuilds the value from its database columns.
    pub fn from_parts(state: &str, period: Option<&str>) -> Option<SyncRequirement> {
        match (state, period) {
            ("active", _) => Some(SyncRequirement::Active),
            ("disabled_permanently", _) => Some(SyncRequirement::DisabledPermanently),
            ("disabled_for_period", Some(p)) => {
                p.parse().ok().map(|period| SyncRequirement::DisabledForPeriod { period })
            }
            _ => None,
        }
    }

    /// I3 and the payroll gate: the requirement applies to `p` when it is `active` or
    /// disabled for another period.
    pub fn applies_to(&self, p: PayPeriod) -> bool {
        match self {
            SyncRequirement::Active => true,
            SyncRequirement::DisabledForPeriod { period } => *period != p,
            SyncRequirement::DisabledPermanently => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i3_wire_shapes_match_the_protocol() {
        let p: PayPeriod = "2026-11".parse().unwrap();
        let cases = [
            (SyncRequirement::Active, r#"{"state":"active"}"#),
            (SyncRequirement::DisabledForPeriod { period: p }, r#"{"state":"disabled_for_period","period":"2026-11"}"#),
            (SyncRequirement::DisabledPermanently, r#"{"state":"disabled_permanently"}"#),
        ];
        for (value, json) in cases {
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::from_str::<SyncRequirement>(json).unwrap(), value);
            assert_eq!(SyncRequirement::from_parts(value.state_str(), Some("2026-11")), Some(value));
        }
        assert!(serde_json::from_str::<SyncRequirement>(r#"{"state":"disabled_for_period"}"#).is_err());
        assert!(serde_json::from_str::<SyncRequirement>(r#"{"state":"paused"}"#).is_err());
    }

    #[test]
    fn i3_applies_to_every_period_but_the_disabled_one() {
        let nov: PayPeriod = "2026-11".parse().unwrap();
        let dec: PayPeriod = "2026-12".parse().unwrap();
        assert!(SyncRequirement::Active.applies_to(nov));
        assert!(!SyncRequirement::DisabledForPeriod { period: nov }.applies_to(nov));
        assert!(SyncRequirement::DisabledForPeriod { period: nov }.applies_to(dec));
        assert!(!SyncRequirement::DisabledPermanently.applies_to(nov));
    }
}
