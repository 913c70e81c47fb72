//! Command line, environment and TOML configuration.
//!
//! Precedence: flag > environment variable (`FLEETDECK_*`) > TOML file (`--config`) > default.
//! clap handles the first two; the TOML file fills in whatever is still unset.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

#[derive(Debug, Parser)]
#[command(name = "fleetdeck", version, about = "Self-hosted maintenance console for Alink IoT device fleets")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of the larger variant costs nothing, and boxing it would
// change every place that builds or matches `Serve`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console: HTTP API + UI, embedded MQTT broker and the device gateway.
    Serve(ServeArgs),
    /// Copy every row of a SQLite database into an empty PostgreSQL database (its migrations
    /// are run first). Stop the server first: rows written during the copy are not copied.
    MigrateStore(MigrateStoreArgs),
}

#[derive(Debug, Clone, Args)]
pub struct MigrateStoreArgs {
    /// The SQLite database to copy, e.g. `sqlite:///var/lib/fleetdeck/fleetdeck.db` (opened read-only).
    #[arg(long)]
    pub from: String,
    /// The PostgreSQL database to fill, e.g. `postgres://fleetdeck@db/fleetdeck`; its tables must be empty.
    #[arg(long, env = "FLEETDECK_MIGRATE_TO", hide_env_values = true)]
    pub to: String,
}

#[derive(Debug, Clone, Args, Default)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (keys as the long flag names, `-` or `_`).
    #[arg(long, env = "FLEETDECK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address of the web console and REST API. Port 0 picks a free port (it is logged).
    #[arg(long, env = "FLEETDECK_HTTP")]
    pub http: Option<SocketAddr>,
    /// Address of the embedded MQTT broker's plain-TCP listener. Port 0 picks a free port.
    #[arg(long, env = "FLEETDECK_MQTT")]
    pub mqtt: Option<SocketAddr>,
    /// Directory for the SQLite database and other state.
    #[arg(long, env = "FLEETDECK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL; defaults to `sqlite://<data-dir>/fleetdeck.db`.
    #[arg(long, env = "FLEETDECK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Password of the `admin` user, used only when the database is created. Random and printed if unset.
    #[arg(long, env = "FLEETDECK_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Seed demo products and devices (and run the simulated fleet, when it exists).
    #[arg(long, env = "FLEETDECK_DEMO")]
    pub demo: bool,
    /// How many simulated devices `--demo` runs (street lamps, environment sensors, gateways
    /// with sub-devices). Default 200.
    #[arg(long, env = "FLEETDECK_DEMO_DEVICES")]
    pub demo_devices: Option<usize>,
    /// Directory with the built web UI (index.html). Defaults to `dist/` next to the binary, then `./dist`.
    #[arg(long, env = "FLEETDECK_DIST")]
    pub dist: Option<PathBuf>,
    /// Log format: `text` or `json`.
    #[arg(long, env = "FLEETDECK_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Mark the session cookie `Secure` (set this behind an HTTPS reverse proxy).
    #[arg(long, env = "FLEETDECK_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Address of the MQTT-over-TLS listener (the SDKs' default port is 8883); needs `--tls-cert` and `--tls-key`.
    #[arg(long, env = "FLEETDECK_MQTT_TLS")]
    pub mqtt_tls: Option<SocketAddr>,
    /// PEM certificate chain of the MQTT TLS listener.
    #[arg(long, env = "FLEETDECK_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the MQTT TLS listener.
    #[arg(long, env = "FLEETDECK_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Authenticated connections one device may make per minute (0 = unlimited).
    #[arg(long, env = "FLEETDECK_LIMIT_CONNECTS_PER_MINUTE")]
    pub limit_connects_per_minute: Option<u32>,
    /// Failed device authentications one client address may make per minute before its
    /// CONNECTs are refused unchecked (0 = unlimited).
    #[arg(long, env = "FLEETDECK_LIMIT_AUTH_FAILURES_PER_MINUTE")]
    pub limit_auth_failures_per_minute: Option<u32>,
    /// Messages per second one device may publish (0 = unlimited).
    #[arg(long, env = "FLEETDECK_LIMIT_UPLINK_QPS")]
    pub limit_uplink_qps: Option<u32>,
    /// Messages per second the console may send to one device (0 = unlimited).
    #[arg(long, env = "FLEETDECK_LIMIT_DOWNLINK_QPS")]
    pub limit_downlink_qps: Option<u32>,
    /// `HOST:PORT` devices should connect to (shown under Connection parameters), when it is not
    /// the console's host name and the MQTT listener's port (NAT, a load balancer, a DNS name).
    #[arg(long, env = "FLEETDECK_MQTT_PUBLIC")]
    pub mqtt_public: Option<String>,
    /// Days network status samples (`_thing/diag/post`) are kept (default 7).
    #[arg(long, env = "FLEETDECK_NETWORK_STATUS_RETENTION_DAYS")]
    pub network_status_retention_days: Option<u32>,
    /// Monitoring metrics (issue 14): `on` (default) or `off` (nothing is counted, `/metrics`
    /// and the monitoring series answer 404).
    #[arg(long, env = "FLEETDECK_METRICS")]
    pub metrics: Option<String>,
    /// Require `Authorization: Bearer TOKEN` on `/metrics` (default: open, for a scraper).
    #[arg(long, env = "FLEETDECK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Devices the instance is sized for: `DeviceNum_instance` is online devices as a percentage
    /// of it (default 10,000).
    #[arg(long, env = "FLEETDECK_CAPACITY_DEVICES")]
    pub capacity_devices: Option<u64>,
    /// Messages per second the instance is sized for: `MessageWatermarkTps_instance` is the
    /// minute's busiest second as a percentage of it (default 10,000).
    #[arg(long, env = "FLEETDECK_CAPACITY_TPS")]
    pub capacity_tps: Option<u64>,
    /// Days 1-minute metric points are kept (default 7).
    #[arg(long, env = "FLEETDECK_METRICS_MINUTE_RETENTION_DAYS")]
    pub metrics_minute_retention_days: Option<u32>,
    /// Days 1-hour metric rollups are kept (default 365).
    #[arg(long, env = "FLEETDECK_METRICS_HOUR_RETENTION_DAYS")]
    pub metrics_hour_retention_days: Option<u32>,
}

