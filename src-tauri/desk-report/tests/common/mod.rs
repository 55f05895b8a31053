//! What the workbook tests share: a desk on the built-in sandbox over real HTTP, answering at
//! once, its store in a temporary directory.
// Each test file is its own crate and uses only part of this.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use desk_core::credit_file::CreditFile;
use desk_core::{BuiltinOptions, Desk, LoanRequest, MemoryStore, Package, Store};

pub const PERSONAL_LOAN: &[u8] = include_bytes!("../../../desk-policy/policies/personal-loan.json");

pub async fn start_desk(dir: &Path) -> Desk {
    Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: Duration::ZERO,
            poll_interval: Duration::from_millis(30),
        },
        Store::open(&dir.join("desk.sqlite3")).unwrap(),
        Arc::new(MemoryStore::default()),
    )
    .await
    .expect("the built-in sandbox starts")
}

/// `customer`'s Lending run, decided with the shipped personal-loan policy (with `loan`'s
/// affordability when given), gathered as its credit file.
pub async fn decided_file(desk: &Desk, customer: &str, loan: Option<&LoanRequest>) -> CreditFile {
    let run_id = desk
        .run(customer, Package::Lending, &|_| {})
        .await
        .unwrap()
        .run_id;
    desk.decide(run_id, "Personal loan", PERSONAL_LOAN, loan)
        .unwrap();
    desk.credit_file(run_id).unwrap()
}
