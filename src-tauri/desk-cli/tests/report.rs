//! `desk report`, the real binary on a data folder of its own: a new run decided and written as
//! a PDF and a workbook, then the same stored run written again, the same bytes; a file that
//! cannot be written is said so.

use std::path::Path;
use std::process::Command;

const PERSONAL_LOAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../desk-policy/policies/personal-loan.json"
);

fn desk(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_desk"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_report_of_a_stored_run_is_the_same_bytes_when_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let (pdf, xlsx) = (dir.path().join("nsf.pdf"), dir.path().join("nsf.xlsx"));
    let (ok, out, err) = desk(
        dir.path(),
        &[
            "report",
            "--customer",
            "borrower_nsf",
            "--package",
            "lending",
            "--policy",
            PERSONAL_LOAN,
            "--pdf",
            pdf.to_str().unwrap(),
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("nsf.pdf") && out.contains("nsf.xlsx"), "{out}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // The decision is in the report, as the history has it.
    let (ok, history, err) = desk(dir.path(), &["history", "--format", "json"]);
    assert!(ok, "{err}");
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    let run = history[0]["id"].as_i64().unwrap();
    let decision = history[0]["decision"]["finalDecision"].as_str().unwrap();
    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) reads the report");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&decision.to_uppercase()), "{decision}");

    let again = dir.path().join("again.pdf");
    let (ok, _, err) = desk(
        dir.path(),
        &[
            "report",
            "--run",
            &run.to_string(),
            "--pdf",
            again.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&pdf).unwrap());

    let (ok, _, err) = desk(
        dir.path(),
        &[
            "report",
            "--run",
            &run.to_string(),
            "--pdf",
            "/nonexistent/folder/x.pdf",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("could not write /nonexistent/folder/x.pdf"),
        "{err}"
    );
    let (ok, _, err) = desk(dir.path(), &["report", "--run", &run.to_string()]);
    assert!(!ok && err.contains("--pdf"), "asks for an output: {err}");
}
