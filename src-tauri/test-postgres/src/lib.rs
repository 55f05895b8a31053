//! A real PostgreSQL for tests and benchmarks, private to the test process: its own `initdb`
//! in a folder under the workspace's `target/test-postgres/`, a random port on 127.0.0.1 only,
//! a random superuser password, and durability switched off because the data is thrown away.
//!
//! A real server rather than a mock because the team store's SQL (locks, constraints,
//! transactions, reconnection) is what the tests are about. No client crate: `psql` runs the
//! SQL the tests need for set-up, and the code under test brings its own driver.
//!
//! Nothing outlives the test process, even one that panics, aborts or is SIGKILLed, and even the
//! [`TestPostgres::shared`] server whose `Drop` never runs. The server is not started by
//! `pg_ctl` (which detaches it) but by a small `sh` supervisor, the server's parent, whose stdin
//! is a pipe only the test process holds. When that process ends in any way the kernel closes
//! the pipe, the supervisor's `read` returns, and it shuts the server down (immediate) and
//! removes the folder.
//!
//! As root (containers, CI), `initdb` and `postgres` refuse to run; they then run in a user
//! namespace as an ordinary user (`unshare --user --map-user=…`), which still owns the files as
//! root outside, so no `chown` and no `su` are needed.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

mod host;

use host::{
    free_port, init_cluster, new_folder, process_alive, psql_program, random_hex, run_psql,
    server_programs, user_namespace,
};

/// The superuser `initdb` creates; its name says where a connection comes from in a log.
pub const ADMIN_USER: &str = "desk_admin";

/// Long enough for a busy CI machine with the compiler on every core; a healthy start takes well
/// under a second.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Another process can take the port between our probe and the server's bind.
const PORT_ATTEMPTS: usize = 5;

/// The server's parent. Arguments: the folder to remove at the end, the server's log, then the
/// server's command without its port. Commands on stdin, one a line: `start PORT` answers the
/// server's pid; `stop` shuts it down (fast) and answers `stopped`. At the end of stdin, whether
/// the test process closed it or died, the server is shut down immediately and the folder goes.
/// INT/TERM/HUP are ignored so a Ctrl-C to the process group cannot kill the supervisor before
/// the server (the test process dies of it, and that ends stdin); PIPE so a test process that
/// died before reading an answer does not kill it either.
const SUPERVISOR: &str = r#"
trap '' INT TERM HUP PIPE
dir=$1
log=$2
shift 2
pid=
halt() {
    if [ -n "$pid" ]; then
        kill -"$1" "$pid" 2>/dev/null
        wait "$pid"
        pid=
    fi
}
while read -r cmd arg; do
    case $cmd in
    start)
        halt QUIT
        "$@" -p "$arg" </dev/null >>"$log" 2>&1 &
        pid=$!
        echo "$pid"
        ;;
    stop)
        halt INT
        echo stopped
        ;;
    esac
done
halt QUIT
rm -rf "$dir"
"#;

/// Throwaway data: no fsync, no full-page writes, no waiting for the WAL. No Unix socket: the
/// socket folder would be shared with whatever else runs PostgreSQL on the machine, and psql
/// and the code under test connect over TCP anyway.
const SETTINGS: &str = "
# desk-test-postgres: a server for tests whose data is thrown away. Never for real data.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "PostgreSQL's server programs (initdb, postgres) are missing: `cargo desk test` installs \
         Debian's postgresql, or apt install postgresql"
    )]
    ServerMissing,
    #[error(
        "psql is missing: `cargo desk test` installs Debian's postgresql-client, or apt install \
         postgresql-client"
    )]
    PsqlMissing,
    #[error(
        "running as root, which PostgreSQL refuses: `unshare` (util-linux) is needed to run it as \
         an ordinary user in a user namespace"
    )]
    UnshareMissing,
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("initdb failed ({status}): {output}")]
    Initdb { status: String, output: String },
    #[error("PostgreSQL did not start on 127.0.0.1:{port} ({why}); the end of its log:\n{log}")]
    Start { port: u16, why: String, log: String },
    #[error("psql on database {db:?} failed ({status}): {stderr}")]
    Sql {
        db: String,
        status: String,
        stderr: String,
    },
    #[error("the test PostgreSQL's supervisor is gone ({0}); the server cannot be controlled")]
    Supervisor(String),
    #[error("the shared test PostgreSQL could not start: {0}")]
    Shared(String),
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// A PostgreSQL server of the test process's own. Dropping it shuts the server down and removes
/// its folder; so does the end of the test process, however it ends.
pub struct TestPostgres {
    dir: PathBuf,
    port: u16,
    password: String,
    psql: PathBuf,
    control: Mutex<Control>,
}

