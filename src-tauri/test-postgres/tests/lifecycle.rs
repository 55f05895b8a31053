//! The server's whole life against the real PostgreSQL: queries, databases, an outage and a
//! restart, the drop, and a test process killed with SIGKILL.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use desk_test_postgres::TestPostgres;

fn accepts_connections(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
}

/// Running or a zombie nobody reaped both count: either would be a leak.
fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Polls `done` for up to `within`; true as soon as it holds.
fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn psql_runs_sql_as_the_superuser_and_reports_sql_errors() {
    let pg = TestPostgres::shared().expect("the shared server starts");
    assert!(std::ptr::eq(pg, TestPostgres::shared().unwrap()));
    assert!(pg.is_running());

    assert_eq!(pg.psql("postgres", "select 1").unwrap(), "1\n");
    assert_eq!(
        pg.psql("postgres", "select current_user, 2 + 3").unwrap(),
        "desk_admin|5\n"
    );
    let listen = pg.psql("postgres", "show listen_addresses").unwrap();
    assert_eq!(listen.trim(), "127.0.0.1");
    let fsync = pg.psql("postgres", "show fsync").unwrap();
    assert_eq!(fsync.trim(), "off");

    let err = pg
        .psql(
            "postgres",
            "select 1; select * from no_such_table; select 2",
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("no_such_table"), "{err}");

    let url = pg.admin_url("x");
    let password = url
        .strip_prefix("postgres://desk_admin:")
        .and_then(|rest| rest.strip_suffix(&format!("@127.0.0.1:{}/x", pg.port())))
        .unwrap_or_else(|| panic!("{url}"));
    assert!(
        password.len() >= 32 && password.chars().all(|c| c.is_ascii_hexdigit()),
        "{url}"
    );
}

#[test]
fn each_create_database_makes_a_new_database() {
    let pg = TestPostgres::shared().expect("the shared server starts");
    let first = pg.create_database("Team Store").unwrap();
    let second = pg.create_database("Team Store").unwrap();
    assert_ne!(first, second);
    for name in [&first, &second] {
        assert!(name.starts_with("team_store_"), "{name}");
        let found = pg
            .psql(
                "postgres",
                &format!("select count(*) from pg_database where datname = '{name}'"),
            )
            .unwrap();
        assert_eq!(found.trim(), "1", "{name}");
    }
    // A table in one is not in the other.
    pg.psql(&first, "create table t (x int); insert into t values (7)")
        .unwrap();
    assert_eq!(pg.psql(&first, "select x from t").unwrap(), "7\n");
    assert!(pg.psql(&second, "select x from t").is_err());

    let long = pg.create_database(&"x".repeat(100)).unwrap();
    assert!(long.len() <= 63, "{long}");
    assert!(pg.create_database("").is_ok());
}

#[test]
fn stop_refuses_connections_restart_keeps_the_data_and_drop_removes_everything() {
    let started = Instant::now();
    let pg = TestPostgres::start().expect("a server starts");
    eprintln!("started in {:.2} s", started.elapsed().as_secs_f64());
    let port = pg.port();
    let dir = pg.dir().to_path_buf();
    let pid = pg.pid().expect("running");
    assert!(dir.join("data/PG_VERSION").is_file());
    assert!(accepts_connections(port));

    let db = pg.create_database("outage").unwrap();
    pg.psql(
        &db,
        "create table kept (n int primary key); insert into kept values (1), (2)",
    )
    .unwrap();

    pg.stop().unwrap();
    assert!(!pg.is_running());
    assert!(pg.pid().is_none());
    assert!(!accepts_connections(port), "port {port} still accepts");
    assert!(!process_exists(pid), "postgres {pid} outlived stop");
    assert!(pg.psql(&db, "select 1").is_err());
    assert!(dir.join("data/PG_VERSION").is_file(), "stop kept the data");
    // Stopping twice is harmless.
    pg.stop().unwrap();

    let restarted = Instant::now();
    pg.restart().unwrap();
    eprintln!("restarted in {:.2} s", restarted.elapsed().as_secs_f64());
    assert!(pg.is_running());
    assert_eq!(pg.port(), port);
    assert!(accepts_connections(port));
    assert_eq!(pg.psql(&db, "select sum(n) from kept").unwrap().trim(), "3");
    // A restart of a running server also works.
    let before = pg.pid().unwrap();
    pg.restart().unwrap();
    assert_ne!(pg.pid().unwrap(), before);
    assert_eq!(
        pg.psql(&db, "select count(*) from kept").unwrap().trim(),
        "2"
    );

    let last = pg.pid().unwrap();
    drop(pg);
    assert!(!dir.exists(), "{} outlived the drop", dir.display());
    assert!(!process_exists(last), "postgres {last} outlived the drop");
    assert!(!accepts_connections(port));
}

/// Set in the copy of this test binary that starts a server and waits to be killed.
const KILLED_CHILD: &str = "DESK_TEST_POSTGRES_KILLED_CHILD";
/// How the child tells its server's port, pid and folder.
const SERVER_LINE: &str = "desk-test-postgres child server:";

#[test]
fn a_test_process_killed_with_sigkill_leaves_no_server_and_no_folder() {
    if std::env::var_os(KILLED_CHILD).is_some() {
        // The child: no drop will run, as in a test killed by a timeout or the OOM killer.
        let pg = TestPostgres::start().expect("the child's server starts");
        // Straight to stdout, past the harness's capture, on a line of its own (the harness
        // has written "test … ... " without a newline).
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "\n{SERVER_LINE} {} {} {}",
            pg.port(),
            pg.pid().unwrap(),
            pg.dir().display()
        )
        .unwrap();
        out.flush().unwrap();
        drop(out);
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_test_process_killed_with_sigkill_leaves_no_server_and_no_folder",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(KILLED_CHILD, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Read on a thread, so a child that hangs fails the test instead of hanging it.
    let stdout = child.stdout.take().unwrap();
    let (lines, from_child) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let mut server = None;
    while let Ok(line) = from_child.recv_timeout(Duration::from_secs(120)) {
        if let Some(rest) = line.strip_prefix(SERVER_LINE) {
            let mut fields = rest.trim().splitn(3, ' ');
            let port: u16 = fields.next().unwrap().parse().unwrap();
            let pid: u32 = fields.next().unwrap().parse().unwrap();
            let dir = fields.next().unwrap().to_owned();
            server = Some((port, pid, dir));
            break;
        }
        seen.push_str(&line);
        seen.push('\n');
    }
    let Some((port, pid, dir)) = server else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the child started no server:\n{seen}");
    };
    assert!(accepts_connections(port), "the child's server is not up");
    assert!(process_exists(pid));

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert!(
        eventually(Duration::from_secs(10), || !accepts_connections(port)),
        "a server still listens on {port} after its test process was killed"
    );
    assert!(
        eventually(Duration::from_secs(10), || !process_exists(pid)),
        "postgres {pid} outlived its test process"
    );
    assert!(
        // rm -rf of a fresh cluster (about 40 MB) takes seconds on a disk busy with compiles.
        eventually(Duration::from_secs(60), || !Path::new(&dir).exists()),
        "{dir} outlived its test process"
    );
}
