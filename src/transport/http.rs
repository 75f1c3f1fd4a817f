//! Streamable HTTP on hyper: one endpoint (default `/mcp`) taking POST (client messages), GET (the
//! server's standalone stream) and DELETE (end a session).

use crate::protocol::{
    is_supported_version_header, resumes_streams, ErrorCode, Incoming, Outgoing, RequestId, RpcError,
};
use crate::server::auth::{AccessToken, Authenticator, Refused, ResourceMetadata};
use crate::server::{
    buffers, Event, EventRx, EventStore, EventStoreLimits, EventStream, McpServer, RequestSink, Session, SessionLimits,
    SessionStore,
};
use crate::transport::sse::EventId;
use crate::transport::{headers, sse, Shutdown};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ALLOW, AUTHORIZATION,
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN, VARY, WWW_AUTHENTICATE,
};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Semaphore};

const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";
const LAST_EVENT_ID: &str = "last-event-id";

/// How long the head of a resumable request stream waits for the call's first message: a call that answers
/// within it goes out as one write (priming event and answer together); a longer one gets its priming event
/// out after this short wait, so the client can resume it almost from the start.
const PRIMING_HOLD: Duration = Duration::from_millis(10);

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub path: String,
    /// Answer requests with `application/json` even when the client accepts `text/event-stream`.
    pub json_response: bool,
    /// No sessions: every POST stands alone; GET and DELETE are 405.
    pub stateless: bool,
    pub max_body_bytes: usize,
    /// Requests being served at once across all clients; past it, 503.
    pub max_concurrent_requests: usize,
    pub sessions: SessionLimits,
    /// Host/Origin checking against DNS rebinding; `None` turns it on when bound to loopback.
    pub dns_rebinding_protection: Option<bool>,
    /// Extra accepted `Host` values (`name` or `name:port`) and `Origin` values.
    pub allowed_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// How long open connections may take to finish after shutdown is triggered.
    pub shutdown_grace: Duration,
    /// Serve Streamable HTTP on `path` (off for a legacy-SSE-only server).
    pub streamable: bool,
    /// The legacy HTTP+SSE transport (protocol 2024-11-05): `GET sse_path` opens a session's event stream,
    /// which announces `message_path?session_id=…` for the client's POSTs.
    pub legacy_sse: Option<LegacySsePaths>,
    /// Requests to any other path go here instead of getting a 404.
    pub fallback: Option<Fallback>,
    /// Resumable streams (a stateful server only): every Streamable HTTP SSE event carries an id, and the
    /// recent ones are kept for a client that reconnects with `Last-Event-ID`. `None` turns it off.
    pub event_store: Option<EventStoreLimits>,
    /// The `retry` field of a priming event: how long a client waits before it reconnects to a stream the
    /// server closed early.
    pub retry_interval: Option<Duration>,
    /// A comment goes out on an SSE stream that has been quiet this long (`None`: never).
    pub keep_alive: Option<Duration>,
    /// A connection must deliver a request's whole head within this long of being opened, or of its previous
    /// response (so it also bounds the idle time of a kept-alive connection); else it is closed. `None`: no
    /// limit.
    pub header_read_timeout: Option<Duration>,
    /// A request's body must arrive within this long once its head has (else 408). `None`: no limit.
    pub body_read_timeout: Option<Duration>,
    /// After shutdown is triggered, how long requests in flight may take to finish (the server drains:
    /// new requests get 503, `ready_path` says 503) before the rest are cancelled.
    pub drain_timeout: Duration,
    /// `GET` here answers 200 while the process serves (liveness). `None`: no such path.
    pub health_path: Option<String>,
    /// `GET` here answers 200 while the server takes requests, 503 while it drains (readiness).
    pub ready_path: Option<String>,
    /// `GET` here answers the server's Prometheus metrics (`OpenMetrics` text). `None` (the default): no
    /// metrics are kept.
    pub metrics_path: Option<String>,
    /// Bearer-token authentication of every request to the MCP paths, and the RFC 9728 metadata document it
    /// advertises. `None`: open.
    pub auth: Option<Arc<Authenticator>>,
}

/// What answers requests outside the MCP paths: the ASGI app the server is mounted in, or its custom
/// routes. The request is whole; the response head comes back once, its body as a stream of chunks.
pub trait HttpFallback: Send + Sync {
    fn call(&self, request: FallbackRequest) -> oneshot::Receiver<FallbackResponse>;
}

pub struct FallbackRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Bytes,
}

pub struct FallbackResponse {
    pub status: u16,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: mpsc::UnboundedReceiver<Bytes>,
}

#[derive(Clone)]
pub struct Fallback(pub Arc<dyn HttpFallback>);

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fallback")
    }
}

#[derive(Debug, Clone)]
pub struct LegacySsePaths {
    pub sse_path: String,
    pub message_path: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            path: "/mcp".into(),
            json_response: false,
            stateless: false,
            max_body_bytes: 4 * 1024 * 1024,
            max_concurrent_requests: 4096,
            sessions: SessionLimits::default(),
            dns_rebinding_protection: None,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            shutdown_grace: Duration::from_secs(5),
            streamable: true,
            legacy_sse: None,
            fallback: None,
            event_store: Some(EventStoreLimits::default()),
            retry_interval: Some(Duration::from_secs(1)),
            keep_alive: Some(Duration::from_secs(15)),
            header_read_timeout: Some(Duration::from_secs(10)),
            body_read_timeout: Some(Duration::from_secs(30)),
            drain_timeout: Duration::from_secs(30),
            health_path: Some("/healthz".into()),
            ready_path: Some("/readyz".into()),
            metrics_path: None,
            auth: None,
        }
    }
}

