//! A simulator's message pane: every line it sends or receives, for whoever watches (the
//! simulation page). Nothing is kept when nobody watches: the demo fleet's devices have no pane.

use model::simulate::TraceLine;
use serde_json::Value;
use tokio::sync::broadcast;

/// Where a simulator's lines go; [`Trace::none`] for the demo fleet.
#[derive(Clone, Default)]
pub struct Trace(Option<broadcast::Sender<TraceLine>>);

impl Trace {
    pub fn none() -> Trace {
        Trace(None)
    }

    /// A pane that keeps up to `capacity` lines per slow watcher.
    pub fn channel(capacity: usize) -> Trace {
        Trace(Some(broadcast::channel(capacity.max(1)).0))
    }

    pub fn subscribe(&self) -> Option<broadcast::Receiver<TraceLine>> {
        self.0.as_ref().map(broadcast::Sender::subscribe)
    }

    /// The line is only built when someone can receive it.
    pub fn send(&self, line: impl FnOnce() -> TraceLine) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(line());
        }
    }
}

fn line(at_ms: i64, dir: &str, topic: &str, payload: &str, reply: Value) -> TraceLine {
    TraceLine { at_ms, dir: dir.into(), topic: topic.into(), payload: payload.into(), reply }
}

pub trait TraceLineExt {
    fn up(at_ms: i64, topic: &str, payload: &str) -> TraceLine;
    fn down(at_ms: i64, topic: &str, payload: &str, reply: Value) -> TraceLine;
    fn info(at_ms: i64, text: &str) -> TraceLine;
}

impl TraceLineExt for TraceLine {
    fn up(at_ms: i64, topic: &str, payload: &str) -> TraceLine {
        line(at_ms, "up", topic, payload, Value::Null)
    }
    fn down(at_ms: i64, topic: &str, payload: &str, reply: Value) -> TraceLine {
        line(at_ms, "down", topic, payload, reply)
    }
    fn info(at_ms: i64, text: &str) -> TraceLine {
        line(at_ms, "info", "", text, Value::Null)
    }
}
