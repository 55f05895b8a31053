use crate::store::tests::{customer, store, value};
use crate::store::{Completion, RunStatus, StoredDetail};

fn detail(name: &str, id: &str) -> StoredDetail {
    StoredDetail {
        name: name.into(),
        account_id: Some("a".into()),
        transaction_id: Some(id.into()),
        date: "2026-11-01".into(),
        description: Some("NSF FEE".into()),
        debit: Some("48".into()),
        credit: None,
        balance: Some("-12.5".into()),
    }
}

#[test]
fn a_completed_run_keeps_its_values_in_order() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "credit-risk").unwrap();
    let values = [
        value("balance_min", "-153.74", Some(-153.74)),
        value("employer_name", "Dollarama", None),
    ];
    store
        .complete_run(
            run,
            &Completion {
                request_id: "r1",
                duration_ms: 12,
                accounts: 1,
                transactions: 370,
                values: &values,
                details: &[
                    detail("count_nsf_90_days", "t1"),
                    detail("count_nsf_90_days", "t2"),
                ],
            },
        )
        .unwrap();
    assert_eq!(store.values(run).unwrap(), values);
    let behind = store.details(run, "count_nsf_90_days").unwrap();
    assert_eq!(
        behind
            .iter()
            .map(|d| d.transaction_id.as_deref())
            .collect::<Vec<_>>(),
        [Some("t1"), Some("t2")]
    );
    assert_eq!(store.detail_counts(run).unwrap()["count_nsf_90_days"], 2);
    let record = store.run(run).unwrap();
    assert_eq!(record.status, RunStatus::Completed);
    assert_eq!(record.values, 2);
    assert_eq!(record.request_id.as_deref(), Some("r1"));
    assert_eq!(store.history(10).unwrap()[0].id, run);
}

#[test]
fn a_failed_write_leaves_the_run_running_and_no_values() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "credit-risk").unwrap();
    // The same (scope, name) twice violates the primary key halfway through the writes.
    let values = [value("a", "1", Some(1.0)), value("a", "2", Some(2.0))];
    let done = Completion {
        request_id: "r",
        duration_ms: 1,
        accounts: 1,
        transactions: 1,
        values: &values,
        details: &[],
    };
    assert!(store.complete_run(run, &done).is_err());
    assert!(
        store.values(run).unwrap().is_empty(),
        "nothing half-written"
    );
    assert_eq!(store.run(run).unwrap().status, RunStatus::Running);
}
