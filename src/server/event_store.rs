//! Resumable streams: a session's server-to-client streams as numbered events, the recent ones kept so a
//! client that lost its connection can ask for what came after the last event it saw (MCP 2025-11-25,
//! "Resumability and Redelivery"). The transport frames events and names them; this module only numbers,
//! keeps, bounds and replays them.

use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How many events are kept for clients that reconnect, and for how long.
#[derive(Debug, Clone)]
pub struct EventStoreLimits {
    /// Per stream; past it the stream's oldest event goes.
    pub max_events_per_stream: usize,
    /// Across every stream of every session; past it the oldest event anywhere goes.
    pub max_events: usize,
    /// Events older than this are not replayed; `None` keeps them until the bounds push them out.
    pub max_age: Option<Duration>,
}

impl Default for EventStoreLimits {
    fn default() -> Self {
        Self {
            max_events_per_stream: 100,
            max_events: 10_000,
            max_age: Some(Duration::from_secs(3600)),
        }
    }
}

/// One message of a stream and its number there. Messages are numbered from 1; 0 is the stream's priming
/// cursor (a client that saw only that has seen none of the messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: u64,
    pub message: Bytes,
}

pub type EventRx = mpsc::UnboundedReceiver<Event>;

/// The bound shared by every stream that keeps events: the order events were kept in, so the total stays
/// under `max_events` however the events are spread over streams and sessions.
pub struct EventStore {
    limits: EventStoreLimits,
    order: Mutex<VecDeque<(Weak<EventStream>, u64)>>,
}

impl EventStore {
    pub fn new(limits: EventStoreLimits) -> Arc<Self> {
        let limits = EventStoreLimits {
            max_events_per_stream: limits.max_events_per_stream.max(1),
            max_events: limits.max_events.max(1),
            max_age: limits.max_age,
        };
        Arc::new(Self {
            limits,
            order: Mutex::new(VecDeque::new()),
        })
    }

    pub fn limits(&self) -> &EventStoreLimits {
        &self.limits
    }

    /// Counts a newly kept event; evicts the oldest one anywhere when that makes too many. An entry may name
    /// an event its stream already dropped (or a stream that is gone): it still holds its place until it is
    /// the oldest, so the store keeps at most `max_events`.
    fn kept(&self, stream: &Arc<EventStream>, seq: u64) {
        let evicted = {
            let mut order = self.order.lock().unwrap();
            order.push_back((Arc::downgrade(stream), seq));
            if order.len() > self.limits.max_events {
                order.pop_front()
            } else {
                None
            }
        };
        if let Some((stream, seq)) = evicted.and_then(|(w, seq)| w.upgrade().map(|s| (s, seq))) {
            stream.forget_through(seq);
        }
    }
}

/// Stream ids are unique in the process, so an event id of one session never names a stream of another.
static NEXT_STREAM: AtomicU64 = AtomicU64::new(1);

/// One server-to-client stream: a request's stream (its notifications, its requests to the client, then its
/// answer) or a session's standalone stream. At most one connection reads it at a time; without a store
/// nothing is kept, and a message sent while no connection reads it is lost.
pub struct EventStream {
    id: u64,
    store: Option<Arc<EventStore>>,
    state: Mutex<StreamState>,
}

struct Kept {
    seq: u64,
    at: Instant,
    message: Bytes,
}

struct StreamState {
    next_seq: u64,
    kept: VecDeque<Kept>,
    connection: Option<mpsc::UnboundedSender<Event>>,
    /// The last message handed to a connection.
    handed: u64,
    /// The last message (a request's answer) has been sent.
    finished: bool,
    /// The answer was handed to a connection: nothing is left to resume.
    delivered: bool,
}

