//! The Tauri commands on Tauri's mock runtime (as tauri's own tests do): the page's calls go
//! through the real IPC handler, argument names and all, to a desk on the built-in sandbox with
//! a throwaway store and keyring. What the end-to-end tests check in the real window, these
//! check without one: a run's result, an error reaching the page as `{code, message, hint}`,
//! cancel, and the credit files written where exports go.

use std::sync::Arc;
use std::time::Duration;

use desk_core::{BuiltinOptions, Desk, ErrorView, MemoryStore, Store};
use serde_json::{json, Value};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Window {
    // Kept alive for the window's sake, and the data folder's.
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn app(pending: Duration) -> Window {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flinks-desk.sqlite3");
    let start = move |_: &App<MockRuntime>| -> Result<Arc<Desk>, ErrorView> {
        let options = BuiltinOptions {
            port: None,
            pending_for: pending,
            poll_interval: Duration::from_millis(50),
        };
        let store = Store::open(&path).map_err(desk_core::DeskError::from)?;
        let desk = tauri::async_runtime::block_on(Desk::start(
            options,
            store,
            Arc::new(MemoryStore::default()),
        ))?;
        Ok(Arc::new(desk))
    };
    let mut app = flinks_desk::setup_with(mock_builder(), start)
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    // One turn of the (mock) event loop runs the app's setup, which starts the desk and
    // manages its state, as the real loop does at start.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Window {
        _app: app,
        window,
        _dir: dir,
    }
}

impl Window {
    /// What the page's `invoke(cmd, args)` gets: the value, or the rejection.
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke(&self.window, cmd, args)
    }
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    tauri::test::get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

#[test]
fn a_run_through_the_command_returns_what_the_store_keeps() {
    let app = app(Duration::ZERO);
    let run = app
        .invoke(
            "run_package",
            json!({"customerId": "salaried_biweekly", "package": "credit-risk", "onEvent": "__CHANNEL__:1"}),
        )
        .expect("the run completes");
    assert_eq!(run["package"], "Credit Risk");
    let rows = run["rows"].as_array().unwrap();
    assert!(rows.len() > 10, "{} rows", rows.len());
    // The page reopens the same run from the history and must read the same values.
    let opened = app
        .invoke("open_run", json!({"runId": run["runId"]}))
        .unwrap();
    assert_eq!(opened["rows"], run["rows"]);
    let history = app.invoke("history", json!({})).unwrap();
    assert_eq!(history[0]["id"], run["runId"], "{history}");
}

#[test]
fn errors_reach_the_page_as_code_message_and_hint() {
    let app = app(Duration::ZERO);
    let bad_package = app
        .invoke(
            "run_package",
            json!({"customerId": "salaried_biweekly", "package": "horoscope", "onEvent": "__CHANNEL__:1"}),
        )
        .unwrap_err();
    assert_eq!(bad_package["code"], "package.unknown", "{bad_package}");
    assert!(bad_package["message"]
        .as_str()
        .unwrap()
        .contains("horoscope"));
    assert_eq!(bad_package["hint"], "Pick a package from the list.");

    let nobody = app
        .invoke(
            "run_package",
            json!({"customerId": "nobody", "package": "income", "onEvent": "__CHANNEL__:1"}),
        )
        .unwrap_err();
    assert_eq!(nobody["code"], "customer.unknown", "{nobody}");

    let no_env = app
        .invoke("request_log", json!({"environment": "atlantis"}))
        .unwrap_err();
    assert_eq!(no_env["code"], "environment.unknown", "{no_env}");

    // A pasted loginId that is not one is refused without being repeated back.
    let typo = "not-a-login-id-4f19";
    let refused = app
        .invoke(
            "add_customer",
            json!({"environment": "builtin", "label": "Typo", "loginId": typo}),
        )
        .unwrap_err();
    assert_eq!(refused["code"], "input.invalid", "{refused}");
    assert!(!refused.to_string().contains(typo), "{refused}");
}

