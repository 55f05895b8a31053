-- The PDF statements attached to a run: where the files were saved and what they were. The files
-- themselves stay where the person chose to keep them; the desk keeps their names and hashes, so
-- a report can list them and a file can be checked against what Flinks sent.
CREATE TABLE run_statements (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- The account's number as the bank gives it, cut to its last four characters.
    account     TEXT NOT NULL CHECK (length(account) <= 4),
    path        TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    saved_at    TEXT NOT NULL
);
CREATE INDEX run_statements_by_run ON run_statements (run_id, id);
