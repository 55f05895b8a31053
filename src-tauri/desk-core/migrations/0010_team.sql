-- The team. Every record another desk may need (runs with their values and details, policy
-- versions, decisions, the audit log) gets a uid that is the same on every desk, and the desk
-- that made it; records made before this migration get theirs here. team_feed lists them in the
-- order they became shareable, so pushing and pulling is "everything after a cursor".

-- This desk's id: random, made once.
INSERT INTO settings (key, value, updated_at)
VALUES ('desk_id', json_quote(lower(hex(randomblob(16)))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT (key) DO NOTHING;

ALTER TABLE runs ADD COLUMN uid TEXT;
ALTER TABLE runs ADD COLUMN desk_id TEXT;
-- The OS user who ran it; NULL for runs made before the team (nobody recorded it then).
ALTER TABLE runs ADD COLUMN made_by TEXT;
UPDATE runs SET uid = lower(hex(randomblob(16))),
    desk_id = (SELECT value ->> '$' FROM settings WHERE key = 'desk_id');
CREATE UNIQUE INDEX runs_by_uid ON runs (uid);

ALTER TABLE decisions ADD COLUMN uid TEXT;
ALTER TABLE decisions ADD COLUMN desk_id TEXT;
UPDATE decisions SET uid = lower(hex(randomblob(16))),
    desk_id = (SELECT value ->> '$' FROM settings WHERE key = 'desk_id');
CREATE UNIQUE INDEX decisions_by_uid ON decisions (uid);

ALTER TABLE policy_versions ADD COLUMN desk_id TEXT;
UPDATE policy_versions SET desk_id = (SELECT value ->> '$' FROM settings WHERE key = 'desk_id');

-- A customer another desk made (its loginId is in that desk's keyring, not this one's): the
-- desk it came from. NULL for this desk's own customers.
ALTER TABLE customers ADD COLUMN desk_id TEXT;

-- Who did what, when. Append-only: the triggers refuse any change or removal.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    uid      TEXT NOT NULL UNIQUE,
    at       TEXT NOT NULL,
    desk_id  TEXT NOT NULL,
    os_user  TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- A record's place in the order things became shareable. A policy version's uid is its
-- document's SHA-256, a colon and the policy's name.
CREATE TABLE team_feed (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind     TEXT NOT NULL CHECK (kind IN ('run', 'policy', 'decision', 'audit')),
    uid      TEXT NOT NULL,
    desk_id  TEXT NOT NULL,
    UNIQUE (kind, uid)
);
INSERT INTO team_feed (kind, uid, desk_id)
    SELECT 'run', uid, desk_id FROM runs WHERE status <> 'running' ORDER BY id;
INSERT INTO team_feed (kind, uid, desk_id)
    SELECT 'policy', v.sha256 || ':' || p.name, v.desk_id
    FROM policy_versions v JOIN policies p ON p.id = v.policy_id ORDER BY v.id;
INSERT INTO team_feed (kind, uid, desk_id)
    SELECT 'decision', uid, desk_id FROM decisions ORDER BY id;

-- Rows written by any path get a uid and this desk's id when they come without; a record joins
-- the feed when it becomes shareable (a run when it ends).
CREATE TRIGGER runs_inserted AFTER INSERT ON runs
BEGIN
    UPDATE runs SET uid = lower(hex(randomblob(16))),
        desk_id = coalesce(NEW.desk_id, (SELECT value ->> '$' FROM settings WHERE key = 'desk_id'))
    WHERE id = NEW.id AND NEW.uid IS NULL;
    INSERT OR IGNORE INTO team_feed (kind, uid, desk_id)
    SELECT 'run', uid, desk_id FROM runs WHERE id = NEW.id AND status <> 'running';
END;
CREATE TRIGGER runs_feed_ended AFTER UPDATE OF status ON runs
WHEN OLD.status = 'running' AND NEW.status <> 'running'
BEGIN
    INSERT OR IGNORE INTO team_feed (kind, uid, desk_id) VALUES ('run', NEW.uid, NEW.desk_id);
END;
-- One trigger for both: SQLite does not say in which order two triggers on one event fire, and
-- the feed's row needs the uid.
CREATE TRIGGER decisions_feed AFTER INSERT ON decisions
BEGIN
    UPDATE decisions SET uid = lower(hex(randomblob(16))),
        desk_id = coalesce(NEW.desk_id, (SELECT value ->> '$' FROM settings WHERE key = 'desk_id'))
    WHERE id = NEW.id AND NEW.uid IS NULL;
    INSERT OR IGNORE INTO team_feed (kind, uid, desk_id)
    SELECT 'decision', uid, desk_id FROM decisions WHERE id = NEW.id;
END;
CREATE TRIGGER policy_versions_feed AFTER INSERT ON policy_versions
BEGIN
    UPDATE policy_versions
    SET desk_id = coalesce(NEW.desk_id, (SELECT value ->> '$' FROM settings WHERE key = 'desk_id'))
    WHERE id = NEW.id;
    INSERT OR IGNORE INTO team_feed (kind, uid, desk_id)
    SELECT 'policy', v.sha256 || ':' || p.name, v.desk_id
    FROM policy_versions v JOIN policies p ON p.id = v.policy_id WHERE v.id = NEW.id;
END;
CREATE TRIGGER audit_log_feed AFTER INSERT ON audit_log
BEGIN
    INSERT OR IGNORE INTO team_feed (kind, uid, desk_id) VALUES ('audit', NEW.uid, NEW.desk_id);
END;
