-- The kiosk's local database (clock-core). Applied in order by clock-core at start; tracked in
-- PRAGMA user_version. Instants are TEXT RFC 3339 (UTC unless a column says otherwise) plus,
-- where rows are ordered by time, an INTEGER of Unix milliseconds.

-- The tablet's identity and what the server told it: one row, id = 1, present once enrolled.
CREATE TABLE device (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    device_id           TEXT NOT NULL,
    server_url          TEXT NOT NULL,
    organisation_id     TEXT NOT NULL,
    organisation_name   TEXT NOT NULL,
    time_zone           TEXT NOT NULL,
    enrolled_at         TEXT NOT NULL,
    sync_interval_s     INTEGER NOT NULL,
    policy              TEXT NOT NULL DEFAULT 'self_service',
    sync_requirement    TEXT,
    -- Server time minus the raw device clock, learned from server_time; added to every reading.
    clock_offset_ms     INTEGER NOT NULL DEFAULT 0,
    -- The next device_seq to hand out; bumped in the same transaction as the insert: gap-free.
    next_seq            INTEGER NOT NULL DEFAULT 1,
    roster_version      TEXT,
    last_sync_at        TEXT,
    last_full_sync_at   TEXT,
    last_attempt_at     TEXT,
    last_error_code     TEXT,
    last_error_message  TEXT,
    -- Set when the server answered device_uninstalled: no more stamps are taken.
    uninstalled_at      TEXT
);

-- The outbox and the tablet's own stamp history: immutable punch events.
CREATE TABLE events (
    device_seq          INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    employee_id         TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('start', 'stop')),
    link_id             TEXT,
    comment             TEXT,
    occurred_at         TEXT NOT NULL,
    occurred_at_ms      INTEGER NOT NULL,
    device_clock_at     TEXT NOT NULL,
    -- NULL while pending; set in the transaction that records the server's acknowledgement.
    synced_at           TEXT,
    CHECK (kind = 'stop' OR link_id IS NOT NULL)
);
CREATE INDEX events_pending ON events (device_seq) WHERE synced_at IS NULL;
CREATE INDEX events_employee ON events (employee_id, occurred_at_ms);

-- The roster cache: who may stamp and on what, replaced whole when the version changes.
CREATE TABLE roster_employees (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    pin_hash    TEXT,
    active      INTEGER NOT NULL
);
CREATE INDEX roster_employees_number ON roster_employees (number);

CREATE TABLE roster_links (
    id          TEXT PRIMARY KEY,
    project     TEXT NOT NULL,
    account     TEXT NOT NULL,
    active      INTEGER NOT NULL
);

CREATE TABLE roster_assignments (
    employee_id TEXT NOT NULL REFERENCES roster_employees (id) ON DELETE CASCADE,
    link_id     TEXT NOT NULL REFERENCES roster_links (id) ON DELETE CASCADE,
    PRIMARY KEY (employee_id, link_id)
);

-- Wrong PINs per employee on this tablet (5 wrong: locked for 5 minutes).
CREATE TABLE pin_failures (
    employee_id     TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    locked_until_ms INTEGER
);

-- One row per sync attempt, for support.
CREATE TABLE sync_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    sent            INTEGER NOT NULL,
    acked           INTEGER NOT NULL,
    pending_after   INTEGER NOT NULL,
    error_code      TEXT,
    error_message   TEXT
);
