//! The `flinks` command line against the sandbox: the flow's CSV is the sandbox's attributes,
//! and a failure says what happened without the loginId.

use std::process::Command;
use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig};

fn flinks(sandbox: &Sandbox) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flinks"));
    cmd.args(["--api-base-url", &sandbox.base_url()])
        .args(["--customer-id", sandbox.customer_id()])
        .env_remove("FLINKS_LOGIN_ID");
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_prints_the_package_as_csv() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::from_millis(300),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let persona = sandbox
        .personas()
        .iter()
        .find(|p| p.username == "borrower_nsf")
        .unwrap();
    let mut cmd = flinks(&sandbox);
    cmd.args([
        "flow",
        "--package",
        "credit-risk",
        "--format",
        "csv",
        "--poll-interval-ms",
        "100",
    ])
    .env("FLINKS_LOGIN_ID", persona.login_id.to_string());
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("still processing"),
        "progress is reported: {stderr}"
    );
    assert!(!stderr.contains(&persona.login_id.to_string()), "{stderr}");

    let expected = flinks_sandbox::engine::credit_risk(persona, sandbox.config().as_of);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), expected.len());
    for (row, attr) in rows.iter().zip(&expected) {
        assert_eq!(&row[0], attr.name);
        let want = attr.value.to_json();
        let shown: serde_json::Value = serde_json::from_str(&row[1])
            .unwrap_or_else(|_| serde_json::Value::String(row[1].to_owned()));
        assert_eq!(shown, want, "{}", attr.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_login_fails_with_the_code_and_a_hint_but_not_the_login() {
    let sandbox = Sandbox::start_local(SandboxConfig::default())
        .await
        .unwrap();
    let stranger = "0b7c1f0e-3f1a-4c55-9e0e-5d2b8f1d9a77";
    let mut cmd = flinks(&sandbox);
    cmd.args(["authorize"]).env("FLINKS_LOGIN_ID", stranger);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("INVALID_LOGIN") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(!stderr.contains("0b7c1f0e"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_and_a_connect_url_need_the_secret_key() {
    let sandbox = Sandbox::start_local(SandboxConfig::default())
        .await
        .unwrap();
    let mut cmd = flinks(&sandbox);
    cmd.args(["token"]).env_remove("FLINKS_SECRET_KEY");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--secret-key"));

    let mut cmd = flinks(&sandbox);
    cmd.args([
        "connect-url",
        "--iframe-base-url",
        &format!("{}/v2/", sandbox.base_url()),
    ])
    .args(["--redirect-url", "https://example.org/done"])
    .env("FLINKS_SECRET_KEY", sandbox.config().secret_key.clone());
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("authorizeToken=") && stdout.contains("redirectUrl="),
        "{stdout}"
    );

    let mut cmd = flinks(&sandbox);
    cmd.args([
        "--poll-interval-ms",
        "10",
        "accounts",
        "--request-id",
        "nope",
    ])
    .env("FLINKS_LOGIN_ID", "0b7c1f0e-3f1a-4c55-9e0e-5d2b8f1d9a77");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "SESSION_NONEXISTENT is an API error"
    );
}
