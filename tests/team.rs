//! The team store in the real window: a private PostgreSQL, a second desk for "ben" in this
//! process that runs gig_worker, decides it, overrides it and syncs; then the app, started with
//! FLINKS_DESK_STORE, says "in sync", lists Ben's run with who made it and its review, filters
//! by underwriter and by review, and keeps working while the team store is down.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use desk_core::shipped_policies::shipped;
use desk_core::team::postgres::PgTeamStore;
use desk_core::{BuiltinOptions, Decision, Desk, MemoryStore, Package, Store};
use desk_test_postgres::TestPostgres;
use fantoccini::Locator;
use flinks_desk_e2e::App;
use serde_json::Value;

const APP_PASSWORD: &str = "team-e2e-pw-5827";
/// The app's underwriter: its USER, so the test knows the name the desk records.
const APP_USER: &str = "ana";

/// A desk for `user` on its own data folder, as another underwriter's machine would have it.
async fn desk_of(dir: &Path, user: &str) -> Result<Desk> {
    // Opening a store reads the OS user from USER; put it back after, for the app's sake.
    let before = std::env::var_os("USER");
    std::env::set_var("USER", user);
    let store = Store::open(&dir.join("desk.sqlite3"));
    match before {
        Some(v) => std::env::set_var("USER", v),
        None => std::env::remove_var("USER"),
    }
    Ok(Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: Duration::ZERO,
            poll_interval: Duration::from_millis(30),
        },
        store?,
        Arc::new(MemoryStore::default()),
    )
    .await?)
}

/// Ben's desk: gig_worker's Lending decided with the shipped personal-loan policy, overridden
/// to pass with a comment, and shared with the team store.
async fn bens_work(url: &str) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let ben = desk_of(dir.path(), "ben").await?;
    let joined = ben.join_team(url).await?;
    assert!(joined.online, "Ben's desk joins the team store: {joined:?}");
    let run = ben
        .run("gig_worker", Package::Lending, &|_| {})
        .await?
        .run_id;
    let policy = shipped()
        .iter()
        .find(|p| p.name == "personal-loan")
        .context("personal-loan is shipped")?
        .document;
    let decided = ben.decide(run, "personal-loan", policy.as_bytes(), None)?;
    ben.override_decision(
        decided.summary.id,
        Decision::Pass,
        "Steady gig income for two years, confirmed by phone.",
    )?;
    let synced = ben.sync_team().await?;
    assert!(synced.online && synced.waiting == 0, "{synced:?}");
    assert_eq!(synced.last_report.pushed.runs, 1, "{synced:?}");
    assert_eq!(synced.last_report.pushed.decisions, 2, "{synced:?}");
    Ok(())
}

