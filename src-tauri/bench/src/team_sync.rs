//! team_sync: a desk's runs pushed to the team's PostgreSQL, and the team's history read back
//! (issue 16: 1,000 runs made offline pushed in at most 5 s; 10,000 runs' history in 0.3 s).
//!
//! The server: a private PostgreSQL (desk-test-postgres) on this machine over TCP on loopback,
//! with the durability a team's server has put back (the test server turns fsync,
//! synchronous_commit and full_page_writes off; here they are on, so each commit waits for its
//! WAL on disk), set up by `PgTeamStore::setup`; the desk signs in as the desks' role. Loopback
//! has no network latency: a server across a network adds a round trip per statement.
//!
//! Push (`team_sync_push_1000`): a desk on a fresh SQLite file joins the team, the server
//! stops, the desk makes 1,000 Lending runs through `Desk::run` on the built-in sandbox's
//! cast in turn, deciding 3 in 5 with the shipped personal-loan policy as it goes (1 in 20
//! runs then overridden); its sync fails (offline); the server comes back; ONE
//! `Desk::sync_team` is timed: connecting, reading the desk's feed from SQLite in pages,
//! pushing each page in a transaction (runs with every value, transaction and balance, the
//! policy version, decisions, audit lines), and the pull after (nothing to pull). It must push
//! 1,000 runs and every decision and leave nothing waiting, or the bench fails. Done on three
//! fresh databases (the 2nd and 3rd joined while the server is down, so the same records wait
//! the same way, after the same restart): the median. Beside it: the rows written, the runs'
//! size as JSON, the SQLite reads alone, and the CPU of the desk's process and of the server's
//! processes over the push (10 ms ticks; the server's counted on the processes alive at the end).
//!
//! History (`team_history_10000`): another database filled through `PgTeamStore::push`, 500
//! runs a batch, with 10,000 copies of the desk's shared runs (one per customer, every row
//! kept) under new uids: 5 underwriters on 5 desks, start times over a year in no order of
//! arrival, 60% decided (the desk's decision copied), 8 in 100 reviewed by another, 4 in 100
//! overridden, with audit lines. Timed on an open pool, 5 rounds after a warm-up round left out
//! (a team's server has its cache warm), medians: `TeamStore::history` unfiltered (all 10,000,
//! newest first; review statuses checked) right after the push (`_unvacuumed`) and after VACUUM
//! ANALYZE as autovacuum leaves it within a minute or so (the figure); one underwriter's
//! reviewed runs; the desk's `Desk::history_filtered` over its 1,000 runs. Connecting: once.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use desk_core::team::postgres::PgTeamStore;
use desk_core::team::ReviewStatus::{Decided, Overridden, Reviewed, Undecided};
use desk_core::team::{
    new_uid, AuditEntry, Batch, DeskId, Desks, ReviewStatus, SharedDecision, SharedPolicyVersion,
    SharedRun, TeamFilter, TeamStore,
};
use desk_core::{Decision, Desk, Package};
use desk_test_postgres::TestPostgres;

use crate::report::{median, Figure, Goal};
use crate::temp_desk::TempDesk;

