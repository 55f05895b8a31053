//! The policy screen in the real window: open the shipped personal-loan policy, move a
//! threshold, save (two versions: the shipped one and the edit), compare them and read the
//! changed cell, type an invalid cell and see the core's error naming its row and column (the
//! cell marked and focused), and export the saved version as a JDM file with the changed cell.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::Locator;
use flinks_desk_e2e::App;

/// The NSF returns column of the Reasons table (an input: `count_nsf_90_days`).
const NSF_COLUMN: &str = "d076a745-407d-5950-84ee-b40f25b7ea2f";

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

async fn cell(app: &App, row: usize, column: &str) -> Result<fantoccini::elements::Element> {
    let selector =
        format!("[data-testid=\"policy-cell\"][data-row=\"{row}\"][data-column=\"{column}\"]");
    app.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(&selector))
        .await
        .with_context(|| format!("no cell {selector}"))
}

async fn type_into(app: &App, row: usize, column: &str, text: &str) -> Result<()> {
    let input = cell(app, row, column).await?;
    input.clear().await?;
    input.send_keys(text).await?;
    Ok(())
}

async fn count(app: &App, testid: &str) -> Result<usize> {
    let found = app
        .client
        .find_all(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
        .await?;
    Ok(found.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver and tauri-driver: run it with `cargo desk test`"]
async fn a_policy_is_edited_saved_compared_and_exported() -> Result<()> {
    let app = App::start(0).await?;
    let outcome = policy_editor(&app).await;
    if outcome.is_err() {
        app.save_source("policy-editor").await;
        let _ = app.screenshot("policy-editor-failed").await;
    }
    app.close().await?;
    outcome
}

async fn policy_editor(app: &App) -> Result<()> {
    app.by_testid("open-policies").await?.click().await?;
    app.by_testid("policy-personal-loan").await?.click().await?;
    let threshold = cell(app, 1, NSF_COLUMN).await?;
    assert_eq!(threshold.prop("value").await?.as_deref(), Some(">= 2"));
    let hit = app.by_testid("hit-policy").await?;
    assert_eq!(hit.prop("value").await?.as_deref(), Some("collect"));

    // Three NSF returns, not two, before declining; saved with a note.
    type_into(app, 1, NSF_COLUMN, ">= 3").await?;
    let version = app.by_testid("policy-version").await?;
    assert!(
        version.text().await?.contains("unsaved changes"),
        "the edit is shown as not saved yet"
    );
    app.fill("policy-note", "three NSF returns before declining")
        .await?;
    app.by_testid("policy-save").await?.click().await?;
    let status = app.by_testid("policy-save-status").await?;
    until(Duration::from_secs(20), "the save", || async {
        Ok(status.text().await?.contains("Saved as version"))
    })
    .await?;
    assert_eq!(
        cell(app, 1, NSF_COLUMN)
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some(">= 3"),
        "the saved version is shown"
    );

    // Two versions: the shipped one, kept by the first edit, and this one.
    until(Duration::from_secs(10), "two versions listed", || async {
        Ok(count(app, "policy-version-item").await? == 2)
    })
    .await?;
    let versions = app.by_testid("policy-versions").await?.text().await?;
    assert!(
        versions.contains("three NSF returns before declining")
            && versions.contains("As shipped with Flinks Desk"),
        "{versions}"
    );
    let saved_sha = app
        .by_testid("policy-version")
        .await?
        .attr("data-sha")
        .await?
        .context("the open version's hash")?;
    assert!(versions.contains(&saved_sha[..12]), "{versions}");

    // Compared with the shipped version: the one changed cell, both values.
    app.by_testid("policy-compare").await?.click().await?;
    let diff = app.by_testid("diff-cell").await?;
    let diff_text = diff.text().await?;
    assert!(
        diff_text.contains("NSF returns, 90 days")
            && diff_text.contains(">= 2")
            && diff_text.contains(">= 3"),
        "the diff says {diff_text:?}"
    );
    assert_eq!(count(app, "diff-cell").await?, 1, "one cell changed");
    let row = app.by_testid("diff-changed-row").await?.text().await?;
    assert!(row.contains("Row 1"), "{row}");

    // An invalid cell: refused, the error names the row and column, the cell is marked.
    type_into(app, 3, NSF_COLUMN, ">= (2").await?;
    app.by_testid("policy-save").await?.click().await?;
    let error = app.by_testid("policy-save-error").await?;
    until(Duration::from_secs(20), "the refusal", || async {
        Ok(!error.text().await?.is_empty())
    })
    .await?;
    let said = error.text().await?;
    assert!(
        said.contains("row 3") && said.contains("NSF returns, 90 days") && said.contains(">= (2"),
        "the error says {said:?}"
    );
    let bad = cell(app, 3, NSF_COLUMN).await?;
    assert_eq!(bad.attr("aria-invalid").await?.as_deref(), Some("true"));
    let focused = app
        .client
        .execute(
            "const a = document.activeElement; return [a.dataset.row, a.dataset.column];",
            vec![],
        )
        .await?;
    assert_eq!(focused, serde_json::json!(["3", NSF_COLUMN]));
    assert_eq!(
        count(app, "policy-version-item").await?,
        2,
        "nothing stored"
    );
    let shot = app.screenshot("policy-editor").await?;
    eprintln!("screenshot: {}", shot.display());

    // Export: the saved version (not the refused edit), with the changed cell.
    app.by_testid("policy-export").await?.click().await?;
    let export = app.by_testid("policy-export-status").await?;
    until(Duration::from_secs(20), "the export", || async {
        Ok(export.text().await?.contains("written to"))
    })
    .await?;
    let file = std::fs::read_dir(app.export_dir.path())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .context("no JDM file in the export folder")?;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(name, format!("personal-loan-{}.json", &saved_sha[..12]));
    let jdm: serde_json::Value = serde_json::from_slice(&std::fs::read(&file)?)?;
    let reasons = jdm["nodes"]
        .as_array()
        .context("nodes")?
        .iter()
        .find(|n| n["name"] == "Reasons")
        .context("the Reasons table")?;
    assert_eq!(reasons["content"]["rules"][0][NSF_COLUMN], ">= 3");
    assert_eq!(reasons["content"]["rules"][2][NSF_COLUMN], "");
    let policy = desk_core::Policy::from_json(&std::fs::read(&file)?)?;
    assert_eq!(policy.sha256(), saved_sha);
    Ok(())
}
