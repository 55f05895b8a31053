//! Flinks Desk's core, free of Tauri: the app, the tests and any other front end call this.
//!
//! For now it serves the built-in Flinks Capital sandbox: it starts the sandbox on loopback and
//! runs the Flinks flow against it through `flinks-client`, exactly as it would against Flinks,
//! keeping every run, its values and every request in a SQLite store.

pub mod catalog;
pub mod charts;
mod desk;
mod error;
pub mod export;
pub mod flow;
pub mod secrets;
pub mod store;

pub use charts::{Chart, ChartError};
pub use desk::{
    AttributeRow, BuiltinOptions, ComparedRow, Comparison, CustomerView, Desk, EnvironmentView,
    Explanation, ExportSummary, NewEnvironment, PackageView, RunResult,
};
pub use error::{DeskError, ErrorView};
pub use export::CsvOptions;
pub use flinks_client::Package;
pub use flow::RunEvent;
pub use secrets::{KeyringStore, MemoryStore, SecretError, SecretStore};
pub use store::{LedgerEntry, RunRecord, RunStatus, Store, StoreError, StoredDetail};
