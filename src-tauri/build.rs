fn main() {
    // Declaring the app's commands makes Tauri generate an `allow-<command>` permission for each,
    // so capabilities/default.json can grant the UI exactly the commands it calls.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_customers",
            "list_packages",
            "run_package",
            "cancel_run",
            "history",
            "open_run",
            "export_csv",
            "charts",
            "explain",
            "request_log",
            "compare_runs",
            "environments",
            "add_environment",
            "add_customer",
            "remove_customer",
            "rename_customer",
            "run_portfolio",
            "cancel_portfolio",
            "export_portfolio_csv",
            "connect_customer",
            "check_environment",
            "remove_environment",
            "run_custom",
            "attribute_choices",
            "sign_in_customer",
            "answer_sign_in",
            "cancel_sign_in",
            "update_environment",
            "ledger_totals",
        ]),
    ))
    .expect("tauri build script failed");
}