/// The response body: a whole buffer, or SSE events as they are produced.
pub enum ResponseBody {
    Full(Option<Bytes>),
    /// A whole body in chunks (a stream's framed events: a large message is shared, not copied).
    Chunks(VecDeque<Bytes>),
    /// A fallback app's body, chunk by chunk.
    Raw(mpsc::UnboundedReceiver<Bytes>),
    /// A legacy SSE session's stream: the `endpoint` event, then every message of the session. The session
    /// ends when the client drops the stream.
    Legacy {
        endpoint: Option<Bytes>,
        rx: mpsc::UnboundedReceiver<Bytes>,
        keep_alive: Option<KeepAlive>,
        _session: LegacySessionGuard,
    },
    /// A Streamable HTTP stream (a request's, or the GET stream): its events until the stream lets go of the
    /// connection.
    Events(EventBody),
}

/// The body of one connection to a Streamable HTTP stream.
pub struct EventBody {
    /// Framed events that go first: the priming event, messages read while the head waited.
    prefix: VecDeque<Bytes>,
    rx: EventRx,
    /// The stream whose events these are, to name each one; `None` sends them without ids.
    stream: Option<u64>,
    keep_alive: Option<KeepAlive>,
    /// Dropped with the body: tells the handler of a request its client went away.
    _connection: Option<oneshot::Sender<()>>,
}

fn frame(stream: Option<u64>, event: &Event) -> Bytes {
    match stream {
        Some(stream) => sse::message_event_with_id(&EventId { stream, seq: event.seq }, &event.message),
        None => sse::message_event(&event.message),
    }
}

/// The same event as chunks (see [`sse::message_event_parts`]).
fn frame_into(out: &mut VecDeque<Bytes>, stream: Option<u64>, event: &Event) {
    let id = stream.map(|stream| EventId { stream, seq: event.seq });
    sse::message_event_parts(id.as_ref(), &event.message, out);
}

/// The keep-alive timer of a stream: due when the stream has been quiet for a whole interval.
pub struct KeepAlive {
    every: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl KeepAlive {
    fn new(every: Option<Duration>) -> Option<Self> {
        every.map(|every| Self {
            every,
            timer: Box::pin(tokio::time::sleep(every)),
        })
    }

    fn reset(keep_alive: &mut Option<Self>) {
        if let Some(k) = keep_alive {
            let next = tokio::time::Instant::now() + k.every;
            k.timer.as_mut().reset(next);
        }
    }

    /// The comment to send if the timer is due (the timer restarts), else `Pending`.
    fn poll_due(keep_alive: &mut Option<Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let Some(k) = keep_alive else {
            return Poll::Pending;
        };
        if k.timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        Self::reset(keep_alive);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(sse::KEEP_ALIVE)))))
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ResponseBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            ResponseBody::Chunks(chunks) => Poll::Ready(chunks.pop_front().map(|d| Ok(Frame::data(d)))),
            ResponseBody::Raw(rx) => rx.poll_recv(cx).map(|m| m.map(|chunk| Ok(Frame::data(chunk)))),
            ResponseBody::Legacy {
                endpoint,
                rx,
                keep_alive,
                ..
            } => {
                if let Some(event) = endpoint.take() {
                    return Poll::Ready(Some(Ok(Frame::data(event))));
                }
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(json)) => {
                        KeepAlive::reset(keep_alive);
                        Poll::Ready(Some(Ok(Frame::data(sse::message_event(&json)))))
                    }
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => KeepAlive::poll_due(keep_alive, cx),
                }
            }
            ResponseBody::Events(body) => {
                if let Some(prefix) = body.prefix.pop_front() {
                    return Poll::Ready(Some(Ok(Frame::data(prefix))));
                }
                match body.rx.poll_recv(cx) {
                    Poll::Ready(Some(event)) => {
                        KeepAlive::reset(&mut body.keep_alive);
                        Poll::Ready(Some(Ok(Frame::data(frame(body.stream, &event)))))
                    }
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => KeepAlive::poll_due(&mut body.keep_alive, cx),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(None) => true,
            ResponseBody::Chunks(chunks) => chunks.is_empty(),
            _ => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            ResponseBody::Full(None) => SizeHint::with_exact(0),
            ResponseBody::Chunks(chunks) => SizeHint::with_exact(chunks.iter().map(|c| c.len() as u64).sum()),
            ResponseBody::Raw(_) | ResponseBody::Legacy { .. } | ResponseBody::Events(_) => SizeHint::default(),
        }
    }
}

pub type HttpResponse = Response<ResponseBody>;

/// Removes a legacy SSE session from the store when its stream is dropped.
pub struct LegacySessionGuard {
    sessions: Arc<SessionStore>,
    id: String,
}

impl Drop for LegacySessionGuard {
    fn drop(&mut self) {
        self.sessions.remove(&self.id);
    }
}

/// A request answered on a stream of its own: id, method, params, headers, the caller's token.
type StreamCall = (
    RequestId,
    String,
    Option<serde_json::Map<String, serde_json::Value>>,
    Arc<HeaderMap>,
    Option<Arc<AccessToken>>,
);

pub struct HttpState {
    server: Arc<McpServer>,
    config: HttpConfig,
    sessions: Arc<SessionStore>,
    allowed_hosts: Vec<String>,
    allowed_origins: Vec<String>,
    protect: bool,
    in_flight: Arc<Semaphore>,
    /// Where resumable streams keep their events; `None` when they are off.
    store: Option<Arc<EventStore>>,
    /// Shutdown was triggered: requests in flight finish, new ones are refused.
    draining: AtomicBool,
}