impl EventStream {
    /// A stream that keeps its events in `store` (resumable), or keeps nothing.
    pub fn new(store: Option<Arc<EventStore>>) -> Arc<Self> {
        Arc::new(Self {
            id: NEXT_STREAM.fetch_add(1, Ordering::Relaxed),
            store,
            state: Mutex::new(StreamState {
                next_seq: 1,
                kept: VecDeque::new(),
                connection: None,
                handed: 0,
                finished: false,
                delivered: false,
            }),
        })
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether a client that lost its connection can resume this stream.
    pub fn is_resumable(&self) -> bool {
        self.store.is_some()
    }

    /// Sends a message. Returns whether it reached a connection or was kept for one.
    pub fn send(self: &Arc<Self>, message: Bytes) -> bool {
        self.push(message, false)
    }

    /// Sends the stream's last message (a request's answer). The connection reading the stream ends after it.
    pub fn finish(self: &Arc<Self>, message: Bytes) {
        self.push(message, true);
    }

    fn push(self: &Arc<Self>, message: Bytes, last: bool) -> bool {
        let (seq, count, outcome) = {
            let mut state = self.state.lock().unwrap();
            if state.finished {
                return false;
            }
            let seq = state.next_seq;
            state.next_seq += 1;
            state.finished = last;
            if let Some(store) = &self.store {
                let now = Instant::now();
                state.drop_expired(store.limits.max_age, now);
                state.kept.push_back(Kept {
                    seq,
                    at: now,
                    message: message.clone(),
                });
                if state.kept.len() > store.limits.max_events_per_stream {
                    state.kept.pop_front();
                }
            }
            let handed = state
                .connection
                .as_ref()
                .is_some_and(|tx| tx.send(Event { seq, message }).is_ok());
            if handed {
                state.handed = seq;
            } else {
                state.connection = None;
            }
            if last {
                // Dropping the sender ends the connection's response once it has read the answer.
                state.connection = None;
                if handed {
                    state.delivered = true;
                    state.kept.clear();
                }
            }
            let count = self.store.is_some() && !state.delivered;
            (seq, count, handed || self.store.is_some())
        };
        if let (true, Some(store)) = (count, &self.store) {
            store.kept(self, seq);
        }
        outcome
    }

    /// Gives the stream a new connection: first the kept messages after `after` (by default, those no
    /// connection has been handed yet), then the live ones. A connection already reading the stream ends.
    /// `None` when there is nothing to resume: the answer was delivered, or it is no longer kept.
    pub fn connect(&self, after: Option<u64>) -> Option<EventRx> {
        let mut state = self.state.lock().unwrap();
        if state.delivered {
            return None;
        }
        if let Some(store) = &self.store {
            state.drop_expired(store.limits.max_age, Instant::now());
        }
        let after = after.unwrap_or(state.handed);
        let (tx, rx) = mpsc::unbounded_channel();
        let mut last = None;
        for kept in state.kept.iter().filter(|k| k.seq > after) {
            let _ = tx.send(Event {
                seq: kept.seq,
                message: kept.message.clone(),
            });
            last = Some(kept.seq);
        }
        if state.finished {
            // Only the answer ends the client's wait: without it a replay would leave the client polling forever.
            last?;
            state.delivered = true;
            state.kept.clear();
            state.connection = None;
        } else {
            state.connection = Some(tx);
        }
        if let Some(last) = last {
            state.handed = state.handed.max(last);
        }
        Some(rx)
    }

    /// Ends the connection reading the stream, not the stream: later messages are kept for the client to
    /// resume. Returns whether a connection was open.
    pub fn close_connection(&self) -> bool {
        self.state.lock().unwrap().connection.take().is_some()
    }

    /// Whether a connection reads the stream now.
    pub fn is_connected(&self) -> bool {
        self.state
            .lock()
            .unwrap()
            .connection
            .as_ref()
            .is_some_and(|tx| !tx.is_closed())
    }

    /// Nothing can be resumed any more: the answer was delivered, or it was sent and is no longer kept.
    pub fn is_spent(&self) -> bool {
        let state = self.state.lock().unwrap();
        state.delivered || (state.finished && state.kept.is_empty())
    }

    fn forget_through(&self, seq: u64) {
        let mut state = self.state.lock().unwrap();
        while state.kept.front().is_some_and(|k| k.seq <= seq) {
            state.kept.pop_front();
        }
    }
}

impl StreamState {
    fn drop_expired(&mut self, max_age: Option<Duration>, now: Instant) {
        let Some(max_age) = max_age else { return };
        while self.kept.front().is_some_and(|k| now.duration_since(k.at) > max_age) {
            self.kept.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(rx: &mut EventRx) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        while let Ok(e) = rx.try_recv() {
            out.push((e.seq, String::from_utf8(e.message.to_vec()).unwrap()));
        }
        out
    }

    fn msg(text: &str) -> Bytes {
        Bytes::copy_from_slice(text.as_bytes())
    }

    fn closed(rx: &mut EventRx) -> bool {
        matches!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected))
    }

