//! `cargo desk bench [names…]`: builds the benchmarks in release with what they measure (the
//! `flinks` CLI, and for app_start the app and a minimal Tauri window), then runs them. The
//! figures are printed as `bench <name> <value> <unit>` and written to target/bench/results.json.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{
    cargo, ensure_packages, ensure_tauri_driver, find_webkit_webdriver, step, TAURI_PACKAGES,
    TEST_PACKAGES,
};

/// What the benchmarks need besides Tauri's build packages (desk-core links libdbus either way).
const BENCH_PACKAGES: &[(&str, &str)] = &[(
    "curl",
    "the documented curl sequence that flow_vs_curl races against",
)];

pub fn bench(names: Vec<String>) -> Result<()> {
    let app_start = names.is_empty() || names.iter().any(|n| n == "app_start");
    let mut packages = TAURI_PACKAGES.to_vec();
    packages.extend_from_slice(BENCH_PACKAGES);
    if app_start {
        packages.extend_from_slice(TEST_PACKAGES);
    }
    ensure_packages(&packages)?;

    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "flinks-bench",
        "-p",
        "flinks-cli",
        // big_customer's sandbox runs in a process of its own.
        "-p",
        "flinks-sandbox",
    ]);
    if app_start {
        // The minimal window is the yardstick app_start measures the app's memory against.
        build.args(["-p", "flinks-desk", "-p", "flinks-bench-minimal-window"]);
    }
    step(
        "building the benchmarks, the flinks CLI and the app in release",
        &mut build,
    )?;

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let target = std::env::current_dir()?.join(target);
    let bench = target.join("release/flinks-bench");
    let mut cmd = if app_start && cfg!(target_os = "linux") {
        let driver = ensure_tauri_driver()?;
        let native = find_webkit_webdriver()?;
        // A display for the window, and a session bus with a keyring as a desktop has, so the
        // app starts as it would on an underwriter's machine; timeout turns a hang into a failure.
        let mut cmd = keyring_session(&target.join("bench/keyring"))?;
        cmd.args([
            "timeout",
            "1800",
            "xvfb-run",
            "-a",
            "--server-args=-screen 0 1280x800x24",
        ])
        .arg(&bench)
        .env("TAURI_DRIVER", driver)
        .env("WEBKIT_WEBDRIVER", native);
        cmd
    } else {
        Command::new(&bench)
    };
    cmd.args(&names)
        .arg("--out")
        .arg(target.join("bench/results.json"));
    step("running the benchmarks", &mut cmd)
}

/// `dbus-run-session` with an unlocked GNOME Keyring, like the tests' (main.rs
/// `in_keyring_session`) but in a folder of its own, so a bench never clears the keyring of
/// tests running at the same time.
fn keyring_session(data_home: &std::path::Path) -> Result<Command> {
    if data_home.exists() {
        std::fs::remove_dir_all(data_home)
            .with_context(|| format!("cannot clear {}", data_home.display()))?;
    }
    std::fs::create_dir_all(data_home)?;
    let mut cmd = Command::new("dbus-run-session");
    cmd.args([
        "--",
        "sh",
        "-c",
        // The password only unlocks a throwaway collection.
        "printf %s flinks-desk-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
        "sh",
    ])
    .env("XDG_DATA_HOME", data_home);
    Ok(cmd)
}