/// Serves until shutdown, then drains: requests in flight finish (up to `drain_timeout`) while new ones get
/// 503 and the readiness path says so; then it stops accepting, ends sessions (cancelling what is left) and
/// lets open connections finish.
pub async fn serve_http(
    server: Arc<McpServer>,
    listener: TcpListener,
    config: HttpConfig,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    if config.metrics_path.is_some() {
        server.enable_metrics();
    }
    let state = Arc::new(HttpState::new(server, config, local));
    let reaper = tokio::spawn(reap_sessions(state.clone(), shutdown.clone()));
    // Connections close once draining is over, not when shutdown is triggered.
    let (close_trigger, close) = Shutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    let drained = drain_after(state.clone(), shutdown);
    tokio::pin!(drained);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut drained => break,
        };
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = accepted else {
            // Out of descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let header_read_timeout = state.config.header_read_timeout;
        let state = state.clone();
        let mut close = close.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move {
                    let response = state.handle(req).await;
                    if let (Some(metrics), Some(Refusal(reason))) =
                        (state.server.metrics(), response.extensions().get::<Refusal>())
                    {
                        metrics.refused(reason);
                    }
                    Ok::<_, Infallible>(response)
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            // Slow or silent peers (trickled heads, idle keep-alive connections) are closed, not held forever.
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = close.wait() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    state.close_sessions();
    reaper.abort();
    close_trigger.trigger();
    let grace = tokio::time::sleep(state.config.shutdown_grace);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = connections.join_next() => if next.is_none() { break },
            () = &mut grace => { connections.abort_all(); break }
        }
    }
    Ok(())
}

/// Waits for shutdown, then drains: refuses new requests, ends what holds no call (GET streams,
/// `subscriptions/listen`), and resolves once no request is in flight or `drain_timeout` has passed.
async fn drain_after(state: Arc<HttpState>, mut shutdown: Shutdown) {
    shutdown.wait().await;
    state.draining.store(true, Ordering::Release);
    state.server.end_subscriptions();
    state.sessions.close_get_streams();
    if tokio::time::timeout(state.config.drain_timeout, state.server.work.idle())
        .await
        .is_err()
    {
        // Past the drain timeout: what is left is cancelled, and its cancellation error gets a moment to
        // reach its client before the streams close.
        state.sessions.cancel_in_flight();
        let _ = tokio::time::timeout(Duration::from_millis(500), state.server.work.idle()).await;
    }
}

pub async fn reap_sessions(state: Arc<HttpState>, mut shutdown: Shutdown) {
    let every = (state.config.sessions.idle_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(30));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => { state.sessions.reap(); }
            () = shutdown.wait() => return,
        }
    }
}

