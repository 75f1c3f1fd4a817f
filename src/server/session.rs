//! Sessions: what the handshake established with one client, and the store that bounds and reaps them.

use crate::protocol::{Envelope, RequestId};
use crate::server::context::{LogLevel, OutboundTx};
use crate::server::event_store::{EventRx, EventStore, EventStream};
use crate::server::registry::KeyView;
use bytes::Bytes;
use serde_json::Value;
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// How a client answered a request the server sent it: its `result`, or its `error` object.
pub type ClientAnswer = Result<Value, Value>;

const LEVEL_UNSET: u8 = u8::MAX;
/// A modern request that did not ask for log messages gets none.
const LEVEL_OFF: u8 = u8::MAX - 1;

fn clock() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// One client's session. Over stdio there is one for the life of the process; over stateless HTTP one
/// per request, never stored.
pub struct Session {
    id: Option<String>,
    protocol_version: OnceLock<&'static str>,
    client_capabilities: OnceLock<Value>,
    initialized: AtomicBool,
    log_level: AtomicU8,
    last_seen_ms: AtomicU64,
    in_flight: Mutex<HashMap<RequestId, Arc<Notify>>>,
    standalone: Mutex<Option<Standalone>>,
    /// Request streams a client may resume (`Last-Event-ID`), by stream id.
    streams: Mutex<HashMap<u64, Arc<EventStream>>>,
    /// Requests this server sent the client (sampling, elicitation, roots), waiting for its answer.
    awaiting: Mutex<HashMap<RequestId, oneshot::Sender<ClientAnswer>>>,
    next_outbound_id: AtomicU64,
    /// Resource URIs the client subscribed to.
    subscriptions: Mutex<HashSet<String>>,
    /// Per-session data of the code serving it (the Python glue keeps `Context` state here).
    extension: OnceLock<Box<dyn Any + Send + Sync>>,
    /// The envelope of the one modern (2026-07-28) request this session stands for.
    envelope: OnceLock<Arc<Envelope>>,
    /// Who opened the session (a digest of the verified caller's identity), when requests are authenticated:
    /// another caller presenting its id is answered as if it did not exist.
    owner: OnceLock<[u8; 32]>,
    /// What this client sees in place of what every client sees (`ctx.enable_components`), once it differs.
    view: RwLock<Option<Arc<ClientView>>>,
    /// The upstream sessions a proxy opened for this one (ended with it).
    upstream_links: crate::server::upstream::SessionLinks,
}

/// The components one client sees in place of what every client sees (per-session visibility): a view for
/// each kind of component, `None` where the client sees what every client does.
#[derive(Debug, Default)]
pub struct ClientView {
    pub tools: Option<KeyView>,
    pub resources: Option<KeyView>,
    pub templates: Option<KeyView>,
    pub prompts: Option<KeyView>,
}

impl Session {
    pub fn new(id: Option<String>) -> Self {
        Self {
            id,
            protocol_version: OnceLock::new(),
            client_capabilities: OnceLock::new(),
            initialized: AtomicBool::new(false),
            log_level: AtomicU8::new(LEVEL_UNSET),
            last_seen_ms: AtomicU64::new(clock()),
            owner: OnceLock::new(),
            in_flight: Mutex::new(HashMap::new()),
            standalone: Mutex::new(None),
            streams: Mutex::new(HashMap::new()),
            awaiting: Mutex::new(HashMap::new()),
            next_outbound_id: AtomicU64::new(0),
            subscriptions: Mutex::new(HashSet::new()),
            extension: OnceLock::new(),
            envelope: OnceLock::new(),
            view: RwLock::new(None),
            upstream_links: crate::server::upstream::SessionLinks::default(),
        }
    }

    /// The session of one modern request: what its envelope declares, for that request only. It logs only
    /// at the level the request asked for, and never when it did not ask.
    pub fn for_envelope(envelope: Arc<Envelope>, level: Option<LogLevel>) -> Self {
        // An id of its own (`ctx.session_id`), new for every request, as FastMCP 4 gives one.
        let session = Self::new(Some(new_session_id()));
        let _ = session.protocol_version.set(envelope.version);
        let _ = session.client_capabilities.set(envelope.capabilities.clone());
        session.initialized.store(true, Ordering::Relaxed);
        session
            .log_level
            .store(level.map_or(LEVEL_OFF, |l| l as u8), Ordering::Relaxed);
        let _ = session.envelope.set(envelope);
        session
    }

