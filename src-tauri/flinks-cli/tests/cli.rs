//! The `flinks` command line against the sandbox: the flow's CSV is the sandbox's attributes,
//! and a failure says what happened without the loginId.

use std::process::{Command, Output};
use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig};

fn flinks(sandbox: &Sandbox) -> Command {
    flinks_at(&sandbox.base_url(), sandbox.customer_id())
}

fn flinks_at(api_base_url: &str, customer_id: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flinks"));
    cmd.args(["--api-base-url", api_base_url])
        .args(["--customer-id", customer_id])
        .env_remove("FLINKS_LOGIN_ID");
    cmd
}

/// Waits for the command off the runtime's threads: the server it talks to runs on them.
async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap()
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
    let out = output(cmd).await;
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
    let out = output(cmd).await;
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
    let out = output(cmd).await;
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
    let out = output(cmd).await;
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
    let out = output(cmd).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "SESSION_NONEXISTENT is an API error"
    );
}

/// Reads the child's stderr and answers every `Prompt: ` it prints with the sandbox's answer,
/// as a person at the terminal would; returns everything it printed.
fn answer_prompts(child: &mut std::process::Child) -> String {
    use std::io::{Read, Write};
    let mut stderr = child.stderr.take().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut seen = String::new();
    let mut line = String::new();
    let mut byte = [0u8; 1];
    while stderr.read(&mut byte).unwrap() == 1 {
        seen.push(byte[0] as char);
        line.push(byte[0] as char);
        if byte[0] == b'\n' {
            line.clear();
        } else if let Some(prompt) = line.strip_suffix(": ") {
            if let Some(answer) = flinks_sandbox::capital::answer_to(prompt) {
                writeln!(stdin, "{answer}").unwrap();
                line.clear();
            }
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_sign_in_asks_the_security_question_and_its_saved_login_runs_the_flow() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut cmd = flinks(&sandbox);
    cmd.args(["authorize", "--username", "Greatday", "--save"])
        .env("FLINKS_PASSWORD", flinks_sandbox::capital::PASSWORD)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let (out, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let stderr = answer_prompts(&mut child);
        (child.wait_with_output().unwrap(), stderr)
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        flinks_sandbox::capital::QUESTIONS
            .iter()
            .any(|q| stderr.contains(q.en)),
        "the question was asked: {stderr}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "RequestId then loginId: {stdout}");
    let login_id = lines[1].to_owned();
    assert!(
        !stderr.contains(&login_id),
        "the loginId goes to stdout only"
    );

    let mut flow = flinks(&sandbox);
    flow.args(["flow", "--package", "income", "--poll-interval-ms", "50"])
        .env("FLINKS_LOGIN_ID", &login_id);
    let out = output(flow).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.to_string().contains("sum_employer_income"), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_security_answer_fails_with_the_api_exit_code() {
    let sandbox = Sandbox::start_local(SandboxConfig::default())
        .await
        .unwrap();
    let mut cmd = flinks(&sandbox);
    cmd.args(["authorize", "--username", "Greatday"])
        .env("FLINKS_PASSWORD", flinks_sandbox::capital::PASSWORD)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = cmd.spawn().unwrap();
        writeln!(child.stdin.take().unwrap(), "Not the answer").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("INVALID_SECURITY_RESPONSE"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_that_begin_like_a_formula_are_neutralized() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // No sandbox persona has such values: a mock Flinks sends them.
    let flinks_mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("/GetCreditRiskAttributes$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "HttpStatusCode": 200,
            "Card": {
                "employer_name": "=HYPERLINK(\"http://evil.test\",\"pay\")",
                "+name_itself": "plain",
                "memo": "-2+3",
                "handle": "@SUM(A1:A9)",
                "balance_min": -10330.88,
            },
            "RequestId": "1e01c5cc",
        })))
        .mount(&flinks_mock)
        .await;
    let mut cmd = flinks_at(&flinks_mock.uri(), "cid");
    cmd.args(["attributes", "credit-risk", "--request-id", "1e01c5cc"])
        .args(["--format", "csv"])
        .env("FLINKS_LOGIN_ID", "0b7c1f0e-3f1a-4c55-9e0e-5d2b8f1d9a77");
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        row("employer_name"),
        Some("'=HYPERLINK(\"http://evil.test\",\"pay\")")
    );
    assert_eq!(row("'+name_itself"), Some("plain"), "{rows:?}");
    assert_eq!(row("memo"), Some("'-2+3"));
    assert_eq!(row("handle"), Some("'@SUM(A1:A9)"));
    assert_eq!(
        row("balance_min"),
        Some("-10330.88"),
        "a number stays a number"
    );
}

// ----- statements, accounts-summary, scheduled-refresh, mfa-questions -----

/// `flinks authorize` for a persona: the RequestId it prints.
async fn authorize(sandbox: &Sandbox, login_id: &str) -> String {
    let mut cmd = flinks(sandbox);
    cmd.arg("authorize").env("FLINKS_LOGIN_ID", login_id);
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn statements_are_written_as_pdfs_and_the_summary_lists_balances() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::from_millis(200),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let persona = sandbox
        .personas()
        .iter()
        .find(|p| p.username == "high_income_saver")
        .unwrap();
    let login_id = persona.login_id.to_string();
    let request_id = authorize(&sandbox, &login_id).await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("statements");
    let mut cmd = flinks(&sandbox);
    cmd.args([
        "statements",
        "--request-id",
        &request_id,
        "--number",
        "Months3",
    ])
    .arg("--out")
    .arg(&out_dir)
    .args(["--poll-interval-ms", "50"])
    .env("FLINKS_LOGIN_ID", &login_id);
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("still processing"), "{stderr}");
    assert!(!stderr.contains(&login_id), "{stderr}");
    let written: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(written.len(), persona.accounts.len() * 3);
    let mut files: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), written.len());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".pdf"), "{name}");
        let bytes = std::fs::read(file).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{name}");
    }
    let first = &persona.accounts[0].account_number;
    assert!(files.iter().any(|f| f
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(&format!("{first}_01_"))));

    let mut cmd = flinks(&sandbox);
    cmd.args(["accounts-summary", "--request-id", &request_id])
        .env("FLINKS_LOGIN_ID", &login_id);
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let accounts: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(accounts.len(), persona.accounts.len());
    for (shown, account) in accounts.iter().zip(&persona.accounts) {
        assert_eq!(shown["Id"], account.id.to_string());
        assert_eq!(shown["Transactions"], 0);
        assert!(shown["Balance"].is_string(), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn statement_file_names_from_the_server_stay_inside_the_folder() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let body = serde_json::json!({
        "HttpStatusCode": 200,
        "StatementsByAccount": [{
            "AccountNumber": "../../escaped",
            "Statements": [{ "UniqueId": "/etc/passwd", "FileType": "../PDF", "Base64Bytes": "JVBERi0xLjQKJSVFT0YK" }],
        }],
    });
    Mock::given(method("POST"))
        .and(path_regex("GetStatements$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("inner");
    let mut cmd = flinks_at(&server.uri(), "43387ca6-0391-4c82-857d-70d95f087ecb");
    cmd.args(["statements", "--request-id", "r-1", "--login-id", "l-1"])
        .arg("--out")
        .arg(&out_dir);
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["escaped_01_etcpasswd.pdf"]);
    let outside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(outside.len(), 1, "only the folder asked for");
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_refresh_and_mfa_questions_run_against_the_sandbox() {
    let sandbox = Sandbox::start_local(SandboxConfig::default())
        .await
        .unwrap();
    let login_id = sandbox.personas()[0].login_id.to_string();
    for args in [&["scheduled-refresh"][..], &["scheduled-refresh", "--off"]] {
        let mut cmd = flinks(&sandbox);
        cmd.args(args).env("FLINKS_LOGIN_ID", &login_id);
        let out = output(cmd).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("every night") && !stderr.contains(&login_id),
            "{stderr}"
        );
    }
    let mut cmd = flinks(&sandbox);
    cmd.arg("mfa-questions").env("FLINKS_LOGIN_ID", &login_id);
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "a persona has no security question");

    let mut cmd = flinks(&sandbox);
    cmd.arg("mfa-questions")
        .env("FLINKS_LOGIN_ID", "0b0e7c84-1111-4d34-8de6-f4113bc82414");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(3), "a Flinks error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("INVALID_LOGIN"));
}
