//! The Flinks Desk app: a thin shell of Tauri commands over `desk-core`.
//! Each command takes the state, calls the core and maps its error to `{ code, message, hint }`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use desk_core::{
    BuiltinOptions, Chart, Comparison, CsvOptions, CustomerView, Desk, DeskError, EnvironmentView,
    ErrorView, Explanation, ExportSummary, KeyringStore, LedgerEntry, NewEnvironment, Package,
    PackageView, RunEvent, RunRecord, RunResult, Store,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

/// The desk, or why it could not start (shown by the UI instead of a dead window).
struct DeskState(Result<Arc<Desk>, ErrorView>);

impl DeskState {
    fn desk(&self) -> Result<&Arc<Desk>, ErrorView> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

#[tauri::command]
#[tracing::instrument(skip_all)]
fn list_customers(state: State<'_, DeskState>) -> Result<Vec<CustomerView>, ErrorView> {
    Ok(state.desk()?.customers())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
fn list_packages(state: State<'_, DeskState>) -> Result<Vec<PackageView>, ErrorView> {
    Ok(state.desk()?.packages())
}

#[tauri::command]
#[tracing::instrument(skip(state, on_event))]
async fn run_package(
    state: State<'_, DeskState>,
    customer_id: String,
    package: String,
    on_event: Channel<RunEvent>,
) -> Result<RunResult, ErrorView> {
    let desk = state.desk()?.clone();
    let package: Package = package.parse().map_err(|message: String| ErrorView {
        code: "package.unknown".into(),
        message,
        hint: "Pick a package from the list.".into(),
    })?;
    let progress = move |event: RunEvent| {
        // The window may be gone mid-run; the run still finishes and is simply not shown.
        if let Err(e) = on_event.send(event) {
            tracing::debug!(error = %e, "progress not delivered");
        }
    };
    desk.run(&customer_id, package, &progress)
        .await
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn cancel_run(state: State<'_, DeskState>, run_id: i64) -> Result<bool, ErrorView> {
    Ok(state.desk()?.cancel(run_id))
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn history(state: State<'_, DeskState>) -> Result<Vec<RunRecord>, ErrorView> {
    state.desk()?.history(200).map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn open_run(state: State<'_, DeskState>, run_id: i64) -> Result<RunResult, ErrorView> {
    state.desk()?.open_run(run_id).map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn charts(state: State<'_, DeskState>, run_id: i64) -> Result<Vec<Chart>, ErrorView> {
    state.desk()?.charts(run_id).map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn explain(
    state: State<'_, DeskState>,
    run_id: i64,
    name: String,
) -> Result<Explanation, ErrorView> {
    state.desk()?.explain(run_id, &name).map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
fn environments(state: State<'_, DeskState>) -> Result<Vec<EnvironmentView>, ErrorView> {
    Ok(state.desk()?.environments())
}

/// `input` carries the keys typed in; they go to the keyring and are never logged.
#[tauri::command]
#[tracing::instrument(skip_all)]
fn add_environment(
    state: State<'_, DeskState>,
    input: NewEnvironment,
) -> Result<EnvironmentView, ErrorView> {
    state.desk()?.add_environment(input).map_err(|e| e.view())
}

/// `login_id` is a secret: skipped by the log, kept by the keyring.
#[tauri::command]
#[tracing::instrument(skip(state, login_id))]
fn add_customer(
    state: State<'_, DeskState>,
    environment: String,
    label: String,
    login_id: String,
) -> Result<CustomerView, ErrorView> {
    state
        .desk()?
        .add_customer(&environment, &label, &login_id)
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
async fn remove_customer(
    state: State<'_, DeskState>,
    customer_id: String,
) -> Result<(), ErrorView> {
    let desk = state.desk()?.clone();
    desk.remove_customer(&customer_id)
        .await
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn compare_runs(
    state: State<'_, DeskState>,
    left: i64,
    right: i64,
) -> Result<Comparison, ErrorView> {
    state.desk()?.compare(left, right).map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn request_log(state: State<'_, DeskState>) -> Result<Vec<LedgerEntry>, ErrorView> {
    state.desk()?.ledger(500).map_err(|e| e.view())
}

/// Asks where to save with the native dialog (or uses FLINKS_DESK_EXPORT_DIR when set), then
/// writes the CSV. `None` when the person closed the dialog.
#[tauri::command]
#[tracing::instrument(skip(app, state))]
async fn export_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_id: i64,
    bom: bool,
) -> Result<Option<ExportSummary>, ErrorView> {
    let desk = state.desk()?.clone();
    let name = desk.export_file_name(run_id).map_err(|e| e.view())?;
    let path = match std::env::var_os("FLINKS_DESK_EXPORT_DIR") {
        Some(dir) => PathBuf::from(dir).join(&name),
        None => {
            // This command runs off the main thread, so the dialog may block it.
            let chosen = app
                .dialog()
                .file()
                .set_title("Export attributes as CSV")
                .set_file_name(&name)
                .add_filter("CSV", &["csv"])
                .blocking_save_file();
            let Some(chosen) = chosen else {
                return Ok(None);
            };
            chosen.into_path().map_err(|e| ErrorView {
                code: "export.path".into(),
                message: format!("the chosen location is not a file path: {e}"),
                hint: "Pick a folder on this computer.".into(),
            })?
        }
    };
    desk.export_csv(run_id, &path, CsvOptions { bom })
        .map(Some)
        .map_err(|e| e.view())
}

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

/// Where the database lives: FLINKS_DESK_DATA_DIR, else the OS's app data folder.
fn data_dir<R: Runtime>(app: &tauri::App<R>) -> Result<PathBuf, ErrorView> {
    if let Some(dir) = std::env::var_os("FLINKS_DESK_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    app.path().app_data_dir().map_err(|e| ErrorView {
        code: "store.location".into(),
        message: format!("no folder for Flinks Desk's data: {e}"),
        hint: "Set FLINKS_DESK_DATA_DIR to a writable folder and start again.".into(),
    })
}

fn start_desk<R: Runtime>(app: &tauri::App<R>) -> Result<Arc<Desk>, ErrorView> {
    let path = data_dir(app)?.join("flinks-desk.sqlite3");
    let store = Store::open(&path).map_err(|e| DeskError::from(e).view())?;
    tracing::info!(path = %path.display(), "store opened");
    let secrets = Arc::new(KeyringStore);
    tauri::async_runtime::block_on(Desk::start(builtin_options(), store, secrets))
        .map(Arc::new)
        .map_err(|e| e.view())
}

/// Registers the plugins, commands and state on any runtime (the real one, or Tauri's mock).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let desk = start_desk(app);
            if let Err(e) = &desk {
                // The window still opens and says what happened and what to do.
                tracing::error!(code = %e.code, message = %e.message, "the desk could not start");
            }
            app.manage(DeskState(desk));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            list_customers,
            list_packages,
            run_package,
            cancel_run,
            history,
            open_run,
            export_csv,
            charts,
            explain,
            request_log,
            compare_runs,
            environments,
            add_environment,
            add_customer,
            remove_customer
        ])
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tao=warn,wry=warn".into()),
        )
        .init();
    setup(tauri::Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running Flinks Desk");
}
