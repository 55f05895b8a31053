//! Flinks Desk's core, free of Tauri: the app, the tests and any other front end call this.
//!
//! It starts the built-in Flinks Capital sandbox on loopback and runs the Flinks flow through
//! `flinks-client` against it or any Flinks environment, exactly the same way, keeping every run,
//! its values and every request in a SQLite store and every secret in the OS keyring.

pub mod catalog;
pub mod charts;
mod desk;
mod error;
pub mod export;
pub mod flow;
pub mod secrets;
pub mod store;

pub use charts::{Chart, ChartError};
pub use desk::connect::CONNECT_REDIRECT;
pub use desk::environments::{EnvironmentEdit, EnvironmentSettings};
pub use desk::live::{LiveSignIn, SignInStep};
pub use desk::{
    AttributeChoice, AttributeRow, BuiltinOptions, ComparedRow, Comparison, CustomerView, Desk,
    EnvironmentView, Explanation, ExportSummary, NewEnvironment, PackageView, PortfolioEntry,
    PortfolioEvent, PortfolioResult, RunResult, SummaryItem,
};
pub use error::{DeskError, ErrorView};
pub use export::CsvOptions;
pub use flinks_client::Package;
pub use flow::RunEvent;
pub use secrets::{KeyringStore, MemoryStore, SecretError, SecretStore};
pub use store::{LedgerEntry, LedgerTotals, RunRecord, RunStatus, Store, StoreError, StoredDetail};