const OFFLINE_RUNS: usize = 1_000;
const PUSHES: usize = 3;
const HISTORY_RUNS: usize = 10_000;
const BATCH: usize = 500;
const ROUNDS: usize = 5;
/// The records a sync reads and pushes at a time (team::sync's page).
const PAGE: usize = 200;
const ROLE: &str = "desk_app";
const PASSWORD: &str = "bench-app-pw-16";
const POLICY: &str = "Personal loan";
const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");
/// What the first push wrote: its rows, and the team's tables' bytes with indexes and TOAST.
const ROWS: &str = "SELECT (SELECT count(*) FROM attribute_values),
    (SELECT count(*) FROM run_transactions), (SELECT count(*) FROM attribute_detail_lists),
    (SELECT count(*) FROM account_balances), (SELECT sum(pg_total_relation_size(c.oid))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r')";
const UNDERWRITERS: [&str; 5] = ["ana", "ben", "chloe", "dev", "eli"];

pub fn run() -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Runtime::new()?;
    let pg = TestPostgres::start().context("starting a private PostgreSQL")?;
    const DURABILITY: [&str; 3] = ["fsync", "synchronous_commit", "full_page_writes"];
    for setting in DURABILITY.iter() {
        pg.psql("postgres", &format!("ALTER SYSTEM SET {setting} = on"))?;
    }
    pg.restart()?;
    for setting in DURABILITY.iter() {
        let now = pg.psql("postgres", &format!("SHOW {setting}"))?;
        ensure!(now.trim() == "on", "{setting} is {now} after the restart");
    }
    let temp = rt.block_on(TempDesk::start(Duration::from_millis(30)))?;
    let desk = &temp.desk;
    let store = temp.store()?;

    // Push: the runs made while the team's server is away, then one sync when it is back.
    let (first_db, first_url) = rt.block_on(team_db(&pg, "team_sync_push"))?;
    let joined = rt.block_on(desk.join_team(&first_url))?;
    ensure!(joined.online, "joining: {:?}", joined.message);
    pg.stop()?;
    let (decisions, made) = timed(|| rt.block_on(work_offline(desk)))?;
    let offline = rt.block_on(desk.sync_team())?;
    ensure!(!offline.online, "the team's server is stopped: {offline:?}");
    let waiting = offline.waiting;
    eprintln!("{OFFLINE_RUNS} runs made offline in {made:.1} s: {waiting} records waiting");
    let (mut pushes, mut desk_cpu, mut server_cpu) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..PUSHES {
        if k > 0 {
            let (_, url) = rt.block_on(team_db(&pg, "team_sync_push"))?;
            pg.stop()?;
            let status = rt.block_on(desk.join_team(&url))?;
            ensure!(!status.online && status.waiting == waiting, "{status:?}");
        }
        pg.restart()?;
        let (cpu, server) = (cpu_seconds(None), cpu_seconds(pg.pid()));
        let (status, secs) = timed(|| Ok(rt.block_on(desk.sync_team())?))?;
        desk_cpu.push(cpu_seconds(None) - cpu);
        server_cpu.push(cpu_seconds(pg.pid()) - server);
        let pushed = status.last_report.pushed;
        ensure!(
            status.online
                && status.waiting == 0
                && pushed.runs == OFFLINE_RUNS
                && pushed.decisions == decisions,
            "push {k}: {} left waiting, {pushed:?} pushed of {decisions} decisions: {:?}",
            status.waiting,
            status.message
        );
        eprintln!("push {k}: {secs:.2} s, {pushed:?}");
        pushes.push(secs);
    }
    let rows: Vec<f64> = pg
        .psql(&first_db, ROWS)?
        .trim()
        .split('|')
        .map(|x| x.parse().context("a count"))
        .collect::<Result<_>>()?;

    // The sync's SQLite half alone: the same pages read from the desk's file, and their size.
    let me = store.desk_id().desk.clone();
    let (mut read, mut cursor, mut run_bytes) = (0.0, 0, 0);
    let (mut templates, mut policy) = (Vec::<SharedRun>::new(), None);
    loop {
        let (page, secs) = timed(|| Ok(store.feed_after(cursor, Desks::Only(&me), PAGE)?))?;
        read += secs;
        for run in page.batch.runs {
            run_bytes += serde_json::to_vec(&run)?.len();
            if !templates.iter().any(|t| t.customer.key == run.customer.key) {
                templates.push(run);
            }
        }
        policy = policy.or_else(|| page.batch.policy_versions.into_iter().next());
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let policy = policy.context("no policy version in the desk's feed")?;
    // The first run was decided, then overridden: the policy's decision, as the desk made it.
    let decision = store
        .shared_decisions(&templates[0].uid)?
        .into_iter()
        .next();
    let decision = decision.context("the desk's first run has no decision")?;

    // History: 10,000 runs in the team's store.
    let (history_db, url) = rt.block_on(team_db(&pg, "team_history"))?;
    let (team, connect) = timed(|| Ok(rt.block_on(PgTeamStore::connect(&url))?))?;
    let (expected, filled) = timed(|| rt.block_on(fill(&team, &templates, &decision, &policy)))?;
    let all = TeamFilter::default();
    // Read as soon as the push committed, then with the statistics and visibility map that
    // autovacuum gives a team's server within a minute or so of such a push.
    let mut fresh = Vec::new();
    for _ in 0..=ROUNDS {
        fresh.push(timed(|| Ok(rt.block_on(team.history(&all))?))?.1);
    }
    let fresh = median(&mut fresh[1..]);
    pg.psql(&history_db, "VACUUM ANALYZE")?;
    eprintln!("{HISTORY_RUNS} runs pushed {BATCH} at a time in {filled:.1} s: {expected:?}");
    let reviewed = TeamFilter {
        underwriter: Some(UNDERWRITERS[0].to_owned()),
        review: Some(Reviewed),
        limit: None,
    };
    let (mut whole, mut filtered, mut local) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cpu, mut server) = (0.0, 0.0);
    for round in 0..=ROUNDS {
        let (desk0, server0) = (cpu_seconds(None), cpu_seconds(pg.pid()));
        let (runs, w) = timed(|| Ok(rt.block_on(team.history(&all))?))?;
        let (c, s) = (cpu_seconds(None) - desk0, cpu_seconds(pg.pid()) - server0);
        let n = runs.len();
        ensure!(n == HISTORY_RUNS, "{n} runs in the history");
        let newest_first = runs.windows(2).all(|p| p[0].started_at >= p[1].started_at);
        ensure!(newest_first, "the history is not newest first");
        let counts = STATUSES.map(|s| runs.iter().filter(|r| r.review == s).count());
        ensure!(counts == expected.statuses, "review statuses {counts:?}");
        let (theirs, f) = timed(|| Ok(rt.block_on(team.history(&reviewed))?))?;
        let want = expected.reviewed_by_first;
        ensure!(theirs.len() == want, "{} of {want} reviewed", theirs.len());
        let (own, l) = timed(|| Ok(desk.history_filtered(&all)?))?;
        ensure!(own.len() == OFFLINE_RUNS, "{} runs on the desk", own.len());
        if round > 0 {
            whole.push(w);
            filtered.push(f);
            local.push(l);
            cpu += c;
            server += s;
        }
    }
    let kb_per_run = run_bytes as f64 / 1e3 / OFFLINE_RUNS as f64;
    Ok(vec![
        Figure::new("team_sync_push_1000", median(&mut pushes), "s").goal(Goal::AtMost(5.0)),
        Figure::new("team_sync_push_values", rows[0], "rows"),
        Figure::new("team_sync_push_transactions", rows[1], "rows"),
        Figure::new("team_sync_push_detail_lists", rows[2], "rows"),
        Figure::new("team_sync_push_balances", rows[3], "rows"),
        Figure::new("team_sync_push_decisions", decisions as f64, "rows"),
        Figure::new("team_sync_push_kb_per_run", kb_per_run, "KB JSON"),
        Figure::new("team_sync_push_db_mb", rows[4] / 1e6, "MB"),
        Figure::new("team_sync_push_sqlite_read", read, "s"),
        Figure::new("team_sync_push_desk_cpu", median(&mut desk_cpu), "s"),
        Figure::new("team_sync_push_server_cpu", median(&mut server_cpu), "s"),
        Figure::new("team_sync_make_offline", made, "s"),
        Figure::new("team_history_10000", median(&mut whole), "s").goal(Goal::AtMost(0.3)),
        Figure::new("team_history_10000_unvacuumed", fresh, "s"),
        Figure::new("team_history_10000_desk_cpu", cpu / ROUNDS as f64, "s"),
        Figure::new("team_history_10000_server_cpu", server / ROUNDS as f64, "s"),
        Figure::new("team_history_one_reviewer", median(&mut filtered), "s"),
        Figure::new("team_history_local_1000", median(&mut local), "s"),
        Figure::new("team_history_connect", connect, "s"),
        Figure::new("team_history_fill_10000", filled, "s"),
    ])
}

