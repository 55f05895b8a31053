//! `Desk::credit_file`: what a report of a run carries, gathered from the store — the run's
//! values, its latest decision with the transactions behind each reason, the accounts by last
//! four — the same whenever it is gathered, and with no secret in it.

mod common;

use std::sync::Arc;

use desk_core::{Desk, LoanRequest, MemoryStore, Package, SecretStore};
use rust_decimal::Decimal;

const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");

async fn run(desk: &Desk, customer: &str) -> i64 {
    desk.run(customer, Package::Lending, &|_| {})
        .await
        .unwrap()
        .run_id
}

#[tokio::test]
async fn a_decided_run_s_file_has_its_values_reasons_and_the_transactions_behind_them() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = common::start_desk(&dir.path().join("desk.sqlite3"), secrets.clone()).await;
    let run_id = run(&desk, "borrower_nsf").await;
    let loan = LoanRequest::personal(Decimal::from(10_000), Decimal::new(799, 2), 5);
    let decided = desk
        .decide(run_id, "Personal loan", PERSONAL_LOAN, Some(&loan))
        .unwrap();
    let file = desk.credit_file(run_id).unwrap();
    let opened = desk.open_run(run_id).unwrap();

    assert_eq!(file.rows.len(), opened.rows.len());
    assert!(file
        .rows
        .iter()
        .zip(&opened.rows)
        .all(|(a, b)| a.name == b.name && a.raw == b.raw));
    let decision = file.decision.as_ref().expect("the run was decided");
    assert_eq!(decision.summary.decision, decided.summary.decision);
    assert_eq!(decision.reasons.len(), decided.reasons.len());
    assert!(!decision.reasons.is_empty(), "borrower_nsf has reasons");
    for evidence in &decision.reasons {
        let behind = desk.explain(run_id, &evidence.reason.attribute);
        match behind {
            Ok(e) => assert_eq!(evidence.transactions.len(), e.transactions.len()),
            Err(_) => assert!(evidence.transactions.is_empty()),
        }
    }
    assert!(
        decision.reasons.iter().any(|r| !r.transactions.is_empty()),
        "an NSF reason shows its NSF transactions"
    );
    let names: Vec<&str> = decision
        .affordability
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert!(names.iter().any(|n| n.contains("TDS")), "{names:?}");

    // Every transaction behind a value once, by date, naming each value it is behind: a
    // value's transactions are the ones naming it, as many as it has and those explain shows.
    let counted: usize = file.rows.iter().map(|r| r.transactions as usize).sum();
    let named: usize = file
        .transactions_behind
        .iter()
        .map(|t| t.values.len())
        .sum();
    assert_eq!(named, counted);
    let distinct: std::collections::HashSet<_> = file
        .transactions_behind
        .iter()
        .map(|t| {
            (
                &t.account_id,
                &t.transaction_id,
                &t.date,
                &t.debit,
                &t.credit,
            )
        })
        .collect();
    assert_eq!(distinct.len(), file.transactions_behind.len(), "each once");
    assert!(
        distinct.len() < counted,
        "some transaction is behind two values"
    );
    assert!(file
        .transactions_behind
        .windows(2)
        .all(|w| w[0].date <= w[1].date));
    for row in file.rows.iter().filter(|r| r.transactions > 0) {
        let mut listed: Vec<_> = file
            .transactions_behind
            .iter()
            .filter(|t| t.values.contains(&row.name))
            .map(|t| {
                (
                    t.transaction_id.clone(),
                    t.date.clone(),
                    t.debit.clone(),
                    t.credit.clone(),
                )
            })
            .collect();
        let mut explained: Vec<_> = desk
            .explain(run_id, &row.name)
            .unwrap()
            .transactions
            .iter()
            .map(|d| {
                (
                    d.transaction_id.clone(),
                    d.date.clone(),
                    d.debit.clone(),
                    d.credit.clone(),
                )
            })
            .collect();
        listed.sort();
        explained.sort();
        assert_eq!(
            listed, explained,
            "{}: the transactions explain shows",
            row.name
        );
    }
    assert!(!file.accounts.is_empty());
    assert!(file
        .accounts
        .iter()
        .all(|a| a.last4.as_ref().is_some_and(|l| l.chars().count() <= 4)));
    assert!(file.data_as_of.len() == 10 && *file.data_as_of <= file.finished_at[..10]);
    assert_eq!(file.provenance.as_of, decided.summary.decided_at);

    // Gathered again: the same file (a report made later is the same report).
    let again = serde_json::to_string(&desk.credit_file(run_id).unwrap()).unwrap();
    let json = serde_json::to_string(&file).unwrap();
    assert_eq!(json, again);

    // No secret of the keyring in it, and the loginId only as its last four characters.
    for name in secrets.names() {
        let secret = secrets.get(&name).unwrap().unwrap();
        assert!(
            !json.contains(secret.expose()),
            "{name} is in the credit file"
        );
    }
    let today = chrono::Utc::now().date_naive();
    let persona = flinks_sandbox::personas::cast(flinks_sandbox::personas::DEFAULT_SEED, today)
        .into_iter()
        .find(|p| p.username == "borrower_nsf")
        .unwrap();
    let login_id = persona.login_id.to_string();
    assert!(!json.contains(&login_id));
    assert_eq!(
        file.login_last4.as_deref(),
        Some(&login_id[login_id.len() - 4..])
    );
}

#[tokio::test]
async fn an_undecided_run_s_file_stands_at_the_run_s_end() {
    let dir = tempfile::tempdir().unwrap();
    let desk = common::start_desk(
        &dir.path().join("desk.sqlite3"),
        Arc::new(MemoryStore::default()),
    )
    .await;
    let run_id = run(&desk, "salaried_biweekly").await;
    let file = desk.credit_file(run_id).unwrap();
    assert!(file.decision.is_none());
    assert_eq!(file.provenance.as_of, file.finished_at);
    assert!(file.provenance.generator.starts_with("Flinks Desk "));
    assert!(!file.production, "the built-in sandbox");
}
