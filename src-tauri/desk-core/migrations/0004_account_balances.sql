-- Each account's end-of-day balance on the days it had transactions, written with the run's
-- values, so the balance chart of any past run is drawn from the history alone. A run stored
-- before this migration has no rows here, and so no balance chart.
-- The account number is never stored: `last4` holds at most its last four characters, to tell
-- two accounts with the same title apart.
CREATE TABLE account_balances (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- The account's place in Flinks' list, so the lines keep the order (and colours) they had.
    position    INTEGER NOT NULL,
    account_id  TEXT NOT NULL,
    title       TEXT,
    last4       TEXT CHECK (last4 IS NULL OR length(last4) <= 4),
    date        TEXT NOT NULL,
    -- Exact decimal text, as for attribute_details.
    balance     TEXT NOT NULL,
    PRIMARY KEY (run_id, account_id, date)
);