/// What `f` returned and how long it took, in seconds.
fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, f64)> {
    let started = Instant::now();
    let out = f()?;
    Ok((out, started.elapsed().as_secs_f64()))
}

/// A fresh database set up for the desks' role: its name and the URL a desk joins.
async fn team_db(pg: &TestPostgres, name: &str) -> Result<(String, String)> {
    let db = pg.create_database(name)?;
    PgTeamStore::setup(&pg.admin_url(&db), ROLE, PASSWORD).await?;
    let url = format!("postgres://{ROLE}:{PASSWORD}@127.0.0.1:{}/{db}", pg.port());
    Ok((db, url))
}

/// 1,000 Lending runs on the cast in turn, 3 in 5 decided as they come, 1 in 20 overridden.
/// Returns the decisions made (an override is one more).
async fn work_offline(desk: &Desk) -> Result<usize> {
    let cast: Vec<String> = desk
        .customers()
        .into_iter()
        .filter(|c| c.environment == "builtin")
        .map(|c| c.id)
        .collect();
    ensure!(!cast.is_empty(), "the built-in sandbox has no customers");
    let mut decisions = 0;
    for i in 0..OFFLINE_RUNS {
        let id = &cast[i % cast.len()];
        let run = desk
            .run(id, Package::Lending, &|_| {})
            .await
            .with_context(|| format!("running {id}"))?;
        if i % 5 < 3 {
            let d = desk.decide(run.run_id, POLICY, PERSONAL_LOAN, None)?;
            decisions += 1;
            if i % 20 == 0 {
                desk.override_decision(d.summary.id, Decision::Refer, "Pay to verify.")?;
                decisions += 1;
            }
        }
    }
    Ok(decisions)
}

