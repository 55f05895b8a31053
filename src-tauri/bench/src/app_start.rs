//! app_start: the release app under Xvfb, from the WebDriver request that starts it to its UI
//! ready (the customer list shown and filled, the packages there: what the page asks the desk
//! for at start has come back), and the idle memory of its whole process tree (the app and
//! WebKit's web and network processes) three seconds later.
//!
//! Cold is the first start of a new install: a fresh XDG data folder, where the app creates its
//! database and WebKit its storage (the binaries stay in the page cache: a new install, not a
//! rebooted machine). Warm is a later start on the same folder.
//!
//! The yardstick for memory is the smallest Tauri 2 app (`flinks-bench-minimal-window`: the
//! same Tauri, one window of the same size on an empty embedded page), started the same way in
//! the same run, each round starting cold desk, warm desk and minimal window in turn so that
//! whatever else the machine does falls on all three alike.
//!
//! Every start goes the way the end-to-end tests go (tests/src/lib.rs): tauri-driver, which
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

/// Rounds counted, after one round that warms the page cache and makes the warm folders.
const ROUNDS: usize = 5;
const IDLE: Duration = Duration::from_secs(3);
const READY_WITHIN: Duration = Duration::from_secs(60);
/// Ready: the customer list is on screen and filled from the desk, and the packages are there;
/// an underwriter can pick and run.
const DESK_READY: &str = r#"const s = document.querySelector('[data-testid="customer-select"]');
return !!s && s.getClientRects().length > 0
  && s.querySelectorAll('option:not([value=""])').length > 0
  && document.querySelectorAll('[data-testid="packages"] input[name="package"]').length > 0;"#;
/// The minimal window has nothing to wait for but its empty page.
const MINIMAL_READY: &str = "return document.readyState === 'complete';";

/// The parts of a process tree, as WebKitGTK splits it.
const PARTS: [Part; 4] = [Part::App, Part::Web, Part::Network, Part::Other];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    /// The app's own process: Rust, GTK, the UI process half of WebKit.
    App,
    /// WebKitWebProcess: the page, its DOM, JavaScript heap and rendering.
    Web,
    /// WebKitNetworkProcess: loading, storage, cookies.
    Network,
    Other,
}

impl Part {
    fn of(pid: u32, app_pid: u32) -> Part {
        if pid == app_pid {
            return Part::App;
        }
        // comm is cut at 15 characters.
        match proc::name(pid).as_str() {
            "WebKitWebProces" => Part::Web,
            "WebKitNetworkPr" => Part::Network,
            _ => Part::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Part::App => "app",
            Part::Web => "web",
            Part::Network => "network",
            Part::Other => "other",
        }
    }
}

/// What one start is asked to start, and where its data folder is.
struct Subject<'a> {
    exe: &'a Path,
    ready: &'static str,
    data_home: &'a Path,
}

struct Measure {
    ready: Duration,
    rss_kb: u64,
    pss_kb: u64,
    /// RSS and PSS of each part, summed over its processes.
    parts: Vec<(Part, u64, u64)>,
    processes: Vec<String>,
}

impl Measure {
    fn part_rss_kb(&self, part: Part) -> u64 {
        self.parts
            .iter()
            .filter(|(p, ..)| *p == part)
            .map(|(_, rss, _)| rss)
            .sum()
    }
}

pub fn run() -> Result<Vec<Figure>> {
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no display: `cargo desk bench` runs this under xvfb-run");
    }
    let app = crate::sibling("flinks-desk", "FLINKS_DESK_APP")?.canonicalize()?;
    let minimal = crate::sibling("flinks-bench-minimal-window", "FLINKS_BENCH_MINIMAL_WINDOW")?
        .canonicalize()?;
    let driver = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
    // tauri-driver wants a path to the native driver, not a name to look up.
    let native = match std::env::var_os("WEBKIT_WEBDRIVER") {
        Some(path) => PathBuf::from(path),
        None => which("WebKitWebDriver").context(
            "WebKitWebDriver not found: set WEBKIT_WEBDRIVER, or run `cargo desk bench`",
        )?,
    };
    let drivers = (Path::new(&driver), Path::new(&native));
    let warm_home = tempfile::tempdir()?;
    let minimal_home = tempfile::tempdir()?;
    let rt = tokio::runtime::Runtime::new()?;
    let (mut cold, mut warm, mut bare) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        let counted = round > 0;
        let fresh = tempfile::tempdir()?;
        let starts = [
            ("cold", &app, DESK_READY, fresh.path(), &mut cold),
            ("warm", &app, DESK_READY, warm_home.path(), &mut warm),
            (
                "minimal",
                &minimal,
                MINIMAL_READY,
                minimal_home.path(),
                &mut bare,
            ),
        ];
        for (label, exe, ready, data_home, into) in starts {
            let subject = Subject {
                exe,
                ready,
                data_home,
            };
            let m = rt.block_on(once(&subject, drivers))?;
            eprintln!(
                "app_start: {label}{} ready in {:.0} ms, idle RSS {} MB (RSS/PSS: {})",
                if counted { "" } else { " (warm-up)" },
                m.ready.as_secs_f64() * 1e3,
                m.rss_kb / 1024,
                m.processes.join(", ")
            );
            if counted {
                into.push(m);
            }
        }
    }
    Ok(figures(&cold, &warm, &bare))
}

