//! A proxy's upstream MCP server over Streamable HTTP, spoken by the core (`create_proxy(url)`).
//!
//! What a proxy forwards (a `tools/call` above all, but also its listings, reads and prompts) goes out on a
//! pooled hyper client with no Python step. Each downstream session gets an upstream session of its own,
//! opened by one `initialize` on its first request and reused for every later one (its `Mcp-Session-Id`
//! kept); requests that belong to no session, and the proxy's own fetches, share one. An upstream session is
//! ended with a `DELETE` when its downstream session ends. While the upstream answers a request, what it
//! sends on that request's stream is relayed to the downstream request that caused it: progress, log
//! messages, list changes, and its own requests (sampling, elicitation, roots), whose answers are carried
//! back. A request the downstream client gives up on is cancelled upstream (`notifications/cancelled`).

use crate::server::context::{ClientRequestError, LogLevel, RequestContext};
use crate::server::dispatch::ListKind;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// The protocol version a proxy asks its upstream for (the newest of the handshake era).
pub const HANDSHAKE_VERSION: &str = "2025-11-25";
/// How long the upstream may stay silent on a request's stream (as the SDK's client waits: five minutes).
const READ_IDLE: Duration = Duration::from_secs(300);
/// How long connecting and the answer's headers may take.
const CONNECT: Duration = Duration::from_secs(30);
/// The largest single message read from the upstream.
const MAX_MESSAGE: usize = 64 << 20;
/// `_meta` keys that describe one connection: never carried from one side of the proxy to the other.
const CONNECTION_KEYS: [&str; 3] = [
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientInfo",
    "io.modelcontextprotocol/clientCapabilities",
];
const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

fn http_client() -> HttpsClient {
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = match builder.with_native_roots() {
        Ok(b) => b,
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_webpki_roots(),
    };
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(CONNECT));
    let connector = builder.https_or_http().enable_http1().wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .build(connector)
}

/// How a proxy reaches its upstream.
#[derive(Debug, Clone, Default)]
pub struct UpstreamConfig {
    pub url: String,
    /// The transport's own headers (sent on every request; they win over the client's).
    pub headers: Vec<(String, String)>,
    /// Whether the headers of the downstream request go upstream too (its `Authorization` among them).
    pub forward_headers: bool,
    /// Downstream headers never carried (they belong to one hop), lowercase. `mcp-*` ones never are.
    pub unforwarded: Vec<String>,
    /// `clientInfo` of the upstream `initialize`.
    pub client_name: String,
    pub client_version: String,
    /// The proxy answers as the upstream (`identity="upstream"`): the upstream's `serverInfo` in a result's
    /// `_meta` is kept.
    pub as_upstream: bool,
}

/// Why the upstream gave no result.
#[derive(Debug, Clone, PartialEq)]
pub enum UpstreamError {
    /// The upstream answered with this JSON-RPC error.
    Rejected {
        code: i64,
        message: String,
        data: Option<Value>,
    },
    /// It could not be reached, or its answer could not be read.
    Failed(String),
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected { message, .. } => f.write_str(message),
            Self::Failed(why) => write!(f, "Client failed to connect: {why}"),
        }
    }
}

/// One upstream session: what its `initialize` settled.
pub struct Link {
    session_id: Option<HeaderValue>,
    version: HeaderValue,
    /// The upstream's `initialize` result.
    pub initialized: Value,
    endpoint: Arc<Endpoint>,
    /// The task that listens on the session's GET stream (list changes told outside any request).
    listener: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Drop for Link {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.lock().unwrap().take() {
            listener.abort();
        }
        // The upstream session ends with the last user of it (its downstream session, or the proxy).
        let Some(id) = self.session_id.clone() else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let endpoint = self.endpoint.clone();
        handle.spawn(async move {
            let mut request = endpoint.request(Method::DELETE, Bytes::new());
            request.headers_mut().insert("mcp-session-id", id);
            let _ = tokio::time::timeout(CONNECT, endpoint.client.request(request)).await;
        });
    }
}

/// Where the upstream is and how every request to it starts.
struct Endpoint {
    uri: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    client: HttpsClient,
}

impl Endpoint {
    fn request(&self, method: Method, body: Bytes) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        request
    }
}

/// The upstream sessions of one downstream session, by upstream (a server may proxy several).
#[derive(Default)]
pub struct SessionLinks(Mutex<HashMap<u64, Arc<OnceCell<Arc<Link>>>>>);

impl SessionLinks {
    fn cell(&self, upstream: u64) -> Arc<OnceCell<Arc<Link>>> {
        self.0.lock().unwrap().entry(upstream).or_default().clone()
    }

    fn forget(&self, upstream: u64, stale: &Arc<Link>) {
        let mut links = self.0.lock().unwrap();
        if links
            .get(&upstream)
            .and_then(|c| c.get())
            .is_some_and(|l| Arc::ptr_eq(l, stale))
        {
            links.remove(&upstream);
        }
    }
}