/// Monitoring metrics (issue 14): `--metrics`, `--metrics-token`, the capacities and retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSettings {
    pub enabled: bool,
    pub token: Option<String>,
    pub capacity_devices: u64,
    pub capacity_tps: u64,
    pub minute_retention_days: u32,
    pub hour_retention_days: u32,
}

impl Default for MetricsSettings {
    /// What this 2-core box takes (BENCHMARKS.md: ~10,000 msg/s ingest, 100,000 registered
    /// devices); an operator sizes them to the real host.
    fn default() -> Self {
        MetricsSettings {
            enabled: true,
            token: None,
            capacity_devices: 10_000,
            capacity_tps: 10_000,
            minute_retention_days: 7,
            hour_retention_days: 365,
        }
    }
}

/// Per-device rate limits of the gateway; 0 switches a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceLimits {
    /// Per device, counted only once the device has authenticated: someone without its secret
    /// cannot spend it (and lock the device out).
    pub connects_per_minute: u32,
    /// Per client address: failed authentications. What stops a password guesser.
    pub auth_failures_per_minute: u32,
    pub uplink_qps: u32,
    pub downlink_qps: u32,
}

impl Default for DeviceLimits {
    /// Generous enough for SDK reconnect backoff and bursts of posts, tight enough that one
    /// misbehaving device cannot flood the run log or the store.
    fn default() -> Self {
        DeviceLimits { connects_per_minute: 60, auth_failures_per_minute: 30, uplink_qps: 100, downlink_qps: 100 }
    }
}

/// Devices of the demo fleet unless `--demo-devices` says otherwise.
pub const DEFAULT_DEMO_DEVICES: usize = 200;

/// The settings after every source was merged; what the rest of the program reads.
#[derive(Debug, Clone)]
pub struct Settings {
    pub http: SocketAddr,
    pub mqtt: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub admin_password: Option<String>,
    pub demo: bool,
    /// Devices of the demo fleet (`--demo-devices`).
    pub demo_devices: usize,
    pub dist: Option<PathBuf>,
    pub json_logs: bool,
    pub secure_cookies: bool,
    /// The MQTT TLS listener, when configured: address, certificate chain, private key.
    pub mqtt_tls: Option<MqttTls>,
    pub limits: DeviceLimits,
    /// `--mqtt-public`: the broker address devices use, when configured.
    pub mqtt_public: Option<PublicAddr>,
    /// Days network status samples are kept (issue 14; the seed keeps a week).
    pub network_status_retention_days: u32,
    /// Monitoring metrics and `/metrics` (issue 14).
    pub metrics: MetricsSettings,
}

