-- stampclock server schema v1 (SQLite). Every table carries organisation_id.

CREATE TABLE organisations (
    id              BLOB PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    time_zone       TEXT NOT NULL,
    policy          TEXT NOT NULL DEFAULT 'self_service' CHECK (policy IN ('self_service', 'strict')),
    sync_interval_s INTEGER NOT NULL DEFAULT 300 CHECK (sync_interval_s BETWEEN 30 AND 86400),
    -- Bumped by every change of people, links or assignments; tablets pull the roster when it moves.
    roster_version  INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL
);

-- People: staff who stamp (number + PIN), web users (username + password), or both.
CREATE TABLE people (
    id                  BLOB PRIMARY KEY,
    organisation_id     BLOB NOT NULL REFERENCES organisations (id),
    number              TEXT,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'team_lead', 'employee')),
    username            TEXT UNIQUE,
    password_hash       TEXT,
    pin_hash            TEXT,
    -- HMAC-SHA256 of the 12-digit personnummer under the server secret; never the number itself.
    personnummer_hmac   TEXT,
    personnummer_last4  TEXT,
    active              BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (organisation_id, number)
);
CREATE INDEX people_personnummer ON people (organisation_id, personnummer_hmac);

CREATE TABLE links (
    id              BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    project         TEXT NOT NULL,
    account         TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    UNIQUE (organisation_id, project, account)
);

CREATE TABLE person_links (
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    person_id       BLOB NOT NULL REFERENCES people (id),
    link_id         BLOB NOT NULL REFERENCES links (id),
    PRIMARY KEY (person_id, link_id)
);

CREATE TABLE enrolment_codes (
    -- SHA-256 of the normalised code: a leaked table does not enrol a tablet.
    code_hash       TEXT PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    created_by      BLOB REFERENCES people (id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    device_id       BLOB
);

CREATE TABLE devices (
    id                  BLOB PRIMARY KEY,
    organisation_id     BLOB NOT NULL REFERENCES organisations (id),
    public_key          TEXT NOT NULL,
    platform            TEXT NOT NULL,
    app_version         TEXT NOT NULL,
    installed_at        TEXT NOT NULL,
    installed_by        BLOB REFERENCES people (id),
    last_contact_at     TEXT,
    last_full_sync_at   TEXT,
    pending_events      INTEGER NOT NULL DEFAULT 0,
    oldest_pending_at   TEXT,
    -- The device's raw clock minus server time, in seconds (positive: the tablet runs ahead).
    clock_offset_s      INTEGER,
    sync_state          TEXT NOT NULL DEFAULT 'active'
                        CHECK (sync_state IN ('active', 'disabled_for_period', 'disabled_permanently')),
    sync_period         TEXT,
    uninstalled_at      TEXT,
    uninstalled_by      BLOB REFERENCES people (id)
);
CREATE INDEX devices_organisation ON devices (organisation_id, id);

CREATE TABLE device_history (
    id              BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    device_id       BLOB NOT NULL REFERENCES devices (id),
    at              TEXT NOT NULL,
    by_person       BLOB REFERENCES people (id),
    event           TEXT NOT NULL,
    sync_state      TEXT NOT NULL,
    sync_period     TEXT
);
CREATE INDEX device_history_device ON device_history (device_id, id);

-- The ledger: immutable punch events. Keys are UUIDv7 BLOBs (time-ordered) so the index stays hot.
CREATE TABLE events (
    id                  BLOB PRIMARY KEY,
    organisation_id     BLOB NOT NULL REFERENCES organisations (id),
    device_id           BLOB NOT NULL REFERENCES devices (id),
    device_seq          INTEGER NOT NULL,
    employee_id         BLOB NOT NULL REFERENCES people (id),
    kind                TEXT NOT NULL CHECK (kind IN ('start', 'stop')),
    link_id             BLOB REFERENCES links (id),
    comment             TEXT,
    occurred_at         TEXT NOT NULL,
    occurred_offset_s   INTEGER NOT NULL,
    device_clock_at     TEXT NOT NULL,
    device_clock_offset_s INTEGER NOT NULL,
    received_at         TEXT NOT NULL,
    -- 'accepted' (in the ledger), 'quarantined' (from an uninstalled device), 'rejected'.
    status              TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'quarantined', 'rejected')),
    -- Business anomalies for a manager, comma-separated (employee_inactive, link_inactive, ...).
    flags               TEXT,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX events_employee ON events (organisation_id, employee_id, occurred_at);

CREATE TABLE sessions (
    token_hash      TEXT PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    person_id       BLOB NOT NULL REFERENCES people (id),
    csrf_token      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);

CREATE TABLE audit_log (
    id              BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    at              TEXT NOT NULL,
    actor           BLOB REFERENCES people (id),
    kind            TEXT NOT NULL,
    subject         TEXT,
    details         TEXT
);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, id);