/// Told when the upstream says a listing changed.
pub type ListChanged = Arc<dyn Fn(ListKind) + Send + Sync>;

/// A proxy's upstream (see the module docs).
pub struct Upstream {
    id: u64,
    endpoint: Arc<Endpoint>,
    own: HashSet<HeaderName>,
    unforwarded: HashSet<String>,
    forward_headers: bool,
    keeps_server_info: bool,
    client_info: Value,
    shared: Mutex<Arc<OnceCell<Arc<Link>>>>,
    next_id: AtomicU64,
    on_list_changed: RwLock<Option<ListChanged>>,
}

/// A tool whose calls the core forwards to an upstream: the upstream and the tool's name there.
#[derive(Clone)]
pub struct Forward {
    pub upstream: Arc<Upstream>,
    pub name: String,
}

/// A resource, template or prompt whose reads the core forwards to an upstream.
pub struct HandlerForward {
    pub upstream: Arc<Upstream>,
    pub target: ForwardTarget,
}

/// What a forwarded read or prompt asks the upstream for.
pub enum ForwardTarget {
    /// A resource: its URI there.
    Resource(String),
    /// A template: a URI served here that starts with `outer` starts with `inner` there.
    Template { outer: String, inner: String },
    /// A prompt: its name there.
    Prompt(String),
}

impl HandlerForward {
    /// The URI the upstream serves for `uri` served here (for a prompt: its name there).
    pub fn backend_uri(&self, uri: &str) -> String {
        match &self.target {
            ForwardTarget::Resource(backend) => backend.clone(),
            ForwardTarget::Template { outer, inner } => match uri.strip_prefix(outer.as_str()) {
                Some(rest) => format!("{inner}{rest}"),
                None => uri.to_owned(),
            },
            ForwardTarget::Prompt(name) => name.clone(),
        }
    }
}

