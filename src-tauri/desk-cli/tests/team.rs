//! `desk team` and `desk history --store` with a real PostgreSQL: the team store set up from the
//! command line, two desks (two data folders, two underwriters) that run, decide, review and
//! sync, the team's history from either desk with its filters, and a server that goes away.
//! The real binary each time; no output ever holds a password.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use desk_test_postgres::TestPostgres;
use serde_json::Value;

const PERSONAL_LOAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../desk-policy/policies/personal-loan.json"
);

/// The desks' role's password, looked for in every output.
const PASSWORD: &str = "team-pw-5819";

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// `desk` as `user` (the OS user the desk records), with `env` set and nothing from the
/// machine's own team or data settings.
fn desk_as(user: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_desk"));
    cmd.args(args)
        .env("USER", user)
        .env_remove("FLINKS_DESK_DATA_DIR")
        .env_remove("FLINKS_DESK_STORE")
        .env_remove("FLINKS_DESK_TEAM_PASSWORD")
        .env_remove("FLINKS_DESK_TEAM_ADMIN_URL")
        .stdin(Stdio::null());
    for (name, value) in env {
        cmd.env(name, value);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    let run = Run {
        ok: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "the password was printed by desk {args:?}:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

/// A desk: a data folder and the underwriter at it.
struct Desk<'a> {
    dir: &'a Path,
    user: &'a str,
}

impl Desk<'_> {
    fn run(&self, args: &[&str]) -> Run {
        let dir = self.dir.to_str().unwrap();
        let all: Vec<&str> = ["--data-dir", dir].iter().chain(args).copied().collect();
        desk_as(self.user, &all, &[])
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.ok, "desk {args:?} failed:\n{}", out.stderr);
        out.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// Runs the lending package for a sandbox customer and decides it with the personal-loan
    /// policy: the run's id on this desk.
    fn decide(&self, customer: &str) -> i64 {
        let decided = self.json(&[
            "decide",
            "--customer",
            customer,
            "--package",
            "lending",
            "--policy",
            PERSONAL_LOAN,
            "--format",
            "json",
        ]);
        decided["run_id"].as_i64().unwrap()
    }
}

/// The team store set up through `desk team setup` in a new database: the desks' URL.
fn set_up(pg: &TestPostgres, name: &str, role: &str) -> String {
    let db = pg.create_database(name).unwrap();
    let admin = pg.admin_url(&db);
    let admin_password = admin
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(user, _)| user.split_once(':'))
        .map(|(_, pw)| pw.to_owned())
        .unwrap();
    let out = desk_as(
        "owner",
        &["team", "setup", "--admin-url", &admin, "--role", role],
        &[("FLINKS_DESK_TEAM_PASSWORD", PASSWORD)],
    );
    assert!(out.ok, "setup failed: {}", out.stderr);
    assert!(
        !out.stdout.contains(&admin_password) && !out.stderr.contains(&admin_password),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!(
            "postgres://{role}:PASSWORD@127.0.0.1:{}/{db}",
            pg.port()
        )),
        "{}",
        out.stdout
    );
    format!("postgres://{role}:{PASSWORD}@127.0.0.1:{}/{db}", pg.port())
}

fn labels(runs: &Value) -> Vec<String> {
    let mut labels: Vec<String> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["customerLabel"].as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

fn run_of<'a>(runs: &'a Value, maker: &str) -> &'a Value {
    runs.as_array()
        .unwrap()
        .iter()
        .find(|r| r["madeBy"] == maker)
        .unwrap_or_else(|| panic!("no run by {maker} in {runs:#}"))
}

