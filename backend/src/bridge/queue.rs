//! The per-browser outgoing queue: bounded, coalescing, drop-oldest.
//!
//! A slow browser must never slow ingest. The bus reader pushes here without waiting; when the
//! queue is full the oldest frame goes and a counter grows, which the writer reports as one
//! `Dropped {count}` frame. Property updates of one device for one subscription are merged
//! into the frame already waiting, so a fast-posting device costs a slow reader one frame.
//! Likewise a monitoring minute replaces the waiting sample of the same (product, minute): only
//! the newest figures matter, and a minute's final sample is never replaced by a partial one.

use std::collections::VecDeque;

use model::ws::{LiveEvent, ServerMsg};

pub struct OutQueue {
    frames: VecDeque<ServerMsg>,
    capacity: usize,
    dropped: u64,
}

impl OutQueue {
    pub fn new(capacity: usize) -> Self {
        OutQueue { frames: VecDeque::new(), capacity: capacity.max(1), dropped: 0 }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Count events the bus itself dropped for this reader (it lagged behind the bus).
    pub fn add_dropped(&mut self, n: u64) {
        self.dropped += n;
    }

    pub fn push(&mut self, frame: ServerMsg) {
        if let ServerMsg::Event { id, event: LiveEvent::Metrics { sample } } = &frame {
            let waiting = self.frames.iter_mut().rev().find_map(|f| match f {
                ServerMsg::Event { id: fid, event: LiveEvent::Metrics { sample: old } }
                    if fid == id && old.product_key == sample.product_key && old.t == sample.t =>
                {
                    Some(old)
                }
                _ => None,
            });
            if let Some(old) = waiting {
                if old.partial || !sample.partial {
                    *old = sample.clone();
                }
                return;
            }
        }
        if let ServerMsg::Event { id, event: LiveEvent::Properties { product_key, device_name, values } } = &frame {
            let waiting = self.frames.iter_mut().rev().find_map(|f| match f {
                ServerMsg::Event {
                    id: fid,
                    event: LiveEvent::Properties { product_key: pk, device_name: dn, values: old },
                } if fid == id && pk == product_key && dn == device_name => Some(old),
                _ => None,
            });
            if let Some(old) = waiting {
                for v in values {
                    match old.iter_mut().find(|o| o.identifier == v.identifier) {
                        Some(o) if o.time <= v.time => *o = v.clone(),
                        Some(_) => {}
                        None => old.push(v.clone()),
                    }
                }
                return;
            }
        }
        if self.frames.len() >= self.capacity {
            self.frames.pop_front();
            self.dropped += 1;
        }
        self.frames.push_back(frame);
    }

    /// Everything waiting, as one frame (a `Batch` when more than one), with a `Dropped`
    /// notice first if anything was lost since the last take.
    pub fn take(&mut self) -> Option<ServerMsg> {
        let mut frames: Vec<ServerMsg> = Vec::with_capacity(self.frames.len() + 1);
        if self.dropped > 0 {
            frames.push(ServerMsg::Dropped { count: std::mem::take(&mut self.dropped) });
        }
        frames.extend(self.frames.drain(..));
        match frames.len() {
            0 => None,
            1 => frames.pop(),
            _ => Some(ServerMsg::Batch { frames }),
        }
    }
}

#[cfg(test)]
mod tests {
    use model::registry::PropertyValue;
    use model::ws::Direction;

    use super::*;

    fn props(id: u32, dn: &str, vals: &[(&str, i64, i64)]) -> ServerMsg {
        ServerMsg::Event {
            id,
            event: LiveEvent::Properties {
                product_key: "pk".into(),
                device_name: dn.into(),
                values: vals
                    .iter()
                    .map(|(k, v, t)| PropertyValue { identifier: k.to_string(), value: (*v).into(), time: *t })
                    .collect(),
            },
        }
    }

