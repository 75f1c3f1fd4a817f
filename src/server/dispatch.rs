//! Request dispatch: one place that turns a JSON-RPC request into its answer.

use crate::protocol::{negotiate_handshake_version, ErrorCode, Incoming, Outgoing, RequestId, RpcError};
use crate::server::auth::{AccessToken, ComponentAuth};
use crate::server::context::{InputRound, LogLevel, RequestContext, RequestSink};
use crate::server::registry::KeyView;
use crate::server::registry::{Listed, PromptEntry, Registry, ResourceEntry, TemplateEntry, ToolEntry, ToolRegistry};
use crate::server::session::{ClientView, Session};
use crate::server::upstream::{Forward, HandlerForward};

mod listen;
mod modern;
mod tasks;

use crate::server::metrics::{Metrics, Outcome};
use crate::server::rate_limit::RateLimit;
use crate::server::request_state::StateSealer;
use crate::server::tasks::TaskOptions;
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use listen::Listeners;
pub use modern::{is_modern_request, CacheHint, Reply};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// What the server says about itself in `initialize`.
#[derive(Debug, Clone, Default)]
pub struct ServerInfo {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub website_url: Option<String>,
    /// `serverInfo.icons`, as given (a JSON array of `Icon` objects).
    pub icons: Option<Value>,
}

/// Behaviour switches of the dispatcher.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// `tools/list` page size; `None` lists everything at once.
    pub list_page_size: Option<usize>,
    /// Leave exception details out of errors the core words itself (as the backend does for its own).
    pub mask_error_details: bool,
    /// The caching hint of every cacheable modern result (`cache_ttl=` / `cache_scope=`); a component may
    /// set its own.
    pub cache: CacheHint,
    /// Secrets that seal `requestState` (the first seals, any opens); none means a random key of this process.
    pub request_state_keys: Vec<Vec<u8>>,
    /// How long a sealed `requestState` stays valid (zero: ten minutes).
    pub request_state_ttl: Duration,
    /// How tasks are made and kept (the tasks extension).
    pub tasks: TaskOptions,
}

/// A call handed to the backend. `arguments` is a JSON object; `arguments_valid` says whether it passed the
/// native schema check (a backend may still accept what the check rejects, as pydantic's lax mode does).
pub struct ToolInvocation {
    pub call_id: u64,
    pub tool: Arc<ToolEntry>,
    pub arguments: Value,
    pub arguments_valid: bool,
    pub context: RequestContext,
}

/// What a [`HandlerInvocation`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerKind {
    /// `resources/read`: `arguments` are the template's parameters (empty for a static resource).
    Resource,
    /// `prompts/get`: `arguments` are the prompt's arguments (strings).
    Prompt,
    /// `completion/complete`: `arguments` are the request's params (`ref`, `argument`, `context`).
    Completion,
}

/// A call to a resource, prompt or completion handler.
pub struct HandlerInvocation {
    pub call_id: u64,
    pub handler: u64,
    pub kind: HandlerKind,
    /// The URI read, the prompt's name, or `completion/complete`.
    pub target: String,
    pub arguments: Value,
    pub context: RequestContext,
}

/// A component request (`tools/call`, `*/list`, `resources/read`, `prompts/get`) handed to the backend's
/// middleware chain; the chain's innermost step comes back through [`McpServer::serve_native`].
pub struct MiddlewareInvocation {
    pub call_id: u64,
    pub method: String,
    pub params: Value,
    pub context: RequestContext,
}

/// Runs tool, resource, prompt and completion bodies. The core never knows what language they are written in.
pub trait ToolBackend: Send + Sync + 'static {
    /// Starts a call; the backend sends the `CallToolResult` JSON on `done` when it finishes, or the error to
    /// answer the request with when the call cannot be served at all (a URL elicitation the user must complete
    /// first, a client capability that is missing).
    /// The result may come as JSON text the backend wrote itself ([`Payload::Raw`]: an object whose `_meta`,
    /// if it has one, is its first member), so a large result is serialized once.
    fn invoke(&self, call: ToolInvocation, done: oneshot::Sender<Result<Payload, RpcError>>);
    /// Starts a handler call; the backend sends its result, or the error to answer with, on `done`.
    fn invoke_handler(&self, call: HandlerInvocation, done: oneshot::Sender<Result<Value, RpcError>>);
    /// Asks a running call to stop (a cancelled request, a timeout, a client gone). Best effort.
    fn cancel(&self, call_id: u64);
    /// Runs components' opaque authorization checks (`require_roles`, callables) for one caller; sends one
    /// answer per check, in order. A backend without such checks refuses them all.
    /// Runs a request through the middleware chain; sends the result, or the error to answer with. Only called
    /// once [`McpServer::set_middleware`] turned the chain on.
    fn middleware(&self, call: MiddlewareInvocation, done: oneshot::Sender<Result<Payload, RpcError>>) {
        let _ = call;
        let _ = done.send(Err(RpcError::new(
            ErrorCode::InternalError,
            "this server has no middleware",
        )));
    }
    fn authorize(&self, checks: Vec<u64>, token: Option<Arc<AccessToken>>, done: oneshot::Sender<Vec<bool>>) {
        let _ = token;
        let _ = done.send(vec![false; checks.len()]);
    }
}

/// Which list a `notifications/*/list_changed` is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Tools,
    Resources,
    Prompts,
}

pub struct McpServer {
    pub info: ServerInfo,
    pub options: ServerOptions,
    pub tools: ToolRegistry,
    /// Tools called by an identity address (`__<hash>_<name>`, an app's backend tool as its UI names it),
    /// never listed.
    addressed: RwLock<HashMap<String, Arc<ToolEntry>>>,
    pub resources: Registry<ResourceEntry>,
    pub templates: Registry<TemplateEntry>,
    pub prompts: Registry<PromptEntry>,
    /// The completion handler, if the server has one.
    completion: RwLock<Option<u64>>,
    /// Sessions that can be told about changes (stdio, and HTTP sessions with a handshake).
    clients: Mutex<Vec<Weak<Session>>>,
    backend: Arc<dyn ToolBackend>,
    next_call_id: AtomicU64,
    /// Open `subscriptions/listen` requests.
    listeners: Arc<Listeners>,
    tasks: Arc<tasks::TaskRuntime>,
    /// Caching hints of single components, by `kind:key`.
    component_cache: RwLock<HashMap<String, CacheHint>>,
    sealer: StateSealer,
    /// `serverInfo` as a value and as JSON text (the modern era stamps it on every result).
    server_info_cache: std::sync::OnceLock<(Value, Vec<u8>)>,
    /// Requests being served, so a shutdown can wait for them.
    pub work: Work,
    /// Prometheus metrics, once a transport serves them.
    metrics: std::sync::OnceLock<Arc<Metrics>>,
    /// Rate limits every request passes first (`has_rate_limits`: whether there are any, read first).
    rate_limits: RwLock<Vec<RateLimit>>,
    has_rate_limits: std::sync::atomic::AtomicBool,
    /// Component requests go through the backend's middleware chain.
    middleware: std::sync::atomic::AtomicBool,
    /// Whether tool calls, reads and prompts pass through it too (off for a chain that only traces the
    /// other requests: those are traced where their functions run).
    middleware_calls: std::sync::atomic::AtomicBool,
    /// When set, `tools/list` shows only these tools; the others stay callable (a search transform lists
    /// its own tools in place of the catalogue it searches).
    listed_tools: RwLock<Option<Arc<std::collections::HashSet<String>>>>,
    /// Whether any client may see components differently from the others (`ctx.enable_components`); read
    /// before looking for a client's view, so servers that never use it pay one load.
    views_in_use: std::sync::atomic::AtomicBool,
    /// The views of modern-era clients, by [`McpServer::view_scope`] (a handshake-era client's view lives on
    /// its session).
    scope_views: RwLock<HashMap<String, Arc<ClientView>>>,
    /// Instructions learnt after start-up (a proxy's, from its upstream), used when `info` has none.
    late_instructions: std::sync::OnceLock<String>,
    /// The `serverInfo` a proxy answering as its upstream (`identity="upstream"`) shows in `initialize` and
    /// `server/discover`, learnt after start-up.
    upstream_identity: std::sync::OnceLock<Value>,
    /// Server extensions (SEP-2133) of the backend's own: what `server/discover` advertises under
    /// `capabilities.extensions`, and the request methods they add (served by the backend).
    extensions: RwLock<Arc<Extensions>>,
    /// Proxied resources, templates and prompts the core forwards itself, by handler
    /// (`has_handler_forwards`: whether there are any, read first).
    handler_forwards: RwLock<HashMap<u64, Arc<HandlerForward>>>,
    has_handler_forwards: std::sync::atomic::AtomicBool,
}

/// Requests being served: counted so that a draining server can wait until none is left.
#[derive(Debug, Default)]
pub struct Work {
    count: AtomicUsize,
    idle: Notify,
}

/// One request being served; dropping it ends the request's count.
pub struct WorkGuard<'a>(&'a Work);