impl HttpState {
    pub fn new(server: Arc<McpServer>, config: HttpConfig, local: SocketAddr) -> Self {
        let protect = config
            .dns_rebinding_protection
            .unwrap_or_else(|| local.ip().is_loopback());
        let port = local.port();
        let mut allowed_hosts = Vec::new();
        let mut allowed_origins = Vec::new();
        for name in ["127.0.0.1", "localhost", "[::1]"] {
            allowed_hosts.push(name.to_owned());
            allowed_hosts.push(format!("{name}:{port}"));
            for scheme in ["http", "https"] {
                allowed_origins.push(format!("{scheme}://{name}:{port}"));
                allowed_origins.push(format!("{scheme}://{name}"));
            }
        }
        allowed_hosts.extend(config.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()));
        allowed_origins.extend(config.allowed_origins.iter().map(|o| o.to_ascii_lowercase()));
        let in_flight = Arc::new(Semaphore::new(config.max_concurrent_requests.max(1)));
        let sessions = Arc::new(SessionStore::new(config.sessions.clone()));
        // Without sessions there is nothing to resume.
        let store = match (&config.event_store, config.stateless) {
            (Some(limits), false) => Some(EventStore::new(limits.clone())),
            _ => None,
        };
        Self {
            server,
            config,
            sessions,
            allowed_hosts,
            allowed_origins,
            protect,
            in_flight,
            store,
            draining: AtomicBool::new(false),
        }
    }

    pub async fn handle<B>(&self, req: Request<B>) -> HttpResponse
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        // RFC 9112 section 3.2: more than one Host line is refused (a forged second one must not slip past).
        if req.headers().get_all(HOST).iter().nth(1).is_some() {
            return plain(StatusCode::BAD_REQUEST, "Bad Request: more than one Host header");
        }
        let path = req.uri().path();
        if matches!(*req.method(), Method::GET | Method::HEAD) {
            if self.config.health_path.as_deref() == Some(path) {
                return health(StatusCode::OK, "ok");
            }
            if self.config.metrics_path.as_deref() == Some(path) {
                if let Some(metrics) = self.server.metrics() {
                    return self.metrics_response(metrics);
                }
            }
            if self.config.ready_path.as_deref() == Some(path) {
                return if self.is_draining() {
                    health(StatusCode::SERVICE_UNAVAILABLE, "draining")
                } else {
                    health(StatusCode::OK, "ready")
                };
            }
        }
        if let Some(metadata) = self.config.auth.as_ref().and_then(|a| a.metadata()) {
            if path == metadata.path {
                return resource_metadata(req.method(), req.headers(), metadata);
            }
        }
        let streamable = self.config.streamable && path == self.config.path;
        let legacy = self
            .config
            .legacy_sse
            .as_ref()
            .filter(|l| path == l.sse_path || path == l.message_path)
            .cloned();
        if !streamable && legacy.is_none() {
            return match &self.config.fallback {
                Some(fallback) => self.forward(fallback, req).await,
                None => plain(StatusCode::NOT_FOUND, "Not Found"),
            };
        }
        if self.protect {
            if let Some(response) = self.check_host_and_origin(req.headers()) {
                return response;
            }
        }
        let mut req = req;
        if let Some(auth) = &self.config.auth {
            if matches!(*req.method(), Method::GET | Method::POST | Method::DELETE) {
                let header = req.headers().get(AUTHORIZATION).map(HeaderValue::as_bytes);
                match auth.authenticate(header).await {
                    Ok(token) => {
                        req.extensions_mut().insert(token);
                    }
                    Err(refused) => return auth_refused(auth, &refused),
                }
            }
        }
        if let Some(paths) = legacy {
            return match (req.method(), req.uri().path() == paths.sse_path) {
                (&Method::GET, true) => self.legacy_open(&paths, caller(&req)),
                (&Method::POST, false) => self.legacy_post(req).await,
                (_, true) => allow_only(HeaderValue::from_static("GET")),
                (_, false) => allow_only(HeaderValue::from_static("POST")),
            };
        }
        let version = header_version(req.headers());
        let modern_header = version.as_deref().is_some_and(|v| !is_supported_version_header(v));
        if modern_header && req.method() != Method::POST && self.has_session(req.headers()) {
            // A handshake-era session's GET or DELETE with a version it did not negotiate.
            let text = format!(
                "Bad Request: Unsupported protocol version: {}",
                version.unwrap_or_default()
            );
            return rpc_error(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, &text);
        }
        match *req.method() {
            Method::POST => self.post(req).await,
            // GET and DELETE belong to handshake-era sessions; a modern client has neither.
            Method::GET | Method::DELETE if modern_header && !self.has_session(req.headers()) => {
                allow_only(HeaderValue::from_static("POST"))
            }
            Method::GET => self.get(req.headers(), caller(&req)),
            Method::DELETE => self.delete(req.headers(), caller(&req)),
            _ => method_not_allowed(self.config.stateless),
        }
    }

    /// Whether the request names a live handshake-era session.
    fn has_session(&self, headers: &HeaderMap) -> bool {
        !self.config.stateless
            && headers
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|id| self.sessions.get(id).is_some())
    }

    fn check_host_and_origin(&self, headers: &HeaderMap) -> Option<HttpResponse> {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        if !host.is_some_and(|h| self.allowed_hosts.contains(&h)) {
            return Some(plain(StatusCode::MISDIRECTED_REQUEST, "Invalid Host header"));
        }
        if let Some(origin) = headers.get(ORIGIN) {
            let ok = origin
                .to_str()
                .is_ok_and(|o| self.allowed_origins.contains(&o.to_ascii_lowercase()));
            if !ok {
                return Some(plain(StatusCode::FORBIDDEN, "Invalid Origin header"));
            }
        }
        None
    }

    /// Ends every session, and every modern subscription with its closing result (at shutdown).
    fn metrics_response(&self, metrics: &crate::server::metrics::Metrics) -> HttpResponse {
        let text = metrics.encode(crate::server::metrics::Snapshot {
            in_flight: self.server.work.in_flight(),
            sessions: self.sessions.len(),
            draining: self.is_draining(),
        });
        let mut r = Response::new(ResponseBody::Full(Some(Bytes::from(text))));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        );
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }

    fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    pub fn close_sessions(&self) {
        self.sessions.close_all();
        self.server.end_subscriptions();
    }

    /// Finds the session a non-initialize message belongs to.
    fn session_for(&self, headers: &HeaderMap, caller: Option<[u8; 32]>) -> Result<Arc<Session>, HttpResponse> {
        if self.config.stateless {
            let session = Arc::new(Session::new(None));
            session.mark_initialized();
            return Ok(session);
        }
        let Some(id) = headers.get(SESSION_HEADER).and_then(|v| v.to_str().ok()) else {
            return Err(rpc_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                "Bad Request: Missing session ID",
            ));
        };
        // A session another caller opened is answered as one that does not exist.
        self.sessions
            .get(id)
            .filter(|s| s.is_owned_by(caller.as_ref()))
            .ok_or_else(|| rpc_error(StatusCode::NOT_FOUND, ErrorCode::InvalidRequest, "Session not found"))
    }

    async fn post<B>(&self, req: Request<B>) -> HttpResponse
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let headers = req.headers();
        let (accepts_json, accepts_sse) = accepted_types(headers);
        if !accepts_json && !accepts_sse {
            return rpc_error(
                StatusCode::NOT_ACCEPTABLE,
                ErrorCode::InvalidRequest,
                "Not Acceptable: Client must accept application/json and text/event-stream",
            );
        }
        let json_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
        if !json_type {
            return rpc_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidRequest,
                "Unsupported Media Type: Content-Type must be application/json",
            );
        }
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.config.max_body_bytes as u64) {
            return too_large();
        }
        let Ok(_permit) = self.in_flight.clone().try_acquire_owned() else {
            return busy();
        };
        let (parts, body) = req.into_parts();
        let token = parts.extensions.get::<Arc<AccessToken>>().cloned();
        let mut bytes = match read_body(body, self.config.max_body_bytes, self.config.body_read_timeout).await {
            Ok(bytes) => bytes,
            Err(response) => return response,
        };
        let message = match Incoming::parse(&mut bytes) {
            Ok(m) => m,
            Err(bad) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    Outgoing::error(bad.id.as_ref(), &bad.error),
                    None,
                )
            }
        };
        // Draining: new work is refused; answers to the server's own requests, notifications (a cancel) and
        // the requests that work in flight and its clients still need (listings, task results) get through.
        if let (true, Incoming::Request { id, method, .. }) = (self.is_draining(), &message) {
            if starts_work(method) {
                return draining(Some(id));
            }
        }
        let is_initialize = matches!(&message, Incoming::Request { method, .. } if method == "initialize");
        // The era of this POST (a dual-era endpoint, SEP-2575): a live session or `initialize` is the
        // handshake era; a modern (or unknown) version header, or a body with the modern envelope, is the
        // modern one.
        let version = header_version(&parts.headers);
        let has_session = self.has_session(&parts.headers);
        // A body with the modern envelope is modern whatever the header and session say, so the era's
        // checks (version header against the body, Mcp-Method, Mcp-Name, Mcp-Param-*) always apply to it.
        // A session's request that only repeats its client capabilities in `_meta` (SEP-2133's per-request
        // opt-in), naming no modern version, stays in the session's era.
        let modern_body = matches!(&message, Incoming::Request { method, params, .. }
            if method != "initialize" && crate::server::is_modern_request(method, params.as_ref())
                && !(has_session && crate::protocol::modern::meta_version(params.as_ref()).is_none()));
        let modern =
            modern_body || (!has_session && version.as_deref().is_some_and(|v| !is_supported_version_header(v)));
        if modern {
            return self
                .post_modern(message, (parts.headers, token), version, (accepts_json, accepts_sse))
                .await;
        }
        if let Some(v) = version.as_deref().filter(|v| !is_supported_version_header(v)) {
            let text = format!("Bad Request: Unsupported protocol version: {v}");
            return rpc_error(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, &text);
        }
        let session = if is_initialize && !self.config.stateless {
            if let Ok(s) = self.sessions.create() {
                if let Some(token) = &token {
                    s.bind_owner(token.owner());
                }
                self.server.register_client(&s);
                s
            } else {
                let error = RpcError::new(ErrorCode::InternalError, "Too many sessions");
                return json_response(StatusCode::SERVICE_UNAVAILABLE, Outgoing::error(None, &error), None);
            }
        } else {
            match self.session_for(&parts.headers, token.as_ref().map(|t| t.owner())) {
                Ok(s) => s,
                Err(response) => return response,
            }
        };
        let session_id = session.id().map(str::to_owned);
        if let Incoming::Response { id, outcome } = message {
            // An answer to a request this server sent (elicitation, sampling, roots).
            if session.resolve_outbound(&id, outcome) {
                return with_session(empty(StatusCode::ACCEPTED), session_id.as_deref());
            }
            let error = RpcError::new(
                ErrorCode::InvalidRequest,
                "Invalid Request: no request of the server is waiting for this response",
            );
            return json_response(
                StatusCode::BAD_REQUEST,
                Outgoing::error(None, &error),
                session_id.as_deref(),
            );
        }
        if !matches!(message, Incoming::Request { .. }) {
            self.server
                .handle_incoming(&session, message, RequestSink::none())
                .await;
            return with_session(empty(StatusCode::ACCEPTED), session_id.as_deref());
        }
        let Incoming::Request { id, method, params } = message else {
            unreachable!("notifications and responses were answered above")
        };
        let headers = Arc::new(parts.headers);
        // A request the client cancelled still gets an answer over HTTP, so the exchange ends cleanly.
        let cancelled = Outgoing::error(
            Some(&id),
            &RpcError::new(ErrorCode::RequestCancelled, "Request cancelled"),
        );
        if accepts_sse && !(self.config.json_response && accepts_json) {
            let call = (id, method, params, headers, token);
            return self.answer_on_stream(session, call, cancelled).await;
        }
        let sink = RequestSink::none().with_headers(headers).with_auth(token);
        let answer = self.server.handle_request(&session, id, &method, params, sink).await;
        json_response(StatusCode::OK, answer.unwrap_or(cancelled), session_id.as_deref())
    }

    /// A modern (2026-07-28) POST: checked as SEP-2575 and SEP-2243 say, in the order the conformance suite
    /// expects (required `_meta` keys, then the version header against the body, then the version itself,
    /// then `Mcp-Method`, `Mcp-Name` and a tool's `Mcp-Param-*` headers), then served without a session.
    async fn post_modern(
        &self,
        message: Incoming,
        (headers, token): (HeaderMap, Option<Arc<AccessToken>>),
        version: Option<String>,
        (accepts_json, accepts_sse): (bool, bool),
    ) -> HttpResponse {
        let (id, method, params) = match message {
            Incoming::Request { id, method, params } => (id, method, params),
            // No client notification means anything over HTTP in this era: closing a stream cancels.
            Incoming::Notification { .. } => return empty(StatusCode::ACCEPTED),
            Incoming::Response { .. } => {
                let error = RpcError::new(
                    ErrorCode::InvalidRequest,
                    "Invalid Request: the server sends no requests in this protocol version",
                );
                return json_response(StatusCode::BAD_REQUEST, Outgoing::error(None, &error), None);
            }
        };
        let refuse = |error: RpcError| json_response(StatusCode::BAD_REQUEST, Outgoing::error(Some(&id), &error), None);
        if version.is_none() {
            return refuse(crate::protocol::modern::header_mismatch(
                "Header mismatch: the MCP-Protocol-Version header is required",
            ));
        }
        let envelope = self.server.modern_envelope(params.as_ref());
        if let Err(error) = &envelope {
            if error.code == ErrorCode::InvalidParams {
                return refuse(error.clone());
            }
        }
        if let Err(error) = McpServer::check_version_header(version.as_deref(), params.as_ref()) {
            return refuse(error);
        }
        let envelope = match envelope {
            Ok(envelope) => envelope,
            Err(error) => return refuse(error),
        };
        if let Err(error) = headers::check_standard(&headers, &method, params.as_ref()) {
            return refuse(error);
        }
        if method == "tools/call" {
            let tool = params
                .as_ref()
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
                .and_then(|n| self.server.tools.get(n));
            if let Some(tool) = tool.filter(|t| !t.param_headers.is_empty()) {
                let arguments = params.as_ref().and_then(|p| p.get("arguments"));
                if let Err(error) = headers::check_params(&headers, &tool.param_headers, arguments) {
                    return refuse(error);
                }
            }
        }
        if method == "subscriptions/listen" {
            if let Err(error) = self.server.check_listen(&envelope.0, params.as_ref()) {
                return refuse(error);
            }
        }
        let wants_stream = method == "subscriptions/listen"
            || !accepts_json
            || (accepts_sse && !self.config.json_response && may_notify(params.as_ref()));
        let headers = Arc::new(headers);
        let connection = Arc::new(Session::new(None));
        if wants_stream {
            let cancelled = Outgoing::error(
                Some(&id),
                &RpcError::new(ErrorCode::RequestCancelled, "Request cancelled"),
            );
            return self
                .answer_on_stream(connection, (id, method, params, headers, token), cancelled)
                .await;
        }
        let sink = RequestSink::none().with_headers(headers).with_auth(token);
        match self
            .server
            .handle_enveloped(&connection, id, &method, params, sink, envelope)
            .await
        {
            Some(reply) => json_response(
                StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
                reply.body,
                None,
            ),
            None => empty(StatusCode::ACCEPTED),
        }
    }

    /// Answers a request on an SSE stream of its own: its notifications and requests to the client, then its
    /// answer. A client of 2025-11-25 or later gets a resumable stream: a priming event first, and the call
    /// goes on if the connection drops (or the tool closes it) so the client can resume with `Last-Event-ID`.
    /// On a stream that cannot be resumed, a client that goes away cancels the call.
    async fn answer_on_stream(&self, session: Arc<Session>, call: StreamCall, cancelled: Vec<u8>) -> HttpResponse {
        let (id, method, params, headers, token) = call;
        let resumable = self.store.is_some() && session.protocol_version().is_some_and(resumes_streams);
        let stream = EventStream::new(if resumable { self.store.clone() } else { None });
        let mut events = stream.connect(None).expect("a new stream takes a connection");
        if resumable {
            session.keep_stream(stream.clone());
        }
        let (connection, gone) = if resumable {
            (None, None)
        } else {
            let (tx, rx) = oneshot::channel::<()>();
            (Some(tx), Some(rx))
        };
        let session_id = session.id().map(str::to_owned);
        let server = self.server.clone();
        let running = stream.clone();
        tokio::spawn(async move {
            let sink = RequestSink::for_stream(running.clone())
                .with_headers(headers)
                .with_auth(token);
            let handled = server.handle_request(&session, id, &method, params, sink);
            let answer = match gone {
                Some(gone) => tokio::select! {
                    answer = handled => answer,
                    // The client went away: dropping the handler cancels the tool.
                    _ = gone => return,
                },
                None => handled.await,
            };
            running.finish(buffers::into_bytes(answer.unwrap_or(cancelled)));
        });
        let named = self.store.is_some().then(|| stream.id());
        let mut head = VecDeque::new();
        if resumable {
            let priming = EventId {
                stream: stream.id(),
                seq: 0,
            };
            head.push_back(sse::priming_event(&priming, self.config.retry_interval));
        }
        // The head waits for the first message, so a call that answers without notifications goes out as one
        // write (head and whole body), not a head, an event and a closing chunk. A long call's head goes out
        // after a while anyway: with the priming event, or with a keep-alive comment.
        let hold = if resumable {
            Some(PRIMING_HOLD)
        } else {
            self.config.keep_alive
        };
        let first = match hold {
            Some(hold) => tokio::select! {
                biased;
                event = events.recv() => Some(event),
                () = tokio::time::sleep(hold) => None,
            },
            None => Some(events.recv().await),
        };
        let mut ended = false;
        match first {
            Some(Some(event)) => frame_into(&mut head, named, &event),
            // The stream let go of this connection: answered, or closed by the tool.
            Some(None) => ended = true,
            None if !resumable => head.push_back(Bytes::from_static(sse::KEEP_ALIVE)),
            None => {}
        }
        while !ended {
            match events.try_recv() {
                // Messages sent just after the first (or just before the answer): all of them, in order.
                Ok(event) => frame_into(&mut head, named, &event),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => ended = true,
            }
        }
        let body = if ended {
            ResponseBody::Chunks(head)
        } else {
            ResponseBody::Events(EventBody {
                prefix: head,
                rx: events,
                stream: named,
                keep_alive: KeepAlive::new(self.config.keep_alive),
                _connection: connection,
            })
        };
        with_session(event_response(body), session_id.as_deref())
    }

    /// Hands a request outside the MCP paths to the fallback app.
    async fn forward<B>(&self, fallback: &Fallback, req: Request<B>) -> HttpResponse
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = req.into_parts();
        let body = match read_body(body, self.config.max_body_bytes, self.config.body_read_timeout).await {
            Ok(bytes) => Bytes::from(bytes),
            Err(response) => return response,
        };
        let request = FallbackRequest {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or_default().to_owned(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
            body,
        };
        let Ok(head) = fallback.0.call(request).await else {
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        };
        let mut response = Response::new(ResponseBody::Raw(head.body));
        *response.status_mut() = StatusCode::from_u16(head.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        for (name, value) in head.headers {
            if let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(&name),
                HeaderValue::from_bytes(&value),
            ) {
                headers.append(name, value);
            }
        }
        response
    }

    /// `GET /sse`: a new session whose stream carries everything the server sends it.
    fn legacy_open(&self, paths: &LegacySsePaths, caller: Option<[u8; 32]>) -> HttpResponse {
        if self.is_draining() {
            return draining(None);
        }
        let Ok(session) = self.sessions.create() else {
            return plain(StatusCode::SERVICE_UNAVAILABLE, "Too many sessions");
        };
        if let Some(owner) = caller {
            session.bind_owner(owner);
        }
        self.server.register_client(&session);
        let (tx, rx) = mpsc::unbounded_channel();
        session.open_standalone(tx);
        let id = session.id().unwrap_or_default().to_owned();
        let endpoint = format!("event: endpoint\ndata: {}?session_id={id}\n\n", paths.message_path);
        event_response(ResponseBody::Legacy {
            endpoint: Some(Bytes::from(endpoint)),
            rx,
            keep_alive: KeepAlive::new(self.config.keep_alive),
            _session: LegacySessionGuard {
                sessions: self.sessions.clone(),
                id,
            },
        })
    }

    /// `POST /messages/?session_id=…`: 202 at once; the answer goes out on the session's stream.
    async fn legacy_post<B>(&self, req: Request<B>) -> HttpResponse
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let id = req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("session_id="))
                .map(|v| v.replace('-', ""))
        });
        let Some(id) = id else {
            return plain(StatusCode::BAD_REQUEST, "session_id is required");
        };
        let caller = caller(&req);
        let Some(session) = self.sessions.get(&id).filter(|s| s.is_owned_by(caller.as_ref())) else {
            return plain(StatusCode::NOT_FOUND, "Could not find session");
        };
        let Ok(permit) = self.in_flight.clone().try_acquire_owned() else {
            return busy();
        };
        let (parts, body) = req.into_parts();
        let mut bytes = match read_body(body, self.config.max_body_bytes, self.config.body_read_timeout).await {
            Ok(bytes) => bytes,
            Err(response) => return response,
        };
        let message = match Incoming::parse(&mut bytes) {
            Ok(m) => m,
            Err(bad) => {
                session.send_standalone(Outgoing::error(bad.id.as_ref(), &bad.error).into());
                return plain(StatusCode::BAD_REQUEST, "Could not parse message");
            }
        };
        match message {
            Incoming::Response { id, outcome } => {
                session.resolve_outbound(&id, outcome);
            }
            Incoming::Request { id, method, .. } if self.is_draining() && starts_work(&method) => {
                return draining(Some(&id));
            }
            Incoming::Request { .. } => {
                let (tx, mut notes) = mpsc::unbounded_channel::<Bytes>();
                let server = self.server.clone();
                let headers = Arc::new(parts.headers);
                let token = parts.extensions.get::<Arc<AccessToken>>().cloned();
                tokio::spawn(async move {
                    let _permit = permit;
                    let sink = RequestSink::new(tx).with_headers(headers).with_auth(token);
                    let handled = server.handle_incoming(&session, message, sink);
                    tokio::pin!(handled);
                    let answer = loop {
                        tokio::select! {
                            biased;
                            Some(note) = notes.recv() => { session.send_standalone(note); }
                            answer = &mut handled => break answer,
                        }
                    };
                    // Notifications sent just before the answer go out ahead of it.
                    while let Ok(note) = notes.try_recv() {
                        session.send_standalone(note);
                    }
                    if let Some(answer) = answer {
                        session.send_standalone(buffers::into_bytes(answer));
                    }
                });
            }
            Incoming::Notification { .. } => {
                self.server
                    .handle_incoming(&session, message, RequestSink::none())
                    .await;
            }
        }
        plain(StatusCode::ACCEPTED, "Accepted")
    }

    fn get(&self, headers: &HeaderMap, caller: Option<[u8; 32]>) -> HttpResponse {
        if self.config.stateless {
            return method_not_allowed(true);
        }
        if self.is_draining() {
            return draining(None);
        }
        if !accepted_types(headers).1 {
            return rpc_error(
                StatusCode::NOT_ACCEPTABLE,
                ErrorCode::InvalidRequest,
                "Not Acceptable: Client must accept text/event-stream",
            );
        }
        let session = match self.session_for(headers, caller) {
            Ok(s) => s,
            Err(response) => return response,
        };
        if let (Some(_), Some(last)) = (&self.store, headers.get(LAST_EVENT_ID)) {
            return self.resume(&session, last);
        }
        let Some((stream, rx)) = session.open_standalone_stream(self.store.as_ref()) else {
            return rpc_error(
                StatusCode::CONFLICT,
                ErrorCode::InvalidRequest,
                "Conflict: Only one SSE stream is allowed per session",
            );
        };
        let named = self.store.is_some().then_some(stream);
        with_session(self.event_stream(named, rx), session.id())
    }

    /// `GET` with `Last-Event-ID`: the stream that event belongs to, from the event after it, then live. Only
    /// the session's own streams can be resumed: an id from another session (or one whose stream has nothing
    /// left to resume) is refused, and the session goes on as it was.
    fn resume(&self, session: &Session, last: &HeaderValue) -> HttpResponse {
        let resumed = last.to_str().ok().and_then(EventId::parse).and_then(|id| {
            let stream = session.stream(id.stream)?;
            stream.connect(Some(id.seq)).map(|rx| (stream.id(), rx))
        });
        let Some((stream, rx)) = resumed else {
            return rpc_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                "Bad Request: Last-Event-ID names no stream of this session that can be resumed",
            );
        };
        with_session(self.event_stream(Some(stream), rx), session.id())
    }

    fn event_stream(&self, stream: Option<u64>, rx: EventRx) -> HttpResponse {
        event_response(ResponseBody::Events(EventBody {
            prefix: VecDeque::new(),
            rx,
            stream,
            keep_alive: KeepAlive::new(self.config.keep_alive),
            _connection: None,
        }))
    }

    fn delete(&self, headers: &HeaderMap, caller: Option<[u8; 32]>) -> HttpResponse {
        if self.config.stateless {
            return method_not_allowed(true);
        }
        let session = match self.session_for(headers, caller) {
            Ok(s) => s,
            Err(response) => return response,
        };
        self.sessions.remove(session.id().unwrap_or_default());
        empty(StatusCode::OK)
    }
}

