//! `cargo desk …`: the project's tasks, in Rust so they run wherever cargo does.
//!
//! Each task installs what it is missing first (on Debian/Ubuntu through apt, with sudo when not
//! root), says what it installs and why, and does nothing when everything is there.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

mod bench;
mod fuzz;

#[derive(Parser)]
#[command(name = "cargo desk", about = "Flinks Desk project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing, build, and open Flinks Desk on the built-in sandbox.
    Run {
        /// Build with optimizations.
        #[arg(long)]
        release: bool,
    },
    /// Install what the tests need, then run every test: formatting, lints, unit, contract,
    /// integration, and the end-to-end tests in a real window under Xvfb.
    Test {
        /// Skip `cargo fmt --check` and `cargo clippy`.
        #[arg(long)]
        no_lint: bool,
        /// Skip the end-to-end tests.
        #[arg(long)]
        no_e2e: bool,
    },
    /// Run each cargo-fuzz target of src-tauri/fuzz (all, or those named) on nightly for a
    /// while; exits non-zero if one crashed. Not part of `test`.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(fuzz::TARGETS))]
        targets: Vec<String>,
    },
    /// Build the installable Debian package (.deb) with Tauri's bundler, in release.
    Bundle,
    /// The Flinks Capital sandbox alone, for curl and other clients (arguments go to it; see --help).
    Sandbox {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Build in release and run the benchmarks (all, or those named), printing
    /// `bench <name> <value> <unit>` lines and writing target/bench/results.json.
    Bench {
        /// flow_vs_curl, portfolio, big_customer, app_start, sandbox_throughput, policy_replay,
        /// report_all, team_sync.
        names: Vec<String>,
    },
}

/// What Tauri needs to build and run on Linux (WebKitGTK and friends).
const TAURI_PACKAGES: &[(&str, &str)] = &[
    ("build-essential", "C compiler for -sys crates"),
    ("pkg-config", "finds the system libraries"),
    ("file", "used by Tauri's bundler"),
    (
        "libwebkit2gtk-4.1-dev",
        "the web view that draws the window",
    ),
    ("libgtk-3-dev", "the window toolkit"),
    ("librsvg2-dev", "icons"),
    ("libssl-dev", "TLS for Tauri's dependencies"),
    ("libxdo-dev", "keyboard shortcuts in menus"),
    ("fonts-dejavu-core", "a font for the interface"),
    (
        "libdbus-1-dev",
        "the keyring talks to the Secret Service over D-Bus",
    ),
];

/// What the end-to-end tests need besides.
const TEST_PACKAGES: &[(&str, &str)] = &[
    ("xvfb", "a virtual display for the real window"),
    ("xauth", "used by xvfb-run"),
    (
        "webkit2gtk-driver",
        "WebKitWebDriver, which tauri-driver drives",
    ),
    ("dbus-x11", "a session bus for WebKit and the keyring"),
    (
        "gnome-keyring",
        "a Secret Service so the keyring works headless",
    ),
];

/// What desk-test-postgres needs, where it looks (PATH, else Debian's /usr/lib/postgresql/*/bin)
/// and finds nothing: a PostgreSQL built or installed elsewhere is as good as Debian's.
fn postgres_packages() -> Vec<(&'static str, &'static str)> {
    let server_in = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    let server = (which("initdb").is_some() && which("postgres").is_some())
        || std::fs::read_dir("/usr/lib/postgresql")
            .is_ok_and(|versions| versions.flatten().any(|v| server_in(&v.path().join("bin"))));
    let mut packages = Vec::new();
    if !server {
        packages.push((
            "postgresql",
            "the team store's tests start a real PostgreSQL (initdb, postgres)",
        ));
    }
    if which("psql").is_none() {
        packages.push((
            "postgresql-client",
            "psql, which sets up the databases of the team store's tests",
        ));
    }
    packages
}

