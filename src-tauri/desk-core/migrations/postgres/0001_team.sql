-- The team store: the records every desk of a lending team shares, with the meaning a desk's
-- SQLite file gives them (migrations/0001-0010), so a record pushed here and pulled by another
-- desk is the record its maker has. Applied by `desk team setup` as the database's owner; the
-- desks sign in as a role that may only read and add (see team::postgres::schema for the
-- grants). Nothing here is ever updated or deleted: every record is written once, by its uid.
--
-- Where this differs from SQLite, and why:
-- * A run carries its environment and customer as columns rather than rows of their own: each
--   desk has its own environments and customers (with keys in its own keyring), so the team
--   store keeps what a run showed, as it showed it.
-- * Times are the text the desks write (ISO 8601, UTC, `Z`), as in SQLite, so a record comes
--   back byte for byte as it went up and sorts as text the way it sorts on a desk.
-- * A run's values, transactions, lists and balances refer to the run by id with no FOREIGN KEY:
--   PostgreSQL checks a foreign key with one query per row, and a push of 1,000 ordinary runs
--   brings about a million such rows (measured on 2 cores: 5.4 s with the keys, 2.0 s
--   without). The one writer, a push, takes the ids from the runs it has just stored
--   in the same transaction, and nothing is ever deleted, so no row can point nowhere.
--   Decisions, a few per run, keep their foreign keys.

CREATE TABLE runs (
    id                    bigserial PRIMARY KEY,
    uid                   text NOT NULL UNIQUE,
    -- The desk that made it and the OS user at it ('' for runs made before desks knew users).
    desk_id               text NOT NULL,
    made_by               text NOT NULL,
    env_key               text NOT NULL,
    env_name              text NOT NULL,
    env_kind              text NOT NULL CHECK (env_kind IN ('builtin', 'toolbox', 'private')),
    env_api_base_url      text NOT NULL,
    env_customer_id       text NOT NULL,
    env_production        boolean NOT NULL,
    -- The key finds the loginId in the making desk's keyring; no loginId ever comes here, only
    -- its last four characters for display.
    customer_key          text NOT NULL,
    customer_label        text NOT NULL,
    customer_institution  text,
    customer_login_last4  text NOT NULL CHECK (length(customer_login_last4) <= 4),
    package               text NOT NULL,
    -- A run is shared once it ended: never 'running' here.
    status                text NOT NULL
                          CHECK (status IN ('completed', 'failed', 'cancelled', 'interrupted')),
    request_id            text,
    started_at            text NOT NULL,
    finished_at           text,
    duration_ms           bigint,
    accounts              bigint,
    transactions          bigint,
    error_code            text,
    error_message         text,
    -- How many attribute_values rows the run has, written with them: the history shows it for
    -- every run, and counting a million rows for 10,000 runs on each listing is most of its
    -- time. Safe to keep beside them since neither ever changes.
    value_count           integer NOT NULL CHECK (value_count >= 0)
);
-- The history: newest first, ties in the order the runs came (ids follow the feed).
CREATE INDEX runs_by_start ON runs (started_at DESC, id DESC);
CREATE INDEX runs_by_maker ON runs (made_by);

-- In the order Flinks sent them (position), one per scope and name, as in SQLite.
CREATE TABLE attribute_values (
    run_id    bigint NOT NULL,
    position  integer NOT NULL,
    scope     text NOT NULL,
    name      text NOT NULL,
    raw       text NOT NULL,
    number    double precision,
    PRIMARY KEY (run_id, scope, name)
);

-- Each distinct transaction behind a run's values once; id is its place among them from 0,
-- what attribute_detail_lists refers to. Amounts in the exact text Flinks sent.
CREATE TABLE run_transactions (
    run_id          bigint NOT NULL,
    id              integer NOT NULL,
    account_id      text,
    transaction_id  text,
    date            text NOT NULL,
    description     text,
    debit           text,
    credit          text,
    balance         text,
    PRIMARY KEY (run_id, id)
);

