-- The desk's settings that are choices, not constants: the affordability limits (CMHC's by
-- default) and whatever comes next. One JSON value per key, so a new setting needs no migration.
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