impl Work {
    pub fn begin(&self) -> WorkGuard<'_> {
        self.count.fetch_add(1, Ordering::AcqRel);
        WorkGuard(self)
    }

    pub fn in_flight(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves once no request is being served.
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for WorkGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// How waiting for a backend call ended.
enum Waited<T> {
    Done(T),
    /// The backend dropped the call without an answer.
    Dropped,
    Cancelled,
    TimedOut,
}

/// Cancels the backend call when the waiting request goes away before the result arrives.
struct CancelOnDrop<'a> {
    backend: &'a dyn ToolBackend,
    call_id: u64,
    armed: bool,
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.backend.cancel(self.call_id);
        }
    }
}

/// Unregisters an in-flight request however its handling ends.
struct InFlight<'a> {
    session: &'a Session,
    id: &'a RequestId,
}

/// Registers a request as in flight (a cancellation reaches it through the returned signal). The native step
/// inside a middleware chain shares the chain's registration instead of making its own.
fn track<'a>(session: &'a Session, id: &'a RequestId, sink: &RequestSink) -> (Arc<Notify>, Option<InFlight<'a>>) {
    if sink.is_native() {
        if let Some(signal) = session.request_signal(id) {
            return (signal, None);
        }
    }
    (session.begin_request(id), Some(InFlight { session, id }))
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.session.end_request(self.id);
    }
}

/// The text content of an error `CallToolResult`.
pub fn error_result(text: &str) -> Value {
    json!({"content": [{"type": "text", "text": text}], "isError": true})
}

