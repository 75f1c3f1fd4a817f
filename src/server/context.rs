//! What a running tool can reach of the request that started it: where to send notifications, its
//! progress token, its session's log level.

use crate::protocol::{Outgoing, RequestId};
use crate::server::auth::AccessToken;
use crate::server::event_store::EventStream;
use crate::server::session::Session;
use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};
use std::sync::Arc;
use tokio::sync::mpsc;

/// A channel of serialized JSON-RPC messages on their way to one client stream.
pub type OutboundTx = mpsc::UnboundedSender<Bytes>;

/// Where messages that belong to one request go: its SSE stream or the stdio writer. Without a stream of
/// its own (a JSON response), they go to the session's standalone GET stream when one is open. Over HTTP it
/// also carries the request's headers, for the code that serves it.
#[derive(Clone, Default)]
pub struct RequestSink {
    target: Option<SinkTarget>,
    headers: Option<Arc<HeaderMap>>,
    /// The caller's verified bearer token (HTTP with authentication).
    auth: Option<Arc<AccessToken>>,
    /// Served natively: the innermost step of a middleware chain, which must not enter the chain again.
    native: bool,
    /// From a stdio client (the process's owner): per-component authorization does not apply.
    trusted: bool,
}

#[derive(Clone)]
enum SinkTarget {
    Channel(OutboundTx),
    Stream(Arc<EventStream>),
}

impl RequestSink {
    pub fn new(tx: OutboundTx) -> Self {
        Self {
            target: Some(SinkTarget::Channel(tx)),
            headers: None,
            auth: None,
            native: false,
            trusted: false,
        }
    }
    /// The sink of a request answered on its own (Streamable HTTP) stream.
    pub fn for_stream(stream: Arc<EventStream>) -> Self {
        Self {
            target: Some(SinkTarget::Stream(stream)),
            headers: None,
            auth: None,
            native: false,
            trusted: false,
        }
    }
    pub fn none() -> Self {
        Self::default()
    }
    #[must_use]
    pub fn with_headers(mut self, headers: Arc<HeaderMap>) -> Self {
        self.headers = Some(headers);
        self
    }
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.headers.as_deref()
    }
    #[must_use]
    pub fn with_auth(mut self, token: Option<Arc<AccessToken>>) -> Self {
        self.auth = token;
        self
    }
    pub fn access_token(&self) -> Option<&Arc<AccessToken>> {
        self.auth.as_ref()
    }
    /// The same sink for the native step inside a middleware chain.
    #[must_use]
    pub fn native(mut self) -> Self {
        self.native = true;
        self
    }
    pub fn is_native(&self) -> bool {
        self.native
    }
    /// The same sink for a stdio client, whose requests per-component authorization trusts.
    #[must_use]
    pub fn trusted(mut self, trusted: bool) -> Self {
        self.trusted = trusted;
        self
    }
    /// Whether per-component authorization applies: everywhere but stdio (HTTP, and an in-process client,
    /// as in `FastMCP`).
    pub fn checks_auth(&self) -> bool {
        !self.trusted
    }
    pub fn is_trusted(&self) -> bool {
        self.trusted
    }
    /// Returns whether the message found a stream.
    pub fn send(&self, session: &Session, message: Vec<u8>) -> bool {
        let message = Bytes::from(message);
        let sent = match &self.target {
            Some(SinkTarget::Channel(tx)) => tx.send(message.clone()).is_ok(),
            Some(SinkTarget::Stream(stream)) => stream.send(message.clone()),
            None => false,
        };
        sent || session.send_standalone(message)
    }
    /// Ends the HTTP response that carries the request's stream, without ending the stream: the client
    /// reconnects and resumes it (SEP-1699 polling). Only a resumable stream can be closed; returns whether a
    /// connection was closed.
    pub fn close_stream(&self) -> bool {
        match &self.target {
            Some(SinkTarget::Stream(stream)) if stream.is_resumable() => stream.close_connection(),
            _ => false,
        }
    }
}

/// Why a request to the client got no result.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientRequestError {
    /// The client answered with a JSON-RPC error (the error object).
    Rejected(Value),
    /// There was no stream to send the request on (a JSON-response or stateless HTTP request with no GET
    /// stream open).
    NoStream,
    /// The session ended before the client answered.
    Closed,
}

/// RFC 5424 severities as MCP names them, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum LogLevel {
    Debug = 0,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl LogLevel {
    pub const ALL: [LogLevel; 8] = [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Notice,
        LogLevel::Warning,
        LogLevel::Error,
        LogLevel::Critical,
        LogLevel::Alert,
        LogLevel::Emergency,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }
    pub fn from_u8(v: u8) -> Option<Self> {
        Self::ALL.get(v as usize).copied()
    }
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
            LogLevel::Alert => "alert",
            LogLevel::Emergency => "emergency",
        }
    }
}

/// What the retry of a multi-round-trip request (2026-07-28, SEP-2322) brought: the client's answers to
/// the input requests of the last round, and the state the server handed out with them (already opened:
/// the wire carries it sealed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputRound {
    /// `params.inputResponses` (an object; `Null` when the client sent `null`).
    pub responses: Option<Value>,
    pub state: Option<String>,
}

