//! app_start: the release app under Xvfb, from the WebDriver request that starts it to its UI
//! ready (the customer list shown and filled, the packages there: what the page asks the desk
//! for at start has come back), and the idle memory of its whole process tree (the app and WebKit's web and
//! network processes) three seconds later.
//!
//! It starts the app the way the end-to-end tests do (tests/src/lib.rs): tauri-driver, which
//! starts WebKitWebDriver, which starts the app when a session is opened. Both drivers are up
//! before the clock starts, so the figure is the app's start plus one WebDriver round trip.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::ClientBuilder;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;

use crate::proc;
use crate::report::{median, Figure, Goal};

const RUNS: usize = 5;
const IDLE: Duration = Duration::from_secs(3);
const READY_WITHIN: Duration = Duration::from_secs(60);
/// Ready: the customer list is on screen and filled from the desk, and the packages are there;
/// an underwriter can pick and run.
const READY: &str = r#"const s = document.querySelector('[data-testid="customer-select"]');
return !!s && s.getClientRects().length > 0
  && s.querySelectorAll('option:not([value=""])').length > 0
  && document.querySelectorAll('[data-testid="packages"] input[name="package"]').length > 0;"#;

struct Measure {
    ready: Duration,
    rss_kb: u64,
    pss_kb: u64,
    processes: Vec<String>,
}

pub fn run() -> Result<Vec<Figure>> {
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no display: `cargo desk bench` runs this under xvfb-run");
    }
    let app = crate::sibling("flinks-desk", "FLINKS_DESK_APP")?.canonicalize()?;
    let driver = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
    // tauri-driver wants a path to the native driver, not a name to look up.
    let native = match std::env::var_os("WEBKIT_WEBDRIVER") {
        Some(path) => PathBuf::from(path),
        None => which("WebKitWebDriver").context(
            "WebKitWebDriver not found: set WEBKIT_WEBDRIVER, or run `cargo desk bench`",
        )?,
    };
    // One data folder for every run: the first (not counted) creates the database, the others
    // start like a desk that has run before, with the binary and WebKit in the page cache.
    let data_dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Runtime::new()?;
    let mut measures = Vec::new();
    for i in 0..=RUNS {
        let m = rt.block_on(once(
            &app,
            Path::new(&driver),
            Path::new(&native),
            data_dir.path(),
        ))?;
        eprintln!(
            "app_start: {} ready in {:.0} ms, idle RSS {} MB (RSS/PSS: {})",
            if i == 0 { "warm-up" } else { "run" },
            m.ready.as_secs_f64() * 1e3,
            m.rss_kb / 1024,
            m.processes.join(", ")
        );
        if i > 0 {
            measures.push(m);
        }
    }
    let mb = |kb: f64| kb * 1024.0 / 1e6;
    let ready = median(
        &mut measures
            .iter()
            .map(|m| m.ready.as_secs_f64())
            .collect::<Vec<_>>(),
    );
    let rss = median(&mut measures.iter().map(|m| m.rss_kb as f64).collect::<Vec<_>>());
    let pss = median(&mut measures.iter().map(|m| m.pss_kb as f64).collect::<Vec<_>>());
    Ok(vec![
        Figure::new("app_start_ready", ready, "s").goal(Goal::AtMost(1.5)),
        Figure::new("app_start_idle_rss", mb(rss), "MB").goal(Goal::AtMost(200.0)),
        // Shared libraries counted once across the tree rather than once per process.
        Figure::new("app_start_idle_pss", mb(pss), "MB"),
    ])
}

