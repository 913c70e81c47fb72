//! The HTTP server loop. axum's `serve` has no header-read timeout (hyper's needs a timer, which
//! it does not set) and no per-address connection cap: 500 half-open connections whose headers
//! never finished were all still held after 36 s. Here, on hyper-util's connection builder:
//! - [`HEADER_READ_TIMEOUT`]: a request's headers must arrive within it, measured from when the
//!   connection starts waiting for them, so it is also the idle limit between requests on a
//!   keep-alive connection (hyper ≥ 1.4 restarts the timer for every request head). Browsers
//!   reconnect transparently; a WebSocket, once upgraded, is not subject to it.
//! - [`MAX_CONNECTIONS_PER_IP`]: further connections from that address are closed at once, so
//!   one client cannot take every file descriptor and the console stays usable for everyone else.
//! - Graceful shutdown: on cancel, stop accepting, let in-flight requests finish.
//!
//! Timers run on the injected [`Clock`] ([`ClockTimer`]), so the timeout is tested without waiting.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::clock::{Clock, SharedClock};

/// The longest a client may take to send a request's headers, or stay idle between requests.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections one client address may hold (a browser uses 6 per host; offices behind one
/// NAT address share it, hence the margin).
pub const MAX_CONNECTIONS_PER_IP: usize = 64;

/// Serve `app` on `listener` until `shutdown`, then finish in-flight requests.
pub async fn serve(listener: TcpListener, app: Router, clock: SharedClock, shutdown: CancellationToken) {
    let slots = Slots::default();
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(ClockTimer::new(clock)).header_read_timeout(HEADER_READ_TIMEOUT);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.cancelled() => break,
        };
        let (stream, addr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors, typically: give the held connections time to end.
                tracing::warn!(error = %e, "HTTP accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = slots.take(addr.ip()) else {
            tracing::debug!(%addr, "HTTP connection refused: per-address limit");
            continue;
        };
        no_delay(&stream);
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service(&app, addr)).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %addr, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The app for one connection, with the peer address as axum's `ConnectInfo`.
fn service(
    app: &Router,
    addr: SocketAddr,
) -> TowerToHyperService<
    impl tower::Service<
            hyper::Request<Incoming>,
            Response = axum::response::Response,
            Error = Infallible,
            Future = impl Send,
        > + Clone,
> {
    TowerToHyperService::new(app.clone().map_request(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(addr));
        req
    }))
}

/// Live frames are small: without TCP_NODELAY, Nagle holds each one until the browser's delayed
/// ACK arrives (measured ~10 ms added to every device → browser event at 1k msg/s).
fn no_delay(stream: &TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}

/// Open connections per client address.
#[derive(Clone, Default)]
struct Slots(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One held connection; released on drop.
struct Slot {
    slots: Slots,
    ip: IpAddr,
}

impl Slots {
    fn take(&self, ip: IpAddr) -> Option<Slot> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(ip).or_default();
        if *n >= MAX_CONNECTIONS_PER_IP {
            return None;
        }
        *n += 1;
        Some(Slot { slots: self.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.slots.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// hyper's timers on the injected clock: hyper asks for `now()` and sleeps until an `Instant`
/// it computed from it; both map to clock milliseconds from one fixed origin.
#[derive(Clone)]
struct ClockTimer {
    clock: SharedClock,
    origin: Instant,
    origin_ms: i64,
}

impl ClockTimer {
    fn new(clock: SharedClock) -> Self {
        let origin_ms = clock.now_ms();
        ClockTimer { clock, origin: Instant::now(), origin_ms }
    }

    fn ms(&self, at: Instant) -> i64 {
        let since = at.saturating_duration_since(self.origin).as_millis();
        self.origin_ms.saturating_add(i64::try_from(since).unwrap_or(i64::MAX))
    }
}

impl hyper::rt::Timer for ClockTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Box::pin(ClockSleep(Mutex::new(self.clock.sleep(ms))))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(ClockSleep(Mutex::new(self.clock.sleep_until(self.ms(deadline)))))
    }

    fn now(&self) -> Instant {
        let ms = self.clock.now_ms().saturating_sub(self.origin_ms).max(0);
        self.origin + Duration::from_millis(ms as u64)
    }
}

/// hyper's `Sleep` must be `Sync`; the clock's is only `Send`. The mutex is never locked: a
/// poll has `&mut` access.
struct ClockSleep(Mutex<crate::clock::Sleep>);

impl std::future::Future for ClockSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let sleep = self.0.get_mut().unwrap_or_else(|e| e.into_inner());
        Pin::new(sleep).poll(cx)
    }
}

impl hyper::rt::Sleep for ClockSleep {}
