//! The 2026-07-28 era in the dispatcher. A modern request is served on its own: its `_meta` envelope says
//! which version it speaks and what the client can do, a session made for it alone carries that to the code
//! serving it, and every result it gets is marked (`resultType`, the server's identity, caching hints).
//! The methods themselves are the handshake era's, so both eras answer the same way.

use super::{method_not_found, McpServer, Payload};
use crate::protocol::modern::{
    header_mismatch, missing_capability, read_envelope, Envelope, META_LOG_LEVEL, META_PROTOCOL_VERSION,
    META_SERVER_INFO, TASKS_EXTENSION,
};
use crate::protocol::{ErrorCode, Outgoing, RequestId, RpcError, MODERN_VERSIONS};
use crate::server::context::{LogLevel, RequestSink};
use crate::server::metrics::Outcome;
use crate::server::request_state::{binding, StateError};
use crate::server::session::Session;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// A modern answer and the HTTP status it goes out with (400 for a request the server refuses to serve as
/// sent, 404 for a method it does not have, 200 otherwise).
pub struct Reply {
    pub body: Vec<u8>,
    pub status: u16,
}

/// `ttlMs` / `cacheScope` (SEP-2549).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheHint {
    pub ttl_ms: u64,
    pub public: bool,
}

impl Default for CacheHint {
    /// What a result says without a hint: stale at once, and for this client only (as the SDK defaults).
    fn default() -> Self {
        Self {
            ttl_ms: 0,
            public: false,
        }
    }
}

impl CacheHint {
    fn scope(self) -> &'static str {
        if self.public {
            "public"
        } else {
            "private"
        }
    }
    /// Two hints that must hold together (one list, or one page of it): the shorter life, the narrower scope.
    #[must_use]
    pub fn meet(self, other: Self) -> Self {
        Self {
            ttl_ms: self.ttl_ms.min(other.ttl_ms),
            public: self.public && other.public,
        }
    }
}

/// Whether a request belongs to the modern era: it carries the modern envelope, or its method exists only
/// there.
pub fn is_modern_request(method: &str, params: Option<&Map<String, Value>>) -> bool {
    matches!(method, "server/discover" | "subscriptions/listen")
        || method.starts_with("tasks/")
        || crate::protocol::modern::has_modern_meta(params)
}

/// The HTTP status for a modern error (SEP-2575, SEP-2243; -32602 is 400 whatever its cause, as the SDK's
/// modern transport maps it).
fn status_of(error: &RpcError) -> u16 {
    match error.code {
        ErrorCode::MethodNotFound => 404,
        ErrorCode::ParseError
        | ErrorCode::InvalidRequest
        | ErrorCode::InvalidParams
        | ErrorCode::HeaderMismatch
        | ErrorCode::MissingRequiredClientCapability
        | ErrorCode::UnsupportedProtocolVersion => 400,
        _ => 200,
    }
}

/// What a `resultType:"input_required"` retry brought that could not be trusted.
fn invalid_state(reason: StateError) -> RpcError {
    RpcError {
        code: ErrorCode::InvalidParams,
        message: match reason {
            StateError::Invalid => "Invalid or expired requestState".into(),
            StateError::Expired => "Invalid or expired requestState (expired)".into(),
        },
        data: Some(json!({"reason": "invalid_request_state"})),
    }
}

