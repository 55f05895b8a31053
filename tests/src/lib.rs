//! Harness for the end-to-end tests: starts tauri-driver (which starts the real app through
//! WebKitWebDriver), connects a WebDriver client, and stops everything in the right order.
//!
//! `cargo desk test` sets the variables: FLINKS_DESK_APP (the built app), TAURI_DRIVER and
//! WEBKIT_WEBDRIVER (the drivers), and runs the tests under Xvfb and a D-Bus session.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use flinks_client::{
    AccountsDetailOptions, AttributeValue, AuthorizeOutcome, Environment, FlinksClient, LoginId,
    Package, PollPolicy,
};
use flinks_sandbox::personas;
use hyper_util::client::legacy::connect::HttpConnector;
use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

pub struct App {
    pub client: Client,
    /// The port of the app's built-in sandbox, fixed by the test so it can ask the sandbox too.
    pub sandbox_port: u16,
    /// The app's database folder, fresh for each test.
    pub data_dir: tempfile::TempDir,
    /// Where Export CSV writes (FLINKS_DESK_EXPORT_DIR: no native dialog to drive).
    pub export_dir: tempfile::TempDir,
    driver: Driver,
}

/// tauri-driver, stopped however the test ends (early `?` returns and panics included).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        stop_driver(&mut self.0);
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("nothing listens on port {port} after {within:?}")
}

/// The workspace's target directory, where screenshots go.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

impl App {
    /// Starts the app with its built-in sandbox answering `OPERATION_PENDING` for `pending_ms`.
    pub async fn start(pending_ms: u64) -> Result<App> {
        Self::launch(pending_ms, tempfile::tempdir()?, &[]).await
    }