const STATUSES: [ReviewStatus; 4] = [Undecided, Decided, Reviewed, Overridden];

/// What the filled store must give back.
#[derive(Debug, Default)]
struct Expected {
    /// Runs per status, in [`STATUSES`]' order.
    statuses: [usize; 4],
    /// The first underwriter's reviewed runs (made or decided by them).
    reviewed_by_first: usize,
}

/// 10,000 runs copied from `templates`, decided as the module says, pushed 500 at a time.
async fn fill(
    team: &PgTeamStore,
    templates: &[SharedRun],
    decision: &SharedDecision,
    policy: &SharedPolicyVersion,
) -> Result<Expected> {
    let mut rng = XorShift(0x7ea5_5eed_0016_0016);
    let base: DateTime<Utc> = "2025-01-06T13:00:00Z".parse()?;
    let desk_of = |u: usize| DeskId {
        desk: format!("bench-desk-{u}"),
        user: UNDERWRITERS[u].to_owned(),
    };
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut expected = Expected::default();
    let mut batch = Batch {
        policy_versions: vec![policy.clone()],
        ..Batch::default()
    };
    for i in 0..HISTORY_RUNS {
        let maker = (rng.next() % 5) as usize;
        let mut run = templates[i % templates.len()].clone();
        run.uid = new_uid();
        run.made_on = desk_of(maker);
        run.customer.key = format!("bench-applicant-{i:05}");
        run.customer.label = format!("Applicant {i:05}");
        run.customer.login_last4 = format!("{:04}", i % 10_000);
        run.request_id = Some(uuid::Uuid::new_v4().to_string());
        let started = base + chrono::Duration::seconds((rng.next() % (365 * 86_400)) as i64);
        let finished = started + chrono::Duration::milliseconds(run.duration_ms.unwrap_or(900));
        run.started_at = time(started);
        run.finished_at = Some(time(finished));
        batch.audit.push(AuditEntry {
            uid: new_uid(),
            at: time(finished),
            made_on: desk_of(maker),
            action: "run.completed".into(),
            subject: format!("run {} ({})", run.uid, run.package),
        });
        // 40 undecided, 48 decided once, 8 reviewed by another, 4 overridden in 100.
        let r = rng.unit();
        let (deciders, status) = match r {
            r if r < 0.40 => (vec![], 0),
            r if r < 0.88 => (vec![maker], 1),
            r if r < 0.96 => (vec![maker, (maker + 1 + (rng.next() % 4) as usize) % 5], 2),
            _ => (vec![maker, maker], 3),
        };
        expected.statuses[status] += 1;
        if status == 2 && (maker == 0 || deciders.contains(&0)) {
            expected.reviewed_by_first += 1;
        }
        for (n, &by) in deciders.iter().enumerate() {
            let word = ["pass", "refer", "decline"][(rng.next() % 3) as usize];
            let at = time(finished + chrono::Duration::minutes(5 + 60 * n as i64));
            let overridden = status == 3 && n == 1;
            let mut d = decision.clone();
            d.uid = new_uid();
            d.run_uid = run.uid.clone();
            d.made_on = desk_of(by);
            d.decided_by = UNDERWRITERS[by].to_owned();
            d.decided_at = at.clone();
            d.decision = word.to_owned();
            d.override_decision = overridden.then(|| "refer".to_owned());
            d.override_comment = overridden.then(|| "Pay to verify.".to_owned());
            batch.audit.push(AuditEntry {
                uid: new_uid(),
                at,
                made_on: desk_of(by),
                action: "decision.made".into(),
                subject: format!("run {}: {word} with {POLICY}", run.uid),
            });
            batch.decisions.push(d);
        }
        batch.runs.push(run);
        if batch.runs.len() == BATCH || i + 1 == HISTORY_RUNS {
            let want = (batch.runs.len(), batch.decisions.len());
            let got = team.push(&batch).await?;
            ensure!((got.runs, got.decisions) == want, "{got:?} of {want:?}");
            batch = Batch::default();
        }
    }
    Ok(expected)
}

/// CPU seconds (user + system, 10 ms ticks) of this process, or of a process and its children.
fn cpu_seconds(root: Option<u32>) -> f64 {
    let pids: Vec<String> = root.map_or(vec!["self".into()], |root| {
        crate::proc::tree(root).iter().map(u32::to_string).collect()
    });
    let of = |pid: &String| -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let mut ticks = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
        let (user, system) = (
            ticks.next()?.parse::<u64>().ok()?,
            ticks.next()?.parse::<u64>().ok()?,
        );
        Some((user + system) as f64 / 100.0)
    };
    pids.iter().filter_map(of).sum()
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
