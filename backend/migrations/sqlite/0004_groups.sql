-- Device groups as things of their own: a stable id with a unique name (the OTA chapter batches
-- by group id, and a rename must not lose that), a description, and membership rows. Replaces
-- `device_groups` (a device id + a free-text name): its names become groups (trimmed, so
-- " roof" and "roof" are one group) and its rows their members; then it is dropped.
-- Deleting a group deletes its membership rows only; deleting a device deletes its own.

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE group_devices (
    group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (group_id, device_id)
);
-- A device's groups (device page, the `groups` field of device JSON).
CREATE INDEX group_devices_device ON group_devices (device_id);

-- Epoch milliseconds now, in the SQL both SQLite versions in use understand.
INSERT INTO groups (name, description, created_at)
SELECT DISTINCT TRIM(group_name), '', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM device_groups WHERE TRIM(group_name) <> '' ORDER BY 1;

INSERT INTO group_devices (group_id, device_id, added_at)
SELECT DISTINCT g.id, dg.device_id, g.created_at
FROM device_groups dg JOIN groups g ON g.name = TRIM(dg.group_name);

DROP TABLE device_groups;