impl Upstream {
    /// # Errors
    /// The URL is not an `http(s)` URL, or a header is not a valid HTTP header.
    pub fn new(config: UpstreamConfig) -> Result<Self, String> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let uri: Uri = config.url.parse().map_err(|e| format!("bad URL {}: {e}", config.url))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(format!("not an http(s) URL: {}", config.url));
        }
        let mut headers = Vec::with_capacity(config.headers.len() + 2);
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header {name:?}: {e}"))?;
            let value = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
            headers.push((name, value));
        }
        let own = headers.iter().map(|(n, _)| n.clone()).collect();
        headers.push((header::CONTENT_TYPE, HeaderValue::from_static("application/json")));
        headers.push((
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        ));
        Ok(Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            endpoint: Arc::new(Endpoint {
                uri,
                headers,
                client: http_client(),
            }),
            own,
            unforwarded: config.unforwarded.iter().map(|h| h.to_ascii_lowercase()).collect(),
            forward_headers: config.forward_headers,
            keeps_server_info: config.as_upstream,
            client_info: json!({"name": config.client_name, "version": config.client_version}),
            shared: Mutex::new(Arc::default()),
            next_id: AtomicU64::new(1),
            on_list_changed: RwLock::new(None),
        })
    }

    pub fn on_list_changed(&self, hook: Option<ListChanged>) {
        *self.on_list_changed.write().unwrap() = hook;
    }

    /// The upstream session `context`'s downstream session uses: its own for a handshake-era HTTP session,
    /// the shared one otherwise (stdio, stateless and modern requests, the proxy itself).
    fn cell(&self, context: Option<&RequestContext>) -> (Arc<OnceCell<Arc<Link>>>, bool) {
        match context {
            Some(c) if c.session.id().is_some() && !c.session.is_modern() => {
                (c.session.upstream_links().cell(self.id), true)
            }
            _ => (self.shared.lock().unwrap().clone(), false),
        }
    }

    async fn link(&self, context: Option<&RequestContext>) -> Result<Arc<Link>, UpstreamError> {
        let (cell, _) = self.cell(context);
        cell.get_or_try_init(|| self.handshake(context)).await.cloned()
    }

    fn forget(&self, context: Option<&RequestContext>, stale: &Arc<Link>) {
        match self.cell(context) {
            (_, true) => {
                if let Some(c) = context {
                    c.session.upstream_links().forget(self.id, stale);
                }
            }
            (cell, false) => {
                let mut shared = self.shared.lock().unwrap();
                if Arc::ptr_eq(&cell, &shared) && cell.get().is_some_and(|l| Arc::ptr_eq(l, stale)) {
                    *shared = Arc::default();
                }
            }
        }
    }

    /// The shared upstream session's `initialize` result (opening it if need be): the proxy reads the
    /// upstream's instructions there.
    ///
    /// # Errors
    /// The upstream could not be reached or refused the handshake.
    pub async fn initialized(&self) -> Result<Value, UpstreamError> {
        Ok(self.link(None).await?.initialized.clone())
    }

    async fn handshake(&self, context: Option<&RequestContext>) -> Result<Arc<Link>, UpstreamError> {
        let params = json!({
            "protocolVersion": HANDSHAKE_VERSION,
            "capabilities": {
                "sampling": {},
                "elicitation": {"form": {}, "url": {}},
                "roots": {"listChanged": true},
            },
            "clientInfo": self.client_info,
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = request_body(id, "initialize", &params);
        let mut request = self.endpoint.request(Method::POST, body);
        self.carry_headers(request.headers_mut(), context);
        let response = self.send(request).await?;
        let session_id = response.headers().get("mcp-session-id").cloned();
        let status = response.status();
        if !status.is_success() {
            return Err(status_error(status, response).await);
        }
        let mut answer = None;
        read_messages(response, |message| {
            if is_answer_to(&message, id) {
                answer = Some(message);
                return Ok(true);
            }
            Ok(false)
        })
        .await?;
        let initialized = answer_of(answer)?;
        let version = initialized
            .get("protocolVersion")
            .and_then(Value::as_str)
            .and_then(|v| HeaderValue::from_str(v).ok())
            .unwrap_or_else(|| HeaderValue::from_static(HANDSHAKE_VERSION));
        let link = Arc::new(Link {
            session_id,
            version,
            initialized,
            endpoint: self.endpoint.clone(),
            listener: Mutex::new(None),
        });
        let note = Bytes::from_static(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        let mut request = self.endpoint.request(Method::POST, note);
        link_headers(request.headers_mut(), &link);
        self.carry_headers(request.headers_mut(), context);
        let response = self.send(request).await?;
        let status = response.status();
        drain(response).await;
        if !status.is_success() {
            return Err(UpstreamError::Failed(format!(
                "the upstream refused notifications/initialized (HTTP {status})"
            )));
        }
        if let Some(hook) = self.on_list_changed.read().unwrap().clone() {
            let task = tokio::spawn(listen(Arc::downgrade(&link), hook));
            *link.listener.lock().unwrap() = Some(task.abort_handle());
        }
        Ok(link)
    }

    /// The downstream request's headers that go upstream: all but those of one hop, the MCP ones and those
    /// the transport sets itself.
    fn carry_headers(&self, headers: &mut HeaderMap, context: Option<&RequestContext>) {
        if !self.forward_headers {
            return;
        }
        let Some(incoming) = context.and_then(|c| c.sink.headers()) else {
            return;
        };
        for (name, value) in incoming {
            let lower = name.as_str();
            if lower.starts_with("mcp-") || self.unforwarded.contains(lower) || self.own.contains(name) {
                continue;
            }
            headers.insert(name.clone(), value.clone());
        }
    }

    async fn send(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<http::Response<hyper::body::Incoming>, UpstreamError> {
        match tokio::time::timeout(CONNECT, self.endpoint.client.request(request)).await {
            Err(_) => Err(UpstreamError::Failed(format!(
                "no answer from {} within {}s",
                self.endpoint.uri,
                CONNECT.as_secs()
            ))),
            Ok(Err(e)) => Err(UpstreamError::Failed(describe(&e))),
            Ok(Ok(response)) => Ok(response),
        }
    }

    /// Sends `method` to the upstream for `context`'s request (none: for the proxy itself) and waits for
    /// its result, relaying what comes meanwhile. `forward_meta`: the downstream request's `_meta` goes
    /// along (a call, a read, a prompt), with a progress token of the proxy's own when it had one.
    ///
    /// # Errors
    /// The upstream's JSON-RPC error, or why it could not be reached.
    pub async fn request(
        &self,
        context: Option<&RequestContext>,
        method: &str,
        params: Map<String, Value>,
        forward_meta: bool,
    ) -> Result<Value, UpstreamError> {
        let mut retried = false;
        loop {
            let link = self.link(context).await?;
            match self.exchange(&link, context, method, &params, forward_meta).await {
                // The upstream forgot the session (it restarted, or reaped it): a new one, once.
                Err(Exchange::SessionGone) if !retried => {
                    self.forget(context, &link);
                    retried = true;
                }
                Err(Exchange::SessionGone) => {
                    return Err(UpstreamError::Failed("the upstream ended the session".into()))
                }
                Err(Exchange::Error(e)) => return Err(e),
                Ok(v) => return Ok(v),
            }
        }
    }

    async fn exchange(
        &self,
        link: &Arc<Link>,
        context: Option<&RequestContext>,
        method: &str,
        params: &Map<String, Value>,
        forward_meta: bool,
    ) -> Result<Value, Exchange> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut params = params.clone();
        if forward_meta {
            if let Some(meta) = forwarded_meta(context, id) {
                params.insert("_meta".into(), meta);
            }
        }
        let body = request_body(id, method, &Value::Object(params));
        let mut request = self.endpoint.request(Method::POST, body);
        link_headers(request.headers_mut(), link);
        self.carry_headers(request.headers_mut(), context);
        let mut pending = Pending {
            link: link.clone(),
            id,
            armed: true,
        };
        let response = self.send(request).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND && link.session_id.is_some() {
            pending.armed = false;
            drain(response).await;
            return Err(Exchange::SessionGone);
        }
        if !status.is_success() {
            pending.armed = false;
            return Err(status_error(status, response).await.into());
        }
        let mut answer = None;
        read_messages(response, |message| {
            if is_answer_to(&message, id) {
                answer = Some(message);
                return Ok(true);
            }
            self.relay(context, link, id, message);
            Ok(false)
        })
        .await?;
        pending.armed = false;
        Ok(answer_of(answer)?)
    }

    /// What the upstream sent during a request that is not its answer.
    fn relay(&self, context: Option<&RequestContext>, link: &Arc<Link>, token: u64, message: Value) {
        let Value::Object(mut message) = message else {
            return;
        };
        let Some(Value::String(method)) = message.remove("method") else {
            return; // an answer to something else: nothing waits for it
        };
        let params = match message.remove("params") {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        if let Some(id) = message.remove("id") {
            let answer = Answer {
                endpoint: self.endpoint.clone(),
                link: link.clone(),
                id,
            };
            let context = context.cloned();
            tokio::spawn(async move {
                let outcome = ask_downstream(context.as_ref(), &method, params).await;
                answer.send(outcome).await;
            });
            return;
        }
        if let Some(kind) = list_kind_of(&json!({"method": method})) {
            let hook = self.on_list_changed.read().unwrap().clone();
            if let Some(hook) = hook {
                hook(kind);
            }
            return;
        }
        let Some(context) = context else {
            return;
        };
        match method.as_str() {
            "notifications/progress" => {
                if params.get("progressToken").and_then(Value::as_u64) != Some(token) {
                    return;
                }
                let Some(progress) = params.get("progress").and_then(Value::as_f64) else {
                    return;
                };
                let total = params.get("total").and_then(Value::as_f64);
                let message = params.get("message").and_then(Value::as_str);
                context.progress(progress, total, message);
            }
            "notifications/message" => {
                let level = params
                    .get("level")
                    .and_then(Value::as_str)
                    .and_then(LogLevel::parse)
                    .unwrap_or(LogLevel::Info);
                let logger = params.get("logger").and_then(Value::as_str);
                let data = relayed_log(params.get("data").cloned().unwrap_or(Value::Null));
                context.log(level, data, logger);
            }
            _ => {}
        }
    }

    /// A call's result as it crosses the proxy: content, error flag and structured content as they came, the
    /// `_meta` without the keys of one connection (and without the upstream's `serverInfo` unless the proxy
    /// answers as the upstream).
    #[must_use]
    pub fn relayed_call(&self, result: Value) -> Value {
        let Value::Object(mut result) = result else {
            return json!({"content": [], "isError": false});
        };
        let mut out = Map::with_capacity(4);
        if let Some(meta) = self.relayed_meta(result.remove("_meta")) {
            out.insert("_meta".into(), meta);
        }
        out.insert("content".into(), result.remove("content").unwrap_or_else(|| json!([])));
        let is_error = result.get("isError").and_then(Value::as_bool).unwrap_or(false);
        out.insert("isError".into(), Value::Bool(is_error));
        if let Some(structured) = result.remove("structuredContent") {
            out.insert("structuredContent".into(), structured);
        }
        Value::Object(out)
    }

    /// The result of a proxied read as the proxy relays it: each content under `uri` (the URI served here),
    /// a missing MIME type filled in as `FastMCP` 4's proxy fills it. `Err`: what the read fails with.
    ///
    /// # Errors
    /// A content that is neither text nor blob, or no content at all.
    pub fn relayed_read(&self, result: Value, uri: &str) -> Result<Value, String> {
        let Value::Object(mut result) = result else {
            return Err(format!("Remote server returned empty content for {uri}"));
        };
        let mut contents = Vec::new();
        if let Some(Value::Array(items)) = result.remove("contents") {
            for item in items {
                let Value::Object(mut item) = item else {
                    return Err("Unsupported content type: <class 'dict'>".into());
                };
                let mime = if item.contains_key("text") {
                    "text/plain"
                } else if item.contains_key("blob") {
                    "application/octet-stream"
                } else {
                    return Err("Unsupported content type: <class 'dict'>".into());
                };
                item.insert("uri".into(), Value::String(uri.to_owned()));
                if !item.get("mimeType").is_some_and(Value::is_string) {
                    item.insert("mimeType".into(), Value::String(mime.into()));
                }
                contents.push(Value::Object(item));
            }
        }
        if contents.is_empty() {
            return Err(format!("Remote server returned empty content for {uri}"));
        }
        let mut out = Map::with_capacity(2);
        if let Some(meta) = self.relayed_meta(result.remove("_meta")) {
            out.insert("_meta".into(), meta);
        }
        out.insert("contents".into(), Value::Array(contents));
        Ok(Value::Object(out))
    }

    /// The result of a proxied prompt as the proxy relays it: its description and messages.
    pub fn relayed_prompt(&self, result: Value) -> Value {
        let Value::Object(mut result) = result else {
            return json!({"messages": []});
        };
        let mut out = Map::with_capacity(3);
        if let Some(meta) = self.relayed_meta(result.remove("_meta")) {
            out.insert("_meta".into(), meta);
        }
        if let Some(description) = result.remove("description").filter(|d| !d.is_null()) {
            out.insert("description".into(), description);
        }
        let messages = result
            .remove("messages")
            .filter(|m| !m.is_null())
            .unwrap_or_else(|| json!([]));
        out.insert("messages".into(), messages);
        Value::Object(out)
    }

    fn relayed_meta(&self, meta: Option<Value>) -> Option<Value> {
        let Some(Value::Object(meta)) = meta else {
            return None;
        };
        let kept: Map<String, Value> = meta
            .into_iter()
            .filter(|(k, _)| !CONNECTION_KEYS.contains(&k.as_str()) && (k != SERVER_INFO_KEY || self.keeps_server_info))
            .collect();
        (!kept.is_empty()).then_some(Value::Object(kept))
    }
}

/// Listens on an upstream session's GET stream for the list changes the upstream tells outside any request,
/// for as long as the session lasts (reconnecting after a pause when the stream ends; not at all when the
/// upstream offers no such stream).
async fn listen(link: std::sync::Weak<Link>, hook: ListChanged) {
    let mut pause = Duration::from_millis(500);
    loop {
        let Some(alive) = link.upgrade() else {
            return;
        };
        let mut request = alive.endpoint.request(Method::GET, Bytes::new());
        request.headers_mut().remove(header::CONTENT_TYPE);
        request
            .headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("text/event-stream"));
        link_headers(request.headers_mut(), &alive);
        let client = alive.endpoint.client.clone();
        drop(alive);
        let Ok(response) = client.request(request).await else {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(30));
            continue;
        };
        if !response.status().is_success() {
            return; // 405: the upstream has no GET stream; 404: the session is gone
        }
        let mut body = response.into_body();
        let mut buffer = Vec::new();
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buffer.extend_from_slice(&data);
            if buffer.len() > MAX_MESSAGE {
                return;
            }
            while let Some(event) = take_event(&mut buffer) {
                if let Some(kind) = match &event {
                    SseEvent::Message(message) => list_kind_of(message),
                    SseEvent::Other => None,
                } {
                    hook(kind);
                }
            }
            pause = Duration::from_millis(500);
        }
        tokio::time::sleep(pause).await;
    }
}