#[test]
fn two_desks_share_their_runs_and_reviews_through_the_team_store() {
    let pg = TestPostgres::shared().unwrap();
    let url = set_up(pg, "cli_two_desks", "desk_cli_two");
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ana = Desk {
        dir: a_dir.path(),
        user: "ana",
    };
    let ben = Desk {
        dir: b_dir.path(),
        user: "ben",
    };
    ana.decide("borrower_nsf");
    ben.decide("gig_worker");

    for desk in [&ana, &ben] {
        let status = desk.json(&["team", "sync", "--store", &url, "--format", "json"]);
        assert_eq!(status["online"], true, "{status:#}");
        assert_eq!(status["waiting"], 0, "{status:#}");
        assert_eq!(status["lastReport"]["pushed"]["runs"], 1, "{status:#}");
        assert!(status["at"]
            .as_str()
            .unwrap()
            .starts_with("postgres://desk_cli_two@"));
    }
    // Ben's desk now has Ana's run too, decided by her: he reviews it (a second decision). The
    // sandbox's customers are on every desk, so it is not marked shared: he could run it again.
    let bens = ben.json(&["history", "--format", "json"]);
    let anas = run_of(&bens, "ana");
    assert_eq!(anas["review"], "decided", "{anas:#}");
    assert_eq!(anas["deciders"], serde_json::json!(["ana"]));
    assert_eq!(anas["shared"], false);
    let shared_id = anas["id"].as_i64().unwrap().to_string();
    let workbook = b_dir.path().join("review.xlsx");
    ben.ok(&[
        "report",
        "--run",
        &shared_id,
        "--policy",
        PERSONAL_LOAN,
        "--xlsx",
        workbook.to_str().unwrap(),
    ]);
    ben.ok(&["team", "sync", "--store", &url]);
    ana.ok(&["team", "sync", "--store", &url]);

    for desk in [&ana, &ben] {
        let team = desk.json(&["history", "--store", &url, "--format", "json"]);
        assert_eq!(labels(&team).len(), 2, "{team:#}");
        let anas = run_of(&team, "ana");
        assert_eq!(anas["review"], "reviewed", "{anas:#}");
        assert_eq!(anas["deciders"], serde_json::json!(["ana", "ben"]));
        assert_eq!(anas["decidedBy"], "ben");
        let bens = run_of(&team, "ben");
        assert_eq!(bens["review"], "decided");
        assert_eq!(bens["deciders"], serde_json::json!(["ben"]));
        assert_ne!(anas["madeOn"]["desk"], bens["madeOn"]["desk"]);
    }

    // The filters, on the team store and on a desk's own copy alike.
    let ana_runs = labels(&ana.json(&[
        "history",
        "--store",
        &url,
        "--underwriter",
        "ana",
        "--format",
        "json",
    ]));
    let ben_runs = labels(&ana.json(&[
        "history",
        "--store",
        &url,
        "--underwriter",
        "ben",
        "--format",
        "json",
    ]));
    let reviewed = ana.json(&[
        "history", "--store", &url, "--review", "reviewed", "--format", "json",
    ]);
    let decided = ana.json(&[
        "history", "--store", &url, "--review", "decided", "--format", "json",
    ]);
    let undecided = ana.json(&[
        "history",
        "--store",
        &url,
        "--review",
        "undecided",
        "--format",
        "json",
    ]);
    assert_eq!(
        ana_runs.len(),
        1,
        "Ana ran and decided one run: {ana_runs:?}"
    );
    assert_eq!(
        ben_runs.len(),
        2,
        "Ben ran one and reviewed the other: {ben_runs:?}"
    );
    assert_eq!(run_of(&reviewed, "ana")["review"], "reviewed");
    assert_eq!(reviewed.as_array().unwrap().len(), 1);
    assert_eq!(run_of(&decided, "ben")["review"], "decided");
    assert_eq!(decided.as_array().unwrap().len(), 1);
    assert_eq!(undecided, serde_json::json!([]));
    for (filter, value, expected) in [
        ("--underwriter", "ana", 1),
        ("--underwriter", "ben", 2),
        ("--underwriter", "nobody", 0),
        ("--review", "reviewed", 1),
        ("--review", "decided", 1),
        ("--review", "overridden", 0),
    ] {
        let local = ana.json(&["history", filter, value, "--format", "json"]);
        assert_eq!(
            local.as_array().unwrap().len(),
            expected,
            "{filter} {value}: {local:#}"
        );
    }

    // The table says who and where the review stands.
    let table = ana.ok(&["history", "--store", &url]);
    assert!(
        table.contains("underwriter") && table.contains("review"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("ana") && l.contains("reviewed by ana, ben")),
        "{table}"
    );

    // FLINKS_DESK_STORE stands for --store, and help never shows its value.
    let dir = ana.dir.to_str().unwrap();
    let from_env = desk_as(
        "ana",
        &["--data-dir", dir, "history", "--format", "json"],
        &[("FLINKS_DESK_STORE", &url)],
    );
    assert!(from_env.ok, "{}", from_env.stderr);
    assert_eq!(
        labels(&serde_json::from_str(&from_env.stdout).unwrap()).len(),
        2
    );
    let help = desk_as(
        "ana",
        &["history", "--help"],
        &[("FLINKS_DESK_STORE", &url)],
    );
    assert!(
        help.ok && help.stdout.contains("FLINKS_DESK_STORE"),
        "{}",
        help.stdout
    );

    let status = ana.json(&["team", "status", "--store", &url, "--format", "json"]);
    assert_eq!(status["online"], true);
    assert_eq!(status["desk"]["user"], "ana");
}

