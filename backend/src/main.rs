//! `fleetdeck`: parse config → logging → start everything → wait for SIGINT/SIGTERM → shut down.

use backend::auth::bootstrap::Bootstrap;
use backend::config::{Cli, Command, MigrateStoreArgs, ServeArgs};
use clap::Parser;

/// jemalloc instead of glibc malloc: the ingest path allocates per message (topics, payloads,
/// JSON, run-log rows) on several threads, and glibc spent ~15 % of ingest CPU in malloc/free.
/// Measured on the benchmark (BENCHMARKS.md): jemalloc ingested as fast as mimalloc and held
/// 10,000 idle connections in 212 MB RSS, against 319 MB for mimalloc and ~320 MB for glibc.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::MigrateStore(args) => migrate_store(args).await,
    }
}

/// Copies, then prints the rows per table on both sides. An error (a non-empty target, a table
/// on one side only, a value that does not fit) exits non-zero with nothing committed.
async fn migrate_store(args: MigrateStoreArgs) -> anyhow::Result<()> {
    init_logging(false);
    let counts = backend::store::migrate::migrate_store(&args.from, &args.to).await?;
    println!("{:<24} {:>12} {:>12}", "table", "sqlite", "postgres");
    for c in &counts {
        println!("{:<24} {:>12} {:>12}", c.table, c.sqlite, c.postgres);
    }
    println!("{} tables copied; row counts match", counts.len());
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = args.resolve()?;
    init_logging(settings.json_logs);
    let running = backend::server::start(settings).await?;
    match &running.bootstrap {
        Bootstrap::CreatedRandom(pw) => {
            // Printed once, on stdout, so the operator sees it even with JSON logs.
            println!("\n  fleetdeck admin login:  user `admin`  password `{pw}`\n  (shown only now; change it under Settings)\n");
        }
        Bootstrap::Created => {
            println!("\n  fleetdeck admin login: user `admin` with the configured --admin-password\n")
        }
        Bootstrap::Exists { password_flag_ignored: true } => {
            tracing::warn!("--admin-password is ignored: users already exist (change passwords in the UI)")
        }
        Bootstrap::Exists { .. } => {}
    }
    println!("  console: http://{}/", running.http_addr);
    match running.mqtts_addr {
        Some(tls) => println!("  devices: mqtt://{}  mqtts://{tls}\n", running.mqtt_addr),
        None => println!("  devices: mqtt://{}\n", running.mqtt_addr),
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rmqtt=warn,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
