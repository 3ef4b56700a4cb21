-- Organisations without projects (a restaurant, a shop) stamp in without a link.
--
-- The organisation's links_required from the last sync answer: until the first sync a start
-- needs a link, as before the setting existed.
ALTER TABLE device ADD COLUMN links_required INTEGER NOT NULL DEFAULT 1;

-- The outbox loses its "a start has a link" CHECK (the punch service enforces the setting).
-- SQLite cannot drop a constraint, so the table is rebuilt with the same rows, in the
-- migration's transaction; nothing references it.
CREATE TABLE events_new (
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
    synced_at           TEXT
);
INSERT INTO events_new (device_seq, id, employee_id, kind, link_id, comment, occurred_at, occurred_at_ms, device_clock_at, synced_at)
    SELECT device_seq, id, employee_id, kind, link_id, comment, occurred_at, occurred_at_ms, device_clock_at, synced_at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_pending ON events (device_seq) WHERE synced_at IS NULL;
CREATE INDEX events_employee ON events (employee_id, occurred_at_ms);
