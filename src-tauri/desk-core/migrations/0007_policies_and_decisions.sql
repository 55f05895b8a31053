-- Underwriting policies and the decisions made with them. A decision keeps everything needed to
-- show it again exactly as made, whatever policy is in place later: the policy version (by the
-- SHA-256 of its document, the document itself kept in policy_versions), the exact input the
-- policy saw, the rows that matched, and the underwriter's override with its comment.

CREATE TABLE policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

-- Every saved version is kept; saving the same document twice keeps one.
CREATE TABLE policy_versions (
    id          INTEGER PRIMARY KEY,
    policy_id   INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    document    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    saved_at    TEXT NOT NULL,
    UNIQUE (policy_id, sha256)
);

CREATE TABLE decisions (
    id                 INTEGER PRIMARY KEY,
    run_id             INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- RESTRICT: a version a decision was made with cannot disappear from under it.
    policy_version_id  INTEGER NOT NULL REFERENCES policy_versions (id) ON DELETE RESTRICT,
    decision           TEXT NOT NULL CHECK (decision IN ('pass', 'refer', 'decline')),
    -- JSON: the reasons as shown, the input snapshot, the evaluation trace, the affordability
    -- figures (when a loan was typed in).
    reasons            TEXT NOT NULL,
    input              TEXT NOT NULL,
    trace              TEXT NOT NULL,
    affordability      TEXT,
    override_decision  TEXT CHECK (override_decision IN ('pass', 'refer', 'decline')),
    override_comment   TEXT,
    decided_at         TEXT NOT NULL,
    decided_by         TEXT NOT NULL,
    -- An override always says why.
    CHECK ((override_decision IS NULL) = (override_comment IS NULL)),
    CHECK (override_comment IS NULL OR length(trim(override_comment)) > 0)
);
CREATE INDEX decisions_by_run ON decisions (run_id, id);