struct Control {
    /// Closing it is what stops the server for good, so it is taken on drop.
    commands: Option<ChildStdin>,
    answers: BufReader<ChildStdout>,
    supervisor: Child,
    /// Some while the server was started and not stopped.
    server_pid: Option<u32>,
}

impl TestPostgres {
    /// A new cluster per call (about a second, most of it `initdb`), for tests that stop or
    /// restart the server or must not see other tests' roles and settings. Everything else is
    /// cheaper on [`TestPostgres::shared`] with a database of its own.
    pub fn start() -> Result<TestPostgres, Error> {
        let bin = server_programs().ok_or(Error::ServerMissing)?;
        let psql = psql_program(&bin).ok_or(Error::PsqlMissing)?;
        let as_user = user_namespace()?;

        let dir = new_folder()?;
        // The supervisor comes first, so that from here on the folder goes with the test
        // process however it ends, even during initdb.
        let log = dir.join("server.log");
        let mut supervisor = Command::new("sh");
        supervisor
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("desk-test-postgres")
            .arg(&dir)
            .arg(&log)
            .args(&as_user)
            .arg(bin.join("postgres"))
            .arg("-D")
            .arg(dir.join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut supervisor = match supervisor.spawn() {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(io_error("cannot start the supervisor (sh)")(e));
            }
        };
        let commands = supervisor.stdin.take();
        let answers = BufReader::new(supervisor.stdout.take().expect("stdout is piped"));
        let mut pg = TestPostgres {
            dir,
            port: 0,
            password: random_hex(16),
            psql,
            control: Mutex::new(Control {
                commands,
                answers,
                supervisor,
                server_pid: None,
            }),
        };
        // From here a failure drops `pg`, which removes the folder.
        init_cluster(&pg.dir, &bin, &as_user, &pg.password)?;
        let mut attempt = 1;
        loop {
            pg.port = free_port()?;
            match pg.launch() {
                Ok(()) => return Ok(pg),
                Err(Launch::PortTaken(_)) if attempt < PORT_ATTEMPTS => attempt += 1,
                Err(Launch::PortTaken(e) | Launch::Failed(e)) => return Err(e),
            }
        }
    }

