//! The desk's other screens in the real window: a portfolio of customers and its wide CSV, a
//! customer added through Flinks Connect (its own window, with the bank's security question),
//! renamed, and run.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flinks_client::{AttributeValue, Package};
use flinks_desk_e2e::{login_of, sandbox_values, sign_in_through_connect, App};

/// Waits until `check` holds, or fails with what `describe` says after `within`.
async fn until<F, Fut>(within: Duration, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{what} did not happen within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The id of the listed customer whose name starts with `name`, once it is listed.
async fn customer_named(app: &App, name: &str) -> Result<String> {
    let script = r#"const o = [...document.querySelectorAll('#customer option')]
        .find((o) => o.textContent.startsWith(arguments[0]));
        return o ? o.value : null;"#;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = app.client.execute(script, vec![name.into()]).await?;
        if let Some(id) = found.as_str() {
            return Ok(id.to_owned());
        }
        if Instant::now() > deadline {
            bail!("{name} is not in the customer list");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn a_portfolio_of_three_customers_runs_and_exports_one_row_each() -> Result<()> {
    let app = App::start(1_000).await?;
    let outcome = portfolio_path(&app).await;
    let _ = app.screenshot("portfolio").await;
    if outcome.is_err() {
        app.save_source("portfolio").await;
    }
    app.close().await?;
    outcome
}

async fn portfolio_path(app: &App) -> Result<()> {
    let chosen = ["salaried_biweekly", "borrower_nsf", "gig_worker"];
    app.by_testid("package-income").await?.click().await?;
    app.by_testid("portfolio-open").await?.click().await?;
    for id in chosen {
        app.by_testid(&format!("portfolio-customer-{id}"))
            .await?
            .click()
            .await?;
    }
    app.fill("portfolio-concurrency", "2").await?;
    app.by_testid("portfolio-run").await?.click().await?;

    let rows = || async {
        let script = r#"return [...document.querySelectorAll('[data-testid="portfolio-row"]')]
            .map((tr) => [tr.dataset.customerId, tr.dataset.status]);"#;
        let value = app.client.execute(script, vec![]).await?;
        Ok::<Vec<(String, String)>, anyhow::Error>(serde_json::from_value(value)?)
    };
    let mut saw_in_flight = false;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let now = rows().await?;
        saw_in_flight |= now
            .iter()
            .any(|(_, s)| !["queued", "completed", "failed", "cancelled"].contains(&s.as_str()));
        if now.len() == 3 && now.iter().all(|(_, s)| s == "completed") {
            break;
        }
        if Instant::now() > deadline {
            bail!("the portfolio did not finish: {now:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saw_in_flight, "the rows showed each customer's progress");
    let shown: Vec<String> = rows().await?.into_iter().map(|(id, _)| id).collect();
    assert_eq!(shown, chosen, "in the order chosen");
    let summary = app.by_testid("portfolio-summary").await?.text().await?;
    assert!(summary.contains("3 completed"), "{summary}");

    app.by_testid("portfolio-export").await?.click().await?;
    let status = app.by_testid("portfolio-export-status").await?;
    until(Duration::from_secs(20), "the export", || async {
        Ok(status.text().await?.starts_with("Saved"))
    })
    .await?;
    let file = std::fs::read_dir(app.export_dir.path())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .context("no CSV in the export folder")?;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("flinks-portfolio-income-"), "{name}");
    let mut reader = csv::Reader::from_path(&file)?;
    let header = reader.headers()?.clone();
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(records.len(), 3, "one row per customer");

    // Each row holds what the sandbox computes for that customer, asked by the test itself.
    for (record, username) in records.iter().zip(chosen) {
        let expected =
            sandbox_values(app.sandbox_port, &login_of(username)?, Package::Income).await?;
        for (name, value) in &expected {
            let column = header
                .iter()
                .position(|h| h == name)
                .with_context(|| format!("no column {name}"))?;
            let shown = record[column].trim_start_matches('\'');
            let want = match value {
                AttributeValue::Number(d) => d.normalize().to_string(),
                AttributeValue::Text(t) => t.clone(),
                AttributeValue::Bool(b) => if *b { "YES" } else { "NO" }.to_owned(),
                AttributeValue::Null => String::new(),
            };
            assert_eq!(shown, want, "{username} {name}");
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver, tauri-driver and a Secret Service: run it with `cargo desk test`"]
async fn a_customer_linked_through_connect_is_renamed_and_run() -> Result<()> {
    let app = App::start(0).await?;
    let outcome = connect_path(&app).await;
    let _ = app.screenshot("connect").await;
    if outcome.is_err() {
        app.save_source("connect").await;
    }
    app.close().await?;
    outcome
}

async fn connect_path(app: &App) -> Result<()> {
    app.by_testid("add-customer").await?.click().await?;
    app.fill("customer-label", "Walk-in applicant").await?;
    app.by_testid("connect-customer").await?.click().await?;

    sign_in_through_connect(app, "Greatday").await?;
    let id = customer_named(app, "Walk-in applicant").await?;
    app.by_testid("customer-select")
        .await?
        .select_by_value(&id)
        .await?;

    app.by_testid("rename-customer").await?.click().await?;
    app.fill("rename-label", "Applicant 2291 (Connect)").await?;
    app.by_testid("rename-save").await?.click().await?;
    until(
        Duration::from_secs(10),
        "the new name in the list",
        || async {
            let text = app
                .client
                .execute(
                    "return document.querySelector('#customer option:checked').textContent;",
                    vec![],
                )
                .await?;
            Ok(text
                .as_str()
                .unwrap_or_default()
                .starts_with("Applicant 2291 (Connect)"))
        },
    )
    .await?;

    app.by_testid("package-income").await?.click().await?;
    app.by_testid("run-button").await?.click().await?;
    app.wait_for_results().await?;
    let summary = app.by_testid("summary").await?.text().await?;
    assert!(summary.starts_with("Applicant 2291 (Connect)"), "{summary}");
    // The page never held the loginId: only its last four characters are shown.
    let html = app.client.source().await?;
    let login_ids =
        flinks_sandbox::personas::live_login_id(flinks_sandbox::personas::DEFAULT_SEED, "Greatday")
            .to_string();
    assert!(
        !html.contains(&login_ids),
        "the full loginId is on the page"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn a_custom_request_shows_exactly_the_attributes_picked() -> Result<()> {
    let app = App::start(0).await?;
    let outcome = custom_path(&app).await;
    let _ = app.screenshot("custom").await;
    if outcome.is_err() {
        app.save_source("custom").await;
    }
    app.close().await?;
    outcome
}

async fn custom_path(app: &App) -> Result<()> {
    app.choose_customer("borrower_nsf").await?;
    app.by_testid("package-custom").await?.click().await?;
    assert!(
        !app.by_testid("run-button").await?.is_enabled().await?,
        "nothing picked, nothing to run"
    );
    let picked = ["count_nsf_90_days", "balance_min"];
    for (search, name) in [("nsf fees", picked[0]), ("minimum balance", picked[1])] {
        app.fill("custom-filter", search).await?;
        app.by_testid(&format!("custom-{name}"))
            .await?
            .click()
            .await?;
    }
    let count = app.by_testid("custom-count").await?.text().await?;
    assert_eq!(count, "2 attributes picked.");
    app.by_testid("run-button").await?.click().await?;
    app.wait_for_results().await?;
    let script = r#"return [...document.querySelectorAll('[data-testid="attr-row"]')]
        .map((tr) => tr.dataset.name);"#;
    let rows: Vec<String> = serde_json::from_value(app.client.execute(script, vec![]).await?)?;
    assert_eq!(rows, picked, "exactly what was picked, in that order");
    let expected = sandbox_values(
        app.sandbox_port,
        &login_of("borrower_nsf")?,
        Package::CreditRisk,
    )
    .await?;
    let nsf = expected
        .iter()
        .find(|(n, _)| n == "count_nsf_90_days")
        .context("NSF count")?;
    let shown = app
        .by_testid("value-count_nsf_90_days")
        .await?
        .text()
        .await?;
    let AttributeValue::Number(n) = &nsf.1 else {
        bail!("the NSF count is not a number");
    };
    assert_eq!(shown, n.normalize().to_string());
    let summary = app.by_testid("summary").await?.text().await?;
    assert!(summary.contains("Custom"), "{summary}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver, tauri-driver and a Secret Service: run it with `cargo desk test`"]
async fn a_customer_signed_in_from_the_desk_answers_the_question_and_still_runs_after_a_restart(
) -> Result<()> {
    let app = App::start(0).await?;
    let outcome = sign_in_path(&app).await;
    let _ = app.screenshot("sign-in").await;
    if outcome.is_err() {
        app.save_source("sign-in").await;
        app.close().await?;
        return outcome;
    }
    // The customer is the app's now: after a restart it is listed and runs, because the
    // built-in sandbox keeps the logins it created.
    let data = app.close_keeping_data().await;
    let app = App::launch(0, data, &[]).await?;
    let outcome = async {
        let id = customer_named(&app, "Phone applicant").await?;
        app.run_on_screen(&id, "income").await?;
        let greatday = flinks_client::LoginId::new(
            flinks_sandbox::personas::live_login_id(
                flinks_sandbox::personas::DEFAULT_SEED,
                "Greatday",
            )
            .to_string(),
        );
        let expected = sandbox_values(app.sandbox_port, &greatday, Package::Income).await?;
        // Every amount on screen is the sandbox's for Greatday's own loginId.
        let mut compared = 0;
        for (name, value) in &expected {
            let AttributeValue::Number(want) = value else {
                continue;
            };
            let shown = app
                .by_testid(&format!("value-{name}"))
                .await?
                .text()
                .await?;
            let got = flinks_desk_e2e::parse_shown_number(&shown)
                .with_context(|| format!("{name} shows {shown:?}"))?;
            assert!(
                (got - want.round_dp(2)).abs() <= rust_decimal::Decimal::new(1, 2),
                "{name}: {shown} vs {want}"
            );
            compared += 1;
        }
        assert!(compared > 5, "{compared} amounts compared");
        Ok(())
    }
    .await;
    let _ = app.screenshot("sign-in-after-restart").await;
    app.close().await?;
    outcome
}

async fn sign_in_path(app: &App) -> Result<()> {
    app.by_testid("add-customer").await?.click().await?;
    app.fill("customer-label", "Phone applicant").await?;
    app.by_testid("signin-open").await?.click().await?;
    let name = app.by_testid("signin-label").await?;
    assert_eq!(
        name.prop("value").await?.as_deref(),
        Some("Phone applicant"),
        "the name typed carries over"
    );
    app.fill("signin-username", "Greatday").await?;
    app.fill("signin-password", flinks_sandbox::capital::PASSWORD)
        .await?;
    app.by_testid("signin-submit").await?.click().await?;

    let answer_field = app
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(fantoccini::Locator::Css(
            "[data-testid=\"signin-answer-0\"]",
        ))
        .await?;
    let prompt = app
        .client
        .execute(
            "return document.querySelector('#signin-question-list label').firstChild.textContent;",
            vec![],
        )
        .await?;
    let prompt = prompt.as_str().unwrap_or_default().to_owned();
    let answer = flinks_sandbox::capital::answer_to(&prompt)
        .with_context(|| format!("an unknown question {prompt:?}"))?;
    let password = app.by_testid("signin-password").await?;
    assert_eq!(
        password.prop("value").await?.as_deref(),
        Some(""),
        "the password left the page once sent"
    );

    // A wrong answer: the bank says so, and the question stays to answer again.
    answer_field.send_keys("Atlantis").await?;
    app.by_testid("signin-submit").await?.click().await?;
    let error = app.by_testid("signin-error").await?;
    until(
        Duration::from_secs(20),
        "the wrong answer refused",
        || async { Ok(error.text().await?.contains("security question")) },
    )
    .await?;
    let _ = app.screenshot("sign-in-question").await;
    app.fill("signin-answer-0", answer).await?;
    app.by_testid("signin-submit").await?.click().await?;

    let id = customer_named(app, "Phone applicant").await?;
    until(
        Duration::from_secs(20),
        "the new customer chosen",
        || async {
            let chosen = app
                .by_testid("customer-select")
                .await?
                .prop("value")
                .await?;
            Ok(chosen.as_deref() == Some(id.as_str()))
        },
    )
    .await?;
    assert!(
        !app.by_testid("signin-dialog").await?.is_displayed().await?,
        "the dialog closed"
    );
    let html = app.client.source().await?;
    let login_id =
        flinks_sandbox::personas::live_login_id(flinks_sandbox::personas::DEFAULT_SEED, "Greatday")
            .to_string();
    assert!(!html.contains(&login_id), "the full loginId is on the page");
    let option = app
        .client
        .execute(
            "return document.querySelector('#customer option:checked').textContent;",
            vec![],
        )
        .await?;
    assert!(
        option
            .as_str()
            .unwrap_or_default()
            .ends_with(&login_id[login_id.len() - 4..]),
        "{option}"
    );
    Ok(())
}