    /// Starts the app on an existing data folder (a restart), with extra environment variables.
    pub async fn launch(
        pending_ms: u64,
        data_dir: tempfile::TempDir,
        env: &[(&str, &str)],
    ) -> Result<App> {
        let app = std::env::var("FLINKS_DESK_APP").context(
            "FLINKS_DESK_APP is not set: run the end-to-end tests with `cargo desk test`",
        )?;
        let driver = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let native =
            std::env::var_os("WEBKIT_WEBDRIVER").unwrap_or_else(|| "WebKitWebDriver".into());
        let (port, native_port, sandbox_port) = (free_port()?, free_port()?, free_port()?);
        let export_dir = tempfile::tempdir()?;
        let child = Command::new(&driver)
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(&native)
            // The app inherits these through tauri-driver and WebKitWebDriver.
            .env("FLINKS_DESK_SANDBOX_PORT", sandbox_port.to_string())
            .env("FLINKS_DESK_PENDING_MS", pending_ms.to_string())
            .env("FLINKS_DESK_POLL_MS", "250")
            .env("FLINKS_DESK_DATA_DIR", data_dir.path())
            .env("FLINKS_DESK_EXPORT_DIR", export_dir.path())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {driver:?}"))?;
        let driver = Driver(child);
        wait_for_port(port, Duration::from_secs(30)).context("tauri-driver did not start")?;
        let capabilities = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": app },
        });
        // tauri-driver listens before WebKitWebDriver does; until then a new session fails to
        // connect, so ask again for a while.
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.as_object().expect("object").clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("WebDriver session not ready yet ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e).context("cannot open a WebDriver session on the app"),
            }
        };
        Ok(App {
            client,
            sandbox_port,
            data_dir,
            export_dir,
            driver,
        })
    }

    pub async fn by_testid(&self, id: &str) -> Result<fantoccini::elements::Element> {
        let selector = format!("[data-testid=\"{id}\"]");
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&selector))
            .await
            .with_context(|| format!("no element {selector}"))
    }

    /// Replaces the text of the field `testid` with `text`, as typed.
    pub async fn fill(&self, testid: &str, text: &str) -> Result<()> {
        let field = self.by_testid(testid).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Saves a screenshot of the window under target/e2e/.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // WebKit captures the last painted frame; give a change made a moment ago time to paint.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = self.client.screenshot().await?;
        let dir = target_dir().join("e2e");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path.canonicalize().unwrap_or(path))
    }

    /// Keeps the page's HTML beside the screenshot, for a failure's post-mortem.
    pub async fn save_source(&self, name: &str) {
        if let Ok(html) = self.client.source().await {
            let dir = target_dir().join("e2e");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.html")), html);
        }
    }

    /// The app's own process (a grandchild, under WebKitWebDriver): the one whose environment
    /// names this test's data folder.
    pub fn app_pid(&self) -> Option<u32> {
        let marker = format!("FLINKS_DESK_DATA_DIR={}", self.data_dir.path().display());
        std::fs::read_dir("/proc")
            .ok()?
            .flatten()
            .find_map(|entry| {
                let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
                let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
                if !exe.file_name()?.to_str()?.starts_with("flinks-desk") {
                    return None;
                }
                let environ = std::fs::read(entry.path().join("environ")).ok()?;
                environ
                    .split(|b| *b == 0)
                    .any(|kv| kv == marker.as_bytes())
                    .then_some(pid)
            })
    }

    /// Picks the customer and the package, presses Run and waits for the table. Returns whether
    /// the `OPERATION_PENDING` wait was shown on the way.
    pub async fn run_on_screen(&self, customer: &str, package: &str) -> Result<bool> {
        self.start_run(customer, package).await?;
        self.wait_for_results().await
    }

    /// Picks the customer and the package and presses Run, without waiting for the run.
    pub async fn start_run(&self, customer: &str, package: &str) -> Result<()> {
        self.choose_customer(customer).await?;
        let choice = self.by_testid(&format!("package-{package}")).await?;
        if !choice.is_enabled().await? {
            bail!("{package} is not offered");
        }
        choice.click().await?;
        self.by_testid("run-button").await?.click().await?;
        Ok(())
    }

    /// Presses Save in the environments dialog and waits for `name` in its list; returns the
    /// list's text, or fails with what the form says.
    pub async fn save_environment(&self, name: &str) -> Result<String> {
        self.by_testid("env-save").await?.click().await?;
        let list = self.by_testid("environment-list").await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = list.text().await?;
            if text.contains(name) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                let error = self.by_testid("env-error").await?.text().await?;
                bail!("{name} is not listed: {error}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Picks a customer in the list, once the list shows it.
    pub async fn choose_customer(&self, customer: &str) -> Result<()> {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&format!("option[value=\"{customer}\"]")))
            .await
            .with_context(|| format!("the customer list never showed {customer}"))?;
        self.by_testid("customer-select")
            .await?
            .select_by_value(customer)
            .await?;
        Ok(())
    }

    /// Waits for a run's table, or fails with what the screen says. Returns whether the
    /// `OPERATION_PENDING` wait was shown on the way.
    pub async fn wait_for_results(&self) -> Result<bool> {
        let detail = self.by_testid("progress-detail").await?;
        let table = self.by_testid("results-table").await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut saw_waiting = false;
        while !table.is_displayed().await? {
            if detail.text().await?.contains("still processing") {
                saw_waiting = true;
            }
            if let Ok(error) = self
                .client
                .find(Locator::Css("[data-testid=\"error\"]:not([hidden])"))
                .await
            {
                bail!("the run failed on screen: {}", error.text().await?);
            }
            if Instant::now() > deadline {
                bail!(
                    "no results after 60 s; progress says {:?}",
                    detail.text().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(saw_waiting)
    }

    /// Ends the session and the drivers but keeps the data folder, for a restart.
    pub async fn close_keeping_data(self) -> tempfile::TempDir {
        let _ = self.client.clone().close().await;
        drop(self.driver);
        self.data_dir
    }

    pub async fn close(self) -> Result<()> {
        let closed = self.client.clone().close().await;
        drop(self.driver);
        closed.context("closing the WebDriver session")
    }
}

/// SIGTERM, not SIGKILL: a killed tauri-driver can leave WebKitWebDriver holding its port and
/// our output pipe, and the test step hangs (TOOLCHAIN.md).
fn stop_driver(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads a number back from what the table shows: "-$10,330.88", "−$1,234.50", "364 days", "12".
pub fn parse_shown_number(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .replace('\u{2212}', "-")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    cleaned.parse().ok()
}

pub type Values = Vec<(String, AttributeValue)>;

pub fn login_of(username: &str) -> Result<LoginId> {
    // loginIds depend on the seed alone, not on the day the data ends.
    personas::cast(personas::DEFAULT_SEED, chrono::Utc::now().date_naive())
        .into_iter()
        .find(|p| p.username == username)
        .map(|p| LoginId::new(p.login_id.to_string()))
        .with_context(|| format!("{username} is not in the cast"))
}

/// The sandbox's answer for the customer, fetched by the test itself over HTTP.
pub async fn sandbox_values(port: u16, login_id: &LoginId, package: Package) -> Result<Values> {
    values_from(
        &format!("http://127.0.0.1:{port}"),
        flinks_sandbox::TOOLBOX_CUSTOMER_ID,
        login_id,
        package,
    )
    .await
}

pub async fn values_from(
    base_url: &str,
    customer_id: &str,
    login_id: &LoginId,
    package: Package,
) -> Result<Values> {
    let env = Environment::new(base_url, customer_id)?;
    let client = FlinksClient::new(env)?;
    let AuthorizeOutcome::Authorized(session) = client.authorize_cached(login_id, None).await?
    else {
        bail!("the sandbox asked a security question for a cached login");
    };
    let policy = PollPolicy {
        interval: Duration::from_millis(200),
        max_wait: Duration::from_secs(60),
    };
    client
        .wait_accounts_detail(
            login_id,
            &session.request_id,
            &AccountsDetailOptions::default(),
            policy,
            &CancellationToken::new(),
            |_| {},
        )
        .await?;
    let attributes = client
        .attributes(package, login_id, &session.request_id)
        .await?;
    Ok(attributes.values.into_iter().collect())
}

/// Drives the Flinks Connect window the app opened: signs in to Flinks Capital as `username`
/// (password `Everyday`), answers the security question if the bank asks one, and waits for the
/// window to close on the redirect; the WebDriver session is back on the main window after.
pub async fn sign_in_through_connect(app: &App, username: &str) -> Result<()> {
    let main = app.client.window().await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let connect = loop {
        let windows = app.client.windows().await?;
        if let Some(w) = windows.into_iter().find(|w| *w != main) {
            break w;
        }
        if Instant::now() > deadline {
            bail!("the Connect window did not open");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    };
    app.client.switch_to_window(connect).await?;
    let field = app
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#signin input[name=username]"))
        .await?;
    field.send_keys(username).await?;
    app.client
        .find(Locator::Css("#signin input[name=password]"))
        .await?
        .send_keys(flinks_sandbox::capital::PASSWORD)
        .await?;
    let _ = app.screenshot("connect-sign-in").await;
    app.client
        .find(Locator::Css("#signin button"))
        .await?
        .click()
        .await?;
    // Either the bank asks its question, or the window closes on the redirect.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut answered = String::new();
    loop {
        if app.client.windows().await?.len() == 1 {
            break;
        }
        let asked = match app
            .client
            .find(Locator::Css("#mfa:not([hidden]) #prompt"))
            .await
        {
            Ok(prompt) => prompt.text().await?,
            Err(_) => String::new(),
        };
        // Each question once: the page keeps it on screen while the answer is checked.
        if !asked.is_empty() && asked != answered {
            let prompt = asked.clone();
            answered = asked;
            let answer = flinks_sandbox::capital::answer_to(&prompt)
                .with_context(|| format!("the sandbox asked an unknown question {prompt:?}"))?;
            app.client
                .find(Locator::Css("#mfa input[name=answer]"))
                .await?
                .send_keys(answer)
                .await?;
            app.client
                .find(Locator::Css("#mfa button"))
                .await?
                .click()
                .await?;
        }
        if Instant::now() > deadline {
            bail!("the Connect window did not close");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.client.switch_to_window(main).await?;
    Ok(())
}

/// Signs a customer in from the desk's own dialog (Add… → Sign in to the bank…) on the
/// environment in use, as `label`: `username` and `password`, then the bank's first security
/// question, answered `wrong` first when given (and the refusal waited for), then with what
/// `answer` makes of the prompt. Returns once the dialog has closed on the new customer.
pub async fn sign_in_on_the_desk(
    app: &App,
    label: &str,
    (username, password): (&str, &str),
    wrong: Option<&str>,
    answer: impl Fn(&str) -> Option<String>,
) -> Result<()> {
    app.by_testid("add-customer").await?.click().await?;
    app.fill("customer-label", label).await?;
    app.by_testid("signin-open").await?.click().await?;
    app.fill("signin-username", username).await?;
    app.fill("signin-password", password).await?;
    app.by_testid("signin-submit").await?.click().await?;
    app.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=\"signin-answer-0\"]"))
        .await
        .context("the bank asked no security question")?;
    let prompt = app
        .client
        .execute(
            "return document.querySelector('#signin-question-list label').firstChild.textContent;",
            vec![],
        )
        .await?;
    let prompt = prompt.as_str().unwrap_or_default().to_owned();
    let right = answer(&prompt).with_context(|| format!("an unknown question {prompt:?}"))?;
    if let Some(wrong) = wrong {
        app.fill("signin-answer-0", wrong).await?;
        app.by_testid("signin-submit").await?.click().await?;
        let error = app.by_testid("signin-error").await?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while !error.text().await?.contains("security question") {
            if Instant::now() > deadline {
                bail!(
                    "the wrong answer was not refused: {:?}",
                    error.text().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
    app.fill("signin-answer-0", &right).await?;
    app.by_testid("signin-submit").await?.click().await?;
    let dialog = app.by_testid("signin-dialog").await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while dialog.is_displayed().await? {
        if Instant::now() > deadline {
            let error = app.by_testid("signin-error").await?.text().await?;
            bail!("the sign-in did not end: {error}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_numbers_parse_back() {
        assert_eq!(
            parse_shown_number("-$10,330.88"),
            Some(Decimal::new(-1033088, 2))
        );
        assert_eq!(
            parse_shown_number("\u{2212}$1,234.50"),
            Some(Decimal::new(123450, 2)).map(|d: Decimal| -d)
        );
        assert_eq!(parse_shown_number("364 days"), Some(Decimal::new(364, 0)));
        assert_eq!(parse_shown_number("1,200"), Some(Decimal::new(1200, 0)));
        assert_eq!(parse_shown_number("None detected"), None);
    }
}
