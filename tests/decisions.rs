//! Deciding in the real window: run Lending, decide with the shipped personal-loan policy, and
//! check the decision and its reasons on screen against the policy evaluated by the test itself
//! over the sandbox's own values; override with a comment and see History follow; then what-if
//! with a policy that declines everything, loaded through the file input; attach statements and
//! export the credit file as PDF.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use desk_core::shipped_policies::shipped;
use desk_core::{Package, Policy};
use flinks_client::AttributeValue;
use flinks_desk_e2e::{login_of, sandbox_values, App};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value};

/// The policy's input as the desk builds it from a run: attributes by name, numbers as numbers.
fn policy_input(values: &[(String, AttributeValue)]) -> Value {
    let mut input = Map::new();
    for (name, value) in values {
        let v = match value {
            AttributeValue::Number(d) => d.to_f64().map_or(Value::Null, Value::from),
            AttributeValue::Text(s) => Value::String(s.clone()),
            AttributeValue::Bool(b) => Value::String(b.to_string()),
            AttributeValue::Null => Value::String(String::new()),
        };
        input.insert(name.clone(), v);
    }
    Value::Object(input)
}

/// The shipped personal-loan policy evaluated over the sandbox's Lending values for `username`:
/// the decision word and the reason sentences.
async fn expected(app: &App, username: &str) -> Result<(String, Vec<String>)> {
    let values = sandbox_values(app.sandbox_port, &login_of(username)?, Package::Lending).await?;
    let document = shipped()
        .iter()
        .find(|p| p.name == "personal-loan")
        .context("personal-loan is shipped")?
        .document;
    let evaluation = Policy::from_json(document.as_bytes())?.evaluate(&policy_input(&values))?;
    Ok((
        evaluation.decision.as_str().to_owned(),
        evaluation.reasons.into_iter().map(|r| r.text).collect(),
    ))
}

/// Waits until `script` returns something other than null, and returns it.
async fn wait_for(app: &App, what: &str, script: &str) -> Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = app.client.execute(script, vec![]).await?;
        if !value.is_null() {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("{what} never showed");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The verdict on screen once it is `decision` (or whatever it is after 20 s, as an error).
async fn verdict(app: &App, decision: &str) -> Result<()> {
    let script = format!(
        r#"const v = document.querySelector('[data-testid="decision-verdict"]');
           return v && v.dataset.decision === "{decision}" ? v.textContent : null;"#
    );
    let text = wait_for(app, &format!("the verdict {decision}"), &script).await;
    if text.is_err() {
        let shown = app
            .client
            .execute(
                "return document.getElementById('decision-dialog').innerText",
                vec![],
            )
            .await?;
        bail!("the verdict is not {decision}; the dialog says {shown}");
    }
    let text = text?;
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains(&decision.to_uppercase()),
        "the verdict says it in words: {text:?}"
    );
    Ok(())
}

