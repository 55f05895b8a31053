//! Flinks Desk's core, free of Tauri: the app, the tests and any other front end call this.
//!
//! For now it serves the built-in Flinks Capital sandbox: it starts the sandbox on loopback and
//! runs the Flinks flow against it through `flinks-client`, exactly as it would against Flinks.

pub mod catalog;
mod desk;
mod error;
pub mod flow;

pub use desk::{
    AttributeRow, BuiltinOptions, CustomerView, Desk, EnvironmentView, PackageView, RunResult,
};
pub use error::{DeskError, ErrorView};
pub use flinks_client::Package;
pub use flow::RunEvent;
