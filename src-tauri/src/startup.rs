//! Starting the desk inside the app: where its data lives, the built-in sandbox's settings from
//! the environment, the OS keyring, and the logs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::{
    files, BuiltinOptions, Desk, DeskError, ErrorCode, ErrorView, KeyringStore, Store,
};
use tauri::{Manager, Runtime};

fn env_millis(name: &str) -> Option<Duration> {
    let raw = std::env::var(name).ok()?;
    match raw.trim().parse::<u64>() {
        Ok(ms) => Some(Duration::from_millis(ms)),
        Err(_) => {
            tracing::warn!(name, value = %raw, "not a number of milliseconds; using the default");
            None
        }
    }
}

/// The built-in sandbox's settings; the variables exist for tests and demos (README, Configuration).
fn builtin_options() -> BuiltinOptions {
    let defaults = BuiltinOptions::default();
    let port = std::env::var("FLINKS_DESK_SANDBOX_PORT").ok().and_then(|p| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| tracing::warn!(value = %p, "FLINKS_DESK_SANDBOX_PORT is not a port; using a free one"))
            .ok()
    });
    BuiltinOptions {
        port,
        pending_for: env_millis("FLINKS_DESK_PENDING_MS").unwrap_or(defaults.pending_for),
        poll_interval: env_millis("FLINKS_DESK_POLL_MS").unwrap_or(defaults.poll_interval),
    }
}

/// Where the database lives: FLINKS_DESK_DATA_DIR, else the OS's app data folder. That one is
/// the app's alone, so it is made private even when the web view created it first; a folder
/// named in the variable is private only if the desk creates it.
fn data_dir<R: Runtime>(app: &tauri::App<R>) -> Result<PathBuf, ErrorView> {
    if let Some(dir) = std::env::var_os("FLINKS_DESK_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let dir = app.path().app_data_dir().map_err(|e| {
        ErrorView::new(
            ErrorCode::StoreLocation,
            format!("no folder for Flinks Desk's data: {e}"),
            "Set FLINKS_DESK_DATA_DIR to a writable folder and start again.",
        )
    })?;
    if let Err(e) = files::create_private_dir(&dir).and_then(|()| files::restrict_dir(&dir)) {
        tracing::warn!(error = %e, "the data folder could not be made private");
    }
    Ok(dir)
}

pub(crate) fn start_desk<R: Runtime>(app: &tauri::App<R>) -> Result<Arc<Desk>, ErrorView> {
    let path = data_dir(app)?.join("flinks-desk.sqlite3");
    let store = Store::open(&path).map_err(DeskError::from)?;
    tracing::info!(path = %path.display(), "store opened");
    let secrets = Arc::new(KeyringStore);
    let desk = tauri::async_runtime::block_on(Desk::start(builtin_options(), store, secrets))
        .map(Arc::new)
        .map_err(ErrorView::from)?;
    if let Some(url) = store_url(
        std::env::args().skip(1),
        std::env::var("FLINKS_DESK_STORE").ok(),
    ) {
        join_team(desk.clone(), url);
    }
    Ok(desk)
}

/// How often the desk syncs with its team store while it runs.
const SYNC_EVERY: Duration = Duration::from_secs(30);

/// The team store's URL: `--store URL` (or `--store=URL`) on the app's command line, else
/// FLINKS_DESK_STORE. Kept in memory only: never in the SQLite file, the page or a log line.
fn store_url(mut args: impl Iterator<Item = String>, env: Option<String>) -> Option<String> {
    let given = loop {
        match args.next() {
            None => break env,
            Some(arg) if arg == "--store" => break args.next(),
            Some(arg) => {
                if let Some(url) = arg.strip_prefix("--store=") {
                    break Some(url.to_owned());
                }
            }
        }
    };
    given.filter(|url| !url.trim().is_empty())
}

/// Joins the team store, then syncs every 30 s, in the background: the window never waits on the
/// network, and a store that cannot be reached only makes the status line say so.
fn join_team(desk: Arc<Desk>, url: String) {
    tauri::async_runtime::spawn(async move {
        match desk.join_team(&url).await {
            // `at` is the URL without its password.
            Ok(status) => {
                tracing::info!(at = ?status.at, online = status.online, "team store joined")
            }
            Err(e) => {
                tracing::error!(error = %e, "the team store URL was refused; this desk works on its own");
                return;
            }
        }
        drop(url);
        let mut every = tokio::time::interval(SYNC_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(e) = desk.sync_team().await {
                tracing::warn!(error = %e, "team sync failed");
            }
        }
    });
}

/// Logs go to stderr and to `{data dir}/logs/flinks-desk.log` (appended), at the level RUST_LOG
/// sets (info by default). Nothing logged carries a loginId, key or token: the client scrubs its
/// errors and every command that receives one skips it in its span.
pub(crate) fn init_logging<R: Runtime>(app: &tauri::App<R>) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,tao=warn,wry=warn".into())
    };
    let file = data_dir(app).ok().and_then(|dir| open_log(&dir).ok());
    let file_layer = file.map(|f| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Mutex::new(f))
            .with_filter(filter())
    });
    // A second init (Tauri's mock runtime in tests builds the app more than once) is a no-op.
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_filter(filter()))
        .with(file_layer)
        .try_init();
}

/// `logs/flinks-desk.log` in the data folder, for appending; private, as is its folder when
/// created (a log an older version left readable by all is made private).
fn open_log(data_dir: &Path) -> std::io::Result<std::fs::File> {
    let logs = data_dir.join("logs");
    files::create_private_dir(&logs)?;
    let path = logs.join("flinks-desk.log");
    let file = files::private_file_options()
        .create(true)
        .append(true)
        .open(&path)?;
    files::restrict_file(&path)?;
    Ok(file)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_team_store_comes_from_the_command_line_before_the_environment() {
        let env = Some("postgres://desk:env@db/team".to_owned());
        assert_eq!(
            store_url(
                args(&["--store", "postgres://desk:cli@db/team"]),
                env.clone()
            )
            .as_deref(),
            Some("postgres://desk:cli@db/team")
        );
        assert_eq!(
            store_url(args(&["--store=postgres://desk:cli@db/team"]), env.clone()).as_deref(),
            Some("postgres://desk:cli@db/team")
        );
        assert_eq!(store_url(args(&[]), env.clone()), env);
        assert_eq!(
            store_url(args(&["--store"]), env),
            None,
            "no URL after --store"
        );
        assert_eq!(store_url(args(&[]), Some(" ".into())), None);
        assert_eq!(store_url(args(&[]), None), None);
    }

    #[test]
    fn the_log_and_the_folders_it_creates_are_private() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        open_log(&data).unwrap();
        let log = data.join("logs/flinks-desk.log");
        assert_eq!(
            (mode(&data), mode(&data.join("logs")), mode(&log)),
            (0o700, 0o700, 0o600)
        );
        // One an older version wrote readable by all.
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
        open_log(&data).unwrap();
        assert_eq!(mode(&log), 0o600);
    }
}
