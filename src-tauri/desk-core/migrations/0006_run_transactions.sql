-- The transactions behind a run's values, each kept once. attribute_details repeats a transaction
-- for every value it is behind: an All run of a 50,000-transaction customer wrote ~296,000 rows
-- there for ~27,000 distinct transactions, and that was most of the run's time. Runs stored
-- before this migration keep their rows in attribute_details and are read from there; new runs
-- write only the two tables below.

-- Without a rowid: rows are small and only ever found by their key, so the key is the table and
-- each row is written once rather than into a table and an index.
CREATE TABLE run_transactions (
    run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- The transaction's place among the run's distinct transactions, from 0: what
    -- attribute_detail_lists refers to.
    id              INTEGER NOT NULL,
    account_id      TEXT,
    transaction_id  TEXT,
    date            TEXT NOT NULL,
    description     TEXT,
    -- Exact decimal text, as in attribute_details.
    debit           TEXT,
    credit          TEXT,
    balance         TEXT,
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;

-- One row per value that has transactions behind it: a row per (value, transaction) pair would
-- again be ~296,000 rows for the run above (measured: ~1 s to write, against ~0.3 s for this
-- design). A rowid table, as a list can hold tens of thousands of ids and SQLite advises against
-- WITHOUT ROWID for rows that large.
CREATE TABLE attribute_detail_lists (
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    -- A JSON array of run_transactions.id in the order Flinks listed the transactions, e.g.
    -- [0,5,17], so that SQL alone reads it back in order (json_each) and counts it
    -- (json_array_length).
    txns    TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
