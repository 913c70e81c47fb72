//! The run log and the device records as stored, and waiting for them: every wait is
//! [`crate::wait::until`] with [`DEADLINE`].

use backend::store::devices::DeviceRecord;
use model::runlog::{BizType, LogEntry, LogQuery};

use crate::app::TestApp;
use crate::wait::{eventually, until, DEADLINE};

/// The newest 1,000 run-log entries of one device.
fn device_logs(pk: &str, dn: &str) -> LogQuery {
    LogQuery { product_key: Some(pk.into()), device_name: Some(dn.into()), limit: Some(1000), ..Default::default() }
}

impl TestApp {
    /// The run log once everything queued so far is written (the writer would otherwise wait
    /// for its next round).
    pub async fn stored_logs(&self, q: &LogQuery) -> Vec<LogEntry> {
        self.hub().flush().await;
        backend::store::runlog::query(self.db(), q).await.unwrap()
    }

    /// Waits for an entry of the device with this operation and status.
    pub async fn wait_log(&self, pk: &str, dn: &str, operation: &str, status: u32) -> LogEntry {
        let q = LogQuery { status: Some(status), ..device_logs(pk, dn) };
        let what = format!("run-log entry {operation}/{status} of {pk}/{dn}");
        eventually(DEADLINE, &what, || async {
            self.stored_logs(&q).await.into_iter().find(|e| e.operation == operation)
        })
        .await
    }

    /// Entries of the device with this business type and status, now.
    pub async fn log_count(&self, pk: &str, dn: &str, biz: BizType, status: u32) -> usize {
        let q = LogQuery { biz_type: Some(biz), status: Some(status), ..device_logs(pk, dn) };
        self.stored_logs(&q).await.len()
    }

    /// Entries of a device, oldest first, once at least `n` are there.
    pub async fn logs(&self, pk: &str, dn: &str, n: usize) -> Vec<LogEntry> {
        let q = device_logs(pk, dn);
        let found = until(DEADLINE, || async {
            let mut l = self.stored_logs(&q).await;
            l.reverse();
            (l.len() >= n).then_some(l)
        })
        .await;
        match found {
            Some(l) => l,
            None => panic!("expected {n} run-log entries for {pk}/{dn}, got {:#?}", self.stored_logs(&q).await),
        }
    }

    /// Waits for an entry of the device matching `f`.
    pub async fn log_where(&self, pk: &str, dn: &str, f: impl Fn(&LogEntry) -> bool) -> LogEntry {
        let q = device_logs(pk, dn);
        match until(DEADLINE, || async { self.stored_logs(&q).await.into_iter().find(|e| f(e)) }).await {
            Some(e) => e,
            None => panic!("no matching run-log entry for {pk}/{dn} in {:#?}", self.stored_logs(&q).await),
        }
    }

    /// Every entry (any device), once at least `n` are there or the deadline has passed.
    pub async fn all_logs(&self, n: usize) -> Vec<LogEntry> {
        let q = LogQuery { limit: Some(1000), ..Default::default() };
        match until(DEADLINE, || async { Some(self.stored_logs(&q).await).filter(|l| l.len() >= n) }).await {
            Some(l) => l,
            None => self.stored_logs(&q).await,
        }
    }

    /// Waits until the device's record satisfies `ok`; `what` names it in the failure.
    pub async fn wait_device(
        &self,
        pk: &str,
        dn: &str,
        what: &str,
        ok: impl Fn(&DeviceRecord) -> bool,
    ) -> DeviceRecord {
        eventually(DEADLINE, &format!("{pk}/{dn}: {what}"), || async { self.record(pk, dn).await.filter(|r| ok(r)) })
            .await
    }
}