    fn message(n: i64) -> ServerMsg {
        ServerMsg::Event {
            id: 1,
            event: LiveEvent::Message {
                product_key: "pk".into(),
                device_name: "d".into(),
                direction: Direction::Up,
                topic: "t".into(),
                payload: n.to_string(),
                at: n,
            },
        }
    }

    #[test]
    fn property_updates_of_one_device_coalesce() {
        let mut q = OutQueue::new(10);
        q.push(props(1, "a", &[("x", 1, 10), ("y", 1, 10)]));
        q.push(props(1, "b", &[("x", 5, 10)]));
        q.push(props(1, "a", &[("x", 2, 20)]));
        q.push(props(1, "a", &[("z", 3, 20), ("y", 0, 5)]));
        assert_eq!(q.len(), 2);
        let Some(ServerMsg::Batch { frames }) = q.take() else { panic!("expected a batch") };
        let ServerMsg::Event { event: LiveEvent::Properties { values, .. }, .. } = &frames[0] else { panic!() };
        let got: Vec<_> = values.iter().map(|v| (v.identifier.as_str(), v.value.as_i64().unwrap())).collect();
        assert_eq!(got, [("x", 2), ("y", 1), ("z", 3)], "newest wins; an older value never overwrites");
        assert!(q.take().is_none());
    }

    #[test]
    fn full_queue_drops_oldest_and_says_how_many() {
        let mut q = OutQueue::new(3);
        for n in 0..5 {
            q.push(message(n));
        }
        q.add_dropped(10);
        let Some(ServerMsg::Batch { frames }) = q.take() else { panic!() };
        assert_eq!(frames[0], ServerMsg::Dropped { count: 12 });
        let kept: Vec<i64> = frames[1..]
            .iter()
            .map(|f| match f {
                ServerMsg::Event { event: LiveEvent::Message { at, .. }, .. } => *at,
                _ => -1,
            })
            .collect();
        assert_eq!(kept, [2, 3, 4]);
    }

    fn minute(id: u32, pk: Option<&str>, t: i64, partial: bool, up: f64) -> ServerMsg {
        use model::monitor::{Metric, MetricValue, MinuteSample, Protocol};
        let values =
            vec![MetricValue { metric: Metric::MessageCountSentToIoT, protocol: Some(Protocol::Mqtt), value: up }];
        ServerMsg::Event {
            id,
            event: LiveEvent::Metrics { sample: MinuteSample { product_key: pk.map(Into::into), t, partial, values } },
        }
    }

    #[test]
    fn monitoring_minutes_coalesce_per_product_and_minute_and_final_figures_win() {
        let mut q = OutQueue::new(10);
        q.push(minute(1, None, 60_000, true, 1.0));
        q.push(minute(1, Some("pk"), 60_000, true, 1.0));
        q.push(minute(1, None, 60_000, true, 2.0));
        q.push(minute(1, None, 60_000, false, 3.0));
        // A late partial of a closed minute does not undo its final figures.
        q.push(minute(1, None, 60_000, true, 2.5));
        q.push(minute(1, None, 120_000, true, 0.0));
        q.push(minute(2, None, 60_000, true, 9.0));
        let Some(ServerMsg::Batch { frames }) = q.take() else { panic!("expected a batch") };
        let got: Vec<(u32, Option<String>, i64, bool, f64)> = frames
            .iter()
            .map(|f| match f {
                ServerMsg::Event { id, event: LiveEvent::Metrics { sample } } => {
                    (*id, sample.product_key.clone(), sample.t, sample.partial, sample.values[0].value)
                }
                _ => panic!("{f:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, None, 60_000, false, 3.0),
                (1, Some("pk".into()), 60_000, true, 1.0),
                (1, None, 120_000, true, 0.0),
                (2, None, 60_000, true, 9.0),
            ]
        );
    }

    #[test]
    fn single_frame_is_not_wrapped() {
        let mut q = OutQueue::new(3);
        q.push(message(1));
        assert!(matches!(q.take(), Some(ServerMsg::Event { .. })));
    }
}
