//! The Flinks Desk app: a thin shell of Tauri commands over `desk-core`.
//! Each command takes the state, calls the core and maps its error to `{ code, message, hint }`.

use std::sync::Arc;
use std::time::Duration;

use desk_core::{
    BuiltinOptions, CustomerView, Desk, EnvironmentView, ErrorView, Package, PackageView, RunEvent,
    RunResult,
};
use tauri::ipc::Channel;
use tauri::{Runtime, State};

/// The desk, or why it could not start (shown by the UI instead of a dead window).
struct DeskState(Result<Arc<Desk>, ErrorView>);

impl DeskState {
    fn desk(&self) -> Result<&Arc<Desk>, ErrorView> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

#[tauri::command]
#[tracing::instrument(skip_all)]
fn environment(state: State<'_, DeskState>) -> Result<EnvironmentView, ErrorView> {
    Ok(state.desk()?.environment())
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
fn cancel_run(state: State<'_, DeskState>, run_id: u64) -> Result<bool, ErrorView> {
    Ok(state.desk()?.cancel(run_id))
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

/// Registers the commands and the state on any runtime (the real one, or Tauri's mock in tests).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    let desk = tauri::async_runtime::block_on(Desk::start_builtin(builtin_options()))
        .map(Arc::new)
        .map_err(|e| {
            tracing::error!(error = %e, "the desk could not start");
            e.view()
        });
    builder
        .manage(DeskState(desk))
        .invoke_handler(tauri::generate_handler![
            environment,
            list_customers,
            list_packages,
            run_package,
            cancel_run
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
