//! The HTTP face of the sandbox: Flinks' paths and JSON shapes (flinks-api.md §2, §3, §7).
//! Request bodies are read with keys in any case, as ASP.NET-backed Flinks does; replies use
//! Flinks' PascalCase.
//!
//! `routes` names every path and `wire` holds how Flinks reads and answers; `config` and `state`
//! are what an instance starts with and what it remembers. One module per endpoint family
//! answers: `authorize`, `accounts`, `statements`, `attributes`, `refresh` (scheduled refresh and
//! security questions), `delete_card`, `connect` (the browser pages, which sign in through
//! `authorize`) and `admin` (the sandbox's own paths). `router` mounts them
//! behind the customer and key checks and the fault middleware of [`crate::faults`]; `lifecycle`
//! starts and stops the server. Only `router` knows the middleware, so the middleware can use
//! `state` and `routes` without an import circle. `cards` holds the attribute cards a session
//! keeps, below both `state` and `attributes`.

// Early returns carry a ready axum `Response`; boxing it would buy nothing on a loopback server.
#![allow(clippy::result_large_err)]

mod accounts;
mod admin;
mod attributes;
mod authorize;
mod cards;
mod config;
mod connect;
mod delete_card;
mod detail_options;
mod lifecycle;
mod refresh;
mod router;
pub(crate) mod routes;
pub(crate) mod state;
mod statements;
pub(crate) mod wire;

pub use admin::Advert;
pub use config::{SandboxConfig, DEFAULT_PORT, INSTITUTION, TOOLBOX_CUSTOMER_ID};
pub use lifecycle::Sandbox;
