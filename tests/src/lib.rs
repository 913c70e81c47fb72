//! Helpers shared by the end-to-end tests (server, devices, browser).
