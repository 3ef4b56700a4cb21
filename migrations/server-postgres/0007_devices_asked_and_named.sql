-- Tablets asked to sync, and tablets named by their enrolment code (the first-day issue).
-- An admin or manager asks every tablet to sync at its next contact (issue 14): the instant of the
-- latest request. The request is answered once the tablet completes a full sync after it
-- (last_full_sync_at >= sync_requested_at); NULL: never asked.
ALTER TABLE devices ADD COLUMN sync_requested_at TIMESTAMPTZ;

-- The name the tablet enrolled with this code gets ("Entré", "Kök"); NULL: unnamed until an
-- admin names it.
ALTER TABLE enrolment_codes ADD COLUMN device_name TEXT;