/// The listing a `notifications/*/list_changed` message is about.
fn list_kind_of(message: &Value) -> Option<ListKind> {
    match message.get("method").and_then(Value::as_str)? {
        "notifications/tools/list_changed" => Some(ListKind::Tools),
        "notifications/resources/list_changed" => Some(ListKind::Resources),
        "notifications/prompts/list_changed" => Some(ListKind::Prompts),
        _ => None,
    }
}

/// Why an exchange gave no result.
enum Exchange {
    SessionGone,
    Error(UpstreamError),
}

impl From<UpstreamError> for Exchange {
    fn from(e: UpstreamError) -> Self {
        Self::Error(e)
    }
}

/// A request sent upstream and not answered yet: if the downstream gives up on it, the upstream is told.
struct Pending {
    link: Arc<Link>,
    id: u64,
    armed: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let link = self.link.clone();
        let body = Bytes::from(
            serde_json::to_vec(&json!({
                "jsonrpc": "2.0",
                "method": "notifications/cancelled",
                "params": {"requestId": self.id, "reason": "The client cancelled the request"},
            }))
            .expect("JSON always serializes"),
        );
        handle.spawn(async move {
            let mut request = link.endpoint.request(Method::POST, body);
            link_headers(request.headers_mut(), &link);
            if let Ok(Ok(response)) = tokio::time::timeout(CONNECT, link.endpoint.client.request(request)).await {
                drain(response).await;
            }
        });
    }
}

