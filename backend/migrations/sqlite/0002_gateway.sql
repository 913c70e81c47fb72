-- Device gateway: token logins after dynamic registration, and rate-limit events.

-- `regnwl` registration hands the device a token instead of a secret; it logs in with
-- `authType=connwl` and the token as password. One token per device: a new registration
-- replaces the old one.
CREATE TABLE device_tokens (
    device_id  INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    token      TEXT NOT NULL,
    issued_at  BIGINT NOT NULL
);

-- One row per device and limit window in which a per-device limit was exceeded
-- (Device_Connect_QPM_Limit, Device_Uplink_QPS_Limit, Device_Downlink_QPS_Limit).
CREATE TABLE limit_events (
    id           INTEGER PRIMARY KEY,
    at           BIGINT NOT NULL,
    product_key  TEXT NOT NULL,
    device_name  TEXT NOT NULL,
    name         TEXT NOT NULL,
    limit_value  INTEGER NOT NULL
);
CREATE INDEX limit_events_at ON limit_events (at);
CREATE INDEX limit_events_device ON limit_events (product_key, device_name, at);
