-- What the Alink topic router keeps per device besides properties and events: the device shadow,
-- desired properties, network status (diag), local logs the device uploads, and its log switch.
-- Same SQL subset as 0001 (BIGINT ms times, TEXT JSON) so PostgreSQL takes it too.

-- One shadow document per device. `reported`/`desired`/`metadata` are JSON objects; `version`
-- only grows (a device update must carry a larger one, else it is a version conflict).
CREATE TABLE device_shadows (
    device_id  INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    reported   TEXT NOT NULL DEFAULT '{}',
    desired    TEXT NOT NULL DEFAULT '{}',
    metadata   TEXT NOT NULL DEFAULT '{}',
    version    BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- Desired property values (thing/property/desired/get, .../delete); each with its own version.
CREATE TABLE desired_properties (
    device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    value      TEXT NOT NULL,
    version    BIGINT NOT NULL,
    time       BIGINT NOT NULL,
    PRIMARY KEY (device_id, identifier)
);

-- Network status samples from _thing/diag/post. `time` is the device's `_time` (or receive time).
CREATE TABLE device_network_status (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    rssi        DOUBLE PRECISION,
    snr         DOUBLE PRECISION,
    per         DOUBLE PRECISION,
    err_stats   TEXT,
    raw         TEXT NOT NULL,
    time        BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX device_network_status_lookup ON device_network_status (device_id, time);

-- Local log lines the device uploads on thing/log/post (C4 only after the switch is on).
CREATE TABLE device_logs (
    id            INTEGER PRIMARY KEY,
    device_id     INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    utc_time      TEXT NOT NULL DEFAULT '',
    log_level     TEXT NOT NULL DEFAULT '',
    module        TEXT NOT NULL DEFAULT '',
    code          TEXT NOT NULL DEFAULT '',
    trace_context TEXT NOT NULL DEFAULT '',
    content       TEXT NOT NULL DEFAULT '',
    received_at   BIGINT NOT NULL
);
CREATE INDEX device_logs_lookup ON device_logs (device_id, received_at);

-- The device log switch; no row means off (mode 0), the SDKs' default.
CREATE TABLE device_log_switch (
    device_id  INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    mode       INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
