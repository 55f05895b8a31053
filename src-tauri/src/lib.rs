//! The Flinks Desk app: a thin shell of Tauri commands over `desk-core`.
//! Each command takes the state, calls the core and maps its error to `{ code, message, hint }`.

use std::sync::Arc;

use desk_core::{Desk, ErrorView};
use tauri::{Manager, Runtime};

pub mod commands;
mod startup;

use commands::customers::*;
use commands::decisions::*;
use commands::environments::*;
use commands::policies::*;
use commands::reports::*;
use commands::results::*;
use commands::runs::*;
use commands::statements::*;
use commands::team::*;
pub use commands::DeskState;

/// Registers the plugins, commands and state on any runtime (the real one, or Tauri's mock),
/// with the desk `start` makes (the tests give one on a throwaway store and keyring).
pub fn setup_with<R: Runtime, F>(builder: tauri::Builder<R>, start: F) -> tauri::Builder<R>
where
    F: FnOnce(&tauri::App<R>) -> Result<Arc<Desk>, ErrorView> + Send + 'static,
{
    builder
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            startup::init_logging(app);
            let desk = start(app);
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
            ledger_totals,
            confirm_production,
            portfolio_cost,
            shipped_policies,
            decide_run,
            override_decision,
            run_decisions,
            what_if,
            policies,
            open_policy,
            save_policy,
            policy_versions,
            diff_policy_versions,
            import_policy,
            export_policy,
            affordability_settings,
            set_affordability_settings,
            attach_statements,
            run_statements,
            export_report,
            export_portfolio_reports,
            team_status,
            sync_team
        ])
}

/// The app as it runs: the desk on the OS keyring and the data folder.
pub fn setup<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    setup_with(builder, startup::start_desk)
}

pub fn run() {
    setup(tauri::Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running Flinks Desk");
}