impl McpServer {
    pub fn new(info: ServerInfo, options: ServerOptions, backend: Arc<dyn ToolBackend>) -> Self {
        let ttl = if options.request_state_ttl.is_zero() {
            Duration::from_secs(600)
        } else {
            options.request_state_ttl
        };
        let sealer = StateSealer::new(&options.request_state_keys, ttl);
        let listeners = Arc::new(Listeners::default());
        let tasks = Arc::new(tasks::TaskRuntime::new(options.tasks.clone(), listeners.clone()));
        Self {
            info,
            options,
            tools: ToolRegistry::default(),
            addressed: RwLock::default(),
            resources: Registry::default(),
            templates: Registry::default(),
            prompts: Registry::default(),
            completion: RwLock::new(None),
            clients: Mutex::new(Vec::new()),
            backend,
            next_call_id: AtomicU64::new(1),
            listeners,
            tasks,
            component_cache: RwLock::new(HashMap::new()),
            sealer,
            server_info_cache: std::sync::OnceLock::new(),
            work: Work::default(),
            metrics: std::sync::OnceLock::new(),
            rate_limits: RwLock::new(Vec::new()),
            has_rate_limits: std::sync::atomic::AtomicBool::new(false),
            middleware: std::sync::atomic::AtomicBool::new(false),
            middleware_calls: std::sync::atomic::AtomicBool::new(true),
            listed_tools: RwLock::new(None),
            views_in_use: std::sync::atomic::AtomicBool::new(false),
            scope_views: RwLock::new(HashMap::new()),
            late_instructions: std::sync::OnceLock::new(),
            upstream_identity: std::sync::OnceLock::new(),
            extensions: RwLock::new(Arc::default()),
            handler_forwards: RwLock::new(HashMap::new()),
            has_handler_forwards: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The instructions `initialize` and `server/discover` give.
    pub fn instructions(&self) -> Option<&str> {
        self.info
            .instructions
            .as_deref()
            .or_else(|| self.late_instructions.get().map(String::as_str))
    }

    /// Instructions for a server that was given none (the first call wins); returns whether they apply.
    pub fn set_instructions(&self, text: String) -> bool {
        self.info.instructions.is_none() && self.late_instructions.set(text).is_ok()
    }

    /// The upstream's `serverInfo` (an `Implementation` object), shown in `initialize` and `server/discover`
    /// from now on; returns whether it applies (it is set once).
    pub fn set_upstream_identity(&self, info: Value) -> bool {
        info.is_object() && self.upstream_identity.set(info).is_ok()
    }

    pub(crate) fn upstream_identity(&self) -> Option<&Value> {
        self.upstream_identity.get()
    }

    /// Sets (or, with `None`, clears) the upstream the core forwards the reads or prompts of `handler` to.
    pub fn set_handler_forward(&self, handler: u64, forward: Option<HandlerForward>) {
        let mut forwards = self.handler_forwards.write().unwrap();
        match forward {
            Some(forward) => {
                forwards.insert(handler, Arc::new(forward));
                self.has_handler_forwards.store(true, Ordering::Release);
            }
            None => {
                forwards.remove(&handler);
            }
        }
    }

    fn handler_forward(&self, handler: u64) -> Option<Arc<HandlerForward>> {
        if !self.has_handler_forwards.load(Ordering::Acquire) {
            return None;
        }
        self.handler_forwards.read().unwrap().get(&handler).cloned()
    }

    /// What the backend's extensions advertise, by identifier (a copy).
    pub(crate) fn extension_capabilities(&self) -> Map<String, Value> {
        self.extensions.read().unwrap().capabilities.clone()
    }

    /// From now on, clients' own views are looked for (see [`ClientView`]).
    pub fn use_views(&self) {
        self.views_in_use.store(true, Ordering::Release);
    }

    /// Sets (or, with `None`, drops) the view of the modern-era clients of `scope`.
    pub fn set_scope_view(&self, scope: &str, view: Option<ClientView>) {
        self.use_views();
        let mut views = self.scope_views.write().unwrap();
        match view {
            Some(v) => views.insert(scope.to_owned(), Arc::new(v)),
            None => views.remove(scope),
        };
    }

    /// What identifies a modern-era client from one request to the next, for its view: the verified caller
    /// (`user:`), or the one client of a stdio or in-memory connection (`process`). `None` for an
    /// unauthenticated HTTP request, and for the handshake era (its session keeps its view).
    pub fn view_scope(session: &Session, sink: &RequestSink) -> Option<String> {
        if !session.is_modern() {
            return None;
        }
        if let Some(token) = sink.access_token() {
            return Some(format!(
                "user:{}:{}",
                token.client_id,
                token.subject.as_deref().unwrap_or_default()
            ));
        }
        sink.is_trusted().then(|| "process".to_owned())
    }

    /// The view of the client making a request, if it has one of its own.
    fn view_of(&self, session: &Session, sink: &RequestSink) -> Option<Arc<ClientView>> {
        if !self.views_in_use.load(Ordering::Acquire) {
            return None;
        }
        if !session.is_modern() {
            return session.view();
        }
        let scope = Self::view_scope(session, sink)?;
        self.scope_views.read().unwrap().get(&scope).cloned()
    }

    /// Ends every open `subscriptions/listen` with its graceful-close result (at shutdown).
    pub fn end_subscriptions(&self) {
        self.listeners.close_all();
    }

    /// How many `subscriptions/listen` requests are open.
    pub fn subscription_count(&self) -> usize {
        self.listeners.len()
    }

    /// Whether the tasks extension is served (on the modern era, always).
    pub fn tasks_enabled(&self) -> bool {
        true
    }

    /// Handles any received message. Requests get `Some(answer)`, except a cancelled one; notifications and
    /// responses get `None`.
    pub async fn handle_incoming(
        &self,
        session: &Arc<Session>,
        message: Incoming,
        sink: RequestSink,
    ) -> Option<Vec<u8>> {
        match message {
            Incoming::Request { id, method, params } => self.handle_request(session, id, &method, params, sink).await,
            Incoming::Notification { method, params } => {
                self.handle_notification(session, &method, params, &sink);
                None
            }
            Incoming::Response { id, outcome } => {
                session.resolve_outbound(&id, outcome);
                None
            }
        }
    }

    /// Serves one request in whichever era it belongs to: a modern (2026-07-28) request by its own `_meta`
    /// envelope, anything else in the handshake era of `session`.
    pub async fn handle_request(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Vec<u8>> {
        let _work = self.work.begin();
        // A handshake-era session's request that repeats its client capabilities in `_meta` (SEP-2133's
        // per-request opt-in) but names no modern version stays in the session's era.
        let in_session = session.is_initialized() && crate::protocol::modern::meta_version(params.as_ref()).is_none();
        if modern::is_modern_request(method, params.as_ref()) && !in_session {
            return self
                .handle_modern(session, id, method, params, sink)
                .await
                .map(|r| r.body);
        }
        let started = self.metrics.get().map(|m| (m, Instant::now()));
        let answer = self.handle_legacy(session, &id, method, params, sink).await;
        if let Some((metrics, at)) = started {
            let outcome = match &answer {
                None => Outcome::Cancelled,
                Some(Ok(_)) => Outcome::Ok,
                Some(Err(_)) => Outcome::Error,
            };
            metrics.request(method, outcome, at.elapsed());
        }
        Some(legacy_reply(&id, answer?))
    }

    /// Adds a rate limit, checked after those added before it.
    pub fn add_rate_limit(&self, limit: RateLimit) {
        self.rate_limits.write().unwrap().push(limit);
        self.has_rate_limits.store(true, Ordering::Release);
    }

    /// The refusal of a request a rate limit does not admit (`FastMCP`'s `RateLimitError`, code -32000).
    pub fn rate_limited(&self) -> Option<RpcError> {
        if !self.has_rate_limits.load(Ordering::Acquire) {
            return None;
        }
        let now = Instant::now();
        let refused = self
            .rate_limits
            .read()
            .unwrap()
            .iter()
            .find_map(|limit| limit.admit(now).err())?;
        if let Some(metrics) = self.metrics.get() {
            metrics.refused("rate_limited");
        }
        Some(RpcError::new(ErrorCode::Other(-32000), refused))
    }

    /// Turns the metrics on (a transport that serves them does, once) and returns them.
    pub fn enable_metrics(&self) -> Arc<Metrics> {
        self.metrics.get_or_init(|| Arc::new(Metrics::new())).clone()
    }

    pub fn metrics(&self) -> Option<&Arc<Metrics>> {
        self.metrics.get()
    }

    /// The handshake era's methods.
    async fn handle_legacy(
        &self,
        session: &Arc<Session>,
        id: &RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        if let Some(refused) = self.rate_limited() {
            return Some(Err(refused));
        }
        if self.through_chain(&sink) && !is_component_method(method) {
            // The component methods enter the chain where both eras serve them; the others enter it here.
            return self.through_middleware(session, id.clone(), method, params, sink).await;
        }
        self.serve_legacy(session, id, method, params, sink).await
    }

    /// A handshake-era request, served natively.
    async fn serve_legacy(
        &self,
        session: &Arc<Session>,
        id: &RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        let outcome = match method {
            "initialize" => Ok(self.initialize(session, params.as_ref())),
            "ping" => Ok(json!({})),
            "tools/list" => {
                return Some(
                    self.list(session, id, "tools/list", params.as_ref(), &sink)
                        .await
                        .map(Payload::Raw),
                )
            }
            "resources/list" => {
                return Some(
                    self.list(session, id, "resources/list", params.as_ref(), &sink)
                        .await
                        .map(Payload::Raw),
                )
            }
            "resources/templates/list" => {
                return Some(
                    self.list(session, id, "resources/templates/list", params.as_ref(), &sink)
                        .await
                        .map(Payload::Raw),
                )
            }
            "prompts/list" => {
                return Some(
                    self.list(session, id, "prompts/list", params.as_ref(), &sink)
                        .await
                        .map(Payload::Raw),
                )
            }
            "tools/call" | "resources/read" | "prompts/get" => {
                // Answers and state of input-required rounds exist only in the modern era, where the state is
                // sealed: a handshake-era request cannot hand the code a state of its own making.
                let params = params.map(|mut p| {
                    p.remove("inputResponses");
                    p.remove("requestState");
                    p
                });
                let answer = match method {
                    "tools/call" => self.call_tool(session, id.clone(), params, sink).await,
                    "resources/read" => self.read_resource(session, id.clone(), params, sink).await,
                    _ => self.get_prompt(session, id.clone(), params, sink).await,
                }?;
                return Some(answer.and_then(|payload| handshake_only(method, session, payload)));
            }
            "completion/complete" => return self.complete(session, id.clone(), params, sink).await,
            "resources/subscribe" => Self::uri_param(params.as_ref()).map(|uri| {
                session.subscribe(uri);
                json!({})
            }),
            "resources/unsubscribe" => Self::uri_param(params.as_ref()).map(|uri| {
                session.unsubscribe(uri);
                json!({})
            }),
            "logging/setLevel" => Self::set_level(session, params.as_ref()),
            m if self.serves_extension_method(m, &sink) => {
                return self.through_middleware(session, id.clone(), m, params, sink).await;
            }
            _ => Err(method_not_found(method)),
        };
        Some(outcome.map(Payload::Value))
    }

    /// A client's notification takes effect at once (cancellation above all); with Python middleware, the
    /// chain then sees it too (`on_notification`), as an observer: its answer is not waited for.
    pub fn handle_notification(
        &self,
        session: &Arc<Session>,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: &RequestSink,
    ) {
        match method {
            "notifications/initialized" => session.mark_initialized(),
            "notifications/cancelled" => {
                if let Some(id) = params
                    .as_ref()
                    .and_then(|p| p.get("requestId"))
                    .and_then(RequestId::from_value)
                {
                    session.cancel_request(&id);
                }
            }
            _ => {}
        }
        if self.through_chain(sink) {
            let meta = params.as_ref().and_then(|p| p.get("_meta")).cloned();
            let call = MiddlewareInvocation {
                call_id: self.next_call_id.fetch_add(1, Ordering::Relaxed),
                method: method.to_owned(),
                params: Value::Object(params.unwrap_or_default()),
                context: RequestContext::new(RequestId::null(), session.clone(), meta, sink.clone()),
            };
            // The answer is not waited for, but its receiver is kept until it comes: a closed one marks the
            // call abandoned, and the backend would not start it.
            let (done, answer) = oneshot::channel();
            self.backend.middleware(call, done);
            tokio::spawn(async move {
                let _ = answer.await;
            });
        }
    }

    pub fn capabilities(&self) -> Value {
        let mut caps = json!({
            "logging": {},
            "prompts": {"listChanged": true},
            "resources": {"subscribe": true, "listChanged": true},
            "tools": {"listChanged": true},
        });
        if self.completion.read().unwrap().is_some() {
            caps["completions"] = json!({});
        }
        let extensions = self.extensions.read().unwrap();
        if !extensions.experimental.is_empty() {
            caps["experimental"] = Value::Object(extensions.experimental.clone());
        }
        caps
    }

    /// Sets (or clears) the completion handler; returns the one it replaces.
    pub fn set_completion(&self, handler: Option<u64>) -> Option<u64> {
        std::mem::replace(&mut *self.completion.write().unwrap(), handler)
    }

    /// Lets a session hear about changes: list changes, and updates of resources it subscribed to.
    pub fn register_client(&self, session: &Arc<Session>) {
        let mut clients = self.clients.lock().unwrap();
        // Forget ended sessions whenever the list has doubled since the last sweep.
        if clients.len() >= 64 && clients.len().is_power_of_two() {
            clients.retain(|w| w.strong_count() > 0);
        }
        clients.push(Arc::downgrade(session));
    }

    fn live_clients(&self) -> Vec<Arc<Session>> {
        let mut clients = self.clients.lock().unwrap();
        let mut live = Vec::with_capacity(clients.len());
        clients.retain(|w| match w.upgrade() {
            Some(s) => {
                live.push(s);
                true
            }
            None => false,
        });
        live
    }

    /// Tells every connected client that a list changed (on its GET stream, or over stdio). Returns how many
    /// clients it reached.
    pub fn notify_list_changed(&self, kind: ListKind) -> usize {
        let method = match kind {
            ListKind::Tools => "notifications/tools/list_changed",
            ListKind::Resources => "notifications/resources/list_changed",
            ListKind::Prompts => "notifications/prompts/list_changed",
        };
        let message = bytes::Bytes::from(Outgoing::notification_without_params(method));
        let legacy = self
            .live_clients()
            .iter()
            .filter(|s| s.is_initialized() && s.send_standalone(message.clone()))
            .count();
        legacy + self.listeners.list_changed(kind)
    }

    /// Sends `notifications/resources/updated` to the clients subscribed to `uri`. Returns how many.
    pub fn notify_resource_updated(&self, uri: &str) -> usize {
        let message = bytes::Bytes::from(Outgoing::notification(
            "notifications/resources/updated",
            &json!({"uri": uri}),
        ));
        let legacy = self
            .live_clients()
            .iter()
            .filter(|s| s.is_subscribed(uri) && s.send_standalone(message.clone()))
            .count();
        legacy + self.listeners.resource_updated(uri)
    }

    fn uri_param(params: Option<&Map<String, Value>>) -> Result<&str, RpcError> {
        params
            .and_then(|p| p.get("uri"))
            .and_then(Value::as_str)
            .ok_or_else(|| RpcError::invalid_params("the request needs a uri"))
    }

    fn initialize(&self, session: &Session, params: Option<&Map<String, Value>>) -> Value {
        let requested = params.and_then(|p| p.get("protocolVersion")).and_then(Value::as_str);
        let version = negotiate_handshake_version(requested);
        let client_caps = params
            .and_then(|p| p.get("capabilities"))
            .cloned()
            .unwrap_or_else(|| json!({}));
        session.set_handshake(version, client_caps);
        let mut server_info = Map::new();
        server_info.insert("name".into(), self.info.name.clone().into());
        server_info.insert("version".into(), self.info.version.clone().into());
        if let Some(title) = &self.info.title {
            server_info.insert("title".into(), title.clone().into());
        }
        if let Some(url) = &self.info.website_url {
            server_info.insert("websiteUrl".into(), url.clone().into());
        }
        if let Some(icons) = &self.info.icons {
            server_info.insert("icons".into(), icons.clone());
        }
        let server_info = self.upstream_identity().cloned().unwrap_or(Value::Object(server_info));
        let mut result = Map::new();
        result.insert("protocolVersion".into(), version.into());
        result.insert("capabilities".into(), self.capabilities());
        result.insert("serverInfo".into(), server_info);
        if let Some(instructions) = self.instructions() {
            result.insert("instructions".into(), instructions.into());
        }
        Value::Object(result)
    }

    fn set_level(session: &Session, params: Option<&Map<String, Value>>) -> Result<Value, RpcError> {
        let name = params.and_then(|p| p.get("level")).and_then(Value::as_str);
        let level = name
            .and_then(LogLevel::parse)
            .ok_or_else(|| RpcError::invalid_params(format!("Invalid log level: {}", name.unwrap_or("(missing)"))))?;
        session.set_log_level(level);
        Ok(json!({}))
    }

    /// Turns the middleware chain on or off; with `calls` false, tool calls, reads and prompts skip it.
    pub fn set_middleware(&self, on: bool, calls: bool) {
        self.middleware_calls.store(calls, Ordering::Release);
        self.middleware.store(on, Ordering::Release);
    }

    /// Sets the backend's server extensions: the capabilities `server/discover` advertises (by identifier)
    /// and the request methods they serve. A request for one of those methods goes to the backend, with or
    /// without a middleware chain.
    ///
    /// `experimental` is what both eras advertise under `capabilities.experimental` (`FastMCP`'s
    /// `experimental_capabilities`; empty: nothing).
    pub fn set_extensions(
        &self,
        capabilities: Map<String, Value>,
        methods: Vec<String>,
        experimental: Map<String, Value>,
    ) {
        *self.extensions.write().unwrap() = Arc::new(Extensions {
            capabilities,
            methods: methods.into_iter().collect(),
            experimental,
        });
    }

    /// Whether `method` is a request method an extension serves, for a request not already inside the
    /// backend (whose innermost step is native and never comes back here).
    fn serves_extension_method(&self, method: &str, sink: &RequestSink) -> bool {
        !sink.is_native() && self.extensions.read().unwrap().methods.contains(method)
    }

    fn through_chain(&self, sink: &RequestSink) -> bool {
        !sink.is_native() && self.middleware.load(Ordering::Acquire)
    }

    /// Whether a tool call, read or prompt goes through the chain.
    fn call_through_chain(&self, sink: &RequestSink) -> bool {
        self.through_chain(sink) && self.middleware_calls.load(Ordering::Acquire)
    }

    /// A component request served by the backend's middleware chain, whose innermost step comes back as
    /// [`Self::serve_native`]. A cancellation stops the chain and the call inside it.
    async fn through_middleware(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        let meta = params.as_ref().and_then(|p| p.get("_meta")).cloned();
        let call_id = self.next_call_id.fetch_add(1, Ordering::Relaxed);
        let (cancelled, _in_flight) = track(session, &id, &sink);
        let context = RequestContext::new(id.clone(), session.clone(), meta, sink);
        let (done_tx, done_rx) = oneshot::channel();
        let call = MiddlewareInvocation {
            call_id,
            method: method.to_owned(),
            params: Value::Object(params.unwrap_or_default()),
            context,
        };
        self.backend.middleware(call, done_tx);
        match self.wait_for(call_id, &cancelled, done_rx, None).await {
            Waited::Done(answer) => Some(answer),
            Waited::Dropped | Waited::TimedOut => Some(Err(RpcError::new(
                ErrorCode::InternalError,
                "the middleware ended without a result",
            ))),
            Waited::Cancelled => None,
        }
    }

    /// The innermost step of a middleware chain: the request served as it is without middleware.
    pub async fn serve_native(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        let sink = sink.native();
        match method {
            "tools/call" => self.call_tool(session, id, params, sink).await,
            "resources/read" => self.read_resource(session, id, params, sink).await,
            "prompts/get" => self.get_prompt(session, id, params, sink).await,
            "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list" => Some(
                self.list(session, &id, method, params.as_ref(), &sink)
                    .await
                    .map(Payload::Raw),
            ),
            "server/discover" => Some(Ok(Payload::Value(self.discover()))),
            other => Box::pin(self.serve_legacy(session, &id, other, params, sink)).await,
        }
    }

    /// A `*/list` request: through the middleware chain when there is one, else from the stored listings.
    async fn list(
        &self,
        session: &Arc<Session>,
        id: &RequestId,
        method: &str,
        params: Option<&Map<String, Value>>,
        sink: &RequestSink,
    ) -> Result<Vec<u8>, RpcError> {
        if self.through_chain(sink) {
            let answer = self
                .through_middleware(session, id.clone(), method, params.cloned(), sink.clone())
                .await;
            return match answer {
                Some(Ok(Payload::Raw(raw))) => Ok(raw),
                Some(Ok(Payload::Value(v))) => Ok(serde_json::to_vec(&v).expect("a JSON value serializes")),
                Some(Err(error)) => Err(error),
                None => Err(RpcError::new(ErrorCode::RequestCancelled, "Request cancelled")),
            };
        }
        let view = self.view_of(session, sink);
        let view = view.as_deref();
        match method {
            "tools/list" => {
                let only = self.listed_tools.read().unwrap().clone();
                let seen = view.and_then(|v| v.tools.as_ref());
                self.list_filtered(&self.tools, seen, "tools", params, sink, only.as_deref())
                    .await
            }
            "resources/list" => {
                let seen = view.and_then(|v| v.resources.as_ref());
                self.list_filtered(&self.resources, seen, "resources", params, sink, None)
                    .await
            }
            "resources/templates/list" => {
                let seen = view.and_then(|v| v.templates.as_ref());
                self.list_filtered(&self.templates, seen, "resourceTemplates", params, sink, None)
                    .await
            }
            _ => {
                let seen = view.and_then(|v| v.prompts.as_ref());
                self.list_filtered(&self.prompts, seen, "prompts", params, sink, None)
                    .await
            }
        }
    }

    /// Whether the caller may see and use a component: always over stdio (trusted, as in `FastMCP`); over
    /// HTTP its scopes, then its opaque checks (run by the backend).
    pub(crate) async fn permitted(&self, auth: Option<&ComponentAuth>, sink: &RequestSink) -> bool {
        let Some(auth) = auth else { return true };
        if !sink.checks_auth() {
            return true;
        }
        let token = sink.access_token();
        if !auth.scopes_pass(token.map(|t| &**t)) {
            return false;
        }
        match auth.check {
            None => true,
            Some(check) => self.run_checks(vec![check], token.cloned()).await[0],
        }
    }

    async fn run_checks(&self, checks: Vec<u64>, token: Option<Arc<AccessToken>>) -> Vec<bool> {
        let n = checks.len();
        let (tx, rx) = oneshot::channel();
        self.backend.authorize(checks, token, tx);
        match rx.await {
            Ok(answers) if answers.len() == n => answers,
            // Fail closed: a check that gave no answer denies.
            _ => vec![false; n],
        }
    }

    /// The entries the caller may see, in order (the opaque checks of all of them in one backend call).
    async fn visible<E: Listed>(&self, entries: Vec<Arc<E>>, sink: &RequestSink) -> Vec<Arc<E>> {
        let token = sink.access_token();
        let mut kept: Vec<Arc<E>> = entries
            .into_iter()
            .filter(|e| e.auth().is_none_or(|a| a.scopes_pass(token.map(|t| &**t))))
            .collect();
        let checks: Vec<u64> = kept.iter().filter_map(|e| e.auth().and_then(|a| a.check)).collect();
        if checks.is_empty() {
            return kept;
        }
        let mut answers = self.run_checks(checks, token.cloned()).await.into_iter();
        kept.retain(|e| match e.auth().and_then(|a| a.check) {
            Some(_) => answers.next().unwrap_or(false),
            None => true,
        });
        kept
    }

    /// Shows only the tools named in `only` in `tools/list` (`None`: all of them); the others stay callable.
    pub fn set_listed_tools(&self, only: Option<Vec<String>>) {
        *self.listed_tools.write().unwrap() = only.map(|names| Arc::new(names.into_iter().collect()));
    }

    /// A `*/list` result of the entries a client with `view` sees (`None`: what every client sees), spliced
    /// from the stored listings without re-encoding them. Over HTTP, components the caller may not use are
    /// left out before the page is cut; `only` (when given) keeps only the keys it names.
    async fn list_filtered<E: Listed>(
        &self,
        registry: &Registry<E>,
        view: Option<&KeyView>,
        field: &str,
        params: Option<&Map<String, Value>>,
        sink: &RequestSink,
        only: Option<&std::collections::HashSet<String>>,
    ) -> Result<Vec<u8>, RpcError> {
        let page_size = self.options.list_page_size;
        // Without pagination a cursor means nothing, and is ignored (as FastMCP does).
        let offset = match (page_size, params.and_then(|p| p.get("cursor"))) {
            (None, _) | (_, None | Some(Value::Null)) => 0,
            (Some(_), Some(Value::String(c))) => {
                decode_cursor(c).ok_or_else(|| RpcError::invalid_params(format!("Invalid cursor: {c}")))?
            }
            (Some(_), Some(other)) => return Err(RpcError::invalid_params(format!("Invalid cursor: {other}"))),
        };
        let gated = sink.checks_auth() && registry.any_gated();
        let (page, next) = if gated || only.is_some() || view.is_some() {
            let mut all = if gated {
                self.visible(registry.all_in(view), sink).await
            } else {
                registry.all_in(view)
            };
            if let Some(only) = only {
                all.retain(|e| only.contains(e.key()));
            }
            let end = page_size.map_or(all.len(), |n| offset.saturating_add(n.max(1)).min(all.len()));
            let start = offset.min(end);
            let next = (end < all.len()).then_some(end);
            (all[start..end].to_vec(), next)
        } else {
            registry.page(offset, page_size)
        };
        let mut out = Vec::with_capacity(32 + page.iter().map(|e| e.listing().get().len() + 1).sum::<usize>());
        out.push(b'{');
        serde_json::to_writer(&mut out, field).expect("a string always serializes");
        out.extend_from_slice(b":[");
        for (i, entry) in page.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(entry.listing().get().as_bytes());
        }
        out.push(b']');
        if let Some(next) = next {
            out.extend_from_slice(b",\"nextCursor\":");
            serde_json::to_writer(&mut out, &encode_cursor(next)).expect("a string always serializes");
        }
        out.push(b'}');
        Ok(out)
    }

    /// Waits for a backend call: its answer, a cancellation, or its deadline. If this future is dropped (the
    /// client went away) or gives up, the backend is told to stop the call.
    async fn wait_for<T>(
        &self,
        call_id: u64,
        cancelled: &Notify,
        answer: oneshot::Receiver<T>,
        timeout: Option<Duration>,
    ) -> Waited<T> {
        let mut guard = CancelOnDrop {
            backend: &*self.backend,
            call_id,
            armed: true,
        };
        let deadline = async {
            match timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            outcome = answer => {
                guard.armed = false;
                match outcome {
                    Ok(v) => Waited::Done(v),
                    Err(_) => Waited::Dropped,
                }
            }
            () = cancelled.notified() => Waited::Cancelled,
            () = deadline => Waited::TimedOut,
        }
    }

    /// Runs a resource, prompt or completion handler for a request and answers it.
    async fn run_handler(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        sink: RequestSink,
        call: (HandlerKind, u64, String, Value),
        meta: Option<Value>,
        round: Option<Arc<InputRound>>,
    ) -> Option<Result<Payload, RpcError>> {
        let (kind, handler, target, arguments) = call;
        let call_id = self.next_call_id.fetch_add(1, Ordering::Relaxed);
        let (cancelled, _in_flight) = track(session, &id, &sink);
        let mut context = RequestContext::new(id.clone(), session.clone(), meta, sink);
        context.round = round;
        let (done_tx, done_rx) = oneshot::channel();
        self.backend.invoke_handler(
            HandlerInvocation {
                call_id,
                handler,
                kind,
                target,
                arguments,
                context,
            },
            done_tx,
        );
        match self.wait_for(call_id, &cancelled, done_rx, None).await {
            Waited::Done(Ok(result)) => Some(Ok(Payload::Value(result))),
            Waited::Done(Err(error)) => Some(Err(error)),
            Waited::Dropped | Waited::TimedOut => Some(Err(RpcError::new(
                ErrorCode::InternalError,
                "the handler ended without a result",
            ))),
            Waited::Cancelled => None,
        }
    }

    async fn read_resource(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        if self.call_through_chain(&sink) {
            return self
                .through_middleware(session, id, "resources/read", params, sink)
                .await;
        }
        let mut params = params;
        let uri = match Self::uri_param(params.as_ref()) {
            Ok(uri) => uri.to_owned(),
            Err(error) => return Some(Err(error)),
        };
        let meta = meta(params.as_ref());
        let round = params.as_mut().and_then(InputRound::take);
        let view = self.view_of(session, &sink);
        let (handler, arguments) = match self.find_resource_in(view.as_deref(), &uri) {
            Ok(found) => found,
            Err(error) => return Some(Err(error)),
        };
        if !self
            .permitted(self.resource_auth(view.as_deref(), &uri).as_ref(), &sink)
            .await
        {
            return Some(Err(resource_not_found(&uri)));
        }
        if let Some(forward) = self.handler_forward(handler) {
            return self.forward_read(session, id, sink, meta, &uri, &forward).await;
        }
        let call = (HandlerKind::Resource, handler, uri, arguments);
        self.run_handler(session, id, sink, call, meta, round).await
    }

    /// The handler that serves `uri` and the parameters it gets: a static resource by its exact URI first,
    /// then the first template that matches. A template's parameters are screened before anything runs;
    /// a URI that fails the screening is not found (as `FastMCP` answers it).
    pub fn find_resource(&self, uri: &str) -> Result<(u64, Value), RpcError> {
        self.find_resource_in(None, uri)
    }

    /// [`Self::find_resource`] among what a client with `view` sees.
    fn find_resource_in(&self, view: Option<&ClientView>, uri: &str) -> Result<(u64, Value), RpcError> {
        if let Some(resource) = self.resources.get_in(view.and_then(|v| v.resources.as_ref()), uri) {
            return Ok((resource.handler, Value::Object(Map::new())));
        }
        for template in self.templates.all_in(view.and_then(|v| v.templates.as_ref())) {
            let Some(params) = template.template.matches(uri, &template.list_params) else {
                continue;
            };
            if template
                .screening
                .as_ref()
                .and_then(|s| s.first_failure(&params))
                .is_some()
            {
                break;
            }
            return Ok((template.handler, Value::Object(params.into_iter().collect())));
        }
        Err(resource_not_found(uri))
    }

    /// The `auth=` of what serves `uri` (the static resource, else the first template that matches).
    fn resource_auth(&self, view: Option<&ClientView>, uri: &str) -> Option<ComponentAuth> {
        if let Some(resource) = self.resources.get_in(view.and_then(|v| v.resources.as_ref()), uri) {
            return resource.auth.clone();
        }
        self.templates
            .all_in(view.and_then(|v| v.templates.as_ref()))
            .into_iter()
            .find(|t| t.template.matches(uri, &t.list_params).is_some())
            .and_then(|t| t.auth.clone())
    }

    async fn get_prompt(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        if self.call_through_chain(&sink) {
            return self.through_middleware(session, id, "prompts/get", params, sink).await;
        }
        let mut params = params.unwrap_or_default();
        let meta = params.remove("_meta");
        let Some(Value::String(name)) = params.remove("name") else {
            return Some(Err(RpcError::invalid_params("prompts/get needs a prompt name")));
        };
        let view = self.view_of(session, &sink);
        let prompt = match self
            .prompts
            .get_in(view.as_ref().and_then(|v| v.prompts.as_ref()), &name)
        {
            Some(p) if self.permitted(p.auth.as_ref(), &sink).await => p,
            _ => return Some(Err(RpcError::invalid_params(format!("Unknown prompt: '{name}'")))),
        };
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Some(Err(RpcError::invalid_params("arguments must be an object"))),
        };
        let missing: Vec<&str> = prompt
            .required
            .iter()
            .filter(|r| !arguments.contains_key(r.as_str()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            // FastMCP's wording: the names as a Python set (sorted here, so the message is stable).
            let message = if self.options.mask_error_details {
                format!("Error rendering prompt '{name}'")
            } else {
                let names: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
                format!(
                    "Error rendering prompt '{name}': Missing required arguments: {{{}}}",
                    names.join(", ")
                )
            };
            return Some(Err(RpcError::new(ErrorCode::InternalError, message)));
        }
        if let Some(forward) = self.handler_forward(prompt.handler) {
            return self.forward_prompt(session, id, sink, meta, &forward, arguments).await;
        }
        let round = InputRound::take(&mut params);
        let call = (HandlerKind::Prompt, prompt.handler, name, Value::Object(arguments));
        self.run_handler(session, id, sink, call, meta, round).await
    }

    async fn complete(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        let handler = *self.completion.read().unwrap();
        let Some(handler) = handler else {
            return Some(Err(RpcError {
                code: ErrorCode::MethodNotFound,
                message: "Method not found".into(),
                data: Some("completion/complete".into()),
            }));
        };
        let mut params = params.unwrap_or_default();
        let meta = params.remove("_meta");
        let valid_ref = params
            .get("ref")
            .and_then(|r| r.get("type"))
            .and_then(Value::as_str)
            .is_some_and(|t| t == "ref/prompt" || t == "ref/resource");
        if !valid_ref || !params.get("argument").is_some_and(Value::is_object) {
            return Some(Err(RpcError::invalid_params(
                "completion/complete needs a ref (ref/prompt or ref/resource) and an argument",
            )));
        }
        let call = (
            HandlerKind::Completion,
            handler,
            "completion/complete".to_owned(),
            Value::Object(params),
        );
        self.run_handler(session, id, sink, call, meta, None).await
    }

    async fn call_tool(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        if self.call_through_chain(&sink) {
            return self.through_middleware(session, id, "tools/call", params, sink).await;
        }
        let Some(metrics) = self.metrics.get() else {
            return self.run_tool_call(session, id, params, sink).await;
        };
        let started = Instant::now();
        let name = params
            .as_ref()
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .filter(|n| self.tool_seen(session, &sink, n).is_some())
            .map(str::to_owned);
        let answer = self.run_tool_call(session, id, params, sink).await;
        let outcome = match &answer {
            None => Outcome::Cancelled,
            Some(Err(_)) => Outcome::Error,
            Some(Ok(Payload::Value(v))) if v.get("isError") == Some(&Value::Bool(true)) => Outcome::ToolError,
            Some(Ok(_)) => Outcome::Ok,
        };
        metrics.tool_call(name.as_deref(), outcome, started.elapsed());
        answer
    }

    /// The tool `name` as the client making a request sees it.
    fn tool_seen(&self, session: &Session, sink: &RequestSink, name: &str) -> Option<Arc<ToolEntry>> {
        let found = match self.view_of(session, sink) {
            None => self.tools.get(name),
            Some(view) => self.tools.get_in(view.tools.as_ref(), name),
        };
        found.or_else(|| {
            name.starts_with("__")
                .then(|| self.addressed.read().unwrap().get(name).cloned())
                .flatten()
        })
    }

    /// Registers (or replaces) a tool found by its identity address only; returns the one it replaced.
    pub fn add_addressed_tool(&self, entry: ToolEntry) -> Option<Arc<ToolEntry>> {
        self.addressed
            .write()
            .unwrap()
            .insert(entry.name.clone(), Arc::new(entry))
    }

    /// Removes a tool registered by [`Self::add_addressed_tool`].
    pub fn remove_addressed_tool(&self, name: &str) -> Option<Arc<ToolEntry>> {
        self.addressed.write().unwrap().remove(name)
    }

    async fn run_tool_call(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Payload, RpcError>> {
        let mut params = params.unwrap_or_default();
        let Some(Value::String(name)) = params.remove("name") else {
            return Some(Err(RpcError::invalid_params("tools/call needs a tool name")));
        };
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(v @ Value::Object(_)) => v,
            Some(_) => return Some(Err(RpcError::invalid_params("arguments must be an object"))),
        };
        let tool = match self.tool_seen(session, &sink, &name) {
            Some(tool) if self.permitted(tool.auth.as_ref(), &sink).await => tool,
            // A failed call, in both eras (as FastMCP 4 answers it); a tool the caller may not use is
            // answered as one that does not exist.
            _ => return Some(Ok(Payload::Value(error_result(&format!("Unknown tool: '{name}'"))))),
        };
        let meta = params.remove("_meta");
        if let Some(forward) = tool.forward.clone() {
            return self
                .forward_call(session, id, sink, meta, &tool, forward, arguments)
                .await;
        }
        let round = InputRound::take(&mut params);
        let arguments_valid = tool.arguments_valid(&arguments);
        let call_id = self.next_call_id.fetch_add(1, Ordering::Relaxed);
        let timeout = tool.timeout;
        let tool_name = tool.name.clone();
        let (cancelled, _in_flight) = track(session, &id, &sink);
        let mut context = RequestContext::new(id.clone(), session.clone(), meta, sink);
        context.round = round;
        let (done_tx, done_rx) = oneshot::channel();
        self.backend.invoke(
            ToolInvocation {
                call_id,
                tool,
                arguments,
                arguments_valid,
                context,
            },
            done_tx,
        );
        match self.wait_for(call_id, &cancelled, done_rx, timeout).await {
            Waited::Done(Ok(result)) => Some(Ok(result)),
            Waited::Done(Err(error)) => Some(Err(error)),
            Waited::Dropped => Some(Err(RpcError::new(
                ErrorCode::InternalError,
                "the tool ended without a result",
            ))),
            Waited::Cancelled => None,
            Waited::TimedOut => Some(Ok(Payload::Value(timed_out(&tool_name, timeout)))),
        }
    }
}

impl McpServer {
    /// A proxied tool's call, forwarded to its upstream by the core: its arguments as they came (the
    /// upstream checks them), its result relayed as the upstream wrote it, and a failure to get one the
    /// failed call `FastMCP` 4's proxy answers.
    #[allow(clippy::too_many_arguments)]
    async fn forward_call(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        sink: RequestSink,
        meta: Option<Value>,
        tool: &ToolEntry,
        forward: Forward,
        arguments: Value,
    ) -> Option<Result<Payload, RpcError>> {
        let (cancelled, _in_flight) = track(session, &id, &sink);
        let context = RequestContext::new(id.clone(), session.clone(), meta, sink);
        let mut params = Map::with_capacity(2);
        params.insert("name".into(), Value::String(forward.name.clone()));
        params.insert("arguments".into(), arguments);
        let call = forward.upstream.request(Some(&context), "tools/call", params, true);
        let deadline = async {
            match tool.timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let answer = tokio::select! {
            answer = call => answer,
            () = cancelled.notified() => return None,
            () = deadline => return Some(Ok(Payload::Value(timed_out(&tool.name, tool.timeout)))),
        };
        Some(Ok(Payload::Value(match answer {
            Ok(result) => forward.upstream.relayed_call(result),
            Err(_) if self.options.mask_error_details => error_result(&format!("Error calling tool '{}'", tool.name)),
            Err(e) => error_result(&format!("Error calling tool '{}': {e}", tool.name)),
        })))
    }
}

impl McpServer {
    /// A proxied resource's (or template's) read, forwarded by the core: the upstream's JSON-RPC error as
    /// it answered it, a failure to reach it `FastMCP` 4's proxy's internal error.
    async fn forward_read(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        sink: RequestSink,
        meta: Option<Value>,
        uri: &str,
        forward: &HandlerForward,
    ) -> Option<Result<Payload, RpcError>> {
        let mut params = Map::with_capacity(1);
        params.insert("uri".into(), Value::String(forward.backend_uri(uri)));
        let answer = self
            .forwarded(session, id, sink, meta, forward, "resources/read", params)
            .await?;
        Some(match answer {
            Ok(result) => forward
                .upstream
                .relayed_read(result, uri)
                .map(Payload::Value)
                .map_err(|why| RpcError::new(ErrorCode::InternalError, why)),
            Err(crate::server::upstream::UpstreamError::Rejected { code, message, data }) => {
                Err(RpcError::with_code(code, message, data))
            }
            Err(e) => Err(RpcError::new(
                ErrorCode::InternalError,
                format!("Error reading resource '{uri}': {e}"),
            )),
        })
    }

    /// A proxied prompt, forwarded by the core (its arguments as they came, none sent when there are none).
    async fn forward_prompt(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        sink: RequestSink,
        meta: Option<Value>,
        forward: &HandlerForward,
        arguments: Map<String, Value>,
    ) -> Option<Result<Payload, RpcError>> {
        let name = forward.backend_uri("");
        let mut params = Map::with_capacity(2);
        params.insert("name".into(), Value::String(name.clone()));
        if !arguments.is_empty() {
            params.insert("arguments".into(), Value::Object(arguments));
        }
        let answer = self
            .forwarded(session, id, sink, meta, forward, "prompts/get", params)
            .await?;
        Some(match answer {
            Ok(result) => Ok(Payload::Value(forward.upstream.relayed_prompt(result))),
            Err(crate::server::upstream::UpstreamError::Rejected { code, message, data }) => {
                Err(RpcError::with_code(code, message, data))
            }
            Err(e) => Err(RpcError::new(
                ErrorCode::InternalError,
                format!("Error rendering prompt '{name}': {e}"),
            )),
        })
    }

    /// One request sent upstream for a forwarded read or prompt, with the request's `_meta` (its progress
    /// relayed); `None` when the client cancelled it.
    #[allow(clippy::too_many_arguments)]
    async fn forwarded(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        sink: RequestSink,
        meta: Option<Value>,
        forward: &HandlerForward,
        method: &str,
        params: Map<String, Value>,
    ) -> Option<Result<Value, crate::server::upstream::UpstreamError>> {
        let (cancelled, _in_flight) = track(session, &id, &sink);
        let context = RequestContext::new(id.clone(), session.clone(), meta, sink);
        let call = forward.upstream.request(Some(&context), method, params, true);
        tokio::select! {
            answer = call => Some(answer),
            () = cancelled.notified() => None,
        }
    }
}

/// The failed call of a tool that ran past its timeout, worded as `FastMCP` words it.
fn timed_out(tool_name: &str, timeout: Option<Duration>) -> Value {
    let secs = timeout.unwrap_or(Duration::ZERO).as_secs_f64();
    let secs = if secs.fract() == 0.0 {
        format!("{secs:.1}")
    } else {
        secs.to_string()
    };
    error_result(&format!(
        "Error calling tool '{tool_name}': Tool '{tool_name}' execution timed out after {secs}s"
    ))
}

/// A result on its way out: a JSON value, or JSON text already spliced together (the lists, and tool
/// results the backend serialized itself).
#[derive(Debug)]
pub enum Payload {
    Value(Value),
    Raw(Vec<u8>),
}

impl Payload {
    /// The result as a JSON value (parsing the text of a raw one): for the paths that keep or inspect it.
    pub fn into_value(self) -> Result<Value, RpcError> {
        match self {
            Self::Value(v) => Ok(v),
            Self::Raw(raw) => serde_json::from_slice(&raw)
                .map_err(|e| RpcError::new(ErrorCode::InternalError, format!("a result is not JSON: {e}"))),
        }
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

/// A handshake-era answer: the result as it is, or the error.
fn legacy_reply(id: &RequestId, answer: Result<Payload, RpcError>) -> Vec<u8> {
    match answer {
        Ok(Payload::Value(v)) => Outgoing::result(id, &v),
        Ok(Payload::Raw(raw)) => Outgoing::result_raw_owned(id, raw),
        Err(error) => Outgoing::error(Some(id), &error),
    }
}

/// An input-required result exists only in the modern era: on a handshake session it is refused, as
/// `FastMCP` 4 refuses it.
fn handshake_only(method: &str, session: &Session, payload: Payload) -> Result<Payload, RpcError> {
    let asks =
        matches!(&payload, Payload::Value(v) if v.get("resultType").and_then(Value::as_str) == Some("input_required"));
    if !asks {
        return Ok(payload);
    }
    let what = match method {
        "tools/call" => "A tool",
        "prompts/get" => "A prompt",
        _ => "A resource",
    };
    let version = session.protocol_version().unwrap_or("(none)");
    Err(RpcError::invalid_params(format!(
        "{what} returned an InputRequiredResult to request client input, but the multi-round-trip result type \
         (SEP-2322) only exists at MCP 2026-07-28; this connection negotiated '{version}'. Use ctx.elicit() for \
         server-initiated input on handshake-era connections."
    )))
}

/// The server extensions a backend registered (see [`McpServer::set_extensions`]).
#[derive(Default)]
struct Extensions {
    capabilities: Map<String, Value>,
    methods: std::collections::HashSet<String>,
    experimental: Map<String, Value>,
}

fn method_not_found(method: &str) -> RpcError {
    RpcError {
        code: ErrorCode::MethodNotFound,
        message: "Method not found".into(),
        data: Some(Value::String(method.to_owned())),
    }
}

fn meta(params: Option<&Map<String, Value>>) -> Option<Value> {
    params.and_then(|p| p.get("_meta")).cloned()
}

/// Cursors are opaque to clients. Ours are the ones `FastMCP` hands out: URL-safe base64 of `{"o": offset}`, so a cursor
/// handed out by either server means the same page.
fn encode_cursor(offset: usize) -> String {
    URL_SAFE.encode(format!("{{\"o\": {offset}}}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    if cursor.is_empty() {
        return Some(0);
    }
    let raw = URL_SAFE.decode(cursor).ok()?;
    let state: Value = serde_json::from_slice(&raw).ok()?;
    usize::try_from(state.get("o")?.as_u64()?).ok()
}

/// The requests a middleware chain wraps where both eras serve them.
fn is_component_method(method: &str) -> bool {
    matches!(
        method,
        "tools/call"
            | "resources/read"
            | "prompts/get"
            | "tools/list"
            | "resources/list"
            | "resources/templates/list"
            | "prompts/list"
    )
}

fn resource_not_found(uri: &str) -> RpcError {
    RpcError {
        code: ErrorCode::InvalidParams,
        message: format!("Resource not found: '{uri}'"),
        data: Some(json!({"uri": uri})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::LATEST_HANDSHAKE_VERSION;
    use std::sync::Mutex;

    /// A backend that answers from Rust: echoes arguments, or never answers for tools "hang" and "slow".
    #[derive(Default)]
    struct EchoBackend {
        cancelled: Mutex<Vec<u64>>,
        parked: Mutex<Vec<oneshot::Sender<Result<Payload, RpcError>>>>,
    }

    impl ToolBackend for EchoBackend {
        fn invoke(&self, call: ToolInvocation, done: oneshot::Sender<Result<Payload, RpcError>>) {
            if call.tool.name == "hang" || call.tool.name == "slow" {
                self.parked.lock().unwrap().push(done);
                return;
            }
            if call.tool.name == "refuse" {
                let data = json!({"elicitations": []});
                let _ = done.send(Err(RpcError::with_code(-32042, "URL elicitation required", Some(data))));
                return;
            }
            if call.tool.name == "raw" {
                // A result the backend serialized itself, with a `_meta` of its own in front.
                let raw = br#"{"_meta":{"fastmcp":{"wrap_result":true}},"content":[{"type":"text","text":"[1,2]"}],"isError":false,"structuredContent":{"result":[1,2]}}"#;
                let _ = done.send(Ok(Payload::Raw(raw.to_vec())));
                return;
            }
            call.context.log(LogLevel::Info, json!("working"), None);
            call.context.progress(1.0, Some(2.0), None);
            let text = format!("{}:{}", call.arguments, call.arguments_valid);
            let _ = done.send(Ok(
                json!({"content": [{"type": "text", "text": text}], "isError": false}).into(),
            ));
        }
        fn invoke_handler(&self, call: HandlerInvocation, done: oneshot::Sender<Result<Value, RpcError>>) {
            if call.target == "ask://client" {
                // Asks the client a question, then answers with what it said.
                tokio::spawn(async move {
                    let answer = call.context.request("roots/list", &json!({})).await;
                    let _ = done.send(Ok(json!({"asked": answer.ok()})));
                });
                return;
            }
            let _ = done.send(Ok(json!({"target": call.target, "arguments": call.arguments})));
        }
        fn cancel(&self, call_id: u64) {
            self.cancelled.lock().unwrap().push(call_id);
        }
        fn middleware(&self, call: MiddlewareInvocation, done: oneshot::Sender<Result<Payload, RpcError>>) {
            // An extension's method: answered with what reached the backend.
            let _ = done.send(Ok(json!({"method": call.method, "params": call.params}).into()));
        }
    }

    fn server(page: Option<usize>) -> (McpServer, Arc<EchoBackend>) {
        let backend = Arc::new(EchoBackend::default());
        let info = ServerInfo {
            name: "t".into(),
            version: "1.0".into(),
            ..Default::default()
        };
        let s = McpServer::new(
            info,
            ServerOptions {
                list_page_size: page,
                mask_error_details: false,
                ..Default::default()
            },
            backend.clone(),
        );
        for (i, name) in ["add", "hang", "slow", "refuse"].iter().enumerate() {
            let def =
                json!({"name": name, "inputSchema": {"type": "object", "properties": {"a": {"type": "integer"}}}});
            let timeout = (*name == "slow").then(|| Duration::from_millis(20));
            s.tools.insert(ToolEntry::new(&def, i as u64, timeout).unwrap());
        }
        (s, backend)
    }

    async fn ask(s: &McpServer, session: &Arc<Session>, body: &str, sink: RequestSink) -> Option<Value> {
        let mut b = body.as_bytes().to_vec();
        let msg = Incoming::parse(&mut b).unwrap();
        s.handle_incoming(session, msg, sink)
            .await
            .map(|out| serde_json::from_slice(&out).unwrap())
    }

    fn raw(v: &Value) -> Box<serde_json::value::RawValue> {
        serde_json::value::to_raw_value(v).unwrap()
    }

    #[tokio::test]
    async fn raw_tool_results_go_out_as_written_in_both_eras() {
        let (s, _) = server(None);
        s.tools
            .insert(ToolEntry::new(&json!({"name": "raw", "inputSchema": {"type": "object"}}), 9, None).unwrap());
        let session = Arc::new(Session::new(None));
        let call = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"raw"}}"#;
        let r = ask(&s, &session, call, RequestSink::none()).await.unwrap();
        assert_eq!(
            r["result"],
            json!({"_meta": {"fastmcp": {"wrap_result": true}}, "content": [{"type": "text", "text": "[1,2]"}],
                   "isError": false, "structuredContent": {"result": [1, 2]}})
        );
        // A modern answer merges its own `_meta` (serverInfo) with the result's instead of repeating the key.
        let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"raw","_meta":{
            "io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
        let out = {
            let mut b = call.as_bytes().to_vec();
            let msg = Incoming::parse(&mut b).unwrap();
            s.handle_incoming(&session, msg, RequestSink::none()).await.unwrap()
        };
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("\"_meta\"").count(), 1, "{text}");
        let r: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(r["result"]["resultType"], "complete");
        assert_eq!(r["result"]["_meta"]["fastmcp"], json!({"wrap_result": true}));
        assert!(
            r["result"]["_meta"][crate::protocol::modern::META_SERVER_INFO].is_object(),
            "{text}"
        );
        assert_eq!(r["result"]["structuredContent"], json!({"result": [1, 2]}));
    }

    #[tokio::test]
    async fn resources_prompts_and_subscriptions() {
        use crate::server::registry::{PromptEntry, ResourceEntry, TemplateEntry};
        use crate::server::uri_template::{Screening, UriTemplate};
        let (s, _) = server(None);
        s.resources.insert(ResourceEntry {
            auth: None,
            uri: "data://config".into(),
            listing: raw(&json!({"uri": "data://config", "name": "config"})),
            handler: 10,
        });
        for t in ["users://{id}/profile", "files://{path*}", "ask://client"] {
            s.templates.insert(TemplateEntry {
                auth: None,
                template: UriTemplate::parse(t).unwrap(),
                listing: raw(&json!({"uriTemplate": t})),
                handler: 11,
                list_params: std::collections::HashSet::new(),
                screening: Some(Screening::default()),
            });
        }
        s.prompts.insert(PromptEntry {
            auth: None,
            name: "p".into(),
            listing: raw(&json!({"name": "p"})),
            handler: 12,
            required: vec!["a".into(), "b".into()],
        });
        let session = Arc::new(Session::new(None));
        let ask_one = |body: &'static str| {
            let (s, session) = (&s, session.clone());
            async move { ask(s, &session, body, RequestSink::none()).await.unwrap() }
        };
        let r = ask_one(r#"{"jsonrpc":"2.0","id":1,"method":"resources/templates/list"}"#).await;
        assert_eq!(r["result"]["resourceTemplates"].as_array().unwrap().len(), 3);
        let r =
            ask_one(r#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"users://7/profile"}}"#).await;
        assert_eq!(r["result"]["arguments"], json!({"id": "7"}));
        let r = ask_one(
            r#"{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"files://a/%2e%2e/%2E%2E/x"}}"#,
        )
        .await;
        assert_eq!(r["error"]["code"], -32602);
        assert_eq!(r["error"]["data"]["uri"], "files://a/%2e%2e/%2E%2E/x");
        let r = ask_one(r#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"data://config"}}"#).await;
        assert_eq!(r["result"]["target"], "data://config");
        let r =
            ask_one(r#"{"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"p","arguments":{"b":"x"}}}"#)
                .await;
        assert_eq!(
            r["error"]["message"],
            "Error rendering prompt 'p': Missing required arguments: {'a'}"
        );
        let r = ask_one(r#"{"jsonrpc":"2.0","id":6,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":""}}}"#).await;
        assert_eq!(r["error"]["code"], -32601);

        // Subscriptions: only subscribed sessions hear about updates; list changes reach every client.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        session.open_standalone(tx);
        session.mark_initialized();
        s.register_client(&session);
        assert_eq!(s.notify_resource_updated("data://config"), 0);
        ask_one(r#"{"jsonrpc":"2.0","id":7,"method":"resources/subscribe","params":{"uri":"data://config"}}"#).await;
        assert_eq!(s.notify_resource_updated("data://config"), 1);
        let note: Value = serde_json::from_slice(&rx.recv().await.unwrap()).unwrap();
        assert_eq!(note["params"]["uri"], "data://config");
        assert_eq!(s.notify_list_changed(ListKind::Prompts), 1);
        let note: Value = serde_json::from_slice(&rx.recv().await.unwrap()).unwrap();
        assert_eq!(
            note,
            json!({"jsonrpc": "2.0", "method": "notifications/prompts/list_changed"})
        );
        ask_one(r#"{"jsonrpc":"2.0","id":8,"method":"resources/unsubscribe","params":{"uri":"data://config"}}"#).await;
        assert_eq!(s.notify_resource_updated("data://config"), 0);

        // A handler that asks the client something: the request goes out, the client's answer comes back.
        let (s, session) = (Arc::new(s), session.clone());
        let (s2, sess2) = (s.clone(), session.clone());
        let pending = tokio::spawn(async move {
            ask_owned(
                &s2,
                &sess2,
                r#"{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"ask://client"}}"#,
            )
            .await
        });
        let request: Value = serde_json::from_slice(&rx.recv().await.unwrap()).unwrap();
        assert_eq!(request["method"], "roots/list");
        let reply = format!(r#"{{"jsonrpc":"2.0","id":{},"result":{{"roots":[]}}}}"#, request["id"]);
        assert!(ask(&s, &session, &reply, RequestSink::none()).await.is_none());
        let r = pending.await.unwrap();
        assert_eq!(r["result"]["asked"], json!({"roots": []}));
    }

    async fn ask_owned(s: &McpServer, session: &Arc<Session>, body: &str) -> Value {
        ask(s, session, body, RequestSink::none()).await.unwrap()
    }

    #[tokio::test]
    async fn initialize_negotiates() {
        let (s, _) = server(None);
        let session = Arc::new(Session::new(None));
        let r = ask(&s, &session, r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#, RequestSink::none()).await.unwrap();
        assert_eq!(r["result"]["protocolVersion"], "2024-11-05");
        assert_eq!(r["result"]["serverInfo"]["name"], "t");
        assert_eq!(session.protocol_version(), Some("2024-11-05"));
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2099-01-01"}}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["result"]["protocolVersion"], LATEST_HANDSHAKE_VERSION);
    }

    #[tokio::test]
    async fn unknown_method_and_bad_level() {
        let (s, _) = server(None);
        let session = Arc::new(Session::new(None));
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":1,"method":"nope"}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["error"]["code"], -32601);
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"loud"}}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["error"]["code"], -32602);
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":[1]}}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["error"]["code"], -32602);
    }

    #[test]
    fn cursors_match_fastmcp() {
        assert_eq!(encode_cursor(2), "eyJvIjogMn0=");
        assert_eq!(encode_cursor(38), "eyJvIjogMzh9");
        assert_eq!(decode_cursor("eyJvIjogMn0="), Some(2));
        assert_eq!(decode_cursor(""), Some(0));
        assert_eq!(decode_cursor("not-a-cursor"), None);
    }

    #[tokio::test]
    async fn list_pages_with_cursor() {
        let (s, _) = server(Some(2));
        let session = Arc::new(Session::new(None));
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["result"]["tools"].as_array().unwrap().len(), 2);
        let cursor = r["result"]["nextCursor"].as_str().unwrap().to_owned();
        let body = format!(r#"{{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{{"cursor":"{cursor}"}}}}"#);
        let r = ask(&s, &session, &body, RequestSink::none()).await.unwrap();
        assert_eq!(r["result"]["tools"][0]["name"], "slow");
        assert!(r["result"].get("nextCursor").is_none());
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"zz"}}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["error"]["code"], -32602);
    }

    #[tokio::test]
    async fn call_validates_notifies_and_answers() {
        let (s, _) = server(None);
        let session = Arc::new(Session::new(None));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let r = ask(&s, &session, r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":"x"},"_meta":{"progressToken":"p"}}}"#, RequestSink::new(tx)).await.unwrap();
        assert_eq!(r["result"]["content"][0]["text"], r#"{"a":"x"}:false"#);
        let log: Value = serde_json::from_slice(&rx.recv().await.unwrap()).unwrap();
        assert_eq!(log["method"], "notifications/message");
        let progress: Value = serde_json::from_slice(&rx.recv().await.unwrap()).unwrap();
        assert_eq!(
            progress["params"],
            json!({"progressToken": "p", "progress": 1.0, "total": 2.0})
        );
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["result"]["isError"], true);
        // A call the backend refuses outright is answered with its JSON-RPC error, not a tool result.
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"refuse"}}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["error"]["code"], -32042);
        assert_eq!(r["error"]["data"], json!({"elicitations": []}));
        assert!(r.get("result").is_none());
    }

    #[tokio::test]
    async fn cancellation_and_timeout_cancel_the_backend_call() {
        let (s, backend) = server(None);
        let s = Arc::new(s);
        let session = Arc::new(Session::new(None));
        let (s2, sess2) = (s.clone(), session.clone());
        let pending = tokio::spawn(async move {
            ask(
                &s2,
                &sess2,
                r#"{"jsonrpc":"2.0","id":"h","method":"tools/call","params":{"name":"hang"}}"#,
                RequestSink::none(),
            )
            .await
        });
        while session.in_flight_count() == 0 {
            tokio::task::yield_now().await;
        }
        assert!(ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"h"}}"#,
            RequestSink::none()
        )
        .await
        .is_none());
        assert!(pending.await.unwrap().is_none());
        assert_eq!(backend.cancelled.lock().unwrap().len(), 1);
        assert_eq!(session.in_flight_count(), 0);

        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow"}}"#,
            RequestSink::none(),
        )
        .await;
        let r = r.unwrap();
        assert_eq!(r["result"]["isError"], true);
        assert!(r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("timed out"));
        assert_eq!(backend.cancelled.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn extensions_methods_and_capabilities() {
        let (s, _) = server(None);
        let mut caps = Map::new();
        caps.insert("com.example/counter".into(), json!({"max": 3}));
        let mut experimental = Map::new();
        experimental.insert("beta".into(), json!({"on": true}));
        s.set_extensions(caps, vec!["counter/get".into()], experimental);
        let session = Arc::new(Session::new(None));
        let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
        let r = ask(&s, &session, init, RequestSink::none()).await.unwrap();
        // The handshake era advertises experimental capabilities, not extensions.
        assert_eq!(
            r["result"]["capabilities"]["experimental"],
            json!({"beta": {"on": true}})
        );
        assert!(r["result"]["capabilities"].get("extensions").is_none());
        let _ = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            RequestSink::none(),
        )
        .await;
        // An extension's method reaches the backend, with the per-request opt-in in `_meta` kept in the
        // session's era (no modern version named).
        let get = r#"{"jsonrpc":"2.0","id":2,"method":"counter/get","params":{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"extensions":{"com.example/counter":{}}}}}}"#;
        let r = ask(&s, &session, get, RequestSink::none()).await.unwrap();
        assert_eq!(r["result"]["method"], "counter/get");
        assert!(r["result"].get("resultType").is_none(), "{r}");
        let r = ask(
            &s,
            &session,
            r#"{"jsonrpc":"2.0","id":3,"method":"counter/nope"}"#,
            RequestSink::none(),
        )
        .await
        .unwrap();
        assert_eq!(r["error"]["code"], -32601);
        // Inside the backend (a native sink), the method is not routed back to it.
        let answer = s
            .serve_native(
                &session,
                RequestId::from_value(&json!(4)).unwrap(),
                "counter/get",
                None,
                RequestSink::none(),
            )
            .await
            .unwrap();
        assert_eq!(answer.unwrap_err().code.code(), -32601);
        // The modern era: discovery merges the extensions, and the method's answer is completed.
        let meta = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#;
        let fresh = Arc::new(Session::new(None));
        let discover = format!(r#"{{"jsonrpc":"2.0","id":5,"method":"server/discover","params":{{{meta}}}}}"#);
        let r = ask(&s, &fresh, &discover, RequestSink::none()).await.unwrap();
        let caps = &r["result"]["capabilities"];
        assert_eq!(caps["extensions"]["com.example/counter"], json!({"max": 3}));
        assert_eq!(caps["experimental"], json!({"beta": {"on": true}}));
        let get = format!(r#"{{"jsonrpc":"2.0","id":6,"method":"counter/get","params":{{{meta}}}}}"#);
        let r = ask(&s, &fresh, &get, RequestSink::none()).await.unwrap();
        assert_eq!(r["result"]["method"], "counter/get");
        assert_eq!(r["result"]["resultType"], "complete");
    }
}
