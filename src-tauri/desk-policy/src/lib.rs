//! Flinks Desk's underwriting policies, free of the store, the client and Tauri: a policy is a
//! GoRules JDM decision graph (`policy`), evaluated over a run's attributes plus the
//! affordability figures (`affordability`) into pass / refer / decline with reasons.
//!
//! Its own crate rather than a module of desk-core so the expression engine compiles once, apart
//! from the desk, and the policy rules can be tested without a sandbox or a database.

pub mod affordability;
pub mod policy;