/// Where the answer to one of the upstream's requests goes.
struct Answer {
    endpoint: Arc<Endpoint>,
    link: Arc<Link>,
    id: Value,
}

impl Answer {
    async fn send(self, outcome: Result<Value, (i64, String)>) {
        let message = match outcome {
            Ok(result) => json!({"jsonrpc": "2.0", "id": self.id, "result": result}),
            Err((code, message)) => {
                json!({"jsonrpc": "2.0", "id": self.id, "error": {"code": code, "message": message}})
            }
        };
        let body = Bytes::from(serde_json::to_vec(&message).expect("JSON always serializes"));
        let mut request = self.endpoint.request(Method::POST, body);
        link_headers(request.headers_mut(), &self.link);
        if let Ok(Ok(response)) = tokio::time::timeout(CONNECT, self.endpoint.client.request(request)).await {
            drain(response).await;
        }
    }
}

/// The upstream's request (sampling, elicitation, roots) put to the downstream client of the request it came
/// during, as `FastMCP` 4's proxy relays it; its answer, or the error to give the upstream.
async fn ask_downstream(
    context: Option<&RequestContext>,
    method: &str,
    mut params: Map<String, Value>,
) -> Result<Value, (i64, String)> {
    const INTERNAL: i64 = -32603;
    let capability = match method {
        "ping" => return Ok(json!({})),
        "sampling/createMessage" => {
            // Tool use in sampling is not relayed.
            params.remove("tools");
            params.remove("toolChoice");
            "sampling"
        }
        "elicitation/create" => {
            if params.get("mode").and_then(Value::as_str) == Some("url")
                && params
                    .get("elicitationId")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                return Err((
                    INTERNAL,
                    "URL-mode elicitation request from the remote server has no elicitationId; the proxy cannot \
                     forward it."
                        .into(),
                ));
            }
            "elicitation"
        }
        "roots/list" => "roots",
        _ => return Err((-32601, format!("Method not found: {method}"))),
    };
    let Some(context) = context else {
        return match capability {
            "roots" => Ok(json!({"roots": []})),
            "sampling" => Err((INTERNAL, "No downstream request to relay sampling to".into())),
            _ => Err((INTERNAL, "No downstream request to relay elicitation to".into())),
        };
    };
    let declared = context
        .session
        .client_capabilities()
        .and_then(|c| c.get(capability))
        .is_some_and(|c| !c.is_null());
    if !declared {
        return Err((
            INTERNAL,
            format!("The client did not declare the {capability} capability, so {method} cannot be sent"),
        ));
    }
    match context.request(method, &Value::Object(params)).await {
        Ok(result) => Ok(result),
        Err(ClientRequestError::Rejected(error)) => Err((
            error.get("code").and_then(Value::as_i64).unwrap_or(INTERNAL),
            error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )),
        Err(ClientRequestError::NoStream) => Err((
            INTERNAL,
            format!("{method} could not be sent: there is no stream to send the request on"),
        )),
        Err(ClientRequestError::Closed) => Err((
            INTERNAL,
            format!("{method} could not be sent: the session ended before the client answered"),
        )),
    }
}

