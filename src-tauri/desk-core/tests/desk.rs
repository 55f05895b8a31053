//! The desk against its built-in sandbox over real HTTP: what the app calls, without the app.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::catalog::Unit;
use desk_core::{
    CsvOptions, Desk, MemoryStore, NewEnvironment, Package, PortfolioEvent, RunEvent, RunStatus,
};
use flinks_client::{Environment, FlinksClient, LoginId};
use flinks_sandbox::{Sandbox, SandboxConfig};

fn recorder() -> (Arc<Mutex<Vec<RunEvent>>>, impl Fn(RunEvent) + Send + Sync) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |e| sink.lock().unwrap().push(e))
}

/// A desk on a fresh store; the directory lives as long as the desk.
struct TestDesk {
    desk: Desk,
    dir: tempfile::TempDir,
    secrets: Arc<MemoryStore>,
}

impl std::ops::Deref for TestDesk {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

/// Runs a package to completion.
async fn ran(desk: &Desk, customer: &str, package: Package) -> desk_core::RunResult {
    desk.run(customer, package, &|_| {}).await.unwrap()
}

async fn desk(pending_ms: u64) -> TestDesk {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = common::start_desk_pending(
        &dir.path().join("desk.sqlite3"),
        secrets.clone(),
        Duration::from_millis(pending_ms),
    )
    .await;
    TestDesk { desk, dir, secrets }
}

#[tokio::test]
async fn a_run_reports_each_stage_and_returns_labelled_rows() {
    let desk = desk(120).await;
    let customers = desk.customers();
    assert!(customers.len() >= 3, "at least three customers");
    let (events, progress) = recorder();
    let result = desk
        .run("borrower_nsf", Package::CreditRisk, &progress)
        .await
        .expect("the run succeeds");
    assert!(result.rows.len() >= 10);
    let balance_min = result
        .rows
        .iter()
        .find(|r| r.name == "balance_min")
        .unwrap();
    assert_eq!(balance_min.unit, Unit::Currency);
    assert_eq!(balance_min.label, "Minimum balance (90 days)");
    assert!(balance_min.number.unwrap() < 0.0);
    assert!(result.transactions > 0 && result.accounts > 0);

    let kinds: Vec<&'static str> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| match e {
            RunEvent::Started { .. } => "started",
            RunEvent::Authorizing => "authorizing",
            RunEvent::RequestingAccounts { .. } => "requesting",
            RunEvent::Waiting { .. } => "waiting",
            RunEvent::FetchingAttributes { .. } => "fetching",
            RunEvent::Retrying { .. } => "retrying",
            RunEvent::Reauthorizing => "reauthorizing",
        })
        .collect();
    assert_eq!(&kinds[..3], ["started", "authorizing", "requesting"]);
    assert!(
        kinds.contains(&"waiting"),
        "the pending answer was reported: {kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"fetching"));
}

#[tokio::test]
async fn customers_show_only_the_last_four_of_the_login_id() {
    let desk = desk(0).await;
    let json = serde_json::to_string(&desk.customers()).unwrap();
    for c in desk.customers() {
        assert_eq!(c.login_last4.len(), 4);
    }
    // Every loginId is a GUID; none may appear whole in what the UI receives.
    let guid = regex_like_guid(&json);
    assert!(guid.is_none(), "a whole GUID reached the UI: {guid:?}");
}

fn regex_like_guid(text: &str) -> Option<String> {
    text.as_bytes().windows(36).find_map(|w| {
        let s = std::str::from_utf8(w).ok()?;
        let shape = s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
        shape.then(|| s.to_owned())
    })
}

#[tokio::test]
async fn an_unknown_customer_is_a_clear_error() {
    let desk = desk(0).await;
    let (_, progress) = recorder();
    let err = desk
        .run("nobody", Package::CreditRisk, &progress)
        .await
        .unwrap_err();
    assert_eq!(err.view().code, "customer.unknown");
    assert!(!err.view().hint.is_empty());
}

#[tokio::test]
async fn every_package_runs_and_every_value_is_described_by_the_library() {
    let desk = desk(0).await;
    let (_, progress) = recorder();
    for package in Package::ALL {
        let result = desk
            .run("small_business", package, &progress)
            .await
            .unwrap();
        assert!(!result.rows.is_empty(), "{package:?}");
        let undescribed: Vec<&str> = result
            .rows
            .iter()
            .filter(|r| !r.known)
            .map(|r| r.name.as_str())
            .collect();
        assert!(undescribed.is_empty(), "{package:?}: {undescribed:?}");
    }
    assert!(desk.packages().iter().all(|p| p.available));
    let all = desk.history(1).unwrap();
    assert!(all[0].values >= 300, "All has {} values", all[0].values);
}

