-- The web records (corrections) of an organisation, which a month reads for every employee at
-- once: few rows, so a partial index finds them without walking the tablets' ledger.
CREATE INDEX events_web ON events (organisation_id, occurred_at) WHERE source = 'web';