/// A log message's `data` as the proxy sends it on: `{"msg": ..., "extra": ...}`, as `ctx.log` writes it (the
/// upstream's own `msg`/`extra` kept; any other data becomes the message, as text).
fn relayed_log(data: Value) -> Value {
    let (msg, extra) = match data {
        Value::Object(mut m) if m.contains_key("msg") => {
            let msg = match m.remove("msg") {
                Some(Value::String(s)) => s,
                Some(other) => python_str(&other),
                None => String::new(),
            };
            (msg, m.remove("extra").unwrap_or(Value::Null))
        }
        Value::String(s) => (s, Value::Null),
        other => (python_json(&other), Value::Null),
    };
    json!({"msg": msg, "extra": extra})
}

/// `str()` of a JSON value in Python (the scalars; anything else as `json.dumps` writes it).
fn python_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => python_json(other),
    }
}

/// A value as Python's `json.dumps` writes it by default: `", "` and `": "` between items, non-ASCII escaped.
fn python_json(v: &Value) -> String {
    struct Spaced;
    impl serde_json::ser::Formatter for Spaced {
        fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
    serde::Serialize::serialize(v, &mut ser).expect("JSON always serializes");
    let text = String::from_utf8(out).expect("JSON text is UTF-8");
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(ascii, "\\u{unit:04x}");
            }
        }
    }
    ascii
}

/// The downstream request's `_meta` as it goes upstream: without the keys of one connection, and with the
/// proxy's own progress token (the upstream request's id) when the downstream asked for progress.
fn forwarded_meta(context: Option<&RequestContext>, id: u64) -> Option<Value> {
    let context = context?;
    let mut kept = match &context.meta {
        Some(Value::Object(meta)) => meta
            .iter()
            .filter(|(k, _)| !CONNECTION_KEYS.contains(&k.as_str()) && k.as_str() != "progressToken")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => Map::new(),
    };
    if context.progress_token.is_some() {
        kept.insert("progressToken".into(), id.into());
    }
    (!kept.is_empty()).then_some(Value::Object(kept))
}