#[test]
fn cancel_stops_a_run_waiting_on_flinks() {
    let app = app(Duration::from_secs(60));
    let window = app.window.clone();
    let running = std::thread::spawn(move || {
        invoke(
            &window,
            "run_package",
            json!({"customerId": "gig_worker", "package": "income", "onEvent": "__CHANNEL__:1"}),
        )
    });
    let run_id = (0..200)
        .find_map(|_| {
            let history = app.invoke("history", json!({})).unwrap();
            let id = history
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["status"] == "running")
                .map(|r| r["id"].clone());
            if id.is_none() {
                std::thread::sleep(Duration::from_millis(50));
            }
            id
        })
        .expect("the run started");
    assert_eq!(
        app.invoke("cancel_run", json!({"runId": run_id})).unwrap(),
        true
    );
    let ended = running.join().unwrap().unwrap_err();
    assert_eq!(ended["code"], "cancelled", "{ended}");
    assert_eq!(
        app.invoke("cancel_run", json!({"runId": run_id})).unwrap(),
        false,
        "an ended run has nothing to cancel"
    );
    assert_eq!(
        app.invoke("cancel_portfolio", json!({})).unwrap(),
        false,
        "no portfolio is running"
    );
}

#[test]
fn a_refused_policy_reaches_the_page_with_the_cell_to_mark() {
    let w = app(Duration::ZERO);
    let listed = w.invoke("policies", json!({})).unwrap();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "personal-loan" && p["shipped"] == true));
    let opened = w
        .invoke(
            "open_policy",
            json!({"name": "personal-loan", "sha256": null}),
        )
        .unwrap();
    let table = &opened["tables"][0];
    assert_eq!(table["hitPolicy"], "collect");
    let column = table["inputs"][0]["id"].as_str().unwrap().to_owned();
    let mut doc: Value = serde_json::from_str(opened["json"].as_str().unwrap()).unwrap();
    let node = doc["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["id"] == table["nodeId"])
        .unwrap();
    node["content"]["rules"][1][&column] = json!(">= (2");
    let refused = w
        .invoke(
            "save_policy",
            json!({"name": "personal-loan", "document": doc.to_string(), "note": ""}),
        )
        .unwrap_err();
    assert_eq!(refused["code"], "policy.invalid");
    assert!(refused["message"].as_str().unwrap().contains("row 2"));
    assert!(!refused["hint"].as_str().unwrap().is_empty());
    assert_eq!(refused["at"]["node"]["id"], table["nodeId"]);
    assert_eq!(refused["at"]["row"]["index"], 2);
    assert_eq!(refused["at"]["column"]["id"], column.as_str());
    let versions = w
        .invoke("policy_versions", json!({"name": "personal-loan"}))
        .unwrap();
    assert_eq!(versions, json!([]), "nothing stored");

    // Valid: saved, and another error (no such version) has no place to mark.
    let saved = w
        .invoke(
            "save_policy",
            json!({"name": "personal-loan", "document": opened["json"], "note": "as is"}),
        )
        .unwrap();
    assert_eq!(saved["sha256"], opened["sha256"]);
    assert_eq!(saved["alreadySaved"], false);
    let diff = w
        .invoke(
            "diff_policy_versions",
            json!({"name": "personal-loan", "before": saved["sha256"], "after": saved["sha256"]}),
        )
        .unwrap();
    assert_eq!(diff["sameRules"], true);
    let unknown = w
        .invoke("import_policy", json!({"name": "", "text": opened["json"]}))
        .unwrap_err();
    assert_eq!(unknown["code"], "input.invalid");
    assert!(unknown.get("at").is_none());
}

