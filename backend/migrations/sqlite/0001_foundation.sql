-- Users, sessions, tokens, audit; the device registry; the run log and device data.
-- Written in the SQL subset SQLite and PostgreSQL share (BIGINT times in ms, TEXT JSON).

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    result  TEXT NOT NULL,
    details TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE products (
    product_key          TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    product_secret       TEXT NOT NULL,
    node_type            TEXT NOT NULL,
    data_format          TEXT NOT NULL,
    dynamic_registration BOOLEAN NOT NULL DEFAULT FALSE,
    description          TEXT NOT NULL DEFAULT '',
    tsl                  TEXT NOT NULL,
    created_at           BIGINT NOT NULL
);

CREATE TABLE devices (
    id                   INTEGER PRIMARY KEY,
    product_key          TEXT NOT NULL REFERENCES products(product_key) ON DELETE CASCADE,
    device_name          TEXT NOT NULL,
    device_secret        TEXT NOT NULL,
    nickname             TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           BIGINT NOT NULL,
    activated_at         BIGINT,
    last_online_at       BIGINT,
    last_offline_at      BIGINT,
    last_disconnect_code INTEGER,
    ip                   TEXT,
    sdk                  TEXT,
    gateway_id           INTEGER REFERENCES devices(id) ON DELETE SET NULL,
    UNIQUE (product_key, device_name)
);
-- Listing and prefix search stay index-backed at 100,000 devices.
CREATE INDEX devices_name ON devices (device_name);
CREATE INDEX devices_status ON devices (status);

CREATE TABLE device_tags (
    device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (device_id, key)
);

CREATE TABLE device_groups (
    device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    PRIMARY KEY (device_id, group_name)
);
CREATE INDEX device_groups_name ON device_groups (group_name);

CREATE TABLE property_latest (
    device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    value      TEXT NOT NULL,
    time       BIGINT NOT NULL,
    PRIMARY KEY (device_id, identifier)
);

CREATE TABLE property_history (
    device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    value      TEXT NOT NULL,
    time       BIGINT NOT NULL
);
CREATE INDEX property_history_lookup ON property_history (device_id, identifier, time);

CREATE TABLE device_events (
    id         INTEGER PRIMARY KEY,
    device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    event_type TEXT NOT NULL,
    params     TEXT NOT NULL,
    time       BIGINT NOT NULL
);
CREATE INDEX device_events_lookup ON device_events (device_id, time);

CREATE TABLE run_log (
    id           INTEGER PRIMARY KEY,
    at           BIGINT NOT NULL,
    trace_id     TEXT NOT NULL,
    message_id   TEXT,
    product_key  TEXT NOT NULL,
    device_name  TEXT NOT NULL,
    biz_type     TEXT NOT NULL,
    operation    TEXT NOT NULL,
    content      TEXT NOT NULL,
    status       INTEGER NOT NULL
);
CREATE INDEX run_log_device ON run_log (product_key, device_name, at);
CREATE INDEX run_log_trace ON run_log (trace_id);
CREATE INDEX run_log_at ON run_log (at);