fn request_body(id: u64, method: &str, params: &Value) -> Bytes {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    out.extend_from_slice(id.to_string().as_bytes());
    out.extend_from_slice(b",\"method\":");
    serde_json::to_writer(&mut out, method).expect("a string always serializes");
    out.extend_from_slice(b",\"params\":");
    serde_json::to_writer(&mut out, params).expect("JSON always serializes");
    out.push(b'}');
    Bytes::from(out)
}

fn link_headers(headers: &mut HeaderMap, link: &Link) {
    if let Some(id) = &link.session_id {
        headers.insert("mcp-session-id", id.clone());
    }
    headers.insert("mcp-protocol-version", link.version.clone());
}

fn is_answer_to(message: &Value, id: u64) -> bool {
    message.get("method").is_none()
        && (message.get("result").is_some() || message.get("error").is_some())
        && message.get("id").and_then(Value::as_u64) == Some(id)
}

fn answer_of(answer: Option<Value>) -> Result<Value, UpstreamError> {
    let Some(Value::Object(mut answer)) = answer else {
        return Err(UpstreamError::Failed(
            "the upstream ended its answer without a result".into(),
        ));
    };
    if let Some(error) = answer.remove("error") {
        return Err(UpstreamError::Rejected {
            code: error.get("code").and_then(Value::as_i64).unwrap_or(-32603),
            message: error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            data: error.get("data").cloned(),
        });
    }
    Ok(answer.remove("result").unwrap_or(Value::Null))
}

/// Reads the messages of an answer (one JSON body, or an SSE stream) and hands each to `each` until it says
/// it has what it waited for.
async fn read_messages(
    response: http::Response<hyper::body::Incoming>,
    mut each: impl FnMut(Value) -> Result<bool, UpstreamError>,
) -> Result<(), UpstreamError> {
    let is_sse = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let mut body = response.into_body();
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        let frame = match tokio::time::timeout(READ_IDLE, body.frame()).await {
            Err(_) => {
                return Err(UpstreamError::Failed(format!(
                    "the upstream sent nothing for {}s",
                    READ_IDLE.as_secs()
                )))
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(UpstreamError::Failed(format!("reading the answer failed: {e}"))),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        buffer.extend_from_slice(&data);
        if buffer.len() > MAX_MESSAGE {
            return Err(UpstreamError::Failed("the upstream's message is too large".into()));
        }
        if is_sse {
            while let Some(event) = take_event(&mut buffer) {
                if let SseEvent::Message(message) = event {
                    if each(message)? {
                        // The rest of the stream (its end, as a rule) is read apart, so the connection goes
                        // back to the pool instead of being closed.
                        tokio::spawn(async move {
                            let _ = tokio::time::timeout(CONNECT, body.collect()).await;
                        });
                        return Ok(());
                    }
                }
            }
        }
    }
    if is_sse {
        buffer.extend_from_slice(b"\n\n");
        if let Some(SseEvent::Message(message)) = take_event(&mut buffer) {
            each(message)?;
        }
        return Ok(());
    }
    let parsed: Value = serde_json::from_slice(&buffer)
        .map_err(|e| UpstreamError::Failed(format!("the upstream's answer is not JSON: {e}")))?;
    match parsed {
        Value::Array(items) => {
            for item in items {
                if each(item)? {
                    break;
                }
            }
        }
        message => {
            each(message)?;
        }
    }
    Ok(())
}

/// One SSE event.
#[derive(Debug, PartialEq)]
enum SseEvent {
    /// Its data is a JSON message.
    Message(Value),
    /// A comment, a priming event, data that is not JSON.
    Other,
}

/// Takes one complete SSE event off the front of `buffer`; `None` when no event is complete yet.
fn take_event(buffer: &mut Vec<u8>) -> Option<SseEvent> {
    let (end, skip) = find_event_end(buffer)?;
    let event: Vec<u8> = buffer.drain(..end + skip).take(end).collect();
    let mut data = Vec::new();
    for line in event.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"data:") {
            if !data.is_empty() {
                data.push(b'\n');
            }
            data.extend_from_slice(rest.strip_prefix(b" ").unwrap_or(rest));
        }
    }
    if data.is_empty() {
        return Some(SseEvent::Other);
    }
    Some(serde_json::from_slice(&data).map_or(SseEvent::Other, SseEvent::Message))
}

/// Where the first event in `buffer` ends, and the length of the blank line that ends it.
fn find_event_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'\n', &buffer[i..]) {
        let nl = i + at;
        let next = &buffer[nl + 1..];
        if next.starts_with(b"\n") {
            return Some((nl, 2));
        }
        if next.starts_with(b"\r\n") {
            return Some((nl, 3));
        }
        i = nl + 1;
    }
    None
}