#[tokio::test]
async fn a_run_can_be_cancelled_while_pending() {
    let test = desk(60_000).await;
    let desk = Arc::new(test.desk);
    let (events, progress) = recorder();
    let runner = {
        let desk = desk.clone();
        tokio::spawn(async move { desk.run("gig_worker", Package::CreditRisk, &progress).await })
    };
    // Wait until the run is polling, then cancel it by the id it announced.
    let run_id = loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let events = events.lock().unwrap();
        let waiting = events.iter().any(|e| matches!(e, RunEvent::Waiting { .. }));
        if let (true, Some(RunEvent::Started { run_id })) = (waiting, events.first()) {
            break *run_id;
        }
    };
    assert!(desk.cancel(run_id));
    let err = runner.await.unwrap().unwrap_err();
    assert_eq!(err.view().code, "cancelled");
    assert!(
        !desk.cancel(run_id),
        "a finished run cannot be cancelled again"
    );
}

#[tokio::test]
async fn a_run_is_kept_in_the_history_and_reopens_identically() {
    let desk = desk(0).await;
    let first = ran(&desk, "salaried_biweekly", Package::CreditRisk).await;
    let second = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    let history = desk.history(10).unwrap();
    assert_eq!(
        history.iter().map(|r| r.id).collect::<Vec<_>>(),
        [second.run_id, first.run_id]
    );
    assert!(history.iter().all(|r| r.status == RunStatus::Completed));
    assert_eq!(history[1].values as usize, first.rows.len());

    let reopened = desk.open_run(first.run_id).unwrap();
    let pairs = |r: &desk_core::RunResult| {
        r.rows
            .iter()
            .map(|row| (row.name.clone(), row.raw.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(&reopened), pairs(&first));
    assert_eq!(reopened.request_id, first.request_id);
}

#[tokio::test]
async fn every_call_lands_in_the_ledger() {
    let desk = desk(100).await;
    ran(&desk, "gig_worker", Package::CreditRisk).await;
    let ledger = desk.ledger(100, None).unwrap();
    let endpoints: Vec<&str> = ledger.iter().rev().map(|e| e.endpoint.as_str()).collect();
    // The desk reads the attribute library once when it starts, then the run's calls follow.
    assert_eq!(endpoints.first(), Some(&"AttributeLibrary"));
    assert_eq!(endpoints.get(1), Some(&"Authorize"));
    assert_eq!(endpoints.get(2), Some(&"GetAccountsDetail"));
    assert!(
        endpoints.contains(&"GetAccountsDetailAsync"),
        "{endpoints:?}"
    );
    assert_eq!(endpoints.last(), Some(&"GetCreditRiskAttributes"));
    let pending = ledger
        .iter()
        .find(|e| e.endpoint == "GetAccountsDetail")
        .unwrap();
    assert_eq!(
        (pending.status, pending.flinks_code.as_deref()),
        (Some(202), Some("OPERATION_PENDING"))
    );
    assert!(
        ledger.iter().all(|e| !e.billable),
        "the sandbox bills nothing"
    );
}

#[tokio::test]
async fn a_run_exports_to_csv_with_one_row_per_value() {
    let desk = desk(0).await;
    let result = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    let name = desk.export_file_name(result.run_id).unwrap();
    assert!(
        name.ends_with(".csv") && name.contains("credit-risk"),
        "{name}"
    );
    let path = desk.dir.path().join(&name);
    let summary = desk
        .export_csv(result.run_id, &path, CsvOptions::default())
        .unwrap();
    assert_eq!(summary.rows, result.rows.len());
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), result.rows.len());
    let balance = rows.iter().find(|r| &r[4] == "balance_min").unwrap();
    let shown = result
        .rows
        .iter()
        .find(|r| r.name == "balance_min")
        .unwrap();
    assert_eq!(&balance[6], shown.raw.as_str());
    assert_eq!(&balance[0], result.customer_label.as_str());

    // A path that cannot be written is a clear error naming it, and nothing is left behind.
    let bad = desk.dir.path().join("missing-folder").join(&name);
    let err = desk
        .export_csv(result.run_id, &bad, CsvOptions::default())
        .unwrap_err();
    assert_eq!(err.view().code, "export.write");
    assert!(err.view().message.contains("missing-folder"));
}