/// Opens Decide… on the run on screen, picks `policy`, optionally types a loan, presses Decide.
async fn decide(app: &App, policy: &str, loan: Option<(&str, &str, &str)>) -> Result<()> {
    app.by_testid("decide-open").await?.click().await?;
    wait_for(
        app,
        "the shipped policies",
        &format!(r#"return document.querySelector('[data-testid="decide-policy"] option[value="{policy}"]') ? true : null;"#),
    )
    .await?;
    app.by_testid("decide-policy")
        .await?
        .select_by_value(policy)
        .await?;
    for testid in ["loan-amount", "loan-rate", "loan-years"] {
        app.by_testid(testid).await?.clear().await?;
    }
    if let Some((amount, rate, years)) = loan {
        app.fill("loan-amount", amount).await?;
        app.fill("loan-rate", rate).await?;
        app.fill("loan-years", years).await?;
    }
    app.by_testid("decide-button").await?.click().await?;
    Ok(())
}

async fn close_dialog(app: &App, testid: &str) -> Result<()> {
    app.by_testid(testid).await?.click().await?;
    Ok(())
}

const DECLINE_ALL: &str = r#"{
  "contentType": "application/vnd.gorules.decision",
  "nodes": [
    {"id": "in", "type": "inputNode", "name": "Input", "position": {"x": 0, "y": 0}},
    {"id": "all", "type": "expressionNode", "name": "Decline all", "position": {"x": 300, "y": 0},
     "content": {"expressions": [
        {"id": "e1", "key": "decision", "value": "\"decline\""},
        {"id": "e2", "key": "reasons", "value": "[{rule: \"closed\", attribute: \"count_nsf_90_days\", text: \"The desk is not lending this month.\"}]"}
     ], "passThrough": false, "inputField": null, "outputPath": null, "executionMode": "single"}},
    {"id": "out", "type": "outputNode", "name": "Output", "position": {"x": 600, "y": 0}}
  ],
  "edges": [
    {"id": "a", "sourceId": "in", "targetId": "all", "type": "edge"},
    {"id": "b", "sourceId": "all", "targetId": "out", "type": "edge"}
  ]
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn decide_override_and_what_if() -> Result<()> {
    let app = App::start(1_000).await?;
    let outcome = decisions_path(&app).await;
    if outcome.is_err() {
        let _ = app.screenshot("decision-failed").await;
        app.save_source("decision-failed").await;
    }
    app.close().await?;
    outcome
}

async fn decisions_path(app: &App) -> Result<()> {
    // A customer the policy passes, decided first: the what-if below has a decision to change.
    let (pass_word, _) = expected(app, "salaried_biweekly").await?;
    assert_eq!(pass_word, "pass", "personal-loan passes salaried_biweekly");
    app.run_on_screen("salaried_biweekly", "lending").await?;
    decide(app, "personal-loan", None).await?;
    verdict(app, "pass").await?;
    // The customer's name on the desk (the sandbox's persona), as the what-if table names it.
    let run_line = app.by_testid("decision-run").await?.text().await?;
    let passed_label = run_line
        .split(" · ")
        .next()
        .context("the dialog names the customer")?
        .to_owned();
    close_dialog(app, "decision-close").await?;

    // borrower_nsf, with a loan: the decision and every reason as the policy gives them.
    let (want, reasons) = expected(app, "borrower_nsf").await?;
    assert!(!reasons.is_empty(), "borrower_nsf has reasons");
    app.run_on_screen("borrower_nsf", "lending").await?;
    decide(app, "personal-loan", Some(("15000", "9.99", "5"))).await?;
    verdict(app, &want).await?;
    let shown: Vec<String> = serde_json::from_value(
        app.client
            .execute(
                r#"return [...document.querySelectorAll('[data-testid="decision-reason"] .reason-text')].map((td) => td.textContent);"#,
                vec![],
            )
            .await?,
    )?;
    assert_eq!(shown, reasons, "the reasons on screen are the policy's");
    let policy_line = app.by_testid("decision-policy").await?.text().await?;
    assert!(
        policy_line.contains("personal-loan, version "),
        "{policy_line}"
    );
    // The loan's figures, with the arithmetic written out and a word for the limit.
    let figures: Vec<(String, String)> = serde_json::from_value(
        app.client
            .execute(
                r#"return [...document.querySelectorAll('[data-testid="affordability-row"]')].map((tr) => [tr.dataset.name, tr.querySelector('.with-numbers').textContent]);"#,
                vec![],
            )
            .await?,
    )?;
    assert!(
        !figures.is_empty(),
        "a loan shows the affordability figures"
    );
    assert!(figures.iter().all(|(_, w)| w.contains('=')), "{figures:?}");
    for ratio in ["GDS", "TDS"] {
        let (_, with_numbers) = figures
            .iter()
            .find(|(name, _)| name == ratio)
            .with_context(|| format!("no {ratio} among {figures:?}"))?;
        assert!(with_numbers.contains('$'), "{ratio}: {with_numbers}");
    }
    let shot = app.screenshot("decision").await?;
    eprintln!("screenshot: {}", shot.display());

    // An override needs a comment: the core says so, and the page shows its words.
    app.by_testid("override-open").await?.click().await?;
    app.by_testid("override-decision")
        .await?
        .select_by_value("refer")
        .await?;
    app.by_testid("override-save").await?.click().await?;
    let error = wait_for(
        app,
        "the override's error",
        r#"const e = document.querySelector('[data-testid="override-error"]'); return e && e.textContent ? e.textContent : null;"#,
    )
    .await?;
    assert!(
        error.as_str().unwrap_or_default().contains("comment"),
        "{error}"
    );
    app.fill("override-comment", "Fees were from a bank error, refunded.")
        .await?;
    app.by_testid("override-save").await?.click().await?;
    verdict(app, "refer").await?;
    // The run's decisions, newest first: the override with its comment above the policy's.
    let entries = wait_for(
        app,
        "the override among the run's decisions",
        r#"const items = [...document.querySelectorAll('[data-testid="decision-entry"]')].map((li) => li.textContent);
           return items.length === 2 ? items : null;"#,
    )
    .await?;
    let entries: Vec<String> = serde_json::from_value(entries)?;
    assert!(
        entries[0].starts_with("REFER") && entries[0].contains("Fees were from a bank error"),
        "{entries:?}"
    );
    assert!(entries[1].starts_with(&want.to_uppercase()), "{entries:?}");
    close_dialog(app, "decision-close").await?;

    // History: the run's final decision is the override, said in words.
    let first = wait_for(
        app,
        "the override in History",
        r#"const d = document.querySelector('[data-testid="history-decision"]');
           return d && d.dataset.decision === "refer" ? d.textContent : null;"#,
    )
    .await?;
    let first = first.as_str().unwrap_or_default();
    assert!(
        first.contains("REFER") && first.contains("overridden"),
        "{first}"
    );

    app.client
        .execute(
            r#"document.querySelector('[data-testid="history-decision"]').scrollIntoView({ block: 'center' });"#,
            vec![],
        )
        .await?;
    let shot = app.screenshot("decided").await?;
    eprintln!("screenshot: {}", shot.display());

    // What if every file were declined: the pass changes, the decline does not.
    let file = app.export_dir.path().join("decline-all.json");
    std::fs::write(&file, DECLINE_ALL)?;
    app.by_testid("what-if-open").await?.click().await?;
    let input = app.by_testid("what-if-file").await?;
    if input.send_keys(&file.display().to_string()).await.is_err() {
        bail!("the file input did not take {}", file.display());
    }
    wait_for(
        app,
        "the file as the what-if policy",
        r#"const s = document.querySelector('[data-testid="what-if-policy"]'); return s && s.value === 'file' ? true : null;"#,
    )
    .await?;
    app.by_testid("what-if-run").await?.click().await?;
    let summary = wait_for(
        app,
        "the what-if count",
        r#"const s = document.querySelector('[data-testid="what-if-summary"]'); return s && / would change/.test(s.textContent) ? s.textContent : null;"#,
    )
    .await?;
    let summary = summary.as_str().unwrap_or_default();
    assert!(
        summary.starts_with("1 of 2 decisions would change"),
        "{summary}"
    );
    let rows: Vec<(String, String, String)> = serde_json::from_value(
        app.client
            .execute(
                r#"return [...document.querySelectorAll('[data-testid="what-if-row"]')].map((tr) => [tr.querySelector('th').textContent, tr.querySelector('[data-testid="what-if-before"] .badge').textContent, tr.querySelector('[data-testid="what-if-after"]').textContent]);"#,
                vec![],
            )
            .await?,
    )?;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].0.contains(&passed_label),
        "{passed_label}: {rows:?}"
    );
    assert_eq!(rows[0].1, "PASS");
    assert!(
        rows[0].2.contains("DECLINE") && rows[0].2.contains("not lending this month"),
        "{rows:?}"
    );
    let shot = app.screenshot("what-if").await?;
    eprintln!("screenshot: {}", shot.display());
    close_dialog(app, "what-if-close").await?;

    // The limits are the desk's settings: a TDS limit of 1 % puts this loan over it.
    app.by_testid("decide-open").await?.click().await?;
    app.client
        .execute(
            r#"document.querySelector('[data-testid="limits"]').open = true;"#,
            vec![],
        )
        .await?;
    wait_for(
        app,
        "the limits in force",
        r#"const i = document.querySelector('[data-testid="limit-tds"]'); return i && i.value === '44' ? true : null;"#,
    )
    .await?;
    app.fill("limit-tds", "1").await?;
    // The limits sit low in a tall dialog: bring the button into view before pressing it.
    app.client
        .execute(
            r#"document.querySelector('[data-testid="limits-save"]').scrollIntoView({ block: 'center' });"#,
            vec![],
        )
        .await?;
    app.by_testid("limits-save").await?.click().await?;
    let saved = wait_for(
        app,
        "the saved limits",
        r#"const s = document.querySelector('[data-testid="limits-status"]'); return s && s.textContent.startsWith('Saved') ? s.textContent : null;"#,
    )
    .await;
    let saved = match saved {
        Ok(saved) => saved,
        Err(e) => {
            let said = app
                .client
                .execute(
                    r#"return document.querySelector('[data-testid="limits-status"]').textContent + ' | ' + document.querySelector('[data-testid="decide-error"]').textContent;"#,
                    vec![],
                )
                .await?;
            let _ = app.screenshot("limits-failed").await;
            bail!("{e}: the dialog says {said}");
        }
    };
    assert!(
        saved.as_str().unwrap_or_default().contains("TDS 1 %"),
        "{saved}"
    );
    close_dialog(app, "decision-close").await?;
    decide(app, "personal-loan", Some(("15000", "9.99", "5"))).await?;
    let tds = wait_for(
        app,
        "the TDS against the new limit",
        r#"const tr = document.querySelector('[data-testid="affordability-row"][data-name="TDS"]'); return tr ? tr.textContent : null;"#,
    )
    .await?;
    assert!(
        tds.as_str()
            .unwrap_or_default()
            .contains("No, over the limit"),
        "{tds}"
    );
    close_dialog(app, "decision-close").await?;

    // The customer's statements, fetched through the same flow and saved with the run.
    app.by_testid("statements-attach").await?.click().await?;
    let line = wait_for(
        app,
        "the statements attached",
        r#"const l = document.querySelector('[data-testid="statements-line"]'); return l && l.textContent.startsWith('Statements attached') ? l.textContent : null;"#,
    )
    .await?;
    let line = line.as_str().unwrap_or_default().to_owned();
    let saved: Vec<std::path::PathBuf> = std::fs::read_dir(app.export_dir.path())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert!(!saved.is_empty(), "PDFs in the folder");
    for pdf in &saved {
        assert!(
            std::fs::read(pdf)?.starts_with(b"%PDF-"),
            "{}",
            pdf.display()
        );
        let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
        assert!(line.contains(&name), "{name} listed in {line}");
    }

    // The credit file: Export ▸ PDF report holds the run's latest decision and the policy's
    // reasons (read back with pdftotext), and lists the statements just attached.
    app.by_testid("export-menu-toggle").await?.click().await?;
    let shot = app.screenshot("export-menu").await?;
    eprintln!("screenshot: {}", shot.display());
    app.by_testid("export-pdf").await?.click().await?;
    let status = wait_for(
        app,
        "the PDF report saved",
        r#"const s = document.querySelector('[data-testid="export-status"]'); return s && s.textContent.startsWith('Saved the credit file') ? s.textContent : null;"#,
    )
    .await?;
    let report = status
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("Saved the credit file to ")
        .to_owned();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", &report, "-"])
        .output()
        .context("pdftotext (poppler-utils) reads the report")?;
    assert!(out.status.success(), "pdftotext failed on {report}");
    // Lines wrap in a PDF, and long words carry invisible break points: compare without either.
    let bare = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{200b}')
            .collect()
    };
    let text = bare(&String::from_utf8_lossy(&out.stdout));
    // The run's latest decision is the policy's, made again after the limits changed.
    assert!(
        text.contains(&format!("Decision{}", want.to_uppercase())),
        "the latest decision in the report: {}",
        text.chars().take(800).collect::<String>()
    );
    for reason in &reasons {
        assert!(text.contains(&bare(reason)), "{reason} in the report");
    }
    for pdf in &saved {
        let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            text.contains(&bare(&name)),
            "the statement {name} listed in the report"
        );
    }
    Ok(())
}