async fn drain(response: http::Response<hyper::body::Incoming>) {
    let _ = tokio::time::timeout(CONNECT, response.into_body().collect()).await;
}

async fn status_error(status: StatusCode, response: http::Response<hyper::body::Incoming>) -> UpstreamError {
    let body = tokio::time::timeout(CONNECT, response.into_body().collect())
        .await
        .ok()
        .and_then(Result::ok)
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    // A JSON-RPC error in the body is the upstream's own word.
    if let Ok(Value::Object(message)) = serde_json::from_slice::<Value>(&body) {
        if let Some(error) = message.get("error") {
            return UpstreamError::Rejected {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(-32603),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                data: error.get("data").cloned(),
            };
        }
    }
    UpstreamError::Failed(format!("Server returned an error response: {status}"))
}

/// A client error with its causes (hyper's own text is terse: "client error (Connect)").
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_are_cut_at_blank_lines() {
        let mut buffer =
            b"id: 1\nevent: message\ndata: {\"a\":1}\n\ndata:\r\n\r\ndata: {\"b\":\ndata: 2}\n\npartial".to_vec();
        assert_eq!(take_event(&mut buffer), Some(SseEvent::Message(json!({"a": 1}))));
        assert_eq!(take_event(&mut buffer), Some(SseEvent::Other));
        assert_eq!(take_event(&mut buffer), Some(SseEvent::Message(json!({"b": 2}))));
        assert_eq!(take_event(&mut buffer), None);
        assert_eq!(buffer, b"partial");
    }

    #[test]
    fn log_data_is_relayed_as_ctx_log_writes_it() {
        assert_eq!(
            relayed_log(json!({"msg": "hi", "extra": {"k": 1}})),
            json!({"msg": "hi", "extra": {"k": 1}})
        );
        assert_eq!(relayed_log(json!("plain")), json!({"msg": "plain", "extra": null}));
        assert_eq!(
            relayed_log(json!({"a": [1, "é"]})),
            json!({"msg": "{\"a\": [1, \"\\u00e9\"]}", "extra": null})
        );
        assert_eq!(relayed_log(json!({"msg": 5})), json!({"msg": "5", "extra": null}));
    }

    #[test]
    fn call_results_lose_the_connection_keys() {
        let upstream = Upstream::new(UpstreamConfig {
            url: "http://127.0.0.1:1/mcp".into(),
            ..UpstreamConfig::default()
        })
        .unwrap();
        let relayed = upstream.relayed_call(json!({
            "_meta": {SERVER_INFO_KEY: {}, "io.modelcontextprotocol/protocolVersion": "x", "k": 1},
            "content": [{"type": "text", "text": "3"}],
            "structuredContent": {"result": 3},
        }));
        assert_eq!(
            relayed,
            json!({"_meta": {"k": 1}, "content": [{"type": "text", "text": "3"}], "isError": false,
                   "structuredContent": {"result": 3}})
        );
        assert!(Upstream::new(UpstreamConfig {
            url: "ftp://x".into(),
            ..UpstreamConfig::default()
        })
        .is_err());
    }

    #[test]
    fn reads_and_prompts_are_relayed_as_the_proxy_relays_them() {
        let upstream = Arc::new(
            Upstream::new(UpstreamConfig {
                url: "http://127.0.0.1:1/mcp".into(),
                ..UpstreamConfig::default()
            })
            .unwrap(),
        );
        let read = upstream
            .relayed_read(
                json!({"_meta": {"k": 1}, "contents": [{"uri": "data://x", "text": "hi"},
                                                       {"uri": "data://x", "blob": "AA==", "mimeType": "image/png"}]}),
                "data://ns/x",
            )
            .unwrap();
        assert_eq!(
            read,
            json!({"_meta": {"k": 1}, "contents": [
                {"uri": "data://ns/x", "text": "hi", "mimeType": "text/plain"},
                {"uri": "data://ns/x", "blob": "AA==", "mimeType": "image/png"}]})
        );
        assert_eq!(
            upstream.relayed_read(json!({"contents": []}), "data://x").unwrap_err(),
            "Remote server returned empty content for data://x"
        );
        assert!(upstream
            .relayed_read(json!({"contents": [{"uri": "a://b"}]}), "a://b")
            .unwrap_err()
            .starts_with("Unsupported content type"));
        let prompt = upstream.relayed_prompt(json!({"description": null, "messages": [{"role": "user"}]}));
        assert_eq!(prompt, json!({"messages": [{"role": "user"}]}));
        let template = HandlerForward {
            upstream: upstream.clone(),
            target: ForwardTarget::Template {
                outer: "users://ns/".into(),
                inner: "users://".into(),
            },
        };
        assert_eq!(template.backend_uri("users://ns/42/profile"), "users://42/profile");
        assert_eq!(template.backend_uri("other://x"), "other://x");
    }
}
