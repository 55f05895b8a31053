//! The Flinks Desk app: a thin shell of Tauri commands over `desk-core`.
//! Each command takes the state, calls the core and maps its error to `{ code, message, hint }`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::{
    AttributeChoice, BuiltinOptions, Chart, Comparison, CsvOptions, CustomerView, Desk, DeskError,
    EnvironmentEdit, EnvironmentView, ErrorView, Explanation, ExportSummary, KeyringStore,
    LedgerEntry, LedgerTotals, LiveSignIn, NewEnvironment, Package, PackageView, PortfolioEvent,
    PortfolioResult, RunEvent, RunRecord, RunResult, SignInStep, Store,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio_util::sync::CancellationToken;

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
    let package = parse_package(&package)?;
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

fn parse_package(package: &str) -> Result<Package, ErrorView> {
    package.parse().map_err(|message: String| ErrorView {
        code: "package.unknown".into(),
        message,
        hint: "Pick a package from the list.".into(),
    })
}

/// The custom `/Attributes` call with the attributes picked.
#[tauri::command]
#[tracing::instrument(skip(state, on_event))]
async fn run_custom(
    state: State<'_, DeskState>,
    customer_id: String,
    names: Vec<String>,
    on_event: Channel<RunEvent>,
) -> Result<RunResult, ErrorView> {
    let desk = state.desk()?.clone();
    let progress = move |event: RunEvent| {
        if let Err(e) = on_event.send(event) {
            tracing::debug!(error = %e, "progress not delivered");
        }
    };
    desk.run_custom(&customer_id, &names, &progress)
        .await
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
async fn attribute_choices(
    state: State<'_, DeskState>,
    environment: String,
) -> Result<Vec<AttributeChoice>, ErrorView> {
    let desk = state.desk()?.clone();
    desk.attribute_choices(&environment)
        .await
        .map_err(|e| e.view())
}

/// The portfolio run in progress, so Cancel can stop it.
#[derive(Default)]
struct PortfolioState(Mutex<Option<CancellationToken>>);

#[tauri::command]
#[tracing::instrument(skip(state, portfolio, on_event))]
async fn run_portfolio(
    state: State<'_, DeskState>,
    portfolio: State<'_, PortfolioState>,
    customer_ids: Vec<String>,
    package: String,
    concurrency: usize,
    on_event: Channel<PortfolioEvent>,
) -> Result<PortfolioResult, ErrorView> {
    let desk = state.desk()?.clone();
    let package = parse_package(&package)?;
    let cancel = CancellationToken::new();
    {
        let mut running = portfolio.0.lock().expect("portfolio lock");
        if running.as_ref().is_some_and(|c| !c.is_cancelled()) {
            return Err(ErrorView {
                code: "portfolio.running".into(),
                message: "a portfolio run is already in progress".into(),
                hint: "Wait for it to finish, or cancel it first.".into(),
            });
        }
        *running = Some(cancel.clone());
    }
    let progress = move |event: PortfolioEvent| {
        if let Err(e) = on_event.send(event) {
            tracing::debug!(error = %e, "progress not delivered");
        }
    };
    let result = desk
        .run_portfolio(&customer_ids, package, concurrency, &cancel, &progress)
        .await;
    portfolio.0.lock().expect("portfolio lock").take();
    result.map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(portfolio))]
fn cancel_portfolio(portfolio: State<'_, PortfolioState>) -> bool {
    match portfolio.0.lock().expect("portfolio lock").as_ref() {
        Some(cancel) => {
            cancel.cancel();
            true
        }
        None => false,
    }
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn rename_customer(
    state: State<'_, DeskState>,
    customer_id: String,
    label: String,
) -> Result<CustomerView, ErrorView> {
    state
        .desk()?
        .rename_customer(&customer_id, &label)
        .map_err(|e| e.view())
}

/// Opens Flinks Connect in a window of its own and waits for it to end. The redirect it ends
/// with is caught before it loads, read here, and its loginId goes straight to the keyring: the
/// main window's page never sees it, and the Connect window has no access to the app's commands
/// (capabilities/default.json grants them to `main` only). `None` when the person closed it.
#[tauri::command]
#[tracing::instrument(skip(app, state, label))]
async fn connect_customer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    environment: String,
    label: String,
) -> Result<Option<CustomerView>, ErrorView> {
    let desk = state.desk()?.clone();
    if let Some(open) = app.get_webview_window(CONNECT_WINDOW) {
        let _ = open.set_focus();
        return Err(ErrorView {
            code: "connect.open".into(),
            message: "Flinks Connect is already open".into(),
            hint: "Finish or close the Connect window first.".into(),
        });
    }
    let url = desk.connect_url(&environment).await.map_err(|e| e.view())?;
    let (tx, rx) = tokio::sync::oneshot::channel::<Option<String>>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let send = |tx: &Arc<Mutex<Option<tokio::sync::oneshot::Sender<Option<String>>>>>,
                value: Option<String>| {
        if let Some(tx) = tx.lock().expect("connect lock").take() {
            let _ = tx.send(value);
        }
    };
    let on_redirect = tx.clone();
    let window =
        tauri::WebviewWindowBuilder::new(&app, CONNECT_WINDOW, tauri::WebviewUrl::External(url))
            .title("Flinks Connect — link a bank account")
            .inner_size(520.0, 700.0)
            .on_navigation(move |to| {
                if to.as_str().starts_with(desk_core::CONNECT_REDIRECT) {
                    send(&on_redirect, Some(to.to_string()));
                    false
                } else {
                    true
                }
            })
            .build()
            .map_err(|e| ErrorView {
                code: "connect.window".into(),
                message: format!("the Connect window could not open: {e}"),
                hint: "Try again; if it keeps failing, add the customer by loginId.".into(),
            })?;
    let on_close = tx.clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::Destroyed = event {
            send(&on_close, None);
        }
    });
    let redirect = rx.await.ok().flatten();
    let _ = window.destroy();
    match redirect {
        None => Ok(None),
        Some(redirect) => desk
            .add_customer_from_connect(&environment, &label, &redirect)
            .map(Some)
            .map_err(|e| e.view()),
    }
}

