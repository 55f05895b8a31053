//! On Unix, what the desk writes on its own is its owner's alone: the data folder it creates
//! (0700), the database with its WAL files, the built-in sandbox's saved logins and the exports
//! (0600). A database an older version left readable by all is made private when opened.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use desk_core::{CsvOptions, LiveSignIn, MemoryStore, Package, SignInStep, Store};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_data_folder_database_saved_logins_and_exports_are_private() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("Flinks Desk");
    let db = data.join("flinks-desk.sqlite3");
    let desk = common::start_desk(&db, Arc::new(MemoryStore::default())).await;
    let run = desk
        .run("borrower_nsf", Package::CreditRisk, &|_| {})
        .await
        .unwrap();
    // A sign-in on the built-in sandbox makes it save its logins beside the database.
    let step = desk
        .sign_in_live(LiveSignIn {
            environment: "builtin".into(),
            label: "No question".into(),
            institution: "FlinksCapital".into(),
            username: "greatday_nomfa".into(),
            password: flinks_sandbox::capital::PASSWORD.into(),
            language: None,
        })
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::Added { .. }), "{step:?}");
    let exports = data.join("exports");
    std::fs::create_dir(&exports).unwrap();
    let export = exports.join("run.csv");
    desk.export_csv(run.run_id, &export, CsvOptions { bom: false })
        .unwrap();
    let wide = exports.join("portfolio.csv");
    desk.export_portfolio_csv(&[run.run_id], &wide, CsvOptions { bom: true })
        .unwrap();

    assert_eq!(mode(&data), 0o700, "the data folder");
    for file in [
        db.clone(),
        data.join("flinks-desk.sqlite3-wal"),
        data.join("flinks-desk.sqlite3-shm"),
        data.join("sandbox-logins.json"),
        export,
        wide,
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn a_database_left_readable_by_all_is_made_private() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("desk.sqlite3");
    drop(Store::open(&db).unwrap());
    let wal = root.path().join("desk.sqlite3-wal");
    for file in [&db, &wal] {
        if file.exists() {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let store = Store::open(&db).unwrap();
    store.history(1).unwrap();
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&wal), 0o600);
}