/// A `HOST:PORT` as devices see it; `HOST` is a name or an address (IPv6 in brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAddr {
    pub host: String,
    pub port: u16,
}

impl PublicAddr {
    pub fn parse(s: &str) -> anyhow::Result<PublicAddr> {
        let bad = || anyhow::anyhow!("--mqtt-public must be HOST:PORT (e.g. mqtt.example.com:1883), not `{s}`");
        let (host, port) = s.trim().rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(bad)?;
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "-._[]:".contains(c);
        // A colon in the host is only valid inside IPv6 brackets.
        let bracketed = host.starts_with('[') && host.ends_with(']');
        if host.is_empty() || !host.chars().all(ok_char) || (host.contains(':') && !bracketed) {
            return Err(bad());
        }
        Ok(PublicAddr { host: host.to_string(), port })
    }
}

#[derive(Debug, Clone)]
pub struct MqttTls {
    pub addr: SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileSettings {
    http: Option<SocketAddr>,
    mqtt: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    admin_password: Option<String>,
    demo: Option<bool>,
    demo_devices: Option<usize>,
    dist: Option<PathBuf>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    mqtt_tls: Option<SocketAddr>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    limit_connects_per_minute: Option<u32>,
    limit_auth_failures_per_minute: Option<u32>,
    limit_uplink_qps: Option<u32>,
    limit_downlink_qps: Option<u32>,
    mqtt_public: Option<String>,
    network_status_retention_days: Option<u32>,
    metrics: Option<String>,
    metrics_token: Option<String>,
    capacity_devices: Option<u64>,
    capacity_tps: Option<u64>,
    metrics_minute_retention_days: Option<u32>,
    metrics_hour_retention_days: Option<u32>,
}

impl ServeArgs {
    /// Merge flags/env with the optional TOML file and the defaults.
    pub fn resolve(self) -> anyhow::Result<Settings> {
        let file: FileSettings = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
                let text = text.replace('_', "-");
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let data_dir = self.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from("data"));
        let database_url = self
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("fleetdeck.db").display()));
        let log_format = self.log_format.or(file.log_format).unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            anyhow::bail!("--log-format must be `text` or `json`, not `{log_format}`");
        }
        let mqtt_tls =
            match (self.mqtt_tls.or(file.mqtt_tls), self.tls_cert.or(file.tls_cert), self.tls_key.or(file.tls_key)) {
                (None, _, _) => None,
                (Some(addr), Some(cert), Some(key)) => Some(MqttTls { addr, cert, key }),
                (Some(_), _, _) => anyhow::bail!("--mqtt-tls needs both --tls-cert and --tls-key"),
            };
        let dl = DeviceLimits::default();
        let limits = DeviceLimits {
            connects_per_minute: self
                .limit_connects_per_minute
                .or(file.limit_connects_per_minute)
                .unwrap_or(dl.connects_per_minute),
            auth_failures_per_minute: self
                .limit_auth_failures_per_minute
                .or(file.limit_auth_failures_per_minute)
                .unwrap_or(dl.auth_failures_per_minute),
            uplink_qps: self.limit_uplink_qps.or(file.limit_uplink_qps).unwrap_or(dl.uplink_qps),
            downlink_qps: self.limit_downlink_qps.or(file.limit_downlink_qps).unwrap_or(dl.downlink_qps),
        };
        let mqtt_public = self.mqtt_public.or(file.mqtt_public).as_deref().map(PublicAddr::parse).transpose()?;
        let network_status_retention_days =
            self.network_status_retention_days.or(file.network_status_retention_days).unwrap_or(7);
        if network_status_retention_days == 0 {
            anyhow::bail!("--network-status-retention-days must be at least 1");
        }
        let d = MetricsSettings::default();
        let enabled = match self.metrics.or(file.metrics).as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => anyhow::bail!("--metrics must be `on` or `off`, not `{other}`"),
        };
        let metrics = MetricsSettings {
            enabled,
            token: self.metrics_token.or(file.metrics_token).filter(|t| !t.is_empty()),
            capacity_devices: self.capacity_devices.or(file.capacity_devices).unwrap_or(d.capacity_devices),
            capacity_tps: self.capacity_tps.or(file.capacity_tps).unwrap_or(d.capacity_tps),
            minute_retention_days: self
                .metrics_minute_retention_days
                .or(file.metrics_minute_retention_days)
                .unwrap_or(d.minute_retention_days),
            hour_retention_days: self
                .metrics_hour_retention_days
                .or(file.metrics_hour_retention_days)
                .unwrap_or(d.hour_retention_days),
        };
        if metrics.capacity_devices == 0 || metrics.capacity_tps == 0 {
            anyhow::bail!("--capacity-devices and --capacity-tps must be at least 1");
        }
        if metrics.minute_retention_days == 0 || metrics.hour_retention_days == 0 {
            anyhow::bail!("--metrics-minute-retention-days and --metrics-hour-retention-days must be at least 1");
        }
        Ok(Settings {
            metrics,
            network_status_retention_days,
            mqtt_public,
            mqtt_tls,
            limits,
            http: self.http.or(file.http).unwrap_or_else(|| "127.0.0.1:8080".parse().unwrap()),
            mqtt: self.mqtt.or(file.mqtt).unwrap_or_else(|| "0.0.0.0:1883".parse().unwrap()),
            data_dir,
            database_url,
            admin_password: self.admin_password.or(file.admin_password),
            demo: self.demo || file.demo.unwrap_or(false),
            demo_devices: self.demo_devices.or(file.demo_devices).unwrap_or(DEFAULT_DEMO_DEVICES),
            dist: self.dist.or(file.dist),
            json_logs: log_format == "json",
            secure_cookies: self.secure_cookies || file.secure_cookies.unwrap_or(false),
        })
    }
}

