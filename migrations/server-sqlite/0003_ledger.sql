-- The ledger core (issue 11): records from every source, corrections that supersede, the
-- per-employee-day projection with its queue of dirty days, and the log of accepted device
-- signatures. SQLite cannot relax NOT NULL or a CHECK in place, so `events` is rebuilt
-- with its rows carried over (nothing references it yet).

CREATE TABLE events_v3 (
    id                  BLOB PRIMARY KEY,
    organisation_id     BLOB NOT NULL REFERENCES organisations (id),
    device_id           BLOB REFERENCES devices (id),
    device_seq          INTEGER,
    employee_id         BLOB NOT NULL REFERENCES people (id),
    kind                TEXT NOT NULL CHECK (kind IN ('start', 'stop', 'void')),
    link_id             BLOB REFERENCES links (id),
    comment             TEXT,
    occurred_at         TEXT NOT NULL,
    occurred_offset_s   INTEGER NOT NULL,
    device_clock_at     TEXT NOT NULL,
    device_clock_offset_s INTEGER NOT NULL,
    received_at         TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'quarantined', 'rejected')),
    flags               TEXT,
    reviewed_at         TEXT,
    reviewed_by         BLOB REFERENCES people (id),
    source              TEXT NOT NULL DEFAULT 'tablet' CHECK (source IN ('tablet', 'web')),
    author_id           BLOB REFERENCES people (id),
    supersedes          BLOB REFERENCES events_v3 (id),
    reason              TEXT,
    UNIQUE (device_id, device_seq),
    CHECK ((source = 'tablet' AND device_id IS NOT NULL AND device_seq IS NOT NULL)
        OR (source = 'web' AND author_id IS NOT NULL))
);
INSERT INTO events_v3 (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, occurred_at,
    occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags, reviewed_at, reviewed_by, source)
SELECT id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, occurred_at,
    occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags, reviewed_at, reviewed_by, 'tablet'
FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE INDEX events_employee ON events (organisation_id, employee_id, occurred_at);
CREATE INDEX events_quarantine ON events (organisation_id, status, id);
CREATE INDEX events_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE ledger_dirty_days (
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    employee_id     BLOB NOT NULL REFERENCES people (id),
    work_date       TEXT NOT NULL,
    marked_at       TEXT NOT NULL,
    PRIMARY KEY (employee_id, work_date)
);

CREATE TABLE ledger_days (
    organisation_id BLOB NOT NULL REFERENCES organisations (id),
    employee_id     BLOB NOT NULL REFERENCES people (id),
    work_date       TEXT NOT NULL,
    actual_min      INTEGER NOT NULL,
    day             TEXT NOT NULL,
    built_at        TEXT NOT NULL,
    PRIMARY KEY (employee_id, work_date)
);
CREATE INDEX ledger_days_organisation ON ledger_days (organisation_id, work_date);

-- What an admin calls a tablet ("Entré", "Kök"): shown in the registry, its history and the
-- payroll gate's blockers.
ALTER TABLE devices ADD COLUMN name TEXT;

-- Signatures accepted within the clock-skew window, per device: a replay is refused by every
-- server process (the in-memory cache only knows its own), and requests may arrive out of order.
-- Rows older than the window are pruned.
CREATE TABLE device_signatures (
    device_id       BLOB NOT NULL REFERENCES devices (id),
    signature       BLOB NOT NULL,
    signed_at       TEXT NOT NULL,
    PRIMARY KEY (device_id, signature)
);
CREATE INDEX device_signatures_signed_at ON device_signatures (signed_at);

-- Every day with records so far is dirty: the projection is built on first start. SQLite has no
-- time zones, so the UTC date and its neighbours are marked (any zone's local date is among
-- them); a day marked without records is simply left empty.
INSERT OR IGNORE INTO ledger_dirty_days (organisation_id, employee_id, work_date, marked_at)
SELECT DISTINCT organisation_id, employee_id, date(substr(occurred_at, 1, 10), d.shift), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM events, (SELECT '-1 day' AS shift UNION ALL SELECT '+0 days' UNION ALL SELECT '+1 day') AS d;