    /// One server per test process, because a start costs about a second and a test binary may
    /// hold hundreds of tests; each test makes its own database with
    /// [`TestPostgres::create_database`]. Never stop it: other tests use it at the same time.
    /// A failed first start is remembered, so the other tests fail at once with the same reason.
    pub fn shared() -> Result<&'static TestPostgres, Error> {
        static SHARED: OnceLock<Result<TestPostgres, String>> = OnceLock::new();
        match SHARED.get_or_init(|| TestPostgres::start().map_err(|e| e.to_string())) {
            Ok(pg) => Ok(pg),
            Err(why) => Err(Error::Shared(why.clone())),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's folder (its `data/` and `server.log`), for a test that checks it is gone.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The postmaster's pid while it runs, for a test that checks no server is left behind.
    pub fn pid(&self) -> Option<u32> {
        let control = self.control();
        control.server_pid.filter(|&pid| process_alive(pid))
    }

    /// Superuser URL: `postgres://desk_admin:<password>@127.0.0.1:<port>/<db>`. The password is
    /// random hex, so it needs no escaping.
    pub fn admin_url(&self, db: &str) -> String {
        format!(
            "postgres://{ADMIN_USER}:{}@127.0.0.1:{}/{db}",
            self.password, self.port
        )
    }

    /// A unique name (`prefix_counter_pid`, lower case, at most 63 bytes) so tests in parallel,
    /// and test processes sharing nothing but the machine, never meet in one database.
    pub fn create_database(&self, prefix: &str) -> Result<String, Error> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let suffix = format!("_{n}_{}", std::process::id());
        let mut name: String = prefix
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '_') => c,
                _ => '_',
            })
            .take(63 - suffix.len())
            .collect();
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            name.insert(0, 'd');
            name.truncate(63 - suffix.len());
        }
        name.push_str(&suffix);
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""))?;
        Ok(name)
    }

    /// Runs SQL as the superuser through `psql` (`-X -q -A -t -v ON_ERROR_STOP=1`, the SQL on
    /// stdin so it may hold several statements, CREATE DATABASE included) and returns what it
    /// printed: unaligned, tuples only, `|` between columns. The first SQL error stops it and is
    /// an `Err` with psql's stderr.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, Error> {
        run_psql(&self.psql, self.port, &self.password, db, sql)
    }

    /// Fast shutdown, so clients see what they would see from a real outage: their connections
    /// closed, then connections refused. The data stays for [`TestPostgres::restart`].
    pub fn stop(&self) -> Result<(), Error> {
        let mut control = self.control();
        if control.server_pid.is_none() {
            return Ok(());
        }
        control.command("stop")?;
        control.server_pid = None;
        match control.answer()?.as_str() {
            "stopped" => Ok(()),
            other => Err(Error::Supervisor(format!("it answered {other:?} to stop"))),
        }
    }

    /// Stops the server if it runs, then starts it on the same port with the same data, so the
    /// URLs clients hold work again. Fails (with the log) if the port was taken meanwhile.
    pub fn restart(&self) -> Result<(), Error> {
        self.stop()?;
        match self.launch() {
            Ok(()) => Ok(()),
            Err(Launch::PortTaken(e) | Launch::Failed(e)) => Err(e),
        }
    }

    pub fn is_running(&self) -> bool {
        self.pid().is_some()
    }

    fn control(&self) -> MutexGuard<'_, Control> {
        // A test that panicked holding the lock leaves the server as usable as it was.
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn log_len(&self) -> u64 {
        std::fs::metadata(self.dir.join("server.log")).map_or(0, |m| m.len())
    }

    /// The log written since `from`, its last 40 lines.
    fn log_tail(&self, from: u64) -> String {
        let mut text = Vec::new();
        if let Ok(mut file) = std::fs::File::open(self.dir.join("server.log")) {
            let _ = io::Seek::seek(&mut file, io::SeekFrom::Start(from));
            let _ = file.read_to_end(&mut text);
        }
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        if tail.is_empty() {
            "(empty)".to_owned()
        } else {
            tail
        }
    }

    /// Starts the server on `self.port` and waits until it answers a query.
    fn launch(&self) -> Result<(), Launch> {
        let log_from = self.log_len();
        let pid = {
            let mut control = self.control();
            control
                .command(&format!("start {}", self.port))
                .map_err(Launch::Failed)?;
            let answer = control.answer().map_err(Launch::Failed)?;
            let pid: u32 = answer.parse().map_err(|_| {
                Launch::Failed(Error::Supervisor(format!(
                    "it answered {answer:?} to start"
                )))
            })?;
            control.server_pid = Some(pid);
            pid
        };
        let failed = |why: String| {
            let log = self.log_tail(log_from);
            let taken = log.contains("could not bind") || log.contains("already in use");
            let e = Error::Start {
                port: self.port,
                why,
                log,
            };
            if taken {
                Launch::PortTaken(e)
            } else {
                Launch::Failed(e)
            }
        };
        let deadline = Instant::now() + READY_TIMEOUT;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let why = loop {
            if !process_alive(pid) {
                break "the server exited".to_owned();
            }
            // A cheap probe first: psql costs a process, the port is refused until the bind.
            let answer = TcpStream::connect_timeout(&address, Duration::from_millis(200))
                .ok()
                .map(|_| self.psql("postgres", "select 1"));
            match answer {
                Some(Ok(out)) if out.trim() == "1" => return Ok(()),
                // Until recovery ends: "the database system is starting up".
                _ if Instant::now() < deadline => {}
                None => break format!("not listening after {} s", READY_TIMEOUT.as_secs()),
                Some(Ok(out)) => break format!("select 1 printed {out:?}"),
                Some(Err(e)) => break format!("no answer to select 1: {e}"),
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Shuts down a server that hangs; reaps one that exited, so its pid cannot be reused
        // while we hold it.
        let _ = self.stop();
        Err(failed(why))
    }
}

enum Launch {
    PortTaken(Error),
    Failed(Error),
}

impl Control {
    fn command(&mut self, line: &str) -> Result<(), Error> {
        let commands = self
            .commands
            .as_mut()
            .ok_or_else(|| Error::Supervisor("already shut down".to_owned()))?;
        writeln!(commands, "{line}")
            .and_then(|()| commands.flush())
            .map_err(|e| Error::Supervisor(format!("cannot send {line:?}: {e}")))
    }

    fn answer(&mut self) -> Result<String, Error> {
        let mut line = String::new();
        match self.answers.read_line(&mut line) {
            Ok(0) => Err(Error::Supervisor("it exited".to_owned())),
            Ok(_) => Ok(line.trim().to_owned()),
            Err(e) => Err(Error::Supervisor(format!("cannot read its answer: {e}"))),
        }
    }
}

impl Drop for TestPostgres {
    /// Immediate shutdown (nothing is worth a checkpoint) and the folder removed, both by the
    /// supervisor once its stdin closes; waiting for it means the port and the folder are free
    /// when drop returns.
    fn drop(&mut self) {
        let control = self.control.get_mut().unwrap_or_else(|e| e.into_inner());
        control.commands = None;
        let _ = control.supervisor.wait();
        control.server_pid = None;
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
