-- Issue 14 §5 (a 7-day overview ≤ 50 ms at 1,000 products): the minutes' primary key carries
-- `value`, so the series query is an index-only scan. The writer stores every minute the rows
-- of all scopes, so one scope's week lies spread over the whole heap: EXPLAIN (ANALYZE,
-- BUFFERS) showed a bitmap heap scan reading one heap block per row or two (10,838 blocks for
-- the instance's 40,320 rows). The index is in key order, a scope's week a few hundred adjacent
-- index pages; autovacuum keeps the visibility map current so the heap is not visited.
-- The upsert's conflict target (the four key columns) is unchanged.
ALTER TABLE metric_minutes
    DROP CONSTRAINT metric_minutes_pkey,
    ADD PRIMARY KEY (product_key, metric, protocol, t) INCLUDE (value);
-- Not the hours: their rows are updated every minute of the hour, and an index carrying the
-- updated columns would rule out HOT updates (a new index entry per update); a week is 168 of
-- them per series, cheap to fetch.
