//! Monitoring (issue 14). `network`: the device network status tab (history branch).

pub mod network;