#[test]
fn with_the_server_down_history_lists_this_desk_s_runs_and_says_so() {
    // A server of this test's own: it is stopped and started again.
    let pg = TestPostgres::start().unwrap();
    let url = set_up(&pg, "cli_outage", "desk_cli_outage");
    let dir = tempfile::tempdir().unwrap();
    let ana = Desk {
        dir: dir.path(),
        user: "ana",
    };
    ana.decide("borrower_nsf");
    ana.ok(&["team", "sync", "--store", &url]);

    pg.stop().unwrap();
    ana.decide("salaried_biweekly");
    let out = ana.run(&["history", "--store", &url, "--format", "json"]);
    assert!(
        out.ok,
        "exit code 0 when the store is unreachable: {}",
        out.stderr
    );
    assert!(out.stderr.contains("unreachable"), "{}", out.stderr);
    let local: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        labels(&local).len(),
        2,
        "both runs from this desk's copy: {local:#}"
    );
    assert!(local
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["madeBy"] == "ana"));
    let filtered = ana.run(&[
        "history", "--store", &url, "--review", "decided", "--format", "json",
    ]);
    assert!(filtered.ok);
    assert_eq!(
        serde_json::from_str::<Value>(&filtered.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let status = ana.json(&["team", "status", "--store", &url, "--format", "json"]);
    assert_eq!(status["online"], false);
    assert!(status["waiting"].as_i64().unwrap() > 0, "{status:#}");
    let sync = ana.run(&["team", "sync", "--store", &url]);
    assert!(!sync.ok, "a sync that did not happen fails");
    assert!(sync.stdout.contains("unreachable"), "{}", sync.stdout);

    // Back: what waited goes up, and the team store lists both.
    pg.restart().unwrap();
    let status = ana.json(&["team", "sync", "--store", &url, "--format", "json"]);
    assert_eq!(status["online"], true, "{status:#}");
    assert_eq!(status["waiting"], 0);
    let out = ana.run(&["history", "--store", &url, "--format", "json"]);
    assert!(out.ok && out.stderr.is_empty(), "{}", out.stderr);
    assert_eq!(labels(&serde_json::from_str(&out.stdout).unwrap()).len(), 2);
}

#[test]
fn a_team_store_url_that_would_send_the_password_in_clear_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ana = Desk {
        dir: dir.path(),
        user: "ana",
    };
    let url = format!("postgres://desk:{PASSWORD}@db.example.com:5432/lending");
    let out = ana.run(&["history", "--store", &url]);
    assert!(!out.ok);
    assert!(out.stderr.contains("TLS"), "{}", out.stderr);
    assert!(
        out.stderr.contains("postgres://desk@db.example.com"),
        "{}",
        out.stderr
    );
}
