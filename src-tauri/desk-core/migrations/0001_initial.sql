-- Flinks Desk's store. No secret lives here: customers keep the last four characters of their
-- loginId for display, and a key that finds the whole loginId elsewhere (the sandbox's cast, or
-- the OS keyring for real environments).

CREATE TABLE environments (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('builtin', 'toolbox', 'private')),
    api_base_url  TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    production    INTEGER NOT NULL DEFAULT 0 CHECK (production IN (0, 1)),
    created_at    TEXT NOT NULL
);

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY,
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    label           TEXT NOT NULL,
    institution     TEXT,
    login_last4     TEXT NOT NULL CHECK (length(login_last4) <= 4),
    created_at      TEXT NOT NULL,
    UNIQUE (environment_id, key)
);

CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    package        TEXT NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
    request_id     TEXT,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    duration_ms    INTEGER,
    accounts       INTEGER,
    transactions   INTEGER,
    error_code     TEXT,
    error_message  TEXT
);
CREATE INDEX runs_by_start ON runs (started_at);

CREATE TABLE attribute_values (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    scope     TEXT NOT NULL DEFAULT 'login',
    name      TEXT NOT NULL,
    raw       TEXT NOT NULL,
    number    REAL,
    PRIMARY KEY (run_id, scope, name)
);

-- Every call to Flinks, because Flinks bills successful live requests.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    run_id          INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    endpoint        TEXT NOT NULL,
    status          INTEGER,
    flinks_code     TEXT,
    duration_ms     INTEGER NOT NULL,
    billable        INTEGER NOT NULL CHECK (billable IN (0, 1)),
    at              TEXT NOT NULL
);