#[tokio::test]
async fn the_store_holds_no_login_id() {
    let desk = desk(0).await;
    ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    let personas = flinks_sandbox::personas::cast(
        flinks_sandbox::personas::DEFAULT_SEED,
        chrono::Utc::now().date_naive(),
    );
    // SQLite's main file and its WAL: whatever was written is in one of them.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(desk.dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(
        text.contains("borrower_nsf"),
        "the scan reads the real files"
    );
    for p in personas {
        assert!(
            !text.contains(&p.login_id.to_string()),
            "{}'s loginId is in the database",
            p.username
        );
    }
}

#[tokio::test]
async fn explain_lists_the_transactions_behind_a_value() {
    let desk = desk(0).await;
    let result = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    let nsf = result
        .rows
        .iter()
        .find(|r| r.name == "count_nsf_90_days")
        .unwrap();
    assert!(
        nsf.transactions > 0,
        "NSF fees come with their transactions"
    );
    let explained = desk.explain(result.run_id, "count_nsf_90_days").unwrap();
    assert_eq!(
        explained.transactions.len().to_string(),
        explained.raw,
        "one transaction per fee"
    );
    assert!(explained.transactions.iter().all(|t| t
        .description
        .as_deref()
        .unwrap_or("")
        .contains("NSF")));

    // A sum's transactions add up to it.
    let sum = result
        .rows
        .iter()
        .find(|r| r.name.starts_with("sum_employer_income_") && r.transactions > 0)
        .expect("a monthly employer income with transactions");
    let explained = desk.explain(result.run_id, &sum.name).unwrap();
    assert_eq!(explained.gross, sum.raw, "{}", sum.name);

    assert_eq!(
        desk.explain(result.run_id, "no_such_attribute")
            .unwrap_err()
            .view()
            .code,
        "attribute.unknown"
    );
}

