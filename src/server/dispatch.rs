//! Request dispatch: one place that turns a JSON-RPC request into its answer.

use crate::protocol::{negotiate_handshake_version, ErrorCode, Incoming, Outgoing, RequestId, RpcError};
use crate::server::context::{LogLevel, RequestContext, RequestSink};
use crate::server::registry::{ToolEntry, ToolRegistry};
use crate::server::session::Session;
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// What the server says about itself in `initialize`.
#[derive(Debug, Clone, Default)]
pub struct ServerInfo {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub website_url: Option<String>,
}

/// Behaviour switches of the dispatcher.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// `tools/list` page size; `None` lists everything at once.
    pub list_page_size: Option<usize>,
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

/// Runs tool bodies. The core never knows what language they are written in.
pub trait ToolBackend: Send + Sync + 'static {
    /// Starts a call; the backend sends the `CallToolResult` JSON on `done` when it finishes.
    fn invoke(&self, call: ToolInvocation, done: oneshot::Sender<Value>);
    /// Asks a running call to stop (a cancelled request, a timeout, a client gone). Best effort.
    fn cancel(&self, call_id: u64);
}

pub struct McpServer {
    pub info: ServerInfo,
    pub options: ServerOptions,
    pub tools: ToolRegistry,
    backend: Arc<dyn ToolBackend>,
    next_call_id: AtomicU64,
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
        Self {
            info,
            options,
            tools: ToolRegistry::default(),
            backend,
            next_call_id: AtomicU64::new(1),
        }
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
                self.handle_notification(session, &method, params.as_ref());
                None
            }
            // Replies to server→client requests; nothing is waiting for them yet.
            Incoming::Response { .. } => None,
        }
    }

    pub async fn handle_request(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Vec<u8>> {
        let outcome = match method {
            "initialize" => Ok(self.initialize(session, params.as_ref())),
            "ping" => Ok(json!({})),
            "tools/list" => {
                return Some(match self.list_tools(params.as_ref()) {
                    Ok(result) => Outgoing::result_raw(&id, &result),
                    Err(error) => Outgoing::error(Some(&id), &error),
                })
            }
            "tools/call" => return self.call_tool(session, id, params, sink).await,
            "logging/setLevel" => Self::set_level(session, params.as_ref()),
            "resources/list" => Ok(json!({"resources": []})),
            "resources/templates/list" => Ok(json!({"resourceTemplates": []})),
            "prompts/list" => Ok(json!({"prompts": []})),
            _ => Err(RpcError {
                code: ErrorCode::MethodNotFound,
                message: "Method not found".into(),
                data: Some(Value::String(method.to_owned())),
            }),
        };
        Some(match outcome {
            Ok(result) => Outgoing::result(&id, &result),
            Err(error) => Outgoing::error(Some(&id), &error),
        })
    }

    pub fn handle_notification(&self, session: &Session, method: &str, params: Option<&Map<String, Value>>) {
        match method {
            "notifications/initialized" => session.mark_initialized(),
            "notifications/cancelled" => {
                if let Some(id) = params.and_then(|p| p.get("requestId")).and_then(RequestId::from_value) {
                    session.cancel_request(&id);
                }
            }
            _ => {}
        }
    }

    pub fn capabilities(&self) -> Value {
        json!({
            "logging": {},
            "prompts": {"listChanged": true},
            "resources": {"subscribe": false, "listChanged": true},
            "tools": {"listChanged": true},
        })
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
        let mut result = Map::new();
        result.insert("protocolVersion".into(), version.into());
        result.insert("capabilities".into(), self.capabilities());
        result.insert("serverInfo".into(), Value::Object(server_info));
        if let Some(instructions) = &self.info.instructions {
            result.insert("instructions".into(), instructions.clone().into());
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

    /// The `tools/list` result as JSON text, spliced from the stored listings without re-encoding them.
    fn list_tools(&self, params: Option<&Map<String, Value>>) -> Result<Vec<u8>, RpcError> {
        let page_size = self.options.list_page_size;
        // Without pagination a cursor means nothing, and is ignored (as FastMCP does).
        let offset = match (page_size, params.and_then(|p| p.get("cursor"))) {
            (None, _) | (_, None | Some(Value::Null)) => 0,
            (Some(_), Some(Value::String(c))) => {
                decode_cursor(c).ok_or_else(|| RpcError::invalid_params(format!("Invalid cursor: {c}")))?
            }
            (Some(_), Some(other)) => return Err(RpcError::invalid_params(format!("Invalid cursor: {other}"))),
        };
        let (page, next) = self.tools.page(offset, page_size);
        let mut out = Vec::with_capacity(16 + page.iter().map(|t| t.listing.get().len() + 1).sum::<usize>());
        out.extend_from_slice(b"{\"tools\":[");
        for (i, tool) in page.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(tool.listing.get().as_bytes());
        }
        out.push(b']');
        if let Some(next) = next {
            out.extend_from_slice(b",\"nextCursor\":");
            serde_json::to_writer(&mut out, &encode_cursor(next)).expect("a string always serializes");
        }
        out.push(b'}');
        Ok(out)
    }

    async fn call_tool(
        &self,
        session: &Arc<Session>,
        id: RequestId,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Vec<u8>> {
        let mut params = params.unwrap_or_default();
        let Some(Value::String(name)) = params.remove("name") else {
            return Some(Outgoing::error(
                Some(&id),
                &RpcError::invalid_params("tools/call needs a tool name"),
            ));
        };
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(v @ Value::Object(_)) => v,
            Some(_) => {
                return Some(Outgoing::error(
                    Some(&id),
                    &RpcError::invalid_params("arguments must be an object"),
                ))
            }
        };
        let Some(tool) = self.tools.get(&name) else {
            return Some(Outgoing::result(&id, &error_result(&format!("Unknown tool: '{name}'"))));
        };
        let progress_token = params.get("_meta").and_then(|m| m.get("progressToken")).cloned();
        let arguments_valid = tool.arguments_valid(&arguments);
        let call_id = self.next_call_id.fetch_add(1, Ordering::Relaxed);
        let timeout = tool.timeout;
        let tool_name = tool.name.clone();
        let cancelled = session.begin_request(&id);
        let _in_flight = InFlight { session, id: &id };
        let context = RequestContext {
            request_id: id.clone(),
            session: session.clone(),
            progress_token,
            sink,
        };
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
            outcome = done_rx => {
                guard.armed = false;
                Some(match outcome {
                    Ok(result) => Outgoing::result(&id, &result),
                    Err(_) => Outgoing::error(Some(&id), &RpcError::new(ErrorCode::InternalError, "the tool ended without a result")),
                })
            }
            () = cancelled.notified() => None,
            () = deadline => {
                let secs = timeout.unwrap_or(Duration::ZERO).as_secs_f64();
                let secs = if secs.fract() == 0.0 { format!("{secs:.1}") } else { secs.to_string() };
                let text = format!("Error calling tool '{tool_name}': Tool '{tool_name}' execution timed out after {secs}s");
                Some(Outgoing::result(&id, &error_result(&text)))
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::LATEST_HANDSHAKE_VERSION;
    use std::sync::Mutex;

    /// A backend that answers from Rust: echoes arguments, or never answers for tools "hang" and "slow".
    #[derive(Default)]
    struct EchoBackend {
        cancelled: Mutex<Vec<u64>>,
        parked: Mutex<Vec<oneshot::Sender<Value>>>,
    }

    impl ToolBackend for EchoBackend {
        fn invoke(&self, call: ToolInvocation, done: oneshot::Sender<Value>) {
            if call.tool.name == "hang" || call.tool.name == "slow" {
                self.parked.lock().unwrap().push(done);
                return;
            }
            call.context.log(LogLevel::Info, json!("working"), None);
            call.context.progress(1.0, Some(2.0), None);
            let text = format!("{}:{}", call.arguments, call.arguments_valid);
            let _ = done.send(json!({"content": [{"type": "text", "text": text}], "isError": false}));
        }
        fn cancel(&self, call_id: u64) {
            self.cancelled.lock().unwrap().push(call_id);
        }
    }

    fn server(page: Option<usize>) -> (McpServer, Arc<EchoBackend>) {
        let backend = Arc::new(EchoBackend::default());
        let info = ServerInfo {
            name: "t".into(),
            version: "1.0".into(),
            ..Default::default()
        };
        let s = McpServer::new(info, ServerOptions { list_page_size: page }, backend.clone());
        for (i, name) in ["add", "hang", "slow"].iter().enumerate() {
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
}