-- A value's transactions as places in run_transactions, in Flinks' order: an array where
-- SQLite has a JSON array. position keeps the run's order of lists (SQLite's rowid order).
CREATE TABLE attribute_detail_lists (
    run_id    bigint NOT NULL,
    position  integer NOT NULL,
    name      text NOT NULL,
    txns      integer[] NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- Each account's end-of-day balance; last4 at most the account number's last four characters.
CREATE TABLE account_balances (
    run_id      bigint NOT NULL,
    position    integer NOT NULL,
    account_id  text NOT NULL,
    title       text,
    last4       text CHECK (last4 IS NULL OR length(last4) <= 4),
    date        text NOT NULL,
    balance     text NOT NULL,
    PRIMARY KEY (run_id, account_id, date)
);

CREATE TABLE policies (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    -- When the team store first had a version of it.
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every version any desk saved, found by policy and the SHA-256 of its document.
CREATE TABLE policy_versions (
    id          bigserial PRIMARY KEY,
    policy_id   bigint NOT NULL REFERENCES policies (id),
    sha256      text NOT NULL CHECK (length(sha256) = 64),
    document    text NOT NULL,
    note        text NOT NULL DEFAULT '',
    saved_at    text NOT NULL,
    -- The desk that pushed it first (a version does not say who made it; '' when unknown).
    desk_id     text NOT NULL,
    UNIQUE (policy_id, sha256)
);

-- A decision keeps what is needed to show it again exactly as made. A second decision on a run
-- is a review: it stands beside the first, never replaces it.
CREATE TABLE decisions (
    id                 bigserial PRIMARY KEY,
    uid                text NOT NULL UNIQUE,
    run_id             bigint NOT NULL REFERENCES runs (id),
    -- The version it was made with cannot go from under it.
    policy_version_id  bigint NOT NULL REFERENCES policy_versions (id),
    desk_id            text NOT NULL,
    decision           text NOT NULL CHECK (decision IN ('pass', 'refer', 'decline')),
    reasons            text NOT NULL,
    input              text NOT NULL,
    trace              text NOT NULL,
    affordability      text,
    override_decision  text CHECK (override_decision IN ('pass', 'refer', 'decline')),
    override_comment   text,
    decided_at         text NOT NULL,
    decided_by         text NOT NULL,
    -- An override always says why.
    CHECK ((override_decision IS NULL) = (override_comment IS NULL)),
    CHECK (override_comment IS NULL OR length(trim(override_comment)) > 0)
);
-- A run's decisions in order (the history, decisions_of); runs an underwriter decided.
CREATE INDEX decisions_by_run ON decisions (run_id, id);
CREATE INDEX decisions_by_decider ON decisions (decided_by, run_id);

-- Who did what, when. Append-only: the desks' role may only add and read it, and the triggers
-- below refuse a change or removal even to the owner, who could otherwise do it by mistake.
CREATE TABLE audit_log (
    id       bigserial PRIMARY KEY,
    uid      text NOT NULL UNIQUE,
    at       text NOT NULL,
    desk_id  text NOT NULL,
    os_user  text NOT NULL,
    action   text NOT NULL,
    subject  text NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Every record in the order it was stored, exactly like a desk's team_feed: pulling is "the
-- rows after a cursor". A policy version's uid is its document's SHA-256, ':' and the policy's
-- name. Pushes take a lock so that seqs are assigned in commit order (see push.rs).
CREATE TABLE team_feed (
    seq      bigserial PRIMARY KEY,
    kind     text NOT NULL CHECK (kind IN ('run', 'policy', 'decision', 'audit')),
    uid      text NOT NULL,
    desk_id  text NOT NULL,
    UNIQUE (kind, uid)
);
-- A pull of one desk's records (Only); the others' (Except) and All walk the primary key.
CREATE INDEX team_feed_by_desk ON team_feed (desk_id, seq);
