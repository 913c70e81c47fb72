-- Issue 14 (history): the network status table as the seed shows it, and lookups for the
-- device page's property history and events list.
-- `collected_at` is the device's `_time`, NULL when it sent none (the seed shows no time then);
-- `received_at` is "Reported At". Older rows stored the device time (or the receive time) in
-- `time` only: a time that differs from the receive time was the device's.
ALTER TABLE device_network_status ADD COLUMN collected_at BIGINT;
ALTER TABLE device_network_status ADD COLUMN connection TEXT;
UPDATE device_network_status SET collected_at = time WHERE time <> received_at;
-- The table and the retention purge read by receive time.
CREATE INDEX device_network_status_received ON device_network_status (device_id, received_at);
CREATE INDEX device_network_status_purge ON device_network_status (received_at);
-- The events list filters by event identifier within a device, newest first.
CREATE INDEX device_events_identifier ON device_events (device_id, identifier, time);
