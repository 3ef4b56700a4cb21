-- The payroll basis of a run (issue 15): what the run handed the payroll office, as JSON,
-- computed from the locked month right after the lock and never changed afterwards. NULL only
-- for runs made before this migration (or whose computation failed); those are computed on
-- first read while the run still holds its period's lock.
ALTER TABLE payroll_runs ADD COLUMN basis TEXT;
