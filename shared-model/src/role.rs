//! The four roles of a person in an organisation.

use serde::{Deserialize, Serialize};

/// What a person may do: staff stamp, team leads read their team, managers run payroll,
/// admins manage devices and people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    TeamLead,
    Employee,
}

impl Role {
    /// The wire and database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::TeamLead => "team_lead",
            Role::Employee => "employee",
        }
    }

    /// Parses the wire and database spelling.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "team_lead" => Some(Role::TeamLead),
            "employee" => Some(Role::Employee),
            _ => None,
        }
    }

    /// Admins and managers govern devices and may uninstall a tablet with their personnummer.
    pub fn is_manager_or_admin(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_its_spelling() {
        for r in [Role::Admin, Role::Manager, Role::TeamLead, Role::Employee] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
