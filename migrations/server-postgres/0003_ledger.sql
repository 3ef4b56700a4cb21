-- The ledger core (issue 11): records from every source, corrections that supersede, the
-- per-employee-day projection with its queue of dirty days, and the log of accepted device
-- signatures.

-- Records come from a tablet (device_id + device_seq) or from a person on the web (author_id):
-- manual entries and corrections. Nothing is ever deleted: a correction points at the record it
-- replaces (`supersedes`), a `void` record removes one from the figures.
ALTER TABLE events ALTER COLUMN device_id DROP NOT NULL;
ALTER TABLE events ALTER COLUMN device_seq DROP NOT NULL;
ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'tablet' CHECK (source IN ('tablet', 'web'));
ALTER TABLE events ADD COLUMN author_id UUID REFERENCES people (id);
ALTER TABLE events ADD COLUMN supersedes UUID REFERENCES events (id);
ALTER TABLE events ADD COLUMN reason TEXT;
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN ('start', 'stop', 'void'));
ALTER TABLE events ADD CONSTRAINT events_source_fields CHECK (
    (source = 'tablet' AND device_id IS NOT NULL AND device_seq IS NOT NULL)
    OR (source = 'web' AND author_id IS NOT NULL));
CREATE INDEX events_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;

-- Employee-days whose projection must be rebuilt; drained with FOR UPDATE SKIP LOCKED so
-- several server processes can share the queue.
CREATE TABLE ledger_dirty_days (
    organisation_id UUID NOT NULL REFERENCES organisations (id),
    employee_id     UUID NOT NULL REFERENCES people (id),
    work_date       DATE NOT NULL,
    marked_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (employee_id, work_date)
);

-- The projection: one row per employee and work day (D3, organisation zone) with something on
-- it; `day` is the JSON the days endpoint answers.
CREATE TABLE ledger_days (
    organisation_id UUID NOT NULL REFERENCES organisations (id),
    employee_id     UUID NOT NULL REFERENCES people (id),
    work_date       DATE NOT NULL,
    actual_min      BIGINT NOT NULL,
    day             TEXT NOT NULL,
    built_at        TIMESTAMPTZ NOT NULL,
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
    device_id       UUID NOT NULL REFERENCES devices (id),
    signature       BYTEA NOT NULL,
    signed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, signature)
);
CREATE INDEX device_signatures_signed_at ON device_signatures (signed_at);

-- Every day with records so far is dirty: the projection is built on first start.
INSERT INTO ledger_dirty_days (organisation_id, employee_id, work_date, marked_at)
SELECT DISTINCT e.organisation_id, e.employee_id, (e.occurred_at AT TIME ZONE o.time_zone)::date, now()
FROM events e JOIN organisations o ON o.id = e.organisation_id
ON CONFLICT DO NOTHING;