/// Runs a command inside its own D-Bus session with an unlocked GNOME Keyring, so the tests use
/// the real Secret Service and leave nothing running behind them. The keyring's files live in a
/// fresh folder under target/: the tests never touch (nor need the password of) the user's own.
fn in_keyring_session(program: impl AsRef<std::ffi::OsStr>) -> Result<Command> {
    let data_home = std::env::current_dir()?.join("target/test-keyring");
    if data_home.exists() {
        std::fs::remove_dir_all(&data_home)
            .with_context(|| format!("cannot clear {}", data_home.display()))?;
    }
    std::fs::create_dir_all(&data_home)?;
    let mut cmd = Command::new("dbus-run-session");
    cmd.args([
        "--",
        "sh",
        "-c",
        // The password only unlocks a throwaway test collection.
        "printf %s flinks-desk-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
        "sh",
    ])
    .arg(program)
    .env("XDG_DATA_HOME", &data_home)
    .env("FLINKS_DESK_REQUIRE_KEYRING", "1");
    Ok(cmd)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = std::env::set_current_dir(workspace_root())
        .context("cannot enter the workspace")
        .and_then(|()| match cli.task {
            Task::Run { release } => run_app(release),
            Task::Test { no_lint, no_e2e } => test(!no_lint, !no_e2e),
            Task::Fuzz { seconds, targets } => fuzz::fuzz(seconds, targets),
            Task::Sandbox { args } => sandbox(args),
            Task::Bundle => bundle(),
            Task::Bench { names } => bench::bench(names),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cargo desk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // xtask lives in src-tauri/xtask.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("xtask is two levels below the workspace root")
        .to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn step(what: &str, cmd: &mut Command) -> Result<()> {
    eprintln!("\n==> {what}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn is_debian_like() -> bool {
    Path::new("/etc/debian_version").exists()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", package])
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("ii"))
        .unwrap_or(false)
}

fn apt(args: &[&str]) -> Command {
    let mut cmd = if is_root() {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.arg("apt-get");
        c
    };
    cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
    cmd
}

/// Installs the Debian packages that are missing; elsewhere, says what the platform needs.
fn ensure_packages(wanted: &[(&str, &str)]) -> Result<()> {
    if !cfg!(target_os = "linux") {
        eprintln!(
            "==> system packages: nothing to install here (the OS ships WebView2 or WKWebView)"
        );
        return Ok(());
    }
    if !is_debian_like() {
        eprintln!("==> not Debian/Ubuntu: make sure these (or your distribution's equivalents) are installed:");
        for (p, why) in wanted {
            eprintln!("    {p:<24} {why}");
        }
        return Ok(());
    }
    let missing: Vec<_> = wanted.iter().filter(|(p, _)| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "==> installing missing system packages{}:",
        if is_root() { "" } else { " (sudo)" }
    );
    for (p, why) in &missing {
        eprintln!("    {p:<24} {why}");
    }
    step("apt-get update", apt(&["update", "-qq"]).arg("-q"))?;
    let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
    install.args(missing.iter().map(|(p, _)| *p));
    step("apt-get install", &mut install)
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn cargo_home_bin(program: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let candidate = home.join("bin").join(program);
    candidate.is_file().then_some(candidate)
}

fn ensure_tauri_driver() -> Result<PathBuf> {
    if let Some(found) = which("tauri-driver").or_else(|| cargo_home_bin("tauri-driver")) {
        return Ok(found);
    }
    step(
        "installing tauri-driver (the WebDriver bridge the end-to-end tests talk to)",
        cargo().args(["install", "tauri-driver", "--locked"]),
    )?;
    which("tauri-driver")
        .or_else(|| cargo_home_bin("tauri-driver"))
        .context(
            "tauri-driver was installed but cannot be found; is cargo's bin directory on PATH?",
        )
}

/// WebKitWebDriver lands off PATH on some Ubuntu releases; dpkg knows where.
fn find_webkit_webdriver() -> Result<PathBuf> {
    if let Some(found) = which("WebKitWebDriver") {
        return Ok(found);
    }
    let listing = Command::new("dpkg")
        .args(["-L", "webkit2gtk-driver"])
        .output()
        .context("cannot ask dpkg where WebKitWebDriver is")?;
    String::from_utf8_lossy(&listing.stdout)
        .lines()
        .map(PathBuf::from)
        .find(|p| p.file_name().is_some_and(|n| n == "WebKitWebDriver") && p.is_file())
        .context("WebKitWebDriver not found; install webkit2gtk-driver")
}

fn run_app(release: bool) -> Result<()> {
    ensure_packages(TAURI_PACKAGES)?;
    let mut cmd = cargo();
    cmd.args(["run", "-p", "flinks-desk"]);
    if release {
        cmd.arg("--release");
    }
    step(
        "building and opening Flinks Desk on the built-in Flinks Capital sandbox",
        &mut cmd,
    )
}

/// Tauri's bundler comes from npm (`@tauri-apps/cli`, a prebuilt binary) rather than
/// `cargo install tauri-cli`, which compiles for many minutes. Pinned to one version: a range
/// would let whatever npm serves on the day build (and sign) the package people install.
/// Move it on purpose, with the tauri crate (Cargo.lock).
const TAURI_CLI: &str = "@tauri-apps/cli@2.12.5";

fn bundle() -> Result<()> {
    let mut packages = TAURI_PACKAGES.to_vec();
    packages.extend_from_slice(&[
        ("nodejs", "runs Tauri's bundler"),
        ("npm", "fetches Tauri's bundler"),
    ]);
    if which("npx").is_some() {
        // A Node.js from elsewhere (nvm, nodesource) is as good as Debian's.
        packages.retain(|(p, _)| !matches!(*p, "nodejs" | "npm"));
    }
    ensure_packages(&packages)?;
    let mut cmd = Command::new("npx");
    cmd.args(["--yes", TAURI_CLI, "build", "--bundles", "deb"])
        .current_dir("src-tauri")
        // No interactive prompts, no signing-key questions.
        .env("CI", "true");
    step("building the .deb with Tauri's bundler (release)", &mut cmd)?;
    let dir = std::env::current_dir()?.join("target/release/bundle/deb");
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("no bundle folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    let Some(deb) = debs.first() else {
        bail!("the bundler made no .deb in {}", dir.display());
    };
    eprintln!(
        "\n==> built {}\n    install it with: sudo apt install {:?}",
        deb.display(),
        deb
    );
    Ok(())
}

fn sandbox(args: Vec<OsString>) -> Result<()> {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", "flinks-sandbox", "--"])
        .args(args);
    step("starting the Flinks Capital sandbox", &mut cmd)
}

fn test(lint: bool, e2e: bool) -> Result<()> {
    let started = std::time::Instant::now();
    // The unit tests need the keyring's Secret Service too, so the test packages come either way.
    let mut packages = TAURI_PACKAGES.to_vec();
    packages.extend_from_slice(TEST_PACKAGES);
    packages.extend(postgres_packages());
    ensure_packages(&packages)?;
    let driver = if e2e {
        Some(ensure_tauri_driver()?)
    } else {
        None
    };

    if lint {
        step(
            "cargo fmt --check",
            cargo().args(["fmt", "--all", "--", "--check"]),
        )?;
        step(
            "cargo clippy (warnings are errors)",
            cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    }
    let mut tests = if cfg!(target_os = "linux") {
        in_keyring_session(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))?
    } else {
        cargo()
    };
    tests.args(["test", "--workspace"]);
    step(
        "unit, contract and integration tests (with the real keyring)",
        &mut tests,
    )?;

    if let Some(driver) = driver {
        let native = find_webkit_webdriver()?;
        step(
            "building the app for the end-to-end tests",
            cargo().args(["build", "-p", "flinks-desk"]),
        )?;
        let app = std::env::current_dir()?.join("target/debug/flinks-desk");
        // dbus-run-session gives WebKit and the keyring a session bus that ends with the step;
        // xvfb-run a display; timeout turns a hang (no display, a stuck driver) into a failure.
        let mut cmd = in_keyring_session("timeout")?;
        cmd.args([
            "900",
            "xvfb-run",
            "-a",
            "--server-args=-screen 0 1280x800x24",
        ])
        .arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "test",
            "-p",
            "flinks-desk-e2e",
            "--",
            "--ignored",
            "--test-threads=1",
        ])
        .env("FLINKS_DESK_APP", &app)
        .env("TAURI_DRIVER", &driver)
        .env("WEBKIT_WEBDRIVER", &native);
        step(
            "end-to-end tests (the real window under Xvfb, through tauri-driver)",
            &mut cmd,
        )?;
    }
    eprintln!(
        "\n==> all tests passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundler_is_pinned_to_one_version() {
        let (name, version) = super::TAURI_CLI.rsplit_once('@').unwrap();
        assert_eq!(name, "@tauri-apps/cli");
        let parts: Vec<&str> = version.split('.').collect();
        assert!(
            parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
            "{version} is a range, not one version"
        );
    }
}
