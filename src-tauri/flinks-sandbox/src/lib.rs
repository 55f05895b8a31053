//! The Flinks Capital sandbox: a Flinks-compatible HTTP server on loopback.
//!
//! It serves the paths and JSON of `shared/flinks-api.md` for synthetic Flinks Capital customers
//! whose transactions are generated from a fixed seed, and computes attributes from those
//! transactions. It shares no types with `flinks-client` on purpose: each side is written from
//! the documentation, and the contract tests hold them together.

pub mod capital;
pub mod catalog;
pub mod classify;
pub mod engine;
mod fault_rules;
pub mod faults;
pub mod model;
mod pdf;
pub mod personas;
mod server;
pub mod statements;
mod vocabulary;

pub use faults::{FaultKind, FaultRule, Stage, FAULT_HEADER};
pub use server::{Advert, Sandbox, SandboxConfig, DEFAULT_PORT, INSTITUTION, TOOLBOX_CUSTOMER_ID};
