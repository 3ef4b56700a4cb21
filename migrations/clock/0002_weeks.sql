-- The server's timesheet of each roster employee's current week (issue 12, item 7): Ist and
-- Soll per day and the flex balance, shown after identification with its as-of time. Replaced
-- after each successful sync; kept while the tablet is offline.
CREATE TABLE week_summaries (
    employee_id      TEXT PRIMARY KEY,
    week_start       TEXT NOT NULL,
    -- JSON array of {date, actual_min, target_min}, Monday first.
    days             TEXT NOT NULL,
    flex_balance_min INTEGER NOT NULL,
    as_of            TEXT NOT NULL
);
