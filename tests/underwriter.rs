//! The underwriter's path through the real window: pick a customer, pick a package, Run, read
//! the table, the charts, the transactions behind a value, the history, the export — and check
//! that what the screen says is what the sandbox computes.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flinks_client::{AttributeValue, Environment, FlinksClient, LoginId, Package};
use flinks_desk_e2e::{login_of, parse_shown_number, sandbox_values, values_from, App, Values};
use rust_decimal::{Decimal, RoundingStrategy};

/// Every value cell of the table, read in one round trip: (attribute name, text shown).
async fn shown_values(app: &App) -> Result<Vec<(String, String)>> {
    let script = r#"return [...document.querySelectorAll('[data-testid^="value-"]')]
        .map((td) => [td.dataset.testid.slice('value-'.length), td.textContent]);"#;
    let value = app.client.execute(script, vec![]).await?;
    Ok(serde_json::from_value(value)?)
}

/// NONE_DETECTED is shown as "None detected"; names stay as they are (ui/format.js).
fn enum_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        let words = text.to_lowercase().replace('_', " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        text.to_owned()
    }
}

/// Every value on screen is the sandbox's, to the cent (ratios to the second decimal).
fn assert_screen_matches(shown: &[(String, String)], expected: &Values) -> Result<()> {
    assert_eq!(shown.len(), expected.len(), "one row per attribute");
    for (name, want) in expected {
        let text = &shown
            .iter()
            .find(|(n, _)| n == name)
            .with_context(|| format!("{name} is not on screen"))?
            .1;
        match want {
            AttributeValue::Number(want) => {
                let got =
                    parse_shown_number(text).with_context(|| format!("{name} shows {text:?}"))?;
                let want = want.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                assert!(
                    (got - want).abs() <= Decimal::new(1, 2),
                    "{name}: the screen shows {text:?}, the sandbox says {want}"
                );
            }
            AttributeValue::Text(want) => assert_eq!(text, &enum_word(want), "{name}"),
            AttributeValue::Bool(_) | AttributeValue::Null => {}
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn credit_risk_for_a_customer_matches_the_sandbox() -> Result<()> {
    let app = App::start(2_000).await?;
    let outcome = underwriter_path(&app).await;
    let shot = app.screenshot("credit-risk").await;
    if outcome.is_err() {
        app.save_source("credit-risk").await;
    }
    app.close().await?;
    let shot = shot?;
    eprintln!("screenshot: {}", shot.display());
    outcome
}

async fn underwriter_path(app: &App) -> Result<()> {
    let customer = "borrower_nsf";
    let saw_waiting = app.run_on_screen(customer, "credit-risk").await?;
    // The sandbox answers OPERATION_PENDING for 2 s, and the screen must say so.
    assert!(
        saw_waiting,
        "the 202 OPERATION_PENDING wait was never shown"
    );
    let env = app.by_testid("environment-select").await?;
    assert_eq!(env.prop("value").await?.as_deref(), Some("builtin"));
    let where_ = app
        .client
        .execute(
            // textContent, not WebDriver's rendered text: the header line may be ellipsized.
            "return document.getElementById('environment').textContent;",
            vec![],
        )
        .await?;
    let where_ = where_.as_str().unwrap_or_default().to_owned();
    assert!(where_.contains("offline"), "the header says {where_:?}");

    // The customer's line now says when its data was last fetched.
    let about = app.by_testid("customer-story").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !about.text().await?.contains("Last run") {
        if Instant::now() > deadline {
            bail!("the customer line says {:?}", about.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Copy RequestId: the one in the summary, for Flinks support.
    let summary = app.by_testid("summary").await?.text().await?;
    let request_id = summary
        .split("RequestId ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .with_context(|| format!("no RequestId in {summary:?}"))?
        .to_owned();
    app.by_testid("copy-request-id").await?.click().await?;
    // Pasted (Ctrl+V) into the filter box, as a person would: the page may not read the
    // clipboard itself.
    let filter = app.by_testid("filter").await?;
    filter.send_keys("\u{E009}v\u{E009}").await?;
    let pasted = filter.prop("value").await?;
    assert_eq!(
        pasted.as_deref(),
        Some(request_id.as_str()),
        "the clipboard"
    );
    filter.clear().await?;
    app.client
        .execute(
            "document.getElementById('filter').dispatchEvent(new Event('input'));",
            vec![],
        )
        .await?;
    let status = app.by_testid("export-status").await?.text().await?;
    assert_eq!(status, format!("RequestId {request_id} copied."));

    let login_id = login_of(customer)?;
    let expected = sandbox_values(app.sandbox_port, &login_id, Package::CreditRisk).await?;
    let expect = |name: &str| {
        expected
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .with_context(|| format!("the sandbox did not compute {name}"))
    };
    assert_screen_matches(&shown_values(app).await?, &expected)?;
    assert!(
        expect("count_nsf_90_days")?.as_decimal() > Some(Decimal::ZERO),
        "the borrower's story has NSF fees"
    );

    // Charts: the monthly employer income chart says, in words, what the table says.
    app.by_testid("charts-toggle").await?.click().await?;
    let chart = app.by_testid("chart-monthly-employer_income").await?;
    let description = chart
        .find(fantoccini::Locator::Css("[data-testid=chart-image]"))
        .await?
        .attr("aria-label")
        .await?
        .unwrap_or_default();
    let this_month = expect("sum_employer_income_current_month")?
        .as_decimal()
        .context("monthly employer income is a number")?;
    let whole = this_month
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_string();
    let grouped = whole
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        description.starts_with("Employer income by month:")
            && description.ends_with(&format!("${grouped}.")),
        "the chart ends on this month's {this_month}: {description}"
    );

    // Explain: the NSF count opens on exactly that many NSF fees.
    app.by_testid("explain-count_nsf_90_days")
        .await?
        .click()
        .await?;
    let dialog = app.by_testid("explain-dialog").await?;
    let fees = dialog
        .find_all(fantoccini::Locator::Css("[data-testid=\"explain-row\"]"))
        .await?;
    let nsf = expect("count_nsf_90_days")?
        .as_decimal()
        .context("a count")?;
    assert_eq!(Decimal::from(fees.len()), nsf, "one row per NSF fee");
    for fee in &fees {
        assert!(fee.text().await?.contains("NSF"), "{}", fee.text().await?);
    }
    app.screenshot("explain").await?;
    app.by_testid("explain-close").await?.click().await?;

    // The run is in the history.
    let history = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"history-item\"]"))
        .await?;
    assert_eq!(history.len(), 1, "one run in the history");
    assert_eq!(
        history[0].attr("data-status").await?.as_deref(),
        Some("completed")
    );

    // Export CSV: one row per attribute, with the values the sandbox computed.
    app.by_testid("export-menu-toggle").await?.click().await?;
    app.by_testid("export-button").await?.click().await?;
    let status = app.by_testid("export-status").await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !status.text().await?.starts_with("Saved") {
        if Instant::now() > deadline {
            bail!("the export never finished: {:?}", status.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let files: Vec<_> = std::fs::read_dir(app.export_dir.path())?.collect::<Result<_, _>>()?;
    assert_eq!(files.len(), 1, "one file exported");
    let file_name = files[0].file_name().to_string_lossy().into_owned();
    assert!(
        file_name.contains("-credit-risk-") && file_name.ends_with(".csv"),
        "{file_name}"
    );
    assert!(!file_name.contains(login_id.expose()) && !file_name.contains(login_id.last4()));
    let mut csv = csv::Reader::from_path(files[0].path())?;
    let records: Vec<csv::StringRecord> = csv.records().collect::<Result<_, _>>()?;
    assert_eq!(records.len(), expected.len(), "one CSV row per attribute");
    for record in &records {
        let want = expect(&record[4])?;
        let got = match want {
            AttributeValue::Number(_) => AttributeValue::Number(record[6].parse()?),
            _ => AttributeValue::Text(record[6].to_owned()),
        };
        assert_eq!(got, want, "{} in the CSV", &record[4]);
    }

    // The request log lists the run's calls, the pending answer included.
    app.by_testid("view-log").await?.click().await?;
    let log = app.by_testid("request-log").await?;
    let rows = log
        .find_all(fantoccini::Locator::Css("[data-testid=\"log-row\"]"))
        .await?;
    let mut lines = Vec::new();
    for row in &rows {
        lines.push(row.text().await?);
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("GetCreditRiskAttributes") && l.contains("200")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("OPERATION_PENDING")),
        "{lines:?}"
    );
    app.screenshot("request-log").await?;
    app.by_testid("view-results").await?.click().await?;

    // Compare: run a second customer, then line it up with the borrower's run.
    app.run_on_screen("salaried_biweekly", "credit-risk")
        .await?;
    let salaried = sandbox_values(
        app.sandbox_port,
        &login_of("salaried_biweekly")?,
        Package::CreditRisk,
    )
    .await?;
    let salaried_nsf = salaried
        .iter()
        .find(|(n, _)| n == "count_nsf_90_days")
        .and_then(|(_, v)| v.as_decimal())
        .context("salaried NSF count")?;
    // The history is redrawn when a run ends: wait for the second run to be listed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let items = loop {
        let items = app
            .client
            .find_all(fantoccini::Locator::Css("#history li"))
            .await?;
        if items.len() == 2 {
            break items;
        }
        if Instant::now() > deadline {
            bail!("the history shows {} runs, not 2", items.len());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    items[1]
        .find(fantoccini::Locator::Css("button.compare"))
        .await?
        .click()
        .await?;
    let diff = app
        .by_testid("diff-count_nsf_90_days")
        .await?
        .text()
        .await?;
    let want = nsf - salaried_nsf;
    let shown = parse_shown_number(&diff).with_context(|| format!("difference shows {diff:?}"))?;
    assert_eq!(
        shown, want,
        "the NSF difference (borrower − salaried) shows {diff:?}"
    );
    // The two runs' shared series, drawn together, each chart naming both customers.
    let labels: Vec<String> = serde_json::from_value(
        app.client
            .execute(
                r#"return [...document.querySelectorAll('[data-testid^="chart-compare-"] svg')]
                    .map((svg) => svg.getAttribute('aria-label'));"#,
                vec![],
            )
            .await?,
    )?;
    assert!(!labels.is_empty(), "the comparison has charts");
    let heads: Vec<String> = serde_json::from_value(
        app.client
            .execute(
                "return ['compare-left-head', 'compare-right-head'].map((id) => document.getElementById(id).textContent);",
                vec![],
            )
            .await?,
    )?;
    for label in &labels {
        assert!(
            heads.iter().all(|h| label.contains(h.as_str())),
            "a comparison chart names both customers {heads:?}: {label}"
        );
    }
    app.screenshot("compare").await?;
    app.client
        .execute(
            // Inside the results pane only: scrollIntoView would also scroll the window itself.
            "const c = document.querySelector('[data-testid^=\"chart-compare-\"]'); const w = c.closest('.table-wrap'); w.scrollTop += c.getBoundingClientRect().top - w.getBoundingClientRect().top;",
            vec![],
        )
        .await?;
    app.screenshot("compare-charts").await?;
    app.by_testid("close-compare").await?.click().await?;

    // The loginId never reaches the webview: not in the page, only its last four characters.
    let page = app.client.source().await?;
    assert!(
        !page.contains(login_id.expose()),
        "the page holds the whole loginId"
    );
    assert!(page.contains(login_id.last4()));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn a_run_stuck_in_pending_can_be_cancelled() -> Result<()> {
    // The sandbox stays OPERATION_PENDING for ten minutes: only Cancel ends this run.
    let app = App::start(600_000).await?;
    let outcome = cancel_path(&app).await;
    if outcome.is_err() {
        let _ = app.screenshot("cancel-failed").await;
        app.save_source("cancel-failed").await;
    }
    app.close().await?;
    outcome
}

async fn cancel_path(app: &App) -> Result<()> {
    app.choose_customer("gig_worker").await?;
    app.by_testid("run-button").await?.click().await?;
    let detail = app.by_testid("progress-detail").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !detail.text().await?.contains("still processing") {
        if Instant::now() > deadline {
            bail!("never saw the pending state: {:?}", detail.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let run = app.by_testid("run-button").await?;
    assert!(
        !run.is_enabled().await?,
        "Run is disabled while a run is in progress"
    );
    app.by_testid("cancel-button").await?.click().await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !detail.text().await?.contains("Run cancelled") {
        if Instant::now() > deadline {
            bail!("cancel did not end the run: {:?}", detail.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        run.is_enabled().await?,
        "Run is offered again after a cancel"
    );
    assert!(!app.by_testid("results-table").await?.is_displayed().await?);
    assert!(
        !app.by_testid("error").await?.is_displayed().await?,
        "a cancel is not an error"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn every_business_analysis_value_matches_the_sandbox() -> Result<()> {
    let app = App::start(0).await?;
    let outcome = async {
        app.run_on_screen("small_business", "business-analysis")
            .await?;
        let expected = sandbox_values(
            app.sandbox_port,
            &login_of("small_business")?,
            Package::BusinessAnalysis,
        )
        .await?;
        assert!(expected.len() > 100, "{} attributes", expected.len());
        assert_screen_matches(&shown_values(&app).await?, &expected)
    }
    .await;
    let _ = app.screenshot("business-analysis").await;
    app.close().await?;
    outcome
}

/// The packages the other tests do not cover on screen value by value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn income_lending_user_analysis_and_all_match_the_sandbox_value_by_value() -> Result<()> {
    let app = App::start(0).await?;
    let customer = "gig_worker";
    let outcome = async {
        for package in [
            Package::Income,
            Package::Lending,
            Package::UserAnalysis,
            Package::All,
        ] {
            app.run_on_screen(customer, package.slug()).await?;
            let expected = sandbox_values(app.sandbox_port, &login_of(customer)?, package).await?;
            assert!(
                expected.len() > 10,
                "{package:?}: {} attributes",
                expected.len()
            );
            assert_screen_matches(&shown_values(&app).await?, &expected)
                .with_context(|| format!("{package:?}"))?;
            let _ = app.screenshot(&format!("package-{}", package.slug())).await;
        }
        Ok(())
    }
    .await;
    if outcome.is_err() {
        app.save_source("packages").await;
    }
    app.close().await?;
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver, tauri-driver and a Secret Service: run it with `cargo desk test`"]
async fn a_private_instance_with_secrets_in_the_keyring() -> Result<()> {
    // The "private instance" is a second Flinks-compatible server that this test runs.
    let instance = flinks_sandbox::Sandbox::start_local(flinks_sandbox::SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec!["e2e-private-customer".into()],
        ..flinks_sandbox::SandboxConfig::default()
    })
    .await?;
    let app = App::start(0).await?;
    let outcome = private_path(&app, &instance).await;
    let _ = app.screenshot("private-environment").await;
    if outcome.is_err() {
        app.save_source("private-environment").await;
    }
    app.close().await?;
    outcome
}

async fn private_path(app: &App, instance: &flinks_sandbox::Sandbox) -> Result<()> {
    let secret_key = format!("sk-e2e-{}", std::process::id());
    let login = instance
        .personas()
        .iter()
        .find(|p| p.username == "borrower_nsf")
        .context("the borrower")?
        .login_id
        .to_string();

    app.by_testid("manage-environments").await?.click().await?;
    app.fill("env-name", "Acme Lending staging").await?;
    app.fill("env-url", &instance.base_url()).await?;
    app.fill("env-customer-id", "e2e-private-customer").await?;
    app.fill("env-api-key", "xk-e2e").await?;
    app.fill("env-secret-key", &secret_key).await?;
    let listed = app.save_environment("Acme Lending staging").await?;
    assert!(listed.contains("secret key in keyring"));
    // Test connection: the instance answers, and refuses this made-up secret key.
    let checks = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid^=\"env-check-\"]"))
        .await?;
    checks
        .last()
        .context("a Test connection button")?
        .click()
        .await?;
    let status = app.by_testid("env-status").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !status.text().await?.contains("401") {
        if Instant::now() > deadline {
            bail!("Test connection said {:?}", status.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("environments").await?;
    app.by_testid("env-close").await?.click().await?;

    let env_key = app
        .by_testid("environment-select")
        .await?
        .prop("value")
        .await?
        .context("an environment is selected")?;
    assert_ne!(env_key, "builtin", "the new environment is selected");

    app.by_testid("add-customer").await?.click().await?;
    app.fill("customer-label", "Kevin at Acme").await?;
    app.fill("customer-login-id", &login).await?;
    app.by_testid("customer-save").await?.click().await?;
    let select = app.by_testid("customer-select").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let customer_key = loop {
        if let Some(v) = select.prop("value").await?.filter(|v| !v.is_empty()) {
            break v;
        }
        if Instant::now() > deadline {
            let error = app.by_testid("customer-error").await?.text().await?;
            bail!("the customer was not added: {error}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    app.run_on_screen(&customer_key, "credit-risk").await?;
    let expected = values_from(
        &instance.base_url(),
        "e2e-private-customer",
        &LoginId::new(login.clone()),
        Package::CreditRisk,
    )
    .await?;
    assert_screen_matches(&shown_values(app).await?, &expected)?;

    // The request log, filtered to this environment: only its calls, and its totals.
    app.by_testid("view-log").await?.click().await?;
    let totals = app
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(&format!(
            "[data-testid=\"totals-row\"][data-environment=\"{env_key}\"]"
        )))
        .await?;
    let totals = totals.text().await?;
    assert!(totals.starts_with("Acme Lending staging"), "{totals}");
    app.by_testid("log-env")
        .await?
        .select_by_value(&env_key)
        .await?;
    let summary = app.by_testid("log-summary").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !summary.text().await?.contains("to Acme Lending staging") {
        if Instant::now() > deadline {
            bail!("the log was not filtered: {}", summary.text().await?);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let environments: Vec<String> = serde_json::from_value(
        app.client
            .execute(
                r#"return [...document.querySelectorAll('[data-testid="log-row"]')]
                    .map((tr) => tr.cells[1].textContent);"#,
                vec![],
            )
            .await?,
    )?;
    // Test connection, Authorize, GetAccountsDetail, the attributes.
    assert!(environments.len() >= 4, "{environments:?}");
    assert!(
        environments.iter().all(|e| e == "Acme Lending staging"),
        "{environments:?}"
    );
    // A word narrows the lines to the calls it names.
    app.fill("log-filter", "unauthorized").await?;
    let shown: Vec<String> = serde_json::from_value(
        app.client
            .execute(
                r#"return [...document.querySelectorAll('[data-testid="log-row"]:not([hidden])')]
                    .map((tr) => tr.cells[2].textContent + ' ' + tr.cells[4].textContent);"#,
                vec![],
            )
            .await?,
    )?;
    assert_eq!(
        shown,
        ["GenerateAuthorizeToken UNAUTHORIZED"],
        "the made-up secret key's refusal, alone"
    );
    let _ = app.screenshot("request-log-filtered").await;
    app.by_testid("view-results").await?.click().await?;

    // Edit the environment: a new name, the keys left blank stay in the keyring.
    app.by_testid("manage-environments").await?.click().await?;
    app.by_testid(&format!("env-edit-{env_key}"))
        .await?
        .click()
        .await?;
    app.fill("env-name", "Acme Lending staging (edited)")
        .await?;
    // The dialog says where calls go before anything is sent, and that a move to another
    // server leaves the keys behind unless they are typed again.
    let host = app.by_testid("env-host").await?.text().await?;
    assert!(
        host.contains(&format!("Calls go to {}", instance.base_url())),
        "{host}"
    );
    app.fill("env-url", "https://elsewhere-api.private.fin.ag")
        .await?;
    let moving = app.by_testid("env-host").await?.text().await?;
    assert!(
        moving.contains("https://elsewhere-api.private.fin.ag")
            && moving.contains("cleared unless you type them again"),
        "{moving}"
    );
    app.fill("env-url", &instance.base_url()).await?;
    let _ = app.screenshot("environment-edit").await;
    let listed = app
        .save_environment("Acme Lending staging (edited)")
        .await?;
    assert!(listed.contains("secret key in keyring"));
    app.by_testid("env-close").await?.click().await?;

    // The secrets are in the system keyring, under the names the desk gives them...
    use desk_core::SecretStore;
    let keyring = desk_core::KeyringStore;
    let kept = keyring
        .get(&format!("secret-key:{env_key}"))?
        .context("secret key in the keyring")?;
    assert_eq!(kept.expose(), secret_key);
    let kept = keyring
        .get(&format!("login-id:{env_key}:{customer_key}"))?
        .context("loginId in the keyring")?;
    assert_eq!(kept.expose(), login);
    // ...and nowhere in the database, the page or the webview's storage.
    let mut db = Vec::new();
    for entry in std::fs::read_dir(app.data_dir.path())? {
        let path = entry?.path();
        if path.is_file() {
            db.extend(std::fs::read(path)?);
        }
    }
    let db = String::from_utf8_lossy(&db).to_lowercase();
    assert!(
        db.contains("acme lending staging"),
        "the scan reads the database"
    );
    assert!(
        !db.contains(&login.to_lowercase()),
        "the loginId is in the database"
    );
    assert!(
        !db.contains(&secret_key),
        "the secret key is in the database"
    );
    let page = app.client.source().await?;
    assert!(
        !page.contains(&login) && !page.contains(&secret_key),
        "a secret is in the page"
    );
    let storage = app
        .client
        .execute(
            "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)]);",
            vec![],
        )
        .await?;
    let storage = storage.as_str().unwrap_or_default();
    assert!(
        !storage.contains(&login) && !storage.contains(&secret_key),
        "{storage}"
    );

    // Delete the customer: Flinks forgets the loginId, and so do the keyring and the desk.
    tokio::time::sleep(instance.config().card_in_use_for + Duration::from_millis(200)).await;
    app.by_testid("remove-customer").await?.click().await?;
    app.by_testid("remove-yes").await?.click().await?;
    let option = format!("option[value=\"{customer_key}\"]");
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .client
        .find(fantoccini::Locator::Css(&option))
        .await
        .is_ok()
    {
        if Instant::now() > deadline {
            let error = app.by_testid("error").await?.text().await?;
            bail!("the customer was not removed: {error}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(keyring
        .get(&format!("login-id:{env_key}:{customer_key}"))?
        .is_none());
    let flinks = FlinksClient::new(Environment::new(
        &instance.base_url(),
        "e2e-private-customer",
    )?)?;
    let gone = flinks
        .authorize_cached(&LoginId::new(login.clone()), None)
        .await
        .expect_err("Flinks forgot the loginId");
    assert_eq!(gone.code().map(|c| c.as_str()), Some("INVALID_LOGIN"));

    // Remove the environment: its keys leave the keyring, it leaves the list.
    app.by_testid("manage-environments").await?.click().await?;
    app.by_testid(&format!("env-remove-{env_key}"))
        .await?
        .click()
        .await?;
    app.by_testid("env-remove-yes").await?.click().await?;
    let option = format!("#env-select option[value=\"{env_key}\"]");
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .client
        .find(fantoccini::Locator::Css(&option))
        .await
        .is_ok()
    {
        if Instant::now() > deadline {
            bail!("the environment was not removed");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(keyring.get(&format!("secret-key:{env_key}"))?.is_none());
    assert!(keyring.get(&format!("x-api-key:{env_key}"))?.is_none());
    Ok(())
}
