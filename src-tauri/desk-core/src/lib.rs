//! Flinks Desk's core, free of Tauri: the app, the tests and any other front end call this.
//!
//! It starts the built-in Flinks Capital sandbox on loopback and runs the Flinks flow through
//! `flinks-client` against it or any Flinks environment, exactly the same way, keeping every run,
//! its values and every request in a SQLite store and every secret in the OS keyring.
//!
//! Layers, each importing only those below it: `team` (the records a lending team shares, the
//! `TeamStore` trait and its PostgreSQL store; it imports nothing else of this crate);
//! `view` and `credit_file` (what front ends and reports read) and `error`;
//! `catalog`, `store` (which implements `TeamStore` for the desk's file), `secrets`, `flow`; `charts` and `export` (which read views); `desk` (the
//! use cases behind the one `Desk` surface).

pub mod catalog;
pub mod charts;
pub mod credit_file;
mod desk;
pub mod endpoint;
mod error;
pub mod export;
pub mod files;
pub mod flow;
pub mod policy_view;
pub mod secrets;
pub mod shipped_policies;
pub mod snapshot;
pub mod store;
pub mod team;
pub mod view;
mod who;

pub use charts::ChartError;
pub use desk::connect::CONNECT_REDIRECT;
pub use desk::environments::{EnvironmentEdit, EnvironmentSettings, NewEnvironment};
pub use desk::live::{LiveSignIn, SignInStep};
pub use desk::production::{PortfolioCost, BILLABLE_CALLS_PER_RUN};
pub use desk::sync::SyncReport;
pub use desk::team::TeamStatus;
pub use desk::{package_named, BuiltinOptions, Desk};
pub use desk_policy::affordability::{AffordabilitySettings, LoanRequest};
pub use desk_policy::policy::{Decision, Policy};
pub use error::{DeskError, ErrorCode, ErrorView};
pub use export::CsvOptions;
pub use flinks_client::{LoginId, Package, Secret};
pub use flow::RunEvent;
pub use policy_view::{
    CellChange, ColumnView, DecisionTableView, PolicyDiff, PolicyDocumentView, PolicySummary,
    PolicyVersionView, RowChange, RowView, TableDiff,
};
pub use secrets::{KeyringStore, MemoryStore, SecretError, SecretStore};
pub use store::{
    AttachedStatement, LedgerEntry, LedgerTotals, RunRecord, RunStatus, Store, StoreError,
    StoredDetail,
};
pub use view::{
    AttributeChoice, AttributeRow, Chart, ComparedRow, Comparison, CustomerView, DecisionChange,
    DecisionSummary, DecisionView, EnvironmentView, Explanation, ExportSummary, HistoryEntry,
    KeyringState, PackageView, PortfolioEntry, PortfolioEvent, PortfolioResult, RunResult,
    SummaryItem, WhatIf,
};