/// (accepts application/json, accepts text/event-stream). No `Accept` header means anything goes.
fn accepted_types(headers: &HeaderMap) -> (bool, bool) {
    let mut values = headers.get_all(ACCEPT).iter().peekable();
    if values.peek().is_none() {
        return (true, true);
    }
    let (mut json, mut sse) = (false, false);
    for value in values {
        for item in value.to_str().unwrap_or("").split(',') {
            let media = item.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            match media.as_str() {
                "application/json" | "application/*" => json = true,
                "text/event-stream" | "text/*" => sse = true,
                "*/*" => (json, sse) = (true, true),
                _ => {}
            }
        }
    }
    (json, sse)
}

/// The `MCP-Protocol-Version` header, trimmed (a value that is not text reads as an unknown version).
fn header_version(headers: &HeaderMap) -> Option<String> {
    headers.get(VERSION_HEADER).map(|v| {
        v.to_str()
            .map_or_else(|_| "\u{fffd}".to_owned(), |s| s.trim().to_owned())
    })
}

/// Whether a modern request asked for notifications (progress, log messages), which need a stream.
fn may_notify(params: Option<&serde_json::Map<String, serde_json::Value>>) -> bool {
    params
        .and_then(|p| p.get("_meta"))
        .and_then(|m| m.as_object())
        .is_some_and(|m| m.contains_key("progressToken") || m.contains_key(crate::protocol::modern::META_LOG_LEVEL))
}

