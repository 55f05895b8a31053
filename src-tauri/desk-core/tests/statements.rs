//! Statements attached to a run, through the same flow as the run, against the built-in sandbox
//! answering 202 first: real PDFs in the chosen folder, private, listed with the run by name,
//! account and hash.

mod common;

use std::sync::Arc;
use std::time::Duration;

use desk_core::{MemoryStore, Package};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_run_s_statements_are_saved_where_asked_and_listed_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let desk = common::start_desk_pending(
        &dir.path().join("desk.sqlite3"),
        Arc::new(MemoryStore::default()),
        Duration::from_millis(200),
    )
    .await;
    let run = desk
        .run("multiple_employers", Package::Income, &|_| {})
        .await
        .unwrap();
    let folder = dir.path().join("loan file 2291");
    let waited = std::sync::atomic::AtomicBool::new(false);
    let attached = desk
        .attach_statements(run.run_id, &folder, None, &|e| {
            if matches!(e, desk_core::RunEvent::Waiting { .. }) {
                waited.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        })
        .await
        .unwrap();
    assert!(waited.into_inner(), "Flinks' 202s were waited out");
    // The most recent statement of each account the run read.
    assert_eq!(attached.len(), run.accounts, "{attached:?}");
    for s in &attached {
        let bytes = std::fs::read(&s.path).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{} is a PDF", s.path);
        assert_eq!(s.bytes as usize, bytes.len());
        let sha: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(s.sha256, sha);
        assert!(s.path.starts_with(folder.to_str().unwrap()));
        let name = std::path::Path::new(&s.path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.ends_with(".pdf") && name.contains(&s.account),
            "{name}"
        );
        assert!(s.account.len() <= 4);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&s.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}");
        }
    }
    assert_eq!(desk.statements(run.run_id).unwrap(), attached);
    assert!(desk
        .ledger(100, Some("builtin"))
        .unwrap()
        .iter()
        .any(|l| l.endpoint == "GetStatements" && l.status == Some(202)));

    // A year of statements needs one account; three months are fine, five are not a choice.
    let three = desk
        .attach_statements(run.run_id, &folder, Some(3), &|_| {})
        .await
        .unwrap();
    assert_eq!(three.len(), 3 * run.accounts);
    let five = desk
        .attach_statements(run.run_id, &folder, Some(5), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(five.code().to_string(), "input.invalid");
    assert_eq!(desk.statements(run.run_id).unwrap().len(), 4 * run.accounts);
}
