-- Device governance (seed 000): payroll runs, period locks, quarantine review.

CREATE TABLE payroll_runs (
    id              UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisations (id),
    period          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      UUID REFERENCES people (id)
);
CREATE INDEX payroll_runs_organisation ON payroll_runs (organisation_id, period);

-- A locked period refuses a second run until a manager unlocks it (the row is then deleted;
-- lock and unlock both stay in the audit log).
CREATE TABLE period_locks (
    organisation_id UUID NOT NULL REFERENCES organisations (id),
    period          TEXT NOT NULL,
    locked_at       TIMESTAMPTZ NOT NULL,
    locked_by       UUID REFERENCES people (id),
    payroll_run_id  UUID REFERENCES payroll_runs (id),
    PRIMARY KEY (organisation_id, period)
);

ALTER TABLE events ADD COLUMN reviewed_at TIMESTAMPTZ;
ALTER TABLE events ADD COLUMN reviewed_by UUID REFERENCES people (id);
CREATE INDEX events_quarantine ON events (organisation_id, status, id);