impl Settings {
    /// Settings for tests: ephemeral ports, a data directory of the caller's choosing.
    pub fn for_test(data_dir: PathBuf) -> Settings {
        Settings {
            http: "127.0.0.1:0".parse().unwrap(),
            mqtt: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{}", data_dir.join("fleetdeck.db").display()),
            data_dir,
            admin_password: Some("admin-password".into()),
            demo: false,
            demo_devices: DEFAULT_DEMO_DEVICES,
            dist: None,
            json_logs: false,
            secure_cookies: false,
            mqtt_tls: None,
            limits: DeviceLimits::default(),
            mqtt_public: None,
            network_status_retention_days: 7,
            metrics: MetricsSettings::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fills_what_flags_leave_unset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        std::fs::write(
            &path,
            "http = \"127.0.0.1:9000\"\nmqtt = \"127.0.0.1:1999\"\ndata_dir = \"/var/lib/x\"\ndemo = true\n",
        )
        .unwrap();
        let args =
            ServeArgs { config: Some(path), mqtt: Some("127.0.0.1:2000".parse().unwrap()), ..Default::default() };
        let s = args.resolve().unwrap();
        assert_eq!(s.http.port(), 9000);
        assert_eq!(s.mqtt.port(), 2000, "the flag wins over the file");
        assert!(s.demo);
        assert_eq!(s.database_url, "sqlite:///var/lib/x/fleetdeck.db");
    }

    #[test]
    fn unknown_keys_and_bad_formats_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        std::fs::write(&path, "htp = \"x\"\n").unwrap();
        assert!(ServeArgs { config: Some(path), ..Default::default() }.resolve().is_err());
        let bad = ServeArgs { log_format: Some("xml".into()), ..Default::default() };
        assert!(bad.resolve().is_err());
    }

    #[test]
    fn mqtt_public_is_host_and_port_from_flag_or_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        std::fs::write(&path, "mqtt-public = \"iot.example.com:11883\"\n").unwrap();
        let s = ServeArgs { config: Some(path.clone()), ..Default::default() }.resolve().unwrap();
        assert_eq!(s.mqtt_public, Some(PublicAddr { host: "iot.example.com".into(), port: 11883 }));
        let flag = ServeArgs { config: Some(path), mqtt_public: Some("[::1]:1883".into()), ..Default::default() };
        assert_eq!(flag.resolve().unwrap().mqtt_public, Some(PublicAddr { host: "[::1]".into(), port: 1883 }));
        for bad in ["iot.example.com", "iot.example.com:0", ":1883", "a b:1883", "::1:1883", "h:99999"] {
            let e = ServeArgs { mqtt_public: Some(bad.into()), ..Default::default() }.resolve().unwrap_err();
            assert!(e.to_string().contains("HOST:PORT"), "{bad}: {e}");
        }
    }
}
