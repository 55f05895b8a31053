-- The transactions behind a value (Flinks' AttributesDetail), so "explain" works on any past run.
CREATE TABLE attribute_details (
    run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    position        INTEGER NOT NULL,
    account_id      TEXT,
    transaction_id  TEXT,
    date            TEXT NOT NULL,
    description     TEXT,
    debit           TEXT,
    credit          TEXT,
    balance         TEXT,
    PRIMARY KEY (run_id, name, position)
);