fn figures(cold: &[Measure], warm: &[Measure], bare: &[Measure]) -> Vec<Figure> {
    let med = |ms: &[Measure], f: &dyn Fn(&Measure) -> f64| {
        median(&mut ms.iter().map(f).collect::<Vec<_>>())
    };
    let ready = |m: &Measure| m.ready.as_secs_f64();
    let mb = |kb: u64| kb as f64 * 1024.0 / 1e6;
    let rss = |m: &Measure| mb(m.rss_kb);
    let pss = |m: &Measure| mb(m.pss_kb);
    let (desk_rss, bare_rss) = (med(warm, &rss), med(bare, &rss));
    let mut figures = vec![
        Figure::new("app_start_cold_ready", med(cold, &ready), "s").goal(Goal::AtMost(1.5)),
        Figure::new("app_start_warm_ready", med(warm, &ready), "s").goal(Goal::AtMost(1.5)),
        // The floor under both: a Tauri window and an empty page, through the same drivers.
        Figure::new("app_start_minimal_ready", med(bare, &ready), "s"),
        // Idle memory is the warm desk's: how it runs day to day.
        Figure::new("app_start_idle_rss", desk_rss, "MB"),
        Figure::new("app_start_minimal_idle_rss", bare_rss, "MB"),
        Figure::new(
            "app_start_idle_rss_over_minimal",
            desk_rss / bare_rss,
            "ratio",
        )
        .goal(Goal::AtMost(1.15)),
        // Shared libraries counted once across the tree rather than once per process.
        Figure::new("app_start_idle_pss", med(warm, &pss), "MB"),
        Figure::new("app_start_minimal_idle_pss", med(bare, &pss), "MB"),
        // The first start of a new install, beside the warm figure: its database just created.
        Figure::new("app_start_cold_idle_rss", med(cold, &rss), "MB"),
    ];
    // Where the difference lives: each part of the two trees, side by side.
    for part in PARTS {
        let part_rss = |m: &Measure| mb(m.part_rss_kb(part));
        let (desk, minimal) = (med(warm, &part_rss), med(bare, &part_rss));
        if desk == 0.0 && minimal == 0.0 {
            continue;
        }
        figures.push(Figure::new(
            &format!("app_start_idle_rss_{}", part.name()),
            desk,
            "MB",
        ));
        figures.push(Figure::new(
            &format!("app_start_minimal_idle_rss_{}", part.name()),
            minimal,
            "MB",
        ));
    }
    figures
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

async fn once(subject: &Subject<'_>, (driver, native): (&Path, &Path)) -> Result<Measure> {
    let app = subject.exe;
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
        // The app inherits these through both drivers. Its data folder is the one an installed
        // app uses (the desk's database, WebKit's storage), under a data home of the run's.
        .env("XDG_DATA_HOME", subject.data_home)
        .env_remove("FLINKS_DESK_DATA_DIR")
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
        let shown = client.execute(subject.ready, Vec::new()).await;
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
    // Each process read once; app_tree puts the app's own process first.
    let parts: Vec<(Part, u64, u64)> = tree
        .iter()
        .map(|&p| {
            (
                Part::of(p, tree[0]),
                proc::status_kb(Some(p), "VmRSS").unwrap_or(0),
                proc::pss_kb(p).unwrap_or(0),
            )
        })
        .collect();
    let rss_kb = parts.iter().map(|(_, rss, _)| rss).sum();
    let pss_kb = parts.iter().map(|(.., pss)| pss).sum();
    let processes = tree
        .iter()
        .zip(&parts)
        .map(|(&p, (_, rss, pss))| format!("{} {}/{} MB", proc::name(p), rss / 1024, pss / 1024))
        .collect();

    let _ = client.close().await;
    drop(driver);
    wait_gone(app, &tree);
    Ok(Measure {
        ready,
        rss_kb,
        pss_kb,
        parts,
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
