//! Uplink requests waiting for their `_reply`, matched by Alink id. Pure bookkeeping, shared
//! by the device handle (which registers and awaits) and the connection task (which resolves).

use std::collections::HashMap;

use model::alink::{IdGen, Reply};
use tokio::sync::oneshot;

/// Ids are handed out here so that two requests in flight never share one.
#[derive(Default)]
pub struct Pending {
    ids: IdGen,
    waiting: HashMap<String, oneshot::Sender<Reply>>,
}

impl Pending {
    /// A fresh id and where its reply will arrive.
    pub fn register(&mut self) -> (String, oneshot::Receiver<Reply>) {
        let (tx, rx) = oneshot::channel();
        let id = self.next_free_id();
        self.waiting.insert(id.clone(), tx);
        (id, rx)
    }

    /// An id for a request nobody will wait for here (its reply goes to the inbox). An id
    /// still in flight (after 4 billion requests) is skipped, not reused.
    pub fn next_free_id(&mut self) -> String {
        loop {
            let id = self.ids.next_id();
            if !self.waiting.contains_key(&id) {
                return id;
            }
        }
    }

    /// Hand `reply` to whoever waits for its id. `false`: nobody does (unknown id, or the
    /// waiter gave up) — the caller then treats it as an ordinary message.
    pub fn resolve(&mut self, reply: Reply) -> bool {
        match self.waiting.remove(&reply.id) {
            Some(tx) => tx.send(reply).is_ok(),
            None => false,
        }
    }

    /// A waiter gave up (deadline): forget its id.
    pub fn forget(&mut self, id: &str) {
        self.waiting.remove(id);
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reply(id: &str, code: u32) -> Reply {
        Reply::parse(json!({"id": id, "code": code, "data": {}}).to_string().as_bytes()).unwrap()
    }

    #[test]
    fn replies_reach_their_own_waiter_in_any_order() {
        let mut p = Pending::default();
        let (a, mut ra) = p.register();
        let (b, mut rb) = p.register();
        assert_ne!(a, b);
        assert!(p.resolve(reply(&b, 460)));
        assert!(p.resolve(reply(&a, 200)));
        assert_eq!(ra.try_recv().unwrap().code, 200);
        assert_eq!(rb.try_recv().unwrap().code, 460);
        assert!(p.is_empty());
    }

    #[test]
    fn an_unknown_or_repeated_reply_is_not_claimed() {
        let mut p = Pending::default();
        let (a, _ra) = p.register();
        assert!(!p.resolve(reply("999", 200)));
        assert!(p.resolve(reply(&a, 200)));
        assert!(!p.resolve(reply(&a, 200)), "a duplicate reply finds nobody");
    }

    #[test]
    fn a_waiter_that_gave_up_is_forgotten() {
        let mut p = Pending::default();
        let (a, ra) = p.register();
        drop(ra);
        assert!(!p.resolve(reply(&a, 200)), "nobody listens any more");
        let (b, _rb) = p.register();
        p.forget(&b);
        assert_eq!(p.len(), 0);
    }
}