impl McpServer {
    /// Serves one modern request. `connection` is where the request arrived (the stdio process's session, or
    /// a request-scoped one over HTTP): a `notifications/cancelled` sent there reaches it.
    pub async fn handle_modern(
        &self,
        connection: &Arc<Session>,
        id: RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Reply> {
        let envelope = match self.modern_envelope(params.as_ref()) {
            Ok(e) => e,
            Err(error) => return Some(Self::modern_error(&id, &error, 400)),
        };
        self.handle_enveloped(connection, id, method, params, sink, envelope)
            .await
    }

    /// The same, for a request whose envelope the transport already read and checked.
    pub async fn handle_enveloped(
        &self,
        connection: &Arc<Session>,
        id: RequestId,
        method: &str,
        params: Option<Map<String, Value>>,
        sink: RequestSink,
        envelope: (Arc<Envelope>, Option<LogLevel>),
    ) -> Option<Reply> {
        let _work = self.work.begin();
        let started = self.metrics().map(|m| (m.clone(), std::time::Instant::now()));
        if let Some(refused) = self.rate_limited() {
            return Some(Self::modern_error(&id, &refused, status_of(&refused)));
        }
        let cancelled = connection.begin_request(&id);
        let served = self.serve_modern(envelope, &id, method, params, sink);
        let answer = tokio::select! {
            answer = served => answer,
            () = cancelled.notified() => None,
        };
        connection.end_request(&id);
        if let Some((metrics, at)) = started {
            let outcome = match &answer {
                None => Outcome::Cancelled,
                Some(Ok(_)) => Outcome::Ok,
                Some(Err(_)) => Outcome::Error,
            };
            metrics.request(method, outcome, at.elapsed());
        }
        let answer = answer?;
        Some(match answer {
            Ok(body) => Reply { body, status: 200 },
            Err(error) => {
                let status = status_of(&error);
                Self::modern_error(&id, &error, status)
            }
        })
    }

    /// Reads and checks the envelope (`-32602` for a missing or malformed one, `-32022` for a version we do
    /// not serve, `-32602` for an unknown log level).
    pub fn modern_envelope(
        &self,
        params: Option<&Map<String, Value>>,
    ) -> Result<(Arc<Envelope>, Option<LogLevel>), RpcError> {
        let envelope = read_envelope(params)?;
        let level = match envelope.log_level.as_deref() {
            None => None,
            Some(name) => Some(LogLevel::parse(name).ok_or_else(|| {
                RpcError::invalid_params(format!("Invalid params: unknown {META_LOG_LEVEL}: {name}"))
            })?),
        };
        Ok((Arc::new(envelope), level))
    }

    fn modern_error(id: &RequestId, error: &RpcError, status: u16) -> Reply {
        Reply {
            body: Outgoing::error(Some(id), error),
            status,
        }
    }

    async fn serve_modern(
        &self,
        (envelope, level): (Arc<Envelope>, Option<LogLevel>),
        id: &RequestId,
        method: &str,
        mut params: Option<Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Vec<u8>, RpcError>> {
        let session = Arc::new(Session::for_envelope(envelope.clone(), level));
        let list = |registry_field: (&str, Result<Vec<u8>, RpcError>, CacheHint)| {
            let (_, listed, hint) = registry_field;
            Some(listed.map(|raw| self.complete_raw(id, raw, Some(hint))))
        };
        let as_task = if method == "tools/call" {
            self.runs_as_task(&envelope, params.as_ref())
        } else {
            None
        };
        match method {
            "server/discover" if self.through_chain(&sink) => {
                // `on_discover`: the middleware sees the request and may change what it says.
                let answer = self
                    .through_middleware(&session, id.clone(), method, params, sink)
                    .await?;
                Some(answer.map(|payload| {
                    let value = match payload {
                        Payload::Value(v) => v,
                        Payload::Raw(raw) => serde_json::from_slice(&raw).unwrap_or(Value::Null),
                    };
                    self.complete_value(id, value, Some(self.options.cache))
                }))
            }
            "server/discover" => Some(Ok(self.complete_value(id, self.discover(), Some(self.options.cache)))),
            "tools/list" => list((
                "tools",
                self.list(&session, id, "tools/list", params.as_ref(), &sink).await,
                self.list_hint(super::ListKind::Tools),
            )),
            "prompts/list" => list((
                "prompts",
                self.list(&session, id, "prompts/list", params.as_ref(), &sink).await,
                self.list_hint(super::ListKind::Prompts),
            )),
            "resources/list" => list((
                "resources",
                self.list(&session, id, "resources/list", params.as_ref(), &sink).await,
                self.list_hint(super::ListKind::Resources),
            )),
            "resources/templates/list" => list((
                "resourceTemplates",
                self.list(&session, id, "resources/templates/list", params.as_ref(), &sink)
                    .await,
                self.template_list_hint(),
            )),
            "tools/call" if as_task.is_some() => {
                let tool = match as_task? {
                    Ok(tool) => tool,
                    Err(error) => return Some(Err(error)),
                };
                if !self.permitted(tool.auth.as_ref(), &sink).await {
                    let unknown = super::error_result(&format!("Unknown tool: '{}'", tool.name));
                    return Some(Ok(self.complete_value(id, unknown, None)));
                }
                let mut params = params.unwrap_or_default();
                // A handshake-era `task` hint changes nothing: the server decides.
                params.remove("task");
                let target = tool.name.clone();
                let bound = self.bind(method, &target, params.get("arguments"));
                if let Err(error) = self.open_state(Some(&mut params), &bound) {
                    return Some(Err(error));
                }
                let answer = self
                    .call_as_task(&envelope, tool, params)
                    .await
                    .or_else(|error| match error.code.code() {
                        -32042 => Ok(url_elicitations_as_input(&error)),
                        _ => Err(error),
                    })
                    .map(Payload::Value);
                Some(answer.and_then(|payload| self.finish_input_method(id, &envelope, payload, &bound, None)))
            }
            "tools/call" | "prompts/get" | "resources/read" => {
                let target = params
                    .as_ref()
                    .and_then(|p| p.get(if method == "resources/read" { "uri" } else { "name" }))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Some(p) = params.as_mut() {
                    p.remove("task");
                }
                let bound = self.bind(method, &target, params.as_ref().and_then(|p| p.get("arguments")));
                if let Err(error) = self.open_state(params.as_mut(), &bound) {
                    return Some(Err(error));
                }
                let answer = match method {
                    "tools/call" => self.call_tool(&session, id.clone(), params, sink).await,
                    "prompts/get" => self.get_prompt(&session, id.clone(), params, sink).await,
                    _ => self.read_resource(&session, id.clone(), params, sink).await,
                }?;
                let hint = (method == "resources/read").then(|| self.resource_hint(&target));
                // There is no -32042 in this era: the URL elicitations it names are asked for as input.
                let answer = answer.or_else(|error| match error.code.code() {
                    -32042 => Ok(Payload::Value(url_elicitations_as_input(&error))),
                    _ => Err(error),
                });
                Some(answer.and_then(|payload| self.finish_input_method(id, &envelope, payload, &bound, hint)))
            }
            "completion/complete" => {
                let answer = self.complete(&session, id.clone(), params, sink).await?;
                Some(answer.and_then(|payload| self.finish_plain(id, payload)))
            }
            "subscriptions/listen" => self.listen(id, &envelope, params.as_ref(), sink).await,
            m if m.starts_with("tasks/") => Some(
                self.task_method(&envelope, m, params.as_ref())
                    .map(|v| self.complete_value(id, v, None)),
            ),
            m if self.serves_extension_method(m, &sink) => {
                let answer = self.through_middleware(&session, id.clone(), m, params, sink).await?;
                Some(answer.and_then(|payload| self.finish_plain(id, payload)))
            }
            _ => Some(Err(method_not_found(method))),
        }
    }

    /// What a sealed state is bound to: the request, and this server (so keys shared by several servers
    /// do not let one's state into another).
    fn bind(&self, method: &str, target: &str, arguments: Option<&Value>) -> Vec<u8> {
        binding(method, &format!("{}\0{target}", self.info.name), arguments)
    }

    /// The tool of a `tools/call` that runs as a task: `Some(Ok)` when the request declared the extension and
    /// the tool supports tasks, `Some(Err(-32021))` when the tool requires a task and the request cannot
    /// have one, `None` for an ordinary call.
    fn runs_as_task(
        &self,
        envelope: &Envelope,
        params: Option<&Map<String, Value>>,
    ) -> Option<Result<Arc<crate::server::registry::ToolEntry>, RpcError>> {
        use crate::server::registry::TaskSupport;
        let name = params?.get("name")?.as_str()?;
        let tool = self.tools.get(name)?;
        let declared = envelope.declares_extension(TASKS_EXTENSION);
        match (tool.task_support, declared) {
            (TaskSupport::Forbidden, _) | (TaskSupport::Optional, false) => None,
            (_, true) => Some(Ok(tool)),
            (TaskSupport::Required, false) => Some(Err(missing_capability(
                json!({"extensions": {TASKS_EXTENSION: {}}}),
                TASKS_EXTENSION,
            ))),
        }
    }

    /// `server/discover`: what a handshake would have said, for any request to read.
    pub(super) fn discover(&self) -> Value {
        let mut result = Map::new();
        result.insert("supportedVersions".into(), json!(MODERN_VERSIONS));
        let mut capabilities = self.capabilities();
        let mut extensions = self.extension_capabilities();
        if self.tasks_enabled() {
            extensions.insert(TASKS_EXTENSION.into(), json!({}));
        }
        if !extensions.is_empty() {
            capabilities["extensions"] = Value::Object(extensions);
        }
        result.insert("capabilities".into(), capabilities);
        if let Some(instructions) = self.instructions() {
            result.insert("instructions".into(), instructions.into());
        }
        if let Some(info) = self.upstream_identity() {
            result.insert("_meta".into(), json!({ META_SERVER_INFO: info }));
        }
        Value::Object(result)
    }

    /// The `serverInfo` object (`Implementation`), made once.
    pub fn server_info(&self) -> Value {
        self.server_info_cache
            .get_or_init(|| self.build_server_info())
            .0
            .clone()
    }

    /// The same, serialized (spliced into lists).
    fn server_info_json(&self) -> &[u8] {
        &self.server_info_cache.get_or_init(|| self.build_server_info()).1
    }

    fn build_server_info(&self) -> (Value, Vec<u8>) {
        let info = self.server_info_value();
        let json = serde_json::to_vec(&info).expect("a value serializes");
        (info, json)
    }

    fn server_info_value(&self) -> Value {
        let mut info = Map::new();
        info.insert("name".into(), self.info.name.clone().into());
        info.insert("version".into(), self.info.version.clone().into());
        if let Some(title) = &self.info.title {
            info.insert("title".into(), title.clone().into());
        }
        if let Some(url) = &self.info.website_url {
            info.insert("websiteUrl".into(), url.clone().into());
        }
        if let Some(icons) = &self.info.icons {
            info.insert("icons".into(), icons.clone());
        }
        Value::Object(info)
    }

    /// Opens a sealed `requestState` in place; a state that is not ours, was altered, expired or belongs to
    /// another request is refused.
    fn open_state(&self, params: Option<&mut Map<String, Value>>, bound: &[u8]) -> Result<(), RpcError> {
        let Some(params) = params else { return Ok(()) };
        match params.get("requestState") {
            None | Some(Value::Null) => {
                params.remove("requestState");
                Ok(())
            }
            Some(Value::String(token)) => {
                let plain = self.sealer.open(bound, token).map_err(invalid_state)?;
                params.insert("requestState".into(), Value::String(plain));
                Ok(())
            }
            Some(_) => Err(invalid_state(StateError::Invalid)),
        }
        .and_then(|()| match params.get("inputResponses") {
            None | Some(Value::Object(_)) => Ok(()),
            Some(_) => Err(RpcError::invalid_params(
                "Invalid params: inputResponses must be an object",
            )),
        })
    }

    /// A `tools/call`, `prompts/get` or `resources/read` result: a complete one is marked as such; an
    /// input-required one keeps only the input requests this request's client can answer, and its state
    /// leaves sealed.
    fn finish_input_method(
        &self,
        id: &RequestId,
        envelope: &Envelope,
        payload: Payload,
        bound: &[u8],
        hint: Option<CacheHint>,
    ) -> Result<Vec<u8>, RpcError> {
        let value = match payload {
            Payload::Raw(raw) => return Ok(self.complete_raw(id, raw, hint)),
            Payload::Value(v) => v,
        };
        let input_required = value.get("resultType").and_then(Value::as_str) == Some("input_required");
        if !input_required {
            return Ok(self.complete_value(id, value, hint));
        }
        let Value::Object(mut result) = value else {
            unreachable!("a value with a resultType is an object")
        };
        result.remove("ttlMs");
        result.remove("cacheScope");
        let mut missing = Map::new();
        if let Some(Value::Object(requests)) = result.get_mut("inputRequests") {
            requests.retain(|_, request| match required_capability(envelope, request) {
                None => true,
                Some((name, needs)) => {
                    missing.insert(name.to_owned(), needs);
                    false
                }
            });
            if requests.is_empty() {
                result.remove("inputRequests");
            }
        }
        if !missing.is_empty() && !result.contains_key("inputRequests") {
            let names: Vec<&str> = missing.keys().map(String::as_str).collect();
            let what = names.join(", ");
            return Err(missing_capability(Value::Object(missing), &what));
        }
        match result.remove("requestState") {
            Some(Value::String(state)) => {
                result.insert("requestState".into(), Value::String(self.sealer.seal(bound, &state)));
            }
            None | Some(Value::Null) => {}
            Some(_) => {
                return Err(RpcError::new(ErrorCode::InternalError, "requestState must be a string"));
            }
        }
        if !result.contains_key("inputRequests") && !result.contains_key("requestState") {
            return Err(RpcError::new(
                ErrorCode::InternalError,
                "an input-required result needs inputRequests or requestState",
            ));
        }
        self.stamp_meta(&mut result);
        Ok(Outgoing::result(id, &Value::Object(result)))
    }

    /// A result of a method that never asks for input (`completion/complete`).
    fn finish_plain(&self, id: &RequestId, payload: Payload) -> Result<Vec<u8>, RpcError> {
        match payload {
            Payload::Raw(raw) => Ok(self.complete_raw(id, raw, None)),
            Payload::Value(v) if v.get("resultType").and_then(Value::as_str) == Some("input_required") => {
                Err(RpcError::new(
                    ErrorCode::InternalError,
                    "only tools, prompts and resources can ask for input",
                ))
            }
            Payload::Value(v) => Ok(self.complete_value(id, v, None)),
        }
    }

    fn stamp_meta(&self, result: &mut Map<String, Value>) {
        let meta = result.entry("_meta").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            meta.entry(META_SERVER_INFO).or_insert_with(|| self.server_info());
        }
    }

    /// A complete result: `resultType`, the server's identity in `_meta`, and the caching hint when the
    /// method is cacheable (a hint the code set itself stays).
    pub(crate) fn complete_value(&self, id: &RequestId, value: Value, hint: Option<CacheHint>) -> Vec<u8> {
        let mut result = match value {
            Value::Object(map) => map,
            other => {
                let mut m = Map::new();
                m.insert("result".into(), other);
                m
            }
        };
        result
            .entry("resultType")
            .or_insert_with(|| Value::String("complete".into()));
        if let Some(hint) = hint {
            result.entry("ttlMs").or_insert_with(|| hint.ttl_ms.into());
            result
                .entry("cacheScope")
                .or_insert_with(|| Value::String(hint.scope().into()));
        }
        self.stamp_meta(&mut result);
        Outgoing::result(id, &Value::Object(result))
    }

    /// The same for a result already serialized (a list): the fields go in front, the listing is not
    /// re-encoded.
    fn complete_raw(&self, id: &RequestId, mut raw: Vec<u8>, hint: Option<CacheHint>) -> Vec<u8> {
        const META: &[u8] = br#"{"_meta":{"#;
        // The envelope and the result's first members, written over the raw result's opening in its own
        // buffer (a large result is moved once within it, not copied).
        let mut head = Vec::with_capacity(256);
        head.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        head.extend_from_slice(id.as_json().as_bytes());
        head.extend_from_slice(b",\"result\":{\"resultType\":\"complete\",");
        if let Some(hint) = hint {
            head.extend_from_slice(
                format!("\"ttlMs\":{},\"cacheScope\":\"{}\",", hint.ttl_ms, hint.scope()).as_bytes(),
            );
        }
        head.extend_from_slice(b"\"_meta\":{");
        serde_json::to_writer(&mut head, META_SERVER_INFO).expect("a string serializes");
        head.push(b':');
        head.extend_from_slice(self.server_info_json());
        // A result with a `_meta` of its own has it first (the backend writes it so): its members join ours.
        let replaced = if let Some(rest) = raw.strip_prefix(META) {
            if rest.first() != Some(&b'}') {
                head.push(b',');
            }
            META.len()
        } else {
            head.push(b'}');
            match raw.strip_prefix(b"{") {
                Some(rest) if rest.first() != Some(&b'}') => {
                    head.push(b',');
                    1
                }
                _ => {
                    head.push(b'}');
                    raw.len()
                }
            }
        };
        raw.splice(0..replaced, head);
        raw.push(b'}');
        raw
    }

    /// The hint of a whole list: the server's own, met with every component's that sets one.
    pub fn list_hint(&self, kind: super::ListKind) -> CacheHint {
        let hints = self.component_cache.read().unwrap();
        let prefix = match kind {
            super::ListKind::Tools => "tool:",
            super::ListKind::Prompts => "prompt:",
            super::ListKind::Resources => "resource:",
        };
        hints
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .fold(self.options.cache, |acc, (_, h)| acc.meet(*h))
    }

    fn template_list_hint(&self) -> CacheHint {
        let hints = self.component_cache.read().unwrap();
        hints
            .iter()
            .filter(|(k, _)| k.starts_with("template:"))
            .fold(self.options.cache, |acc, (_, h)| acc.meet(*h))
    }

    /// The hint of a `resources/read`: the resource's (or the template's that serves it), else the server's.
    fn resource_hint(&self, uri: &str) -> CacheHint {
        let hints = self.component_cache.read().unwrap();
        if hints.is_empty() {
            return self.options.cache;
        }
        if self.resources.get(uri).is_some() {
            return hints
                .get(&format!("resource:{uri}"))
                .copied()
                .unwrap_or(self.options.cache);
        }
        for template in self.templates.all() {
            if template.template.matches(uri, &template.list_params).is_some() {
                return hints
                    .get(&format!("template:{}", template.template.as_str()))
                    .copied()
                    .unwrap_or(self.options.cache);
            }
        }
        self.options.cache
    }

    /// Sets (or clears) one component's hint. `kind` is `tool`, `prompt`, `resource` or `template`.
    pub fn set_component_cache(&self, kind: &str, key: &str, hint: Option<CacheHint>) {
        let mut hints = self.component_cache.write().unwrap();
        let k = format!("{kind}:{key}");
        match hint {
            Some(h) => {
                hints.insert(k, h);
            }
            None => {
                hints.remove(&k);
            }
        }
    }

    /// Checks a modern HTTP request's `MCP-Protocol-Version` header against its body (SEP-2243): a header
    /// that disagrees with `_meta` is `-32020`.
    pub fn check_version_header(header: Option<&str>, params: Option<&Map<String, Value>>) -> Result<(), RpcError> {
        let body = params
            .and_then(|p| p.get("_meta"))
            .and_then(|m| m.get(META_PROTOCOL_VERSION))
            .and_then(Value::as_str);
        match (header, body) {
            (None, _) => Err(header_mismatch(
                "Header mismatch: the MCP-Protocol-Version header is required",
            )),
            (Some(h), Some(b)) if h != b => Err(header_mismatch(format!(
                "Header mismatch: MCP-Protocol-Version header value '{h}' does not match body value '{b}'"
            ))),
            _ => Ok(()),
        }
    }
}

/// A handshake-era "URL elicitation required" error (its `data.elicitations`) as input requests.
pub(super) fn url_elicitations_as_input(error: &RpcError) -> Value {
    let mut requests = Map::new();
    let listed = error
        .data
        .as_ref()
        .and_then(|d| d.get("elicitations"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, elicitation) in listed.into_iter().enumerate() {
        let Value::Object(mut params) = elicitation else {
            continue;
        };
        params.remove("elicitationId");
        params.insert("mode".into(), "url".into());
        requests.insert(
            format!("url-{i}"),
            json!({"method": "elicitation/create", "params": params}),
        );
    }
    if requests.is_empty() {
        return json!({"resultType": "input_required", "requestState": ""});
    }
    json!({"resultType": "input_required", "inputRequests": requests})
}

/// The client capability an input request needs, when this request did not declare it: its name and the
/// `requiredCapabilities` entry.
pub(super) fn required_capability(envelope: &Envelope, request: &Value) -> Option<(&'static str, Value)> {
    let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
    let params = request.get("params");
    match method {
        "elicitation/create" => {
            let url_mode = params.and_then(|p| p.get("mode")).and_then(Value::as_str) == Some("url");
            let declared = envelope.capabilities.get("elicitation").filter(|c| !c.is_null());
            let ok = match (declared, url_mode) {
                (None, _) => false,
                // An empty elicitation capability means form mode only.
                (Some(c), true) => c.get("url").is_some(),
                (Some(c), false) => c.get("form").is_some() || c.get("url").is_none(),
            };
            (!ok).then(|| {
                let mode = if url_mode { "url" } else { "form" };
                ("elicitation", json!({ mode: {} }))
            })
        }
        "sampling/createMessage" => {
            let with_tools = params.and_then(|p| p.get("tools")).is_some_and(|t| !t.is_null());
            let declared = envelope.capabilities.get("sampling").filter(|c| !c.is_null());
            let ok = match declared {
                None => false,
                Some(c) => !with_tools || c.get("tools").is_some(),
            };
            (!ok).then(|| {
                if with_tools {
                    ("sampling", json!({"tools": {}}))
                } else {
                    ("sampling", json!({}))
                }
            })
        }
        "roots/list" => (!envelope.declares("roots")).then(|| ("roots", json!({}))),
        _ => None,
    }
}