impl InputRound {
    /// Takes `inputResponses` and `requestState` out of a request's params; `None` when neither is there.
    pub fn take(params: &mut Map<String, Value>) -> Option<Arc<Self>> {
        let responses = params.remove("inputResponses");
        let state = match params.remove("requestState") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        (responses.is_some() || state.is_some()).then(|| Arc::new(Self { responses, state }))
    }
}

/// Where a task's requests to the client go: they become the task's input requests (status
/// `input_required`), answered by `tasks/update`.
pub trait TaskInput: Send + Sync {
    /// Registers the request and gives the receiver of its answer (dropped if the task ends first).
    fn ask(&self, method: &str, params: &Value) -> tokio::sync::oneshot::Receiver<Value>;
    /// The task's progress, shown as its `statusMessage`.
    fn status(&self, message: String);
}

/// One in-flight request as the code serving it sees it.
#[derive(Clone)]
pub struct RequestContext {
    pub request_id: RequestId,
    pub session: Arc<Session>,
    pub progress_token: Option<Value>,
    /// The request's `_meta`, if any (`client_id` and the like).
    pub meta: Option<Value>,
    pub sink: RequestSink,
    /// A modern request's retry: the answers and state it carries.
    pub round: Option<Arc<InputRound>>,
    /// How many client calls (elicitation, sampling, roots) the code serving the request has made, across
    /// every handle of it: on the modern era each call is keyed by its order.
    pub input_calls: Arc<std::sync::atomic::AtomicUsize>,
    /// Set when the request runs as a task.
    pub task: Option<Arc<dyn TaskInput>>,
}

impl RequestContext {
    /// The context of a request whose params carried `meta` (its `_meta`, with the progress token).
    pub fn new(request_id: RequestId, session: Arc<Session>, meta: Option<Value>, sink: RequestSink) -> Self {
        let progress_token = meta.as_ref().and_then(|m| m.get("progressToken")).cloned();
        Self {
            request_id,
            session,
            progress_token,
            meta,
            sink,
            round: None,
            input_calls: Arc::default(),
            task: None,
        }
    }

    /// Sends `notifications/message` unless the session's level filters it out. Returns whether it was sent.
    pub fn log(&self, level: LogLevel, data: Value, logger: Option<&str>) -> bool {
        if !self.session.wants_log(level) {
            return false;
        }
        let mut params = Map::with_capacity(3);
        params.insert("level".into(), level.as_str().into());
        if let Some(logger) = logger {
            params.insert("logger".into(), logger.into());
        }
        params.insert("data".into(), data);
        self.notify("notifications/message", &Value::Object(params));
        true
    }

    /// Sends `notifications/progress` when the request carried a progress token. Returns whether it was sent.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) -> bool {
        if let Some(task) = &self.task {
            // A task has no stream: its progress is its status message.
            let amount = match total {
                Some(total) => format!("{progress}/{total}"),
                None => format!("{progress}"),
            };
            task.status(match message {
                Some(m) => format!("{m} ({amount})"),
                None => amount,
            });
            return true;
        }
        let Some(token) = &self.progress_token else {
            return false;
        };
        let mut params = Map::with_capacity(4);
        params.insert("progressToken".into(), token.clone());
        params.insert("progress".into(), number(progress));
        if let Some(total) = total {
            params.insert("total".into(), number(total));
        }
        if let Some(message) = message {
            params.insert("message".into(), message.into());
        }
        self.notify("notifications/progress", &Value::Object(params));
        true
    }

    pub fn notify(&self, method: &str, params: &Value) {
        self.sink.send(&self.session, Outgoing::notification(method, params));
    }

    /// Sends a request to the client on this request's stream (`sampling/createMessage`,
    /// `elicitation/create`, `roots/list`) and waits for its answer.
    pub async fn request(&self, method: &str, params: &Value) -> Result<Value, ClientRequestError> {
        if let Some(task) = &self.task {
            return task.ask(method, params).await.map_err(|_| ClientRequestError::Closed);
        }
        if self.session.is_modern() {
            // The 2026-07-28 era has no requests to the client: they travel as input-required results.
            return Err(ClientRequestError::NoStream);
        }
        let (id, answer) = self.session.begin_outbound();
        if !self.sink.send(&self.session, Outgoing::request(&id, method, params)) {
            self.session.resolve_outbound(&id, Err(Value::Null));
            return Err(ClientRequestError::NoStream);
        }
        match answer.await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => Err(ClientRequestError::Rejected(error)),
            Err(_) => Err(ClientRequestError::Closed),
        }
    }
}

/// Progress values are floats on the wire (`1.0`), as `FastMCP` sends them.
fn number(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_order_and_names() {
        assert!(LogLevel::Debug < LogLevel::Emergency);
        for l in LogLevel::ALL {
            assert_eq!(LogLevel::parse(l.as_str()), Some(l));
            assert_eq!(LogLevel::from_u8(l as u8), Some(l));
        }
        assert_eq!(LogLevel::parse("verbose"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(serde_json::to_string(&number(3.0)).unwrap(), "3.0");
        assert_eq!(number(0.5).as_f64(), Some(0.5));
    }
}
