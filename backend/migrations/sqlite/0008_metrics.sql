-- Issue 14 (metrics): closed minutes of the monitoring counters, written by the ingest writer in
-- the same transactions as the run log, and their hourly rollups (upserted in the same
-- statements). `product_key` '' is the whole instance and `protocol` '' a metric that is not
-- split by protocol: '' rather than NULL so that the primary key (which the rollup's upsert
-- needs) treats them as one value on both stores.
CREATE TABLE metric_minutes (
    product_key TEXT NOT NULL,
    metric      TEXT NOT NULL,
    protocol    TEXT NOT NULL,
    t           BIGINT NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (product_key, metric, protocol, t)
);
-- Retention deletes the oldest minutes in batches.
CREATE INDEX metric_minutes_t ON metric_minutes (t);
-- `value`: counts summed over the hour, levels (gauges) the hour's newest stored minute, `last_t`
-- being that minute; `min`/`max` over its stored minutes, `minutes` how many were stored (a
-- count's minutes without a row were zero).
CREATE TABLE metric_hours (
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
);
CREATE INDEX metric_hours_t ON metric_hours (t);
