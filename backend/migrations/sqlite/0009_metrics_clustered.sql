-- Issue 14 §5 (a 7-day overview ≤ 50 ms at 1,000 products): the metric tables become
-- WITHOUT ROWID, so the rows are stored in the primary key's order (scope, metric, protocol, t).
-- The writer stores every minute the rows of all scopes, so in a rowid table one scope's week
-- lies spread over the whole table and the series query, walking the key index, fetched every
-- row from a different table page (EXPLAIN QUERY PLAN: SEARCH … USING INDEX
-- sqlite_autoindex_metric_minutes_1, one table lookup per row). Clustered on the key, a scope's
-- week is a few hundred adjacent pages. Rebuilt here (SQLite cannot change a table to WITHOUT
-- ROWID in place): create, copy, drop, rename, recreate the retention index.
CREATE TABLE metric_minutes_clustered (
    product_key TEXT NOT NULL,
    metric      TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    t           BIGINT NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (product_key, metric, protocol, t)
) WITHOUT ROWID;
INSERT INTO metric_minutes_clustered (product_key, metric, protocol, t, value)
    SELECT product_key, metric, protocol, t, value FROM metric_minutes
    -- In key order: the new table is filled by appending.
    ORDER BY product_key, metric, protocol, t;
DROP TABLE metric_minutes;
ALTER TABLE metric_minutes_clustered RENAME TO metric_minutes;
-- Retention deletes the oldest minutes in batches.
CREATE INDEX metric_minutes_t ON metric_minutes (t);

-- The hourly rollups the same way (a range past the minutes' retention reads a scope's hours).
CREATE TABLE metric_hours_clustered (
    product_key TEXT NOT NULL,
    metric      TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    t           BIGINT NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    min         DOUBLE PRECISION NOT NULL,
    max         DOUBLE PRECISION NOT NULL,
    last_t      BIGINT NOT NULL,
    minutes     BIGINT NOT NULL,
    PRIMARY KEY (product_key, metric, protocol, t)
) WITHOUT ROWID;
INSERT INTO metric_hours_clustered (product_key, metric, protocol, t, value, min, max, last_t, minutes)
    SELECT product_key, metric, protocol, t, value, min, max, last_t, minutes FROM metric_hours
    ORDER BY product_key, metric, protocol, t;
DROP TABLE metric_hours;
ALTER TABLE metric_hours_clustered RENAME TO metric_hours;
CREATE INDEX metric_hours_t ON metric_hours (t);