const CONNECT_WINDOW: &str = "connect";

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

/// What a cheap call to the environment proved, in words (or why it failed).
#[tauri::command]
#[tracing::instrument(skip(state))]
async fn check_environment(
    state: State<'_, DeskState>,
    environment: String,
) -> Result<String, ErrorView> {
    let desk = state.desk()?.clone();
    desk.check_environment(&environment)
        .await
        .map_err(|e| e.view())
}

/// The keys in `edit` are secrets: its Debug hides them, and the span records the key only.
#[tauri::command]
#[tracing::instrument(skip(state, edit))]
fn update_environment(
    state: State<'_, DeskState>,
    environment: String,
    edit: EnvironmentEdit,
) -> Result<EnvironmentView, ErrorView> {
    state
        .desk()?
        .update_environment(&environment, edit)
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn remove_environment(state: State<'_, DeskState>, environment: String) -> Result<(), ErrorView> {
    state
        .desk()?
        .remove_environment(&environment)
        .map_err(|e| e.view())
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

/// A live sign-in: the username, password and answers are secrets, so the log skips every
/// argument. Only the first step's environment is recorded.
#[tauri::command]
#[tracing::instrument(skip_all, fields(environment = %input.environment))]
async fn sign_in_customer(
    state: State<'_, DeskState>,
    input: LiveSignIn,
) -> Result<SignInStep, ErrorView> {
    let desk = state.desk()?.clone();
    desk.sign_in_live(input).await.map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
async fn answer_sign_in(
    state: State<'_, DeskState>,
    sign_in: String,
    answers: Vec<String>,
) -> Result<SignInStep, ErrorView> {
    let desk = state.desk()?.clone();
    desk.answer_sign_in(&sign_in, answers)
        .await
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
fn cancel_sign_in(state: State<'_, DeskState>, sign_in: String) -> Result<bool, ErrorView> {
    Ok(state.desk()?.cancel_sign_in(&sign_in))
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
fn request_log(
    state: State<'_, DeskState>,
    environment: Option<String>,
) -> Result<Vec<LedgerEntry>, ErrorView> {
    state
        .desk()?
        .ledger(500, environment.as_deref())
        .map_err(|e| e.view())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
fn ledger_totals(state: State<'_, DeskState>) -> Result<Vec<LedgerTotals>, ErrorView> {
    state.desk()?.ledger_totals().map_err(|e| e.view())
}

/// Where to write an export: FLINKS_DESK_EXPORT_DIR when set (tests, kiosks), else the native
/// save dialog. `None` when the person closed the dialog.
fn export_path<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<Option<PathBuf>, ErrorView> {
    if let Some(dir) = std::env::var_os("FLINKS_DESK_EXPORT_DIR") {
        return Ok(Some(PathBuf::from(dir).join(name)));
    }
    // Export commands run off the main thread, so the dialog may block.
    let chosen = app
        .dialog()
        .file()
        .set_title("Export attributes as CSV")
        .set_file_name(name)
        .add_filter("CSV", &["csv"])
        .blocking_save_file();
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|e| ErrorView {
        code: "export.path".into(),
        message: format!("the chosen location is not a file path: {e}"),
        hint: "Pick a folder on this computer.".into(),
    })
}

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
    let Some(path) = export_path(&app, &name)? else {
        return Ok(None);
    };
    desk.export_csv(run_id, &path, CsvOptions { bom })
        .map(Some)
        .map_err(|e| e.view())
}

/// A portfolio's completed runs as one wide CSV, one row per customer.
#[tauri::command]
#[tracing::instrument(skip(app, state))]
async fn export_portfolio_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_ids: Vec<i64>,
    package: String,
    bom: bool,
) -> Result<Option<ExportSummary>, ErrorView> {
    let desk = state.desk()?.clone();
    let package = parse_package(&package)?;
    let name = desk_core::export::portfolio_file_name(package.slug());
    let Some(path) = export_path(&app, &name)? else {
        return Ok(None);
    };
    desk.export_portfolio_csv(&run_ids, &path, CsvOptions { bom })
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
            init_logging(app);
            let desk = start_desk(app);
            if let Err(e) = &desk {
                // The window still opens and says what happened and what to do.
                tracing::error!(code = %e.code, message = %e.message, "the desk could not start");
            }
            app.manage(DeskState(desk));
            app.manage(PortfolioState::default());
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
            remove_customer,
            rename_customer,
            run_portfolio,
            cancel_portfolio,
            export_portfolio_csv,
            connect_customer,
            check_environment,
            remove_environment,
            run_custom,
            attribute_choices,
            sign_in_customer,
            answer_sign_in,
            cancel_sign_in,
            update_environment,
            ledger_totals
        ])
}

/// Logs go to stderr and to `{data dir}/logs/flinks-desk.log` (appended), at the level RUST_LOG
/// sets (info by default). Nothing logged carries a loginId, key or token: the client scrubs its
/// errors and every command that receives one skips it in its span.
fn init_logging<R: Runtime>(app: &tauri::App<R>) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,tao=warn,wry=warn".into())
    };
    let file = data_dir(app).ok().and_then(|dir| {
        let logs = dir.join("logs");
        std::fs::create_dir_all(&logs).ok()?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.join("flinks-desk.log"))
            .ok()
    });
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

pub fn run() {
    setup(tauri::Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running Flinks Desk");
}
