//! stampclock's shared domain model: the wire protocol v1, the ledger's punch events, device
//! governance types, personnummer, pay periods and the time rules. Pure: no I/O, no clock reads.

pub mod device_auth;
pub mod error;
pub mod error_code;
pub mod pay_period;
pub mod personnummer;
pub mod policy;
pub mod punch;
pub mod role;
pub mod rules;
pub mod secret_hash;
pub mod sync_requirement;
pub mod wire;

pub use error::ModelError;
pub use error_code::ErrorCode;
pub use pay_period::PayPeriod;
pub use personnummer::{Personnummer, PersonnummerKind};
pub use policy::Policy;
pub use punch::{PunchEvent, PunchKind};
pub use role::Role;
pub use sync_requirement::SyncRequirement;