fn with_session(mut response: HttpResponse, session_id: Option<&str>) -> HttpResponse {
    if let Some(id) = session_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        response.headers_mut().insert(SESSION_HEADER, id);
    }
    response
}

fn empty(status: StatusCode) -> HttpResponse {
    let mut r = Response::new(ResponseBody::Full(None));
    *r.status_mut() = status;
    r
}

fn plain(status: StatusCode, text: &'static str) -> HttpResponse {
    let mut r = Response::new(ResponseBody::Full(Some(Bytes::from_static(text.as_bytes()))));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

fn json_response(status: StatusCode, body: Vec<u8>, session_id: Option<&str>) -> HttpResponse {
    let mut r = Response::new(ResponseBody::Full(Some(buffers::into_bytes(body))));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    with_session(r, session_id)
}

fn rpc_error(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    json_response(status, Outgoing::error(None, &RpcError::new(code, message)), None)
}

/// The whole body, refused past `max` bytes.
async fn read_body<B>(body: B, max: usize, timeout: Option<Duration>) -> Result<Vec<u8>, HttpResponse>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let collect = http_body_util::Limited::new(body, max).collect();
    let collected = match timeout {
        Some(limit) => {
            let Ok(collected) = tokio::time::timeout(limit, collect).await else {
                let mut r = plain(
                    StatusCode::REQUEST_TIMEOUT,
                    "Request Timeout: the body did not arrive in time",
                );
                r.headers_mut().insert("connection", HeaderValue::from_static("close"));
                return Err(r);
            };
            collected
        }
        None => collect.await,
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(plain(StatusCode::BAD_REQUEST, "Bad Request: could not read the body")),
    }
}