    /// The envelope, when this session serves one modern request.
    pub fn envelope(&self) -> Option<&Arc<Envelope>> {
        self.envelope.get()
    }

    pub fn is_modern(&self) -> bool {
        self.envelope.get().is_some()
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// What this client sees, when it differs from what every client sees.
    pub fn view(&self) -> Option<Arc<ClientView>> {
        self.view.read().unwrap().clone()
    }

    pub fn set_view(&self, view: Option<Arc<ClientView>>) {
        *self.view.write().unwrap() = view;
    }

    pub fn protocol_version(&self) -> Option<&'static str> {
        self.protocol_version.get().copied()
    }

    /// Records what `initialize` agreed. A second `initialize` on the same session keeps the first answer.
    pub fn set_handshake(&self, version: &'static str, capabilities: Value) {
        let _ = self.protocol_version.set(version);
        let _ = self.client_capabilities.set(capabilities);
    }

    pub fn client_capabilities(&self) -> Option<&Value> {
        self.client_capabilities.get()
    }

    pub fn mark_initialized(&self) {
        self.initialized.store(true, Ordering::Relaxed);
    }

    pub fn is_initialized(&self) -> bool {
        self.initialized.load(Ordering::Relaxed)
    }

    pub fn set_log_level(&self, level: LogLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    /// Until the client sets a level, everything is sent.
    pub fn wants_log(&self, level: LogLevel) -> bool {
        let min = self.log_level.load(Ordering::Relaxed);
        min == LEVEL_UNSET || (min != LEVEL_OFF && level as u8 >= min)
    }

    pub fn touch(&self) {
        self.last_seen_ms.store(clock(), Ordering::Relaxed);
    }

    fn idle_for(&self, now_ms: u64) -> Duration {
        Duration::from_millis(now_ms.saturating_sub(self.last_seen_ms.load(Ordering::Relaxed)))
    }

    /// Registers an in-flight request so `notifications/cancelled` can reach it.
    pub fn begin_request(&self, id: &RequestId) -> Arc<Notify> {
        let notify = Arc::new(Notify::new());
        self.in_flight.lock().unwrap().insert(id.clone(), notify.clone());
        notify
    }

    /// Binds the session to the caller that opened it (once).
    pub fn bind_owner(&self, owner: [u8; 32]) {
        let _ = self.owner.set(owner);
    }

    /// Whether a request from `caller` may use this session: always for an unbound one.
    pub fn is_owned_by(&self, caller: Option<&[u8; 32]>) -> bool {
        match self.owner.get() {
            None => true,
            Some(owner) => caller == Some(owner),
        }
    }

    /// The cancellation signal of a request in flight (the call a middleware chain makes shares it).
    pub fn request_signal(&self, id: &RequestId) -> Option<Arc<Notify>> {
        self.in_flight.lock().unwrap().get(id).cloned()
    }

    pub fn end_request(&self, id: &RequestId) {
        self.in_flight.lock().unwrap().remove(id);
    }

    /// Returns whether a request with that id was in flight.
    pub fn cancel_request(&self, id: &RequestId) -> bool {
        let found = self.in_flight.lock().unwrap().get(id).cloned();
        if let Some(n) = &found {
            // Every waiter (a middleware chain and the call inside it wait on the same request), and a stored
            // permit for one that is not polling yet.
            n.notify_waiters();
            n.notify_one();
        }
        found.is_some()
    }

    pub fn in_flight_count(&self) -> usize {
        self.in_flight.lock().unwrap().len()
    }

    /// Installs the standalone output: stdio's one output, a legacy SSE session's stream. Returns false if one
    /// is already open (only one is allowed).
    pub fn open_standalone(&self, tx: OutboundTx) -> bool {
        let mut slot = self.standalone.lock().unwrap();
        if slot.as_ref().is_some_and(Standalone::is_open) {
            return false;
        }
        *slot = Some(Standalone::Channel(tx));
        true
    }

    /// Connects the Streamable HTTP GET stream: the session's standalone stream, made on first use (keeping
    /// its events in `store`). A stream that lost its connection continues, first with what no connection
    /// was handed. Returns the stream's id and its events, or `None` while another connection reads it (only
    /// one is allowed).
    pub fn open_standalone_stream(&self, store: Option<&Arc<EventStore>>) -> Option<(u64, EventRx)> {
        let mut slot = self.standalone.lock().unwrap();
        if slot.as_ref().is_some_and(Standalone::is_open) {
            return None;
        }
        let stream = if let Some(Standalone::Stream(stream)) = slot.as_ref() {
            stream.clone()
        } else {
            let stream = EventStream::new(store.cloned());
            *slot = Some(Standalone::Stream(stream.clone()));
            stream
        };
        drop(slot);
        stream.connect(None).map(|rx| (stream.id(), rx))
    }

    /// Sends a message on the standalone stream (the GET stream; over stdio, the one output). Returns whether
    /// it reached a connection or was kept for the client to resume.
    pub fn send_standalone(&self, message: Bytes) -> bool {
        let slot = self.standalone.lock().unwrap();
        match slot.as_ref() {
            Some(Standalone::Channel(tx)) => tx.send(message).is_ok(),
            Some(Standalone::Stream(stream)) => {
                let stream = stream.clone();
                drop(slot);
                stream.send(message)
            }
            None => false,
        }
    }

    /// Keeps a request's stream so its client can resume it. Streams with nothing left to resume go.
    pub fn keep_stream(&self, stream: Arc<EventStream>) {
        let mut streams = self.streams.lock().unwrap();
        streams.retain(|_, s| !s.is_spent());
        streams.insert(stream.id(), stream);
    }

    /// The stream of this session with that id (a request's, or the standalone one), if it can be resumed.
    pub fn stream(&self, id: u64) -> Option<Arc<EventStream>> {
        if let Some(Standalone::Stream(s)) = self.standalone.lock().unwrap().as_ref() {
            if s.id() == id {
                return Some(s.clone());
            }
        }
        self.streams.lock().unwrap().get(&id).filter(|s| !s.is_spent()).cloned()
    }

    /// Registers a request to the client; returns its id and where the answer will arrive. The answer
    /// channel closes without a value if the session closes first.
    pub fn begin_outbound(&self) -> (RequestId, oneshot::Receiver<ClientAnswer>) {
        let n = self.next_outbound_id.fetch_add(1, Ordering::Relaxed);
        let id = RequestId::from_value(&Value::from(n)).expect("an integer is a valid id");
        let (tx, rx) = oneshot::channel();
        let mut awaiting = self.awaiting.lock().unwrap();
        // Requests whose waiter gave up (a cancelled tool) are dropped as new ones begin.
        awaiting.retain(|_, tx| !tx.is_closed());
        awaiting.insert(id.clone(), tx);
        (id, rx)
    }

    /// Delivers a client's answer. Returns false when no request with that id is waiting.
    pub fn resolve_outbound(&self, id: &RequestId, answer: ClientAnswer) -> bool {
        let waiter = self.awaiting.lock().unwrap().remove(id);
        waiter.is_some_and(|tx| tx.send(answer).is_ok())
    }

    pub fn subscribe(&self, uri: &str) {
        self.subscriptions.lock().unwrap().insert(uri.to_owned());
    }

    pub fn unsubscribe(&self, uri: &str) {
        self.subscriptions.lock().unwrap().remove(uri);
    }

    pub fn is_subscribed(&self, uri: &str) -> bool {
        self.subscriptions.lock().unwrap().contains(uri)
    }

    /// The upstream sessions a proxy keeps for this session.
    pub fn upstream_links(&self) -> &crate::server::upstream::SessionLinks {
        &self.upstream_links
    }

    /// The session's extension data, created by `init` on first use.
    ///
    /// # Panics
    /// If the slot already holds a value of another type.
    pub fn extension<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> &T {
        self.extension
            .get_or_init(|| Box::new(init()))
            .downcast_ref::<T>()
            .expect("a session's extension has one type")
    }

    /// Ends the Streamable HTTP GET stream only (a draining server: requests in flight keep their own
    /// streams, and a legacy SSE session keeps the one stream its answers go out on).
    pub fn close_get_stream(&self) {
        let mut slot = self.standalone.lock().unwrap();
        if matches!(*slot, Some(Standalone::Stream(_))) {
            if let Some(Standalone::Stream(stream)) = slot.take() {
                stream.close_connection();
            }
        }
    }

    /// Cancels every request in flight: each answers with its cancellation error on its own stream.
    pub fn cancel_in_flight(&self) {
        for n in self.in_flight.lock().unwrap().values() {
            n.notify_one();
        }
    }

    /// Ends the GET stream and wakes every in-flight request so it can finish.
    pub fn close(&self) {
        self.awaiting.lock().unwrap().clear();
        if let Some(Standalone::Stream(stream)) = self.standalone.lock().unwrap().take() {
            stream.close_connection();
        }
        for (_, stream) in self.streams.lock().unwrap().drain() {
            stream.close_connection();
        }
        for n in self.in_flight.lock().unwrap().values() {
            n.notify_one();
        }
    }
}

/// Where a session's messages that belong to no request go.
enum Standalone {
    /// A plain channel: stdio's output, a legacy SSE session's stream.
    Channel(OutboundTx),
    /// Streamable HTTP's GET stream, numbered and resumable.
    Stream(Arc<EventStream>),
}

impl Standalone {
    fn is_open(&self) -> bool {
        match self {
            Standalone::Channel(tx) => !tx.is_closed(),
            Standalone::Stream(stream) => stream.is_connected(),
        }
    }
}

/// Bounds on the session store.
#[derive(Debug, Clone)]
pub struct SessionLimits {
    pub max_sessions: usize,
    pub idle_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            max_sessions: 100_000,
            idle_timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// Every live HTTP session, by id.
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    limits: SessionLimits,
}

/// The store is full.
#[derive(Debug)]
pub struct TooManySessions;

impl SessionStore {
    pub fn new(limits: SessionLimits) -> Self {
        Self {
            sessions: Mutex::new(HashMap::new()),
            limits,
        }
    }

