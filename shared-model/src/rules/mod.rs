//! The time rules of REQUIREMENTS.md (sections A–H and L) as pure functions.