/// A second Flinks-compatible server, as a private instance would be.
async fn private_instance() -> Sandbox {
    Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec!["private-customer-id".into()],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn database_text(dir: &std::path::Path) -> String {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    String::from_utf8_lossy(&bytes).to_lowercase()
}

#[tokio::test]
async fn a_private_environment_keeps_its_keys_and_login_ids_in_the_keyring_only() {
    let desk = desk(0).await;
    let instance = private_instance().await;
    let envs = desk.environments();
    assert_eq!(envs[0].kind, desk_core::store::EnvironmentKind::Builtin);
    assert_eq!(envs[1].kind, desk_core::store::EnvironmentKind::Toolbox);
    assert!(
        envs[1].has_secret_key && envs[1].has_api_key,
        "toolbox prefilled"
    );

    let secret_key = "sk-5b1c0f64-9f7e-4b8e-a0a3-2f7f0c1d9e11";
    let env = desk
        .add_environment(NewEnvironment {
            name: "Acme Lending (staging)".into(),
            api_base_url: instance.base_url(),
            customer_id: "private-customer-id".into(),
            production: false,
            secret_key: Some(secret_key.into()),
            api_key: Some("xk-8d1f".into()),
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap();
    assert!(env.has_secret_key && env.has_api_key);
    let login = instance
        .personas()
        .iter()
        .find(|p| p.username == "borrower_nsf")
        .unwrap()
        .login_id
        .to_string();
    let customer = desk
        .add_customer(&env.key, "Kevin (staging)", LoginId::new(&login))
        .unwrap();
    assert_eq!(customer.login_last4, &login[login.len() - 4..]);

    let (_, progress) = recorder();
    let result = desk
        .run(&customer.id, Package::CreditRisk, &progress)
        .await
        .unwrap();
    assert_eq!(result.environment, "Acme Lending (staging)");
    assert!(result.rows.len() >= 10);

    let names = desk.secrets.names();
    assert!(names.iter().any(|n| n.starts_with("secret-key:")));
    assert!(names.iter().any(|n| n.starts_with("login-id:")));
    let text = database_text(desk.dir.path());
    assert!(
        text.contains("acme lending"),
        "the scan reads the real files"
    );
    assert!(
        !text.contains(&login.to_lowercase()),
        "the loginId is in the database"
    );
    assert!(
        !text.contains(secret_key),
        "the secret key is in the database"
    );

    // Right after an Authorize Flinks answers CARD_IN_USE: nothing may change then.
    let err = desk.remove_customer(&customer.id).await.unwrap_err();
    assert_eq!(err.view().code, "flinks.card_in_use", "{err}");
    assert!(
        desk.customers().iter().any(|c| c.id == customer.id),
        "still here"
    );
    assert!(
        desk.secrets
            .names()
            .iter()
            .any(|n| n.starts_with("login-id:")),
        "still in the keyring"
    );
    assert_eq!(
        desk.history(10).unwrap()[0].customer_label,
        "Kevin (staging)"
    );

    tokio::time::sleep(instance.config().card_in_use_for + Duration::from_millis(100)).await;
    desk.remove_customer(&customer.id).await.unwrap();
    assert!(desk.customers().iter().all(|c| c.id != customer.id));
    // Flinks forgot the loginId too.
    let client =
        FlinksClient::new(Environment::new(&instance.base_url(), "private-customer-id").unwrap())
            .unwrap();
    let gone = client
        .authorize_cached(&LoginId::new(&login), None)
        .await
        .unwrap_err();
    assert_eq!(gone.code().map(|c| c.as_str()), Some("INVALID_LOGIN"));
    assert!(
        !desk
            .secrets
            .names()
            .iter()
            .any(|n| n.starts_with("login-id:")),
        "its keyring entry is gone"
    );
}

#[tokio::test]
async fn a_locked_keyring_saves_nothing_and_says_what_to_do() {
    let desk = desk(0).await;
    let env = desk
        .add_environment(NewEnvironment {
            name: "Acme".into(),
            api_base_url: "https://acme-api.private.fin.ag".into(),
            customer_id: "c".into(),
            production: true,
            secret_key: None,
            api_key: None,
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap();
    assert!(env.production);
    desk.secrets
        .unavailable
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let before = desk.customers().len();
    let err = desk
        .add_customer(
            &env.key,
            "Someone",
            LoginId::new("5e115eac-1209-4f19-641c-08d6d484e2fe"),
        )
        .unwrap_err();
    assert_eq!(err.view().code, "keyring.unavailable");
    assert!(err.view().hint.contains("plain text"));
    assert_eq!(
        desk.customers().len(),
        before,
        "no customer without its loginId in the keyring"
    );
}

#[tokio::test]
async fn bad_input_is_refused_without_echoing_it() {
    let desk = desk(0).await;
    let err = desk
        .add_environment(NewEnvironment {
            name: "X".into(),
            api_base_url: "ftp://nowhere".into(),
            customer_id: "c".into(),
            production: false,
            secret_key: Some("sk-should-not-be-kept".into()),
            api_key: None,
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap_err();
    assert!(err.to_string().contains("https://"), "{err}");
    assert!(desk
        .secrets
        .names()
        .iter()
        .all(|n| !n.contains("secret-key:") || n.ends_with(":toolbox")));
    let env_key = desk.environments()[1].key.clone();
    let typo = "5e115eac-1209-4f19-641c-08d6d484e2f";
    let err = desk
        .add_customer(&env_key, "Someone", LoginId::new(typo))
        .unwrap_err();
    assert_eq!(err.view().code, "input.invalid");
    assert!(
        !err.view().message.contains(typo),
        "the error repeats what was typed"
    );
    assert!(desk
        .add_customer(
            "no-such-environment",
            "x",
            LoginId::new("5e115eac-1209-4f19-641c-08d6d484e2fe")
        )
        .is_err());
    assert!(desk
        .add_customer(
            "builtin",
            "  ",
            LoginId::new("5e115eac-1209-4f19-641c-08d6d484e2fe")
        )
        .is_err());
    assert!(
        desk.remove_customer("borrower_nsf").await.is_err(),
        "the sample cast stays"
    );
}

#[tokio::test]
async fn two_runs_line_up_by_attribute_with_their_difference() {
    let desk = desk(0).await;
    let salaried = ran(&desk, "salaried_biweekly", Package::CreditRisk).await;
    let borrower = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    let c = desk.compare(salaried.run_id, borrower.run_id).unwrap();
    assert_eq!(c.rows.len(), salaried.rows.len());
    let nsf = c
        .rows
        .iter()
        .find(|r| r.name == "count_nsf_90_days")
        .unwrap();
    let left = salaried
        .rows
        .iter()
        .find(|r| r.name == "count_nsf_90_days")
        .unwrap()
        .number
        .unwrap();
    let right = borrower
        .rows
        .iter()
        .find(|r| r.name == "count_nsf_90_days")
        .unwrap()
        .number
        .unwrap();
    assert_eq!(nsf.difference, Some(right - left));
    let employer = c.rows.iter().find(|r| r.name == "employer_name").unwrap();
    assert_eq!(employer.difference, None, "no difference between names");

    // Different packages: what only one side has is still listed, with nothing on the other.
    let income = ran(&desk, "salaried_biweekly", Package::Income).await;
    let c = desk.compare(salaried.run_id, income.run_id).unwrap();
    let only_right = c.rows.iter().filter(|r| r.left.is_none()).count();
    let only_left = c.rows.iter().filter(|r| r.right.is_none()).count();
    assert!(
        only_right > 0 && only_left > 0,
        "{only_left} / {only_right}"
    );
    assert!(c.rows.iter().all(|r| r.left.is_some() || r.right.is_some()));
}

#[tokio::test]
async fn an_instance_that_requires_authorize_tokens_gets_one_per_run_bought_with_its_key() {
    let desk = desk(0).await;
    let instance = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec!["private-customer-id".into()],
        require_authorize_token: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let login = instance.personas()[0].login_id.to_string();
    let new_env = |authorize_tokens, secret_key: Option<String>| NewEnvironment {
        name: format!("Acme tokens={authorize_tokens}"),
        api_base_url: instance.base_url(),
        customer_id: "private-customer-id".into(),
        production: false,
        secret_key: secret_key.map(Into::into),
        api_key: None,
        authorize_tokens,
        settings: Default::default(),
    };
    let refused = desk.add_environment(new_env(true, None)).unwrap_err();
    assert_eq!(refused.view().code, "input.invalid", "{refused}");

    let legacy = desk
        .add_environment(new_env(false, Some(instance.config().secret_key.clone())))
        .unwrap();
    assert!(!legacy.authorize_tokens);
    let customer = desk
        .add_customer(&legacy.key, "Legacy", LoginId::new(&login))
        .unwrap();
    let (_, progress) = recorder();
    let err = desk
        .run(&customer.id, Package::Income, &progress)
        .await
        .unwrap_err();
    assert!(err.view().code.to_string().starts_with("flinks."), "{err}");
    assert!(err.to_string().contains("authorize token"), "{err}");

    let current = desk
        .add_environment(new_env(true, Some(instance.config().secret_key.clone())))
        .unwrap();
    assert!(current.authorize_tokens);
    let customer = desk
        .add_customer(&current.key, "Current", LoginId::new(&login))
        .unwrap();
    for _ in 0..2 {
        // Tokens are single-use: the second run works only if it bought its own.
        let result = desk
            .run(&customer.id, Package::Income, &progress)
            .await
            .unwrap();
        assert!(!result.rows.is_empty());
    }
}

#[tokio::test]
async fn a_portfolio_runs_every_customer_within_its_concurrency_and_exports_one_row_each() {
    let desk = desk(150).await;
    let mut ids: Vec<String> = desk.customers().iter().map(|c| c.id.clone()).collect();
    ids.truncate(5);
    ids.insert(2, "nobody".into());
    let in_flight = Arc::new(Mutex::new((0usize, 0usize)));
    let seen = in_flight.clone();
    let progress = move |e: PortfolioEvent| {
        let mut s = seen.lock().unwrap();
        match e {
            PortfolioEvent::Run {
                event: RunEvent::Started { .. },
                ..
            } => {
                s.0 += 1;
                s.1 = s.1.max(s.0);
            }
            PortfolioEvent::Finished { entry } if entry.run_id.is_some() => s.0 -= 1,
            _ => {}
        }
    };
    let result = desk
        .run_portfolio(&ids, Package::Income, 2, None, &progress)
        .await
        .unwrap();
    assert_eq!(
        result
            .entries
            .iter()
            .map(|e| &e.customer_id)
            .collect::<Vec<_>>(),
        ids.iter().collect::<Vec<_>>(),
        "in the order given"
    );
    assert_eq!(
        (result.completed, result.failed, result.cancelled),
        (5, 1, 0)
    );
    let nobody = &result.entries[2];
    assert_eq!(nobody.status, RunStatus::Failed);
    assert!(nobody.error.is_some() && nobody.run_id.is_none());
    assert_eq!(in_flight.lock().unwrap().1, 2, "two at a time, never more");

    // Each customer's values are the ones a single run gives.
    let first = &result.entries[0];
    let alone = ran(&desk, &first.customer_id, Package::Income).await;
    let in_portfolio = desk.open_run(first.run_id.unwrap()).unwrap();
    let values = |r: &desk_core::RunResult| {
        r.rows
            .iter()
            .map(|row| (row.name.clone(), row.raw.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&alone), values(&in_portfolio));

    let run_ids: Vec<i64> = result.entries.iter().filter_map(|e| e.run_id).collect();
    let path = desk.dir.path().join("portfolio.csv");
    let summary = desk
        .export_portfolio_csv(&run_ids, &path, CsvOptions::default())
        .unwrap();
    assert_eq!(summary.rows, 5);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "customer");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][0], in_portfolio.customer_label);
    for row in &in_portfolio.rows {
        let column = header
            .iter()
            .position(|h| h == row.name || h == format!("{} [{}]", row.name, row.scope))
            .unwrap_or_else(|| panic!("a column for {}", row.name));
        assert_eq!(
            rows[0][column].trim_start_matches('\''),
            row.raw,
            "{}",
            row.name
        );
    }
}

#[tokio::test]
async fn cancelling_a_portfolio_stops_started_and_queued_runs_and_saves_none_as_complete() {
    let desk = Arc::new(desk(60_000).await);
    let ids: Vec<String> = desk
        .customers()
        .iter()
        .map(|c| c.id.clone())
        .take(4)
        .collect();
    assert!(!desk.cancel_portfolio(), "nothing to cancel yet");
    let (waiting, mut waited) = tokio::sync::mpsc::unbounded_channel();
    let progress = move |e: PortfolioEvent| {
        if let PortfolioEvent::Run {
            event: RunEvent::Waiting { .. },
            ..
        } = e
        {
            let _ = waiting.send(());
        }
    };
    let running = {
        let (desk, ids) = (desk.clone(), ids.clone());
        tokio::spawn(async move {
            desk.run_portfolio(&ids, Package::Lending, 2, None, &progress)
                .await
        })
    };
    waited.recv().await.expect("a run reached the wait");
    let second = desk
        .run_portfolio(&ids, Package::Income, 2, None, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(second.code().to_string(), "portfolio.running", "{second}");
    assert!(
        desk.cancel_portfolio(),
        "the desk holds the running portfolio's cancel"
    );
    let result = running.await.unwrap().unwrap();
    assert_eq!(result.cancelled, 4, "{:?}", result.entries);
    assert!(
        !desk.cancel_portfolio(),
        "the finished portfolio let go of its cancel"
    );
    assert!(desk
        .history(10)
        .unwrap()
        .iter()
        .all(|r| r.status != RunStatus::Completed));
}

#[tokio::test]
async fn a_renamed_customer_keeps_its_name_across_restarts_and_in_new_runs() {
    let dir = tempfile::tempdir().unwrap();
    let start = |dir: std::path::PathBuf| async move {
        common::start_desk(&dir.join("desk.sqlite3"), Arc::new(MemoryStore::default())).await
    };
    let desk = start(dir.path().to_owned()).await;
    assert!(desk.rename_customer("borrower_nsf", "  ").is_err());
    let renamed = desk
        .rename_customer("borrower_nsf", "Kevin D. (file 2291)")
        .unwrap();
    assert_eq!(renamed.label, "Kevin D. (file 2291)");
    drop(desk);
    let desk = start(dir.path().to_owned()).await;
    let customer = desk
        .customers()
        .into_iter()
        .find(|c| c.id == "borrower_nsf")
        .unwrap();
    assert_eq!(customer.label, "Kevin D. (file 2291)");
    let run = ran(&desk, "borrower_nsf", Package::Income).await;
    assert_eq!(run.customer_label, "Kevin D. (file 2291)");
}

#[tokio::test]
async fn an_environment_can_be_checked_and_removed_with_its_keys_and_customers() {
    let desk = desk(0).await;
    let instance = private_instance().await;
    let login = instance.personas()[0].login_id.to_string();
    let env = desk
        .add_environment(NewEnvironment {
            name: "Acme (to remove)".into(),
            api_base_url: instance.base_url(),
            customer_id: "private-customer-id".into(),
            production: false,
            secret_key: Some(instance.config().secret_key.clone().into()),
            api_key: Some("xk-remove".into()),
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap();
    let said = desk.check_environment(&env.key).await.unwrap();
    assert!(said.contains("secret key buys authorize tokens"), "{said}");
    let customer = desk
        .add_customer(&env.key, "Temp", LoginId::new(&login))
        .unwrap();
    ran(&desk, &customer.id, Package::Income).await;

    // A wrong customerId or an unreachable URL is an error that says so.
    let wrong = desk
        .add_environment(NewEnvironment {
            name: "Wrong customerId".into(),
            api_base_url: instance.base_url(),
            customer_id: "nobody-here".into(),
            production: false,
            secret_key: None,
            api_key: None,
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap();
    assert!(desk.check_environment(&wrong.key).await.is_err());
    assert!(desk.check_environment("builtin").await.is_ok());

    assert!(desk.remove_environment("builtin").is_err());
    assert!(desk.remove_environment("toolbox").is_err());
    desk.remove_environment(&env.key).unwrap();
    assert!(desk.environments().iter().all(|e| e.key != env.key));
    assert!(desk.customers().iter().all(|c| c.id != customer.id));
    let names = desk.secrets.names();
    assert!(
        names.iter().all(|n| !n.contains(&env.key)),
        "keys and loginIds left the keyring: {names:?}"
    );
    assert!(desk
        .history(50)
        .unwrap()
        .iter()
        .all(|r| r.customer_label != "Temp"));
    // Flinks still has the customer: removing an environment deletes nothing there.
    let still =
        FlinksClient::new(Environment::new(&instance.base_url(), "private-customer-id").unwrap())
            .unwrap()
            .authorize_cached(&LoginId::new(login), None)
            .await;
    assert!(still.is_ok());
}

#[tokio::test]
async fn a_custom_request_returns_the_attributes_picked_in_order_with_what_is_behind_them() {
    let desk = desk(0).await;
    let choices = desk.attribute_choices("builtin").await.unwrap();
    assert!(
        choices.len() > 100,
        "the library offers the sandbox's attributes"
    );
    assert!(choices.iter().all(|c| !c.label.is_empty()));
    let picked = [
        "count_nsf_90_days",
        "average_monthly_employer_income_complex",
        " ",
        "balance_min",
        "COUNT_NSF_90_DAYS",
    ]
    .map(String::from);
    let custom = desk
        .run_custom("borrower_nsf", &picked, &|_| {})
        .await
        .unwrap();
    assert_eq!(custom.package, "Custom");
    let names: Vec<&str> = custom.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "count_nsf_90_days",
            "average_monthly_employer_income_complex",
            "balance_min"
        ],
        "in the order picked, once each"
    );
    // The same values as the package that has them.
    let package = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    for row in &custom.rows {
        let same = package.rows.iter().find(|r| r.name == row.name).unwrap();
        assert_eq!(row.raw, same.raw, "{}", row.name);
    }
    let nsf = desk.explain(custom.run_id, "count_nsf_90_days").unwrap();
    assert_eq!(
        nsf.transactions.len().to_string(),
        custom.rows[0].raw,
        "explain works on a custom run"
    );
    assert_eq!(desk.open_run(custom.run_id).unwrap().package, "Custom");
    let none = desk
        .run_custom("borrower_nsf", &[" ".to_owned()], &|_| {})
        .await
        .unwrap_err();
    assert_eq!(none.view().code, "input.invalid");
    assert!(desk.packages().iter().any(|p| p.slug == "custom"));
}

#[tokio::test]
async fn each_customer_shows_when_its_latest_completed_run_ended() {
    let desk = desk(0).await;
    let last_run = |id: &str| {
        desk.customers()
            .into_iter()
            .find(|c| c.id == id)
            .unwrap()
            .last_run
    };
    assert_eq!(last_run("gig_worker"), None, "never run");
    let first = ran(&desk, "gig_worker", Package::Income).await;
    let second = ran(&desk, "gig_worker", Package::Lending).await;
    let finished = desk.history(10).unwrap();
    let ended = |run_id: i64| {
        finished
            .iter()
            .find(|r| r.id == run_id)
            .unwrap()
            .finished_at
            .clone()
    };
    assert!(ended(second.run_id) >= ended(first.run_id));
    assert_eq!(last_run("gig_worker"), ended(second.run_id), "the latest");
    assert_eq!(last_run("salaried_biweekly"), None, "others unchanged");
}