#[test]
fn a_decision_its_override_and_what_if_through_the_commands() {
    let app = app(Duration::ZERO);
    let run = app
        .invoke(
            "run_package",
            json!({"customerId": "borrower_nsf", "package": "lending", "onEvent": "__CHANNEL__:1"}),
        )
        .expect("the run completes");
    let shipped = app.invoke("shipped_policies", json!({})).unwrap();
    let personal = shipped
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "personal-loan")
        .expect("personal-loan is shipped")
        .clone();
    let policy = json!({"name": personal["name"], "document": personal["document"]});

    // A loan typed wrong is the form's error, with a code, not the IPC layer's text.
    let refused = app
        .invoke(
            "decide_run",
            json!({"runId": run["runId"], "policy": policy, "loan": {"amount": "15 000", "annualRate": "9.99", "amortizationYears": 5, "compounding": "monthly"}}),
        )
        .unwrap_err();
    assert_eq!(refused["code"], "input.invalid", "{refused}");

    let decided = app
        .invoke(
            "decide_run",
            json!({"runId": run["runId"], "policy": policy, "loan": {"amount": "15000", "annualRate": "9.99", "amortizationYears": 5, "compounding": "monthly"}}),
        )
        .expect("decided");
    assert_eq!(decided["decision"], "decline", "{decided}");
    assert!(!decided["reasons"].as_array().unwrap().is_empty());
    assert!(decided["affordability"]["formulas"].is_array());

    let empty = app
        .invoke(
            "override_decision",
            json!({"decisionId": decided["id"], "decision": "refer", "comment": "  "}),
        )
        .unwrap_err();
    assert_eq!(empty["code"], "input.invalid", "{empty}");
    let overridden = app
        .invoke(
            "override_decision",
            json!({"decisionId": decided["id"], "decision": "refer", "comment": "Fees refunded."}),
        )
        .expect("overridden");
    assert_eq!(overridden["finalDecision"], "refer");

    let decisions = app
        .invoke("run_decisions", json!({"runId": run["runId"]}))
        .unwrap();
    assert_eq!(decisions[0]["id"], overridden["id"], "newest first");
    let history = app.invoke("history", json!({})).unwrap();
    assert_eq!(history[0]["id"], run["runId"]);
    assert_eq!(history[0]["decision"]["finalDecision"], "refer");

    let what_if = app
        .invoke(
            "what_if",
            json!({"document": personal["document"], "package": "Lending"}),
        )
        .unwrap();
    assert_eq!(what_if["evaluated"], 1);
    assert_eq!(what_if["changed"], 0);
}

#[test]
fn credit_files_through_the_commands_land_in_the_export_folder() {
    let app = app(Duration::ZERO);
    let out = tempfile::tempdir().unwrap();
    // The one test here that exports: the native dialogs give way to this folder.
    std::env::set_var("FLINKS_DESK_EXPORT_DIR", out.path());
    let mut runs = Vec::new();
    for customer in ["borrower_nsf", "salaried_biweekly", "gig_worker"] {
        let run = app
            .invoke(
                "run_package",
                json!({"customerId": customer, "package": "lending", "onEvent": "__CHANNEL__:1"}),
            )
            .expect("the run completes");
        runs.push(run["runId"].as_i64().unwrap());
    }
    for (kind, magic) in [("pdf", &b"%PDF-"[..]), ("xlsx", &b"PK\x03\x04"[..])] {
        let written = app
            .invoke("export_report", json!({"runId": runs[0], "kind": kind}))
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let path = written["paths"][0].as_str().unwrap();
        assert!(path.starts_with(&*out.path().to_string_lossy()), "{path}");
        assert!(path.ends_with(&format!(".{kind}")), "{path}");
        let bytes = std::fs::read(path).unwrap();
        assert!(bytes.starts_with(magic), "{path} is a {kind}");
        assert_eq!(written["bytes"].as_u64(), Some(bytes.len() as u64));
    }
    let refused = app
        .invoke("export_report", json!({"runId": runs[0], "kind": "docx"}))
        .unwrap_err();
    assert!(refused.to_string().contains("docx"), "{refused}");

    let written = app
        .invoke(
            "export_portfolio_reports",
            json!({"runIds": runs, "package": "lending"}),
        )
        .unwrap();
    let paths: Vec<&str> = written["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        paths.len(),
        4,
        "a PDF per customer and one workbook: {paths:?}"
    );
    assert_eq!(paths.iter().filter(|p| p.ends_with(".pdf")).count(), 3);
    // The workbook (its rows, one per customer, are read back in desk-report's tests).
    let book = paths.iter().find(|p| p.ends_with(".xlsx")).unwrap();
    assert!(std::fs::read(book).unwrap().starts_with(b"PK"));
    assert!(paths.iter().all(|p| std::path::Path::new(p).is_file()));
}