    #[test]
    fn live_then_resumed_after_the_last_event_seen() {
        let store = EventStore::new(EventStoreLimits::default());
        let stream = EventStream::new(Some(store));
        let mut first = stream.connect(None).unwrap();
        assert!(stream.send(msg("a")));
        assert_eq!(drain(&mut first), [(1, "a".into())]);
        assert!(stream.close_connection());
        assert!(closed(&mut first));
        // Kept while nobody reads the stream.
        assert!(stream.send(msg("b")));
        stream.finish(msg("answer"));
        assert!(!stream.is_spent());
        let mut resumed = stream.connect(Some(0)).unwrap();
        assert_eq!(
            drain(&mut resumed),
            [(1, "a".into()), (2, "b".into()), (3, "answer".into())]
        );
        assert!(closed(&mut resumed), "the replay ends with the answer");
        assert!(stream.is_spent());
        assert!(stream.connect(Some(0)).is_none());
    }

    #[test]
    fn resuming_takes_over_and_continues_live() {
        let stream = EventStream::new(Some(EventStore::new(EventStoreLimits::default())));
        let mut old = stream.connect(None).unwrap();
        stream.send(msg("a"));
        let mut new = stream.connect(Some(1)).unwrap();
        assert_eq!(drain(&mut old), [(1, "a".into())]);
        assert!(closed(&mut old), "the old connection ends");
        assert!(drain(&mut new).is_empty());
        stream.send(msg("b"));
        stream.finish(msg("done"));
        assert_eq!(drain(&mut new), [(2, "b".into()), (3, "done".into())]);
        assert!(closed(&mut new));
        assert!(stream.is_spent());
    }

    #[test]
    fn without_a_store_nothing_is_kept() {
        let stream = EventStream::new(None);
        assert!(!stream.send(msg("lost")));
        let mut rx = stream.connect(None).unwrap();
        assert!(stream.send(msg("seen")));
        assert_eq!(drain(&mut rx), [(2, "seen".into())]);
        drop(rx);
        assert!(!stream.send(msg("gone")));
    }

    #[test]
    fn a_fresh_connection_gets_what_no_connection_was_handed() {
        let stream = EventStream::new(Some(EventStore::new(EventStoreLimits::default())));
        let mut rx = stream.connect(None).unwrap();
        stream.send(msg("a"));
        drop(rx);
        stream.send(msg("b"));
        rx = stream.connect(None).unwrap();
        assert_eq!(drain(&mut rx), [(2, "b".into())]);
    }

    #[test]
    fn bounded_per_stream_and_in_total() {
        let store = EventStore::new(EventStoreLimits {
            max_events_per_stream: 3,
            max_events: 4,
            max_age: None,
        });
        let a = EventStream::new(Some(store.clone()));
        for i in 0..5 {
            a.send(msg(&format!("a{i}")));
        }
        let mut rx = a.connect(Some(0)).unwrap();
        assert_eq!(drain(&mut rx), [(3, "a2".into()), (4, "a3".into()), (5, "a4".into())]);
        drop(rx);
        // Two more events elsewhere push the oldest of `a` out.
        let b = EventStream::new(Some(store));
        b.send(msg("b1"));
        b.send(msg("b2"));
        let mut rx = a.connect(Some(0)).unwrap();
        let left = drain(&mut rx);
        assert!(left.len() < 3 && left.last() == Some(&(5, "a4".into())), "{left:?}");
    }

    #[test]
    fn an_answer_no_longer_kept_cannot_be_resumed() {
        let store = EventStore::new(EventStoreLimits {
            max_events_per_stream: 10,
            max_events: 1,
            max_age: None,
        });
        let a = EventStream::new(Some(store.clone()));
        a.finish(msg("answer"));
        let b = EventStream::new(Some(store));
        b.send(msg("x"));
        assert!(a.is_spent());
        assert!(a.connect(Some(0)).is_none());
    }

    #[test]
    fn stream_ids_are_unique() {
        let a = EventStream::new(None);
        let b = EventStream::new(None);
        assert_ne!(a.id(), b.id());
    }
}