/// A health or readiness answer.
/// The owner digest of the request's verified caller, if requests are authenticated.
fn caller<B>(req: &Request<B>) -> Option<[u8; 32]> {
    req.extensions().get::<Arc<AccessToken>>().map(|t| t.owner())
}

/// The answer to a request the authenticator refused: 401 or 403 with its challenge (counted by reason).
fn auth_refused(auth: &Authenticator, refused: &Refused) -> HttpResponse {
    let challenge = auth.challenge(refused);
    let status = StatusCode::from_u16(challenge.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let has_body = challenge.body.is_some();
    let mut r = Response::new(ResponseBody::Full(challenge.body.map(Bytes::from)));
    *r.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(&challenge.www_authenticate) {
        r.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    if has_body {
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    r.extensions_mut().insert(Refusal(refused.reason()));
    r
}

/// `GET`/`HEAD`/`OPTIONS` of the RFC 9728 document: public, cacheable, readable from any origin.
fn resource_metadata(method: &Method, headers: &HeaderMap, metadata: &ResourceMetadata) -> HttpResponse {
    let preflight = *method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut r = if preflight {
        let mut r = Response::new(ResponseBody::Full(Some(Bytes::from_static(b"OK"))));
        let h = r.headers_mut();
        h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, OPTIONS"));
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        h.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Accept, Accept-Language, Content-Language, Content-Type, mcp-protocol-version"),
        );
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        r
    } else if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        let body = (*method != Method::HEAD).then(|| metadata.document.clone());
        let mut r = Response::new(ResponseBody::Full(body));
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
        r
    } else {
        return allow_only(HeaderValue::from_static("GET, HEAD, OPTIONS"));
    };
    r.headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r.headers_mut().insert(VARY, HeaderValue::from_static("Origin"));
    r
}

fn health(status: StatusCode, word: &str) -> HttpResponse {
    let body = format!("{{\"status\":\"{word}\"}}").into_bytes();
    let mut r = json_response(status, body, None);
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Whether a request starts new work (refused while draining). Listings, pings, discovery and the tasks of
/// calls already made are what a client finishing its work still asks for (the official SDK lists tools
/// to check a result it has just received), so they are answered.
fn starts_work(method: &str) -> bool {
    !matches!(
        method,
        "ping"
            | "tools/list"
            | "resources/list"
            | "resources/templates/list"
            | "prompts/list"
            | "server/discover"
            | "logging/setLevel"
            | "resources/unsubscribe"
            | "tasks/get"
            | "tasks/result"
            | "tasks/list"
            | "tasks/cancel"
    )
}

/// A request that arrives while the server drains: 503, and the connection closes after it.
fn draining(id: Option<&RequestId>) -> HttpResponse {
    let error = RpcError::new(
        ErrorCode::InternalError,
        "Service Unavailable: the server is shutting down",
    );
    let mut r = json_response(StatusCode::SERVICE_UNAVAILABLE, Outgoing::error(id, &error), None);
    r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
    r.headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    r.extensions_mut().insert(Refusal("draining"));
    r
}

/// Why a request was refused before it was served, for the metrics (on the refusing responses only).
#[derive(Debug, Clone, Copy)]
struct Refusal(&'static str);

fn busy() -> HttpResponse {
    let mut r = plain(StatusCode::SERVICE_UNAVAILABLE, "Server busy");
    r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
    r.extensions_mut().insert(Refusal("busy"));
    r
}

fn allow_only(allow: HeaderValue) -> HttpResponse {
    let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    r.headers_mut().insert(ALLOW, allow);
    r
}

fn too_large() -> HttpResponse {
    let mut r = rpc_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::InvalidRequest,
        "Payload Too Large: request body exceeds the limit",
    );
    r.extensions_mut().insert(Refusal("too_large"));
    // The rest of the body is not read, so the connection cannot carry another request: the client is told
    // so instead of finding out on its next one.
    r.headers_mut().insert("connection", HeaderValue::from_static("close"));
    r
}

fn method_not_allowed(stateless: bool) -> HttpResponse {
    let mut r = rpc_error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::InvalidRequest,
        "Method Not Allowed",
    );
    let allow = if stateless { "POST" } else { "GET, POST, DELETE" };
    r.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    r
}

fn event_response(body: ResponseBody) -> HttpResponse {
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies that buffer responses (nginx) would hold notifications back until the stream ends.
    r.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(accept).unwrap());
        h
    }

    #[test]
    fn accept_parsing() {
        assert_eq!(accepted_types(&HeaderMap::new()), (true, true));
        assert_eq!(
            accepted_types(&headers("application/json, text/event-stream")),
            (true, true)
        );
        assert_eq!(accepted_types(&headers("application/json;q=0.9")), (true, false));
        assert_eq!(accepted_types(&headers("text/event-stream")), (false, true));
        assert_eq!(accepted_types(&headers("text/html")), (false, false));
        assert_eq!(accepted_types(&headers("*/*")), (true, true));
    }
}
