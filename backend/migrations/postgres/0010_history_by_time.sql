-- The same key as SQLite's 0010 (see there for why and what it measured): a post's property
-- values become neighbours in the history index, so a post dirties one index leaf instead of one
-- per identifier (PostgreSQL writes a page dirtied after a checkpoint to its WAL in full).
DROP INDEX property_history_lookup;
CREATE INDEX property_history_by_time ON property_history (device_id, time, identifier);