/// tauri-driver, stopped however the run ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: a killed tauri-driver can leave WebKitWebDriver behind holding
        // its port (TOOLCHAIN.md).
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn once(app: &Path, driver: &Path, native: &Path, data_dir: &Path) -> Result<Measure> {
    let (port, native_port) = (free_port()?, free_port()?);
    std::fs::create_dir_all(crate::out_dir())?;
    let log_path = crate::out_dir().join("app_start.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)?;
    let child = Command::new(driver)
        .arg("--port")
        .arg(port.to_string())
        .arg("--native-port")
        .arg(native_port.to_string())
        .arg("--native-driver")
        .arg(native)
        // The app inherits these through both drivers.
        .env("FLINKS_DESK_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {}", driver.display()))?;
    let driver = Driver(child);
    let see_log = || format!("see {}", log_path.display());
    wait_for_port(port).with_context(|| format!("tauri-driver did not start; {}", see_log()))?;
    wait_for_port(native_port)
        .with_context(|| format!("WebKitWebDriver did not start; {}", see_log()))?;
    let capabilities = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": app },
    });

    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}");
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities.as_object().expect("object").clone());
    let session = builder.connect(&url);
    let client = tokio::time::timeout(READY_WITHIN, session)
        .await
        .with_context(|| {
            format!(
                "no WebDriver session within {READY_WITHIN:?}; {}",
                see_log()
            )
        })?
        .with_context(|| format!("cannot open a WebDriver session on the app; {}", see_log()))?;
    let ready = loop {
        let shown = client.execute(READY, Vec::new()).await;
        if matches!(shown, Ok(Value::Bool(true))) {
            break started.elapsed();
        }
        if started.elapsed() > READY_WITHIN {
            // The page as it stood, for the post-mortem.
            if let Ok(html) = client.source().await {
                let _ = std::fs::write(crate::out_dir().join("app_start.html"), html);
            }
            let tree = app_tree(app, &driver);
            let _ = client.close().await;
            drop(driver);
            wait_gone(app, &tree);
            bail!("the UI was not ready within {READY_WITHIN:?} ({shown:?}); the page is in app_start.html");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };

    tokio::time::sleep(IDLE).await;
    let tree = app_tree(app, &driver);
    if tree.is_empty() {
        bail!("the app's process is not under tauri-driver");
    }
    let rss_kb = tree
        .iter()
        .filter_map(|&p| proc::status_kb(Some(p), "VmRSS"))
        .sum();
    let pss_kb = tree.iter().filter_map(|&p| proc::pss_kb(p)).sum();
    let processes = tree
        .iter()
        .map(|&p| {
            let rss = proc::status_kb(Some(p), "VmRSS").unwrap_or(0);
            let pss = proc::pss_kb(p).unwrap_or(0);
            format!("{} {}/{} MB", proc::name(p), rss / 1024, pss / 1024)
        })
        .collect();

    let _ = client.close().await;
    drop(driver);
    wait_gone(app, &tree);
    Ok(Measure {
        ready,
        rss_kb,
        pss_kb,
        processes,
    })
}

/// The app's process (started by the drivers) and its descendants, WebKit's processes among
/// them; empty when the app is not running.
fn app_tree(app: &Path, driver: &Driver) -> Vec<u32> {
    let ours = proc::tree(driver.0.id());
    proc::by_exe(app)
        .into_iter()
        .find(|pid| ours.contains(pid))
        .map(proc::tree)
        .unwrap_or_default()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("nothing listens on port {port}")
}

/// The next run must not share the machine with this one's app: wait for its processes to
/// end, and end those of them still there after a while.
fn wait_gone(app: &Path, tree: &[u32]) {
    // A pid counts as the same process while it keeps its name: pids are reused.
    let named: Vec<(u32, String)> = tree.iter().map(|&p| (p, proc::name(p))).collect();
    let alive = || -> Vec<u32> {
        named
            .iter()
            .filter(|(p, name)| {
                PathBuf::from(format!("/proc/{p}")).exists() && proc::name(*p) == *name
            })
            .map(|(p, _)| *p)
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && !alive().is_empty() {
        std::thread::sleep(Duration::from_millis(50));
    }
    for (signal, grace) in [("-TERM", 5), ("-KILL", 1)] {
        let left = alive();
        if left.is_empty() {
            return;
        }
        for pid in left {
            eprintln!(
                "app_start: {} ({pid}) of {} still running; sending SIG{}",
                proc::name(pid),
                app.display(),
                &signal[1..]
            );
            let _ = Command::new("kill")
                .args([signal, &pid.to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(grace);
        while Instant::now() < deadline && !alive().is_empty() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
