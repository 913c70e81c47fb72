//! The run's machine and software, collected when the benchmark starts.

use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::bench::Opts;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Meta {
    pub date: String,
    pub cpu: String,
    pub cores: usize,
    pub memory: String,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub mosquitto: String,
    pub git: String,
    /// `--before-label` (or the binary's path) when a second fleetdeck was measured; empty otherwise.
    pub before: String,
    /// `--fleetdeck-before` as given.
    pub before_binary: String,
    /// `--pg-url`: the cluster's version and durability settings (set once connected); empty otherwise.
    pub postgres: String,
    pub nofile: u64,
    pub nofile_hard: String,
    pub duration_secs: u64,
    pub loadavg_start: String,
    pub loadavg_end: String,
}

fn cmd(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            let s = if o.stdout.is_empty() { o.stderr } else { o.stdout };
            String::from_utf8_lossy(&s).lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_else(|e| format!("({program}: {e})"))
}

fn proc_field(file: &str, key: &str) -> Option<String> {
    let s = std::fs::read_to_string(file).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once([':', '=']).map(|x| x.1).unwrap_or("").trim().trim_matches('"').to_string())
}

impl Meta {
    pub fn collect(o: &Opts, nofile: u64) -> Meta {
        let dirty = !cmd("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
        let mem_kb: f64 = proc_field("/proc/meminfo", "MemTotal")
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        let mosquitto = cmd(&o.mosquitto.display().to_string(), &["-h"]);
        Meta {
            date: cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            cpu: proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            memory: format!("{:.1} GiB", mem_kb / 1024.0 / 1024.0),
            os: proc_field("/etc/os-release", "PRETTY_NAME").unwrap_or_default(),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
            rustc: cmd("rustc", &["--version"]),
            mosquitto: mosquitto.split(" is an MQTT").next().unwrap_or("").to_string(),
            git: format!(
                "{}{}",
                cmd("git", &["rev-parse", "--short", "HEAD"]),
                if dirty { " + uncommitted changes" } else { "" }
            ),
            before: match (&o.before_label, &o.fleetdeck_before) {
                (Some(l), Some(_)) => l.clone(),
                (None, Some(p)) => p.display().to_string(),
                _ => String::new(),
            },
            before_binary: o.fleetdeck_before.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            postgres: String::new(),
            nofile,
            nofile_hard: cmd("sh", &["-c", "ulimit -Hn"]),
            duration_secs: 0,
            loadavg_start: crate::procs::loadavg(),
            loadavg_end: String::new(),
        }
    }
}