    pub fn limits(&self) -> &SessionLimits {
        &self.limits
    }

    /// A new session with an unguessable id (128 bits from the OS CSPRNG, hex).
    pub fn create(&self) -> Result<Arc<Session>, TooManySessions> {
        let mut sessions = self.sessions.lock().unwrap();
        if sessions.len() >= self.limits.max_sessions {
            drop(sessions);
            // Make room from idle sessions before refusing.
            self.reap();
            sessions = self.sessions.lock().unwrap();
            if sessions.len() >= self.limits.max_sessions {
                return Err(TooManySessions);
            }
        }
        let id = new_session_id();
        let session = Arc::new(Session::new(Some(id.clone())));
        sessions.insert(id, session.clone());
        Ok(session)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        let session = self.sessions.lock().unwrap().get(id).cloned();
        if let Some(s) = &session {
            s.touch();
        }
        session
    }

    pub fn remove(&self, id: &str) -> Option<Arc<Session>> {
        let session = self.sessions.lock().unwrap().remove(id);
        if let Some(s) = &session {
            s.close();
        }
        session
    }

    pub fn len(&self) -> usize {
        self.sessions.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops sessions idle longer than the timeout that have no request in flight. Returns how many.
    pub fn reap(&self) -> usize {
        let now = clock();
        let mut reaped = Vec::new();
        {
            let mut sessions = self.sessions.lock().unwrap();
            sessions.retain(|_, s| {
                let keep = s.idle_for(now) < self.limits.idle_timeout || s.in_flight_count() > 0;
                if !keep {
                    reaped.push(s.clone());
                }
                keep
            });
            if reaped.len() > 1024 {
                sessions.shrink_to_fit();
            }
        }
        for s in &reaped {
            s.close();
        }
        reaped.len()
    }

    /// Cancels the requests in flight of every session (see [`Session::cancel_in_flight`]).
    pub fn cancel_in_flight(&self) {
        let all: Vec<_> = self.sessions.lock().unwrap().values().cloned().collect();
        for s in all {
            s.cancel_in_flight();
        }
    }

    /// Ends every session's Streamable HTTP GET stream (see [`Session::close_get_stream`]).
    pub fn close_get_streams(&self) {
        let all: Vec<_> = self.sessions.lock().unwrap().values().cloned().collect();
        for s in all {
            s.close_get_stream();
        }
    }

    pub fn close_all(&self) {
        let all: Vec<_> = self.sessions.lock().unwrap().drain().map(|(_, s)| s).collect();
        for s in all {
            s.close();
        }
    }
}

pub fn new_session_id() -> String {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).expect("the OS random source is available");
    raw.iter().fold(String::with_capacity(32), |mut id, b| {
        let _ = write!(id, "{b:02x}");
        id
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_hex() {
        let a = new_session_id();
        let b = new_session_id();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn store_bounds_and_removal() {
        let store = SessionStore::new(SessionLimits {
            max_sessions: 2,
            idle_timeout: Duration::from_secs(60),
        });
        let a = store.create().unwrap();
        let _b = store.create().unwrap();
        assert!(store.create().is_err());
        assert!(store.get(a.id().unwrap()).is_some());
        assert!(store.remove(a.id().unwrap()).is_some());
        assert!(store.get(a.id().unwrap()).is_none());
        assert!(store.create().is_ok());
    }

    #[test]
    fn idle_sessions_are_reaped_unless_busy() {
        let store = SessionStore::new(SessionLimits {
            max_sessions: 10,
            idle_timeout: Duration::ZERO,
        });
        let a = store.create().unwrap();
        let b = store.create().unwrap();
        let rid = RequestId::from_value(&Value::from(1)).unwrap();
        let _n = b.begin_request(&rid);
        assert_eq!(store.reap(), 1);
        assert!(store.get(a.id().unwrap()).is_none());
        assert!(store.get(b.id().unwrap()).is_some());
    }

    #[test]
    fn streams_are_found_only_in_their_own_session() {
        use crate::server::event_store::{EventStoreLimits, EventStream};
        let store = EventStore::new(EventStoreLimits::default());
        let (a, b) = (Session::new(None), Session::new(None));
        let request = EventStream::new(Some(store.clone()));
        a.keep_stream(request.clone());
        assert!(a.stream(request.id()).is_some());
        assert!(b.stream(request.id()).is_none());
        // One connection at a time on the standalone stream; it is found by its id too.
        let (id, rx) = a.open_standalone_stream(Some(&store)).unwrap();
        assert!(a.open_standalone_stream(Some(&store)).is_none());
        assert!(a.send_standalone(Bytes::from_static(b"{}")));
        drop(rx);
        assert!(
            a.send_standalone(Bytes::from_static(b"{}")),
            "kept while no connection reads it"
        );
        assert_eq!(a.open_standalone_stream(Some(&store)).map(|(i, _)| i), Some(id));
        assert!(a.stream(id).is_some() && b.stream(id).is_none());
        // A delivered answer leaves nothing to resume.
        request.finish(Bytes::from_static(b"{}"));
        assert!(a.stream(request.id()).is_some());
        drop(request.connect(Some(0)).unwrap());
        assert!(a.stream(request.id()).is_none());
        a.close();
        assert!(!a.send_standalone(Bytes::from_static(b"{}")));
    }

    #[test]
    fn log_level_filter() {
        let s = Session::new(None);
        assert!(s.wants_log(LogLevel::Debug));
        s.set_log_level(LogLevel::Warning);
        assert!(!s.wants_log(LogLevel::Info));
        assert!(s.wants_log(LogLevel::Error));
    }

    #[test]
    fn cancel_reaches_in_flight_request() {
        let s = Session::new(None);
        let rid = RequestId::from_value(&Value::from("r")).unwrap();
        assert!(!s.cancel_request(&rid));
        let n = s.begin_request(&rid);
        assert!(s.cancel_request(&rid));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(1), n.notified())
                .await
                .unwrap();
        });
        s.end_request(&rid);
        assert_eq!(s.in_flight_count(), 0);
    }
}
