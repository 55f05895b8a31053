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
use hyper_util::client::legacy::connect::HttpConnector;
use rust_decimal::Decimal;

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
        let app = std::env::var("FLINKS_DESK_APP").context(
            "FLINKS_DESK_APP is not set: run the end-to-end tests with `cargo desk test`",
        )?;
        let driver = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let native =
            std::env::var_os("WEBKIT_WEBDRIVER").unwrap_or_else(|| "WebKitWebDriver".into());
        let (port, native_port, sandbox_port) = (free_port()?, free_port()?, free_port()?);
        let data_dir = tempfile::tempdir()?;
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