/// Waits until `script` returns something other than null, and returns it.
async fn wait_for(app: &App, what: &str, within: Duration, script: &str) -> Result<Value> {
    let deadline = Instant::now() + within;
    loop {
        let value = app.client.execute(script, vec![]).await?;
        if !value.is_null() {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("{what} never showed");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The status line once it holds `words` (up to `within`), or an error with what it says.
async fn team_status(app: &App, words: &str, within: Duration) -> Result<String> {
    app.by_testid("team-status").await?;
    let deadline = Instant::now() + within;
    loop {
        // Its textContent: WebKitWebDriver's element text of this line comes back empty.
        let text = app
            .client
            .execute(
                "return document.getElementById('team-status').textContent;",
                vec![],
            )
            .await?;
        let text = text.as_str().unwrap_or_default().to_owned();
        if text.contains(words) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("the team status never said {words:?}; it says {text:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn sync_now(app: &App) -> Result<()> {
    app.by_testid("team-sync").await?.click().await?;
    Ok(())
}

/// One history line as the test reads it: the Underwriter and Review columns, whether it came
/// from another desk, and its final decision.
#[derive(Debug)]
struct Line {
    underwriter: String,
    review: String,
    shared: bool,
    decision: Option<String>,
}

const LINES: &str = r#"
  return [...document.querySelectorAll('[data-testid="history-item"]')].map((b) => [
    b.querySelector('[data-testid="history-underwriter-cell"] .col-value').textContent,
    b.querySelector('[data-testid="history-review-cell"] .col-value').textContent,
    b.dataset.shared === 'true',
    b.querySelector('[data-testid="history-decision"]')?.dataset.decision ?? null,
  ]);"#;

/// The history's lines once `done` holds for them (the list redraws after a filter changes).
async fn lines_when(app: &App, what: &str, done: impl Fn(&[Line]) -> bool) -> Result<Vec<Line>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read: Vec<(String, String, bool, Option<String>)> =
            serde_json::from_value(app.client.execute(LINES, vec![]).await?)?;
        let lines: Vec<Line> = read
            .into_iter()
            .map(|(underwriter, review, shared, decision)| Line {
                underwriter,
                review,
                shared,
                decision,
            })
            .collect();
        if done(&lines) {
            return Ok(lines);
        }
        if Instant::now() > deadline {
            bail!("the history never showed {what}: {lines:?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn choose(app: &App, testid: &str, value: &str) -> Result<()> {
    app.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(&format!(
            "[data-testid=\"{testid}\"] option[value=\"{value}\"]"
        )))
        .await
        .with_context(|| format!("{testid} never offered {value:?}"))?;
    app.by_testid(testid).await?.select_by_value(value).await?;
    Ok(())
}

/// Scrolls the side panel down to the history, for the screenshots.
async fn show_history(app: &App) -> Result<()> {
    app.client
        .execute(
            "document.getElementById('history-heading').scrollIntoView({ block: 'start' });",
            vec![],
        )
        .await?;
    Ok(())
}

fn is_bens(l: &Line) -> bool {
    l.underwriter == "ben" && l.review == "Overridden by ben"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, WebKitWebDriver, tauri-driver and PostgreSQL: run it with `cargo desk test`"]
async fn the_team_s_runs_in_the_history_and_a_team_store_that_goes_away() -> Result<()> {
    let started = Instant::now();
    let pg = TestPostgres::start()?;
    let db = pg.create_database("team_e2e")?;
    PgTeamStore::setup(&pg.admin_url(&db), "desk_app", APP_PASSWORD).await?;
    let url = format!(
        "postgres://desk_app:{APP_PASSWORD}@127.0.0.1:{}/{db}",
        pg.port()
    );
    bens_work(&url).await?;

    let app = App::launch(
        300,
        tempfile::tempdir()?,
        &[("FLINKS_DESK_STORE", &url), ("USER", APP_USER)],
    )
    .await?;
    let outcome = team_path(&app, &pg).await;
    if outcome.is_err() {
        let _ = app.screenshot("team-failed").await;
        app.save_source("team-failed").await;
    }
    app.close().await?;
    eprintln!("the team test took {:?}", started.elapsed());
    outcome
}

async fn team_path(app: &App, pg: &TestPostgres) -> Result<()> {
    // The desk joins at start and syncs; the status line asks every 15 s.
    let status = team_status(app, "in sync", Duration::from_secs(30)).await?;
    assert!(status.starts_with("Team store 127.0.0.1:"), "{status}");
    assert!(!status.contains(APP_PASSWORD), "{status}");

    // Ben's run, pulled from the team store: his name, overridden by him, passed.
    let lines = lines_when(app, "Ben's run", |l| l.iter().any(is_bens)).await?;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].decision.as_deref(), Some("pass"), "{lines:?}");

    // A run of this desk's own: the app's underwriter beside Ben, undecided.
    app.run_on_screen("salaried_biweekly", "lending").await?;
    let lines = lines_when(app, "both runs", |l| l.len() == 2).await?;
    let own = lines
        .iter()
        .find(|l| l.underwriter == APP_USER)
        .context("this desk's run")?;
    assert!(!own.shared, "{lines:?}");
    assert_eq!(own.review, "Not decided", "{lines:?}");
    assert!(lines.iter().any(is_bens), "{lines:?}");
    // This desk's run is shared at once: the status line says so, in sync.
    let status = team_status(app, "in sync", Duration::from_secs(30)).await?;
    eprintln!("team status: {status}");

    // Underwriter = ben: Ben's run only.
    choose(app, "history-underwriter", "ben").await?;
    let lines = lines_when(app, "Ben's runs only", |l| l.len() == 1).await?;
    assert!(is_bens(&lines[0]), "{lines:?}");
    // Underwriter = the app's own: its run only.
    choose(app, "history-underwriter", APP_USER).await?;
    let lines = lines_when(app, "this desk's run only", |l| {
        l.len() == 1 && l[0].underwriter == APP_USER
    })
    .await?;
    assert_eq!(lines[0].review, "Not decided", "{lines:?}");
    // Anyone, Review = Overridden: Ben's run.
    choose(app, "history-underwriter", "").await?;
    choose(app, "history-review", "overridden").await?;
    let lines = lines_when(app, "the overridden run", |l| {
        l.len() == 1 && is_bens(&l[0])
    })
    .await?;
    assert_eq!(lines.len(), 1);
    // The app's underwriter overrode nothing: no run, and the page says why.
    choose(app, "history-underwriter", APP_USER).await?;
    lines_when(app, "no run", |l| l.is_empty()).await?;
    let empty = app
        .client
        .find(Locator::Id("history-empty"))
        .await?
        .text()
        .await?;
    assert_eq!(empty, "No runs match these filters.");
    // Everyone, every review: both runs again, for the picture.
    choose(app, "history-underwriter", "").await?;
    choose(app, "history-review", "").await?;
    lines_when(app, "both runs again", |l| l.len() == 2).await?;
    show_history(app).await?;
    let shot = app.screenshot("team-history").await?;
    eprintln!("screenshot: {}", shot.display());

    // The team store goes away: Sync now says it is unreachable, the history stays.
    pg.stop()?;
    sync_now(app).await?;
    let status = team_status(app, "unreachable", Duration::from_secs(30)).await?;
    assert!(status.contains("working on this desk"), "{status}");
    assert!(!status.contains(APP_PASSWORD), "{status}");
    show_history(app).await?;
    let shot = app.screenshot("team-unreachable").await?;
    eprintln!("screenshot: {}", shot.display());
    let lines = lines_when(app, "both runs while offline", |l| l.len() == 2).await?;
    assert!(lines.iter().any(is_bens), "{lines:?}");

    // Back: Sync now, in sync again.
    pg.restart()?;
    sync_now(app).await?;
    let status = team_status(app, "in sync", Duration::from_secs(30)).await?;
    eprintln!("team status: {status}");
    let _ = wait_for(
        app,
        "the online state",
        Duration::from_secs(5),
        r#"return document.getElementById('team').dataset.state === 'online' ? true : null;"#,
    )
    .await?;
    Ok(())
}
