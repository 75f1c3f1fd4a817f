//! The pyo3 glue: the only place that touches the interpreter. Exposed to Python as `fastmcp_rs._core`.

mod auth;
mod backend;
mod convert;
mod upstream;
mod workers;

use crate::server::rate_limit::RateLimit;
use crate::server::registry::{raw_listing, KeyView, PromptEntry, ResourceEntry, TemplateEntry};
use crate::server::session::{ClientView, Session};
use crate::server::tasks::TaskOptions;
use crate::server::uri_template::{Screening, UriTemplate};
use crate::server::{
    CacheHint, ClientRequestError, ListKind, LogLevel, McpServer, RequestContext, ServerInfo, ServerOptions, ToolEntry,
};
use crate::transport::http::{
    reap_sessions, serve_http, Fallback, FallbackRequest, FallbackResponse, HttpConfig, HttpFallback, HttpState,
    LegacySsePaths,
};
use crate::transport::stdio::{serve_stdio, StdioConfig};
use crate::transport::{Shutdown, ShutdownTrigger};
use backend::{Hooks, PyBackend, PyHandler, PyTool, ResultShape, SharedBackend};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};
use serde_json::Value;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::watch;

/// The process's tokio runtime, built on first use with the interpreter released. Its workers never
/// call into Python: they hand work to the sync pool or the asyncio loop.
fn runtime(py: Python<'_>) -> PyResult<&'static Runtime> {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let workers = std::env::var("FASTMCP_RS_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
        .max(1);
    let built = py.detach(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("fastmcp-rs-io")
            .enable_all()
            .build()
    });
    let rt = built.map_err(|e| PyRuntimeError::new_err(format!("could not start the tokio runtime: {e}")))?;
    let rt = RUNTIME.get_or_init(|| rt);
    Ok(rt)
}

/// A server core: the tool registry and dispatcher, plus the Python callables behind each tool.
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct NativeServer {
    server: Arc<McpServer>,
    backend: Arc<PyBackend>,
    next_handler: AtomicU64,
}

#[pymethods]
impl NativeServer {
    #[new]
    #[pyo3(signature = (name, version, *, tool_error, mcp_error, context_factory, current, instructions=None, title=None,
        website_url=None, icons=None, list_page_size=None, mask_error_details=false, max_threads=40,
        active_sync_calls=2, cache_ttl_ms=None, cache_public=false, request_state_keys=Vec::new(), request_state_ttl=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: String,
        version: String,
        tool_error: Bound<'_, PyType>,
        mcp_error: Bound<'_, PyType>,
        context_factory: Bound<'_, PyAny>,
        current: Bound<'_, PyAny>,
        instructions: Option<String>,
        title: Option<String>,
        website_url: Option<String>,
        icons: Option<Bound<'_, PyAny>>,
        list_page_size: Option<usize>,
        mask_error_details: bool,
        max_threads: usize,
        active_sync_calls: usize,
        cache_ttl_ms: Option<u64>,
        cache_public: bool,
        request_state_keys: Vec<Vec<u8>>,
        request_state_ttl: Option<f64>,
    ) -> PyResult<Self> {
        let icons = icons
            .filter(|i| !i.is_none())
            .map(|i| convert::py_to_json(&i))
            .transpose()?;
        let hooks = Hooks {
            tool_error: tool_error.unbind(),
            mcp_error: mcp_error.unbind(),
            context_factory: context_factory.unbind(),
            current_set: current.getattr("set")?.unbind(),
            mask_error_details,
            input_required: current
                .py()
                .import("fastmcp_rs._mrtr")?
                .getattr("InputRequiredSignal")?
                .cast_into::<PyType>()?
                .unbind(),
        };
        let backend = Arc::new(
            PyBackend::new(hooks, max_threads, active_sync_calls).map_err(|e| PyOSError::new_err(e.to_string()))?,
        );
        let info = ServerInfo {
            name,
            version,
            title,
            instructions,
            website_url,
            icons,
        };
        let request_state_ttl = match request_state_ttl {
            None => Duration::ZERO,
            Some(t) if t.is_finite() && t > 0.0 => Duration::from_secs_f64(t),
            Some(t) => return Err(PyValueError::new_err(format!("ttl must be a positive number, not {t}"))),
        };
        let options = ServerOptions {
            list_page_size: list_page_size.filter(|n| *n > 0),
            mask_error_details,
            cache: CacheHint {
                ttl_ms: cache_ttl_ms.unwrap_or(0),
                public: cache_public,
            },
            request_state_keys,
            request_state_ttl,
            tasks: TaskOptions::default(),
        };
        let server = Arc::new(McpServer::new(info, options, Arc::new(SharedBackend(backend.clone()))));
        let _ = backend.server.set(Arc::downgrade(&server));
        Ok(Self {
            server,
            backend,
            next_handler: AtomicU64::new(1),
        })
    }

    /// Registers (or replaces) a tool. `definition` is the JSON text of its `tools/list` entry.
    #[pyo3(signature = (definition, func, *, is_async, prepare, convert, context_param=None, prepare_json=None,
        plain_arguments=false, result_shape=None, result_json=None, timeout=None, auth=None, forward=None, addressed=false))]
    #[allow(clippy::too_many_arguments)]
    fn add_tool(
        &self,
        definition: &str,
        func: Bound<'_, PyAny>,
        is_async: bool,
        prepare: Bound<'_, PyAny>,
        convert: Bound<'_, PyAny>,
        context_param: Option<Bound<'_, PyString>>,
        prepare_json: Option<Bound<'_, PyAny>>,
        plain_arguments: bool,
        result_shape: Option<&str>,
        result_json: Option<Bound<'_, PyAny>>,
        timeout: Option<f64>,
        auth: Option<(Vec<String>, Option<u64>)>,
        forward: Option<(PyRef<'_, upstream::PyUpstream>, String)>,
        addressed: bool,
    ) -> PyResult<()> {
        let definition: serde_json::Value =
            serde_json::from_str(definition).map_err(|e| PyValueError::new_err(format!("tool definition: {e}")))?;
        let timeout = match timeout {
            Some(t) if t.is_finite() && t > 0.0 => Some(Duration::from_secs_f64(t)),
            Some(t) => {
                return Err(PyValueError::new_err(format!(
                    "timeout must be a positive number, not {t}"
                )))
            }
            None => None,
        };
        let result_shape = result_shape
            .map(|s| ResultShape::parse(s).ok_or_else(|| PyValueError::new_err(format!("unknown result shape {s:?}"))))
            .transpose()?;
        if matches!(result_shape, Some(ResultShape::Json(_))) && result_json.is_none() {
            return Err(PyValueError::new_err("a json result shape needs result_json"));
        }
        let handler = self.next_handler.fetch_add(1, Ordering::Relaxed);
        let mut entry = ToolEntry::new(&definition, handler, timeout).map_err(|e| PyValueError::new_err(e.0))?;
        if !plain_arguments {
            // Such arguments always go through the function's own validator: a native verdict would go unused.
            entry = entry.without_native_check();
        }
        entry.auth = auth::component_auth(auth);
        entry.forward = forward.map(|(upstream, name)| crate::server::upstream::Forward {
            upstream: upstream.inner.clone(),
            name,
        });
        if let Some(why) = &entry.unchecked {
            // Listed verbatim as FastMCP lists it; the function's own validation (if any) still runs.
            let logger = func
                .py()
                .import("logging")?
                .call_method1("getLogger", ("fastmcp_rs",))?;
            logger.call_method1(
                "warning",
                (format!(
                    "{why}; the core cannot check this input schema, so arguments reach the tool unchecked by it"
                ),),
            )?;
        }
        let tool = PyTool {
            name: entry.name.clone(),
            func: func.unbind(),
            is_async,
            context_param: context_param.map(Bound::unbind),
            plain_arguments,
            prepare: prepare.unbind(),
            prepare_json: prepare_json.map(Bound::unbind),
            convert: convert.unbind(),
            result_shape,
            result_json: result_json.map(Bound::unbind),
        };
        self.backend.tools.write().unwrap().insert(handler, Arc::new(tool));
        let replaced = if addressed {
            self.server.add_addressed_tool(entry)
        } else {
            self.server.tools.insert(entry)
        };
        if let Some(old) = replaced {
            self.backend.tools.write().unwrap().remove(&old.handler);
        }
        Ok(())
    }

    /// Sets (or with `ttl_ms=None` clears) one component's caching hint. `kind`: tool, prompt, resource,
    /// template.
    #[pyo3(signature = (kind, key, ttl_ms=None, public=false))]
    fn set_cache(&self, kind: &str, key: &str, ttl_ms: Option<u64>, public: bool) -> PyResult<()> {
        if !matches!(kind, "tool" | "prompt" | "resource" | "template") {
            return Err(PyValueError::new_err(format!("unknown component kind {kind:?}")));
        }
        let hint = ttl_ms.map(|ttl_ms| CacheHint { ttl_ms, public });
        self.server.set_component_cache(kind, key, hint);
        Ok(())
    }

    /// Removes a tool; returns whether it existed.
    fn remove_tool(&self, name: &str) -> bool {
        match self.server.tools.remove(name) {
            Some(old) => {
                self.backend.tools.write().unwrap().remove(&old.handler);
                true
            }
            None => false,
        }
    }

    /// Registers (or replaces) a static resource. `definition` is the JSON text of its `resources/list` entry;
    /// `func(arguments, handle)` returns the `resources/read` result (or a coroutine that does).
    /// `forward=(upstream, uri)`: a proxied resource whose reads the core forwards itself.
    #[pyo3(signature = (definition, uri, func, *, is_async, auth=None, forward=None))]
    fn add_resource(
        &self,
        definition: &str,
        uri: String,
        func: Bound<'_, PyAny>,
        is_async: bool,
        auth: Option<(Vec<String>, Option<u64>)>,
        forward: Option<(PyRef<'_, upstream::PyUpstream>, String)>,
    ) -> PyResult<()> {
        let handler = self.add_handler(func, is_async);
        self.forward_handler(
            handler,
            forward.map(|(u, uri)| (u, crate::server::upstream::ForwardTarget::Resource(uri))),
        );
        let entry = ResourceEntry {
            uri,
            listing: listing(definition)?,
            handler,
            auth: auth::component_auth(auth),
        };
        let old = self.server.resources.insert(entry);
        self.drop_handler(old.map(|o| o.handler));
        Ok(())
    }

    /// Registers (or replaces) a resource template. `list_params` are plain `{?name}` parameters that take
    /// a list; `exempt_params` skip screening, and `screening=False` turns it off for the template.
    #[pyo3(signature = (definition, uri_template, func, *, is_async, list_params=Vec::new(), screening=true,
        exempt_params=Vec::new(), reject_path_traversal=true, reject_absolute_paths=true, reject_null_bytes=true,
        auth=None, forward=None))]
    #[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
    fn add_template(
        &self,
        definition: &str,
        uri_template: &str,
        func: Bound<'_, PyAny>,
        is_async: bool,
        list_params: Vec<String>,
        screening: bool,
        exempt_params: Vec<String>,
        reject_path_traversal: bool,
        reject_absolute_paths: bool,
        reject_null_bytes: bool,
        auth: Option<(Vec<String>, Option<u64>)>,
        forward: Option<(PyRef<'_, upstream::PyUpstream>, String, String)>,
    ) -> PyResult<()> {
        let template = UriTemplate::parse(uri_template).map_err(|e| PyValueError::new_err(e.0))?;
        let screening = screening.then(|| Screening {
            reject_path_traversal,
            reject_absolute_paths,
            reject_null_bytes,
            exempt: exempt_params.iter().map(|n| n.replace('-', "_")).collect(),
        });
        let listing = listing(definition)?;
        let handler = self.add_handler(func, is_async);
        // `forward=(upstream, outer, inner)`: a proxied template, read upstream with `outer` (the start of a
        // URI served here) made `inner`.
        self.forward_handler(
            handler,
            forward.map(|(u, outer, inner)| (u, crate::server::upstream::ForwardTarget::Template { outer, inner })),
        );
        let entry = TemplateEntry {
            template,
            listing,
            handler,
            list_params: list_params.into_iter().collect::<HashSet<_>>(),
            screening,
            auth: auth::component_auth(auth),
        };
        let old = self.server.templates.insert(entry);
        self.drop_handler(old.map(|o| o.handler));
        Ok(())
    }

    /// Registers (or replaces) a prompt. `required` names the arguments `prompts/get` cannot do without.
    /// `forward=(upstream, name)`: a proxied prompt the core forwards itself.
    #[pyo3(signature = (definition, name, func, *, is_async, required=Vec::new(), auth=None, forward=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_prompt(
        &self,
        definition: &str,
        name: String,
        func: Bound<'_, PyAny>,
        is_async: bool,
        required: Vec<String>,
        auth: Option<(Vec<String>, Option<u64>)>,
        forward: Option<(PyRef<'_, upstream::PyUpstream>, String)>,
    ) -> PyResult<()> {
        let listing = listing(definition)?;
        let handler = self.add_handler(func, is_async);
        self.forward_handler(
            handler,
            forward.map(|(u, name)| (u, crate::server::upstream::ForwardTarget::Prompt(name))),
        );
        let old = self.server.prompts.insert(PromptEntry {
            name,
            listing,
            handler,
            required,
            auth: auth::component_auth(auth),
        });
        self.drop_handler(old.map(|o| o.handler));
        Ok(())
    }

    /// The facade's middleware chain: `dispatcher(method, params, handle)` returns the coroutine that serves a
    /// component request (`tools/call`, `*/list`, `resources/read`, `prompts/get`) through it, its innermost
    /// step being `handle.serve_native`. `None` turns the chain off. With `calls=False` tool calls, reads and
    /// prompts skip it (a chain that only traces the other requests). With `chain=False` the dispatcher only
    /// serves the extension methods (`set_extensions`): the other requests stay native.
    #[pyo3(signature = (dispatcher, calls = true, chain = true))]
    fn set_middleware(&self, dispatcher: Option<Bound<'_, PyAny>>, calls: bool, chain: bool) {
        let on = dispatcher.is_some() && chain;
        *self.backend.middleware.write().unwrap() = dispatcher.map(|d| Arc::new(d.unbind()));
        self.server.set_middleware(on, calls);
    }

    /// Server extensions (SEP-2133): `capabilities` (identifier → settings) is what `server/discover`
    /// advertises under `capabilities.extensions`; a request for one of `methods` goes to the dispatcher of
    /// `set_middleware`. `experimental` is what both eras advertise under `capabilities.experimental`.
    #[pyo3(signature = (capabilities, methods, experimental = None))]
    fn set_extensions(
        &self,
        capabilities: &Bound<'_, PyDict>,
        methods: Vec<String>,
        experimental: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let object = |d: &Bound<'_, PyDict>| match crate::python::convert::py_to_json(d.as_any())? {
            Value::Object(map) => Ok(map),
            _ => Err(PyValueError::new_err("capabilities must be a dict")),
        };
        let experimental = experimental.map(object).transpose()?.unwrap_or_default();
        self.server.set_extensions(object(capabilities)?, methods, experimental);
        Ok(())
    }

    /// Shows only the named tools in `tools/list` (`None`: all); the others stay callable.
    #[pyo3(signature = (names))]
    fn set_listed_tools(&self, names: Option<Vec<String>>) {
        self.server.set_listed_tools(names);
    }

    /// The facade's runner of components' opaque `auth=` checks: `authorizer(checks, token) -> list[bool]`.
    fn set_authorizer(&self, authorizer: Bound<'_, PyAny>) {
        *self.backend.authorizer.write().unwrap() = Some(Arc::new(authorizer.unbind()));
    }

    /// A token bucket every request passes (`RateLimitingMiddleware` without `get_client_id`).
    #[pyo3(signature = (per_second, capacity, *, global_limit=false))]
    fn add_token_bucket(&self, per_second: f64, capacity: f64, global_limit: bool) -> PyResult<()> {
        if !per_second.is_finite() || per_second < 0.0 || !capacity.is_finite() {
            return Err(PyValueError::new_err("a rate limit needs a finite, non-negative rate"));
        }
        self.server
            .add_rate_limit(RateLimit::token_bucket(per_second, capacity, global_limit));
        Ok(())
    }

    /// A sliding window every request passes (`SlidingWindowRateLimitingMiddleware` without `get_client_id`).
    fn add_sliding_window(&self, max_requests: usize, window_seconds: f64) -> PyResult<()> {
        if !window_seconds.is_finite() || window_seconds < 0.0 {
            return Err(PyValueError::new_err(
                "a rate limit's window must be a non-negative number of seconds",
            ));
        }
        self.server.add_rate_limit(RateLimit::sliding_window(
            max_requests,
            Duration::from_secs_f64(window_seconds),
        ));
        Ok(())
    }

    /// Sets the `completion/complete` handler (`None` removes it).
    #[pyo3(signature = (func, *, is_async=false))]
    fn set_completion(&self, func: Option<Bound<'_, PyAny>>, is_async: bool) {
        let handler = func.map(|f| self.add_handler(f, is_async));
        let old = self.server.set_completion(handler);
        self.drop_handler(old);
    }

    fn remove_resource(&self, uri: &str) -> bool {
        let old = self.server.resources.remove(uri).map(|o| o.handler);
        self.drop_handler(old)
    }

    fn remove_template(&self, uri_template: &str) -> bool {
        let old = self.server.templates.remove(uri_template).map(|o| o.handler);
        self.drop_handler(old)
    }

    fn remove_prompt(&self, name: &str) -> bool {
        let old = self.server.prompts.remove(name).map(|o| o.handler);
        self.drop_handler(old)
    }

    /// Hides a component from every client but those whose own view names it (per-session visibility):
    /// unlike `remove_*`, it stays registered. Returns whether it was live.
    fn park(&self, kind: &str, key: &str) -> PyResult<bool> {
        Ok(match kind {
            "tool" => self.server.tools.park(key),
            "resource" => self.server.resources.park(key),
            "template" => self.server.templates.park(key),
            "prompt" => self.server.prompts.park(key),
            _ => return Err(PyValueError::new_err(format!("unknown component kind {kind:?}"))),
        })
    }

    /// Instructions for a server that was given none (a proxy learns its upstream's after start-up); returns
    /// whether they apply.
    fn set_instructions(&self, text: String) -> bool {
        self.server.set_instructions(text)
    }

    /// The upstream's `serverInfo` (a dict), shown in `initialize` and `server/discover` by a proxy that
    /// answers as its upstream; returns whether it applies (once).
    fn set_upstream_identity(&self, info: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self
            .server
            .set_upstream_identity(crate::python::convert::py_to_json(info)?))
    }

    /// From now on, clients' own views (see `RequestHandle.view_ref`) are honoured.
    fn use_views(&self) {
        self.server.use_views();
    }

    /// Sets the view of the modern-era clients of `scope` (`RequestHandle.view_scope`): a dict from
    /// `tools`, `resources`, `templates`, `prompts` to the keys they see, in order (a kind left out: what
    /// every client sees); `None` drops it.
    fn set_scope_view(&self, scope: &str, view: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
        let view = view.map(client_view).transpose()?;
        self.server.set_scope_view(scope, view);
        Ok(())
    }

    /// Sends `notifications/{tools,resources,prompts}/list_changed` to every connected client; returns
    /// how many it reached.
    fn list_changed(&self, kind: &str) -> PyResult<usize> {
        let kind = match kind {
            "tools" => ListKind::Tools,
            "resources" => ListKind::Resources,
            "prompts" => ListKind::Prompts,
            _ => return Err(PyValueError::new_err(format!("unknown list {kind:?}"))),
        };
        Ok(self.server.notify_list_changed(kind))
    }

    /// Sends `notifications/resources/updated` to the clients subscribed to `uri`; returns how many.
    fn resource_updated(&self, uri: &str) -> usize {
        self.server.notify_resource_updated(uri)
    }

    /// What `resources/read` would run for `uri`: `(func, is_async, arguments)`, or `None` when no resource
    /// or template serves it (or its parameters fail the screening).
    fn find_resource<'py>(&self, py: Python<'py>, uri: &str) -> PyResult<Option<FoundResource<'py>>> {
        let Ok((handler, arguments)) = self.server.find_resource(uri) else {
            return Ok(None);
        };
        let Some(found) = self.backend.handlers.read().unwrap().get(&handler).cloned() else {
            return Ok(None);
        };
        Ok(Some((
            found.func.clone_ref(py),
            found.is_async,
            convert::json_to_py(py, &arguments)?,
        )))
    }

    /// The parameter names of a URI template, in order; raises `ValueError` for a template the core
    /// cannot match.
    #[staticmethod]
    fn template_parameters(uri_template: &str) -> PyResult<Vec<String>> {
        let template = UriTemplate::parse(uri_template).map_err(|e| PyValueError::new_err(e.0))?;
        Ok(template.parameter_names().collect())
    }

    /// Gives a server started without a loop the running loop's `create_task`.
    fn attach_loop(&self, py: Python<'_>, create_task: Bound<'_, PyAny>) {
        self.backend.set_loop(py, Some(create_task.unbind()));
    }

    /// Starts serving stdin/stdout. `create_task` is the running loop's `create_task`.
    ///
    /// `create_task` may be `None` when serving starts before the event loop exists; calls to async tools
    /// then wait in the queue until `attach_loop` is called and the loop drains it.
    #[pyo3(signature = (create_task, output_fd=None))]
    fn start_stdio(
        &self,
        py: Python<'_>,
        create_task: Option<Bound<'_, PyAny>>,
        output_fd: Option<i32>,
    ) -> PyResult<ServerHandle> {
        let rt = runtime(py)?;
        // The protocol's own descriptor (a duplicate of the real stdout, which this run now owns), so that
        // fd 1 can point at stderr for everything else the process prints.
        let output: Pin<Box<dyn tokio::io::AsyncWrite + Send>> = match output_fd {
            Some(fd) if fd >= 0 => {
                use std::os::fd::FromRawFd;
                // SAFETY: the caller hands over a freshly duplicated descriptor that nothing else uses.
                let file = unsafe { std::fs::File::from_raw_fd(fd) };
                Box::pin(tokio::fs::File::from_std(file))
            }
            Some(fd) => {
                return Err(PyValueError::new_err(format!(
                    "output_fd must be a descriptor, not {fd}"
                )))
            }
            None => Box::pin(tokio::io::stdout()),
        };
        let (trigger, shutdown) = Shutdown::new();
        let (stopped_tx, stopped) = watch::channel(None);
        self.begin_run(py, create_task);
        let server = self.server.clone();
        rt.spawn(async move {
            let outcome = serve_stdio(server, tokio::io::stdin(), output, StdioConfig::default(), shutdown).await;
            let _ = stopped_tx.send(Some(outcome.map_err(|e| e.to_string())));
        });
        Ok(ServerHandle {
            trigger,
            stopped,
            backend: self.backend.clone(),
            address: None,
        })
    }

    /// The Streamable HTTP (and legacy SSE) endpoint without a socket, for an ASGI server to drive
    /// (`HttpEndpoint.handle`). Serve it within a run started by `start_memory`. `options` are those of
    /// [`http_config`]; DNS-rebinding protection is off unless asked for, as the ASGI server owns the socket.
    #[pyo3(signature = (**options))]
    fn http_endpoint(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<HttpEndpoint> {
        let auth = take_auth(options, &self.backend)?;
        let mut config = http_config(options)?;
        config.auth = auth;
        config.dns_rebinding_protection = Some(config.dns_rebinding_protection.unwrap_or(false));
        if config.metrics_path.is_some() {
            self.server.enable_metrics();
        }
        let rt = runtime(py)?;
        let unbound = SocketAddr::from(([127, 0, 0, 1], 0));
        let state = Arc::new(HttpState::new(self.server.clone(), config, unbound));
        let (trigger, shutdown) = Shutdown::new();
        rt.spawn(reap_sessions(state.clone(), shutdown));
        Ok(HttpEndpoint {
            state,
            trigger,
            backend: self.backend.clone(),
        })
    }

    /// Starts a run with no transport of its own: clients connect in memory (`connect_memory`) or through
    /// an ASGI server (`http_endpoint`). The handle stops when `shutdown` is called.
    fn start_memory(&self, py: Python<'_>, create_task: Bound<'_, PyAny>) -> PyResult<ServerHandle> {
        let rt = runtime(py)?;
        let (trigger, mut shutdown) = Shutdown::new();
        let (stopped_tx, stopped) = watch::channel(None);
        self.begin_run(py, Some(create_task));
        rt.spawn(async move {
            shutdown.wait().await;
            let _ = stopped_tx.send(Some(Ok(())));
        });
        Ok(ServerHandle {
            trigger,
            stopped,
            backend: self.backend.clone(),
            address: None,
        })
    }

    /// Connects one client in memory: a session served exactly as over stdio, one JSON-RPC message at a
    /// time. `on_message(bytes)` is called on the loop thread for every message the server sends.
    fn connect_memory(&self, py: Python<'_>, on_message: Bound<'_, PyAny>) -> PyResult<MemoryConnection> {
        let rt = runtime(py)?;
        let (client_end, server_end) = tokio::io::duplex(256 * 1024);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (client_read, mut client_write) = tokio::io::split(client_end);
        let (trigger, shutdown) = Shutdown::new();
        let server = self.server.clone();
        rt.spawn(async move {
            // An in-process client is not the process's owner: per-component authorization applies.
            let config = StdioConfig {
                trusted: false,
                ..StdioConfig::default()
            };
            let _ = serve_stdio(server, server_read, server_write, config, shutdown).await;
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        rt.spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Some(mut message) = rx.recv().await {
                message.push(b'\n');
                if client_write.write_all(&message).await.is_err() {
                    break;
                }
            }
            let _ = client_write.shutdown().await;
        });
        let backend = self.backend.clone();
        let on_message = Arc::new(on_message.unbind());
        rt.spawn(async move {
            use tokio::io::AsyncBufReadExt;
            let mut reader = tokio::io::BufReader::new(client_read);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                let on_message = on_message.clone();
                backend.bridge.submit(Box::new(move |py| {
                    if let Err(err) = on_message.bind(py).call1((pyo3::types::PyBytes::new(py, &line),)) {
                        err.write_unraisable(py, None);
                    }
                }));
            }
        });
        Ok(MemoryConnection {
            tx: std::sync::Mutex::new(Some(tx)),
            trigger,
        })
    }

    /// Binds and starts serving Streamable HTTP (and/or legacy SSE). Returns once the socket is listening.
    /// `options` are those of [`http_config`].
    #[pyo3(signature = (create_task, host, port, **options))]
    fn start_http(
        &self,
        py: Python<'_>,
        create_task: Bound<'_, PyAny>,
        host: String,
        port: u16,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<ServerHandle> {
        let fallback = match options {
            Some(o) => o.get_item("fallback")?.filter(|f| !f.is_none()),
            None => None,
        };
        if let Some(o) = options {
            if o.contains("fallback")? {
                o.del_item("fallback")?;
            }
        }
        let auth = take_auth(options, &self.backend)?;
        let mut config = http_config(options)?;
        config.auth = auth;
        config.fallback = fallback.map(|runner| {
            Fallback(Arc::new(AsgiFallback {
                runner: Arc::new(runner.unbind()),
                backend: self.backend.clone(),
            }) as Arc<dyn HttpFallback>)
        });
        let rt = runtime(py)?;
        let bind_to = format!("{host}:{port}");
        let listener = py
            .detach(|| rt.block_on(tokio::net::TcpListener::bind(bind_to.clone())))
            .map_err(|e| PyOSError::new_err(format!("could not listen on {bind_to}: {e}")))?;
        let address = listener.local_addr().map_err(|e| PyOSError::new_err(e.to_string()))?;
        let (trigger, shutdown) = Shutdown::new();
        let (stopped_tx, stopped) = watch::channel(None);
        self.begin_run(py, Some(create_task));
        let server = self.server.clone();
        rt.spawn(async move {
            let outcome = serve_http(server, listener, config, shutdown).await;
            let _ = stopped_tx.send(Some(outcome.map_err(|e| e.to_string())));
        });
        Ok(ServerHandle {
            trigger,
            stopped,
            backend: self.backend.clone(),
            address: Some(address),
        })
    }
}

/// The `auth` HTTP option (an auth provider's description, see [`auth::authenticator`]), taken out of
/// the options.
fn take_auth(
    options: Option<&Bound<'_, PyDict>>,
    backend: &Arc<PyBackend>,
) -> PyResult<Option<Arc<crate::server::auth::Authenticator>>> {
    let Some(o) = options else { return Ok(None) };
    let Some(spec) = o.get_item("auth")? else {
        return Ok(None);
    };
    o.del_item("auth")?;
    if spec.is_none() {
        return Ok(None);
    }
    let spec: Bound<'_, PyDict> = spec.cast_into()?;
    Ok(Some(Arc::new(auth::authenticator(&spec, backend)?)))
}

/// Verifies one token with a native verifier described as in an auth provider's `verifier` spec (a
/// verifier's own `verify_token`, called directly). Blocks the calling thread (not the loop: the facade
/// calls it from a worker). Returns the token as a dict, or `None` when it is refused.
#[pyfunction]
fn verify_token<'py>(py: Python<'py>, spec: Bound<'py, PyDict>, token: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    let verifier = auth::native_verifier(&spec)?;
    let rt = runtime(py)?;
    let found = py.detach(|| rt.block_on(verifier.verify(token)));
    found.map(|t| auth::token_to_py(py, &t)).transpose()
}

/// Streamable HTTP / legacy SSE settings from keyword options: `path`, `json_response`, `stateless`,
/// `max_body_bytes`, `max_sessions`, `session_idle_timeout`, `max_concurrent_requests`,
/// `dns_rebinding_protection`, `allowed_hosts`, `allowed_origins`, `streamable` (serve `path`),
/// `sse_path` / `message_path` (serve the legacy SSE transport); resumable streams: `event_store` (on
/// unless false), `event_store_max_events_per_stream`, `event_store_max_events`, `event_store_ttl`
/// (seconds, 0 for none), `retry_interval` (milliseconds, 0 for no `retry` field); and
/// `keep_alive_interval` (seconds between keep-alive comments on quiet SSE streams, 0 for none); at shutdown,
/// `drain_timeout` (seconds requests in flight may take to finish); `health_path` and `ready_path` (liveness
/// and readiness, `False` for none); `metrics_path` (Prometheus metrics, off unless given).
fn http_config(options: Option<&Bound<'_, PyDict>>) -> PyResult<HttpConfig> {
    fn leading_slash(path: String) -> String {
        if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        }
    }
    fn seconds(key: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<Duration>> {
        let seconds: f64 = value.extract()?;
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(PyValueError::new_err(format!(
                "{key} must be a number of seconds (0 for none)"
            )));
        }
        Ok((seconds > 0.0).then(|| Duration::from_secs_f64(seconds)))
    }
    fn at_least_one(key: &str, value: &Bound<'_, PyAny>) -> PyResult<usize> {
        let n: usize = value.extract()?;
        if n == 0 {
            return Err(PyValueError::new_err(format!("{key} must be at least 1")));
        }
        Ok(n)
    }
    // A path, or `False` / `""` for none.
    let optional_path = |value: &Bound<'_, PyAny>| -> PyResult<Option<String>> {
        if value.is_instance_of::<pyo3::types::PyBool>() {
            if value.extract::<bool>()? {
                return Err(PyValueError::new_err("a path or False is expected"));
            }
            return Ok(None);
        }
        let path: String = value.extract()?;
        Ok((!path.is_empty()).then(|| leading_slash(path)))
    };
    let mut config = HttpConfig::default();
    let (mut sse_path, mut message_path) = (None, "/messages/".to_owned());
    let (mut resumable, mut limits) = (true, config.event_store.clone().unwrap_or_default());
    for (key, value) in options.into_iter().flat_map(PyDictMethods::iter) {
        if value.is_none() {
            continue;
        }
        let key: String = key.extract()?;
        match key.as_str() {
            "path" => config.path = leading_slash(value.extract()?),
            "json_response" => config.json_response = value.extract()?,
            "stateless" => config.stateless = value.extract()?,
            "max_body_bytes" => config.max_body_bytes = value.extract()?,
            "max_sessions" => config.sessions.max_sessions = value.extract::<usize>()?.max(1),
            "session_idle_timeout" => {
                let seconds: f64 = value.extract()?;
                if !seconds.is_finite() || seconds <= 0.0 {
                    return Err(PyValueError::new_err(
                        "session_idle_timeout must be a positive number of seconds",
                    ));
                }
                config.sessions.idle_timeout = Duration::from_secs_f64(seconds);
            }
            "max_concurrent_requests" => config.max_concurrent_requests = value.extract()?,
            "dns_rebinding_protection" => config.dns_rebinding_protection = Some(value.extract()?),
            "allowed_hosts" => config.allowed_hosts = value.extract()?,
            "allowed_origins" => config.allowed_origins = value.extract()?,
            "streamable" => config.streamable = value.extract()?,
            "sse_path" => sse_path = Some(leading_slash(value.extract()?)),
            "message_path" => message_path = leading_slash(value.extract()?),
            "event_store" => resumable = value.extract()?,
            "event_store_max_events_per_stream" => limits.max_events_per_stream = at_least_one(&key, &value)?,
            "event_store_max_events" => limits.max_events = at_least_one(&key, &value)?,
            "event_store_ttl" => limits.max_age = seconds(&key, &value)?,
            "retry_interval" => {
                let ms: u64 = value.extract()?;
                config.retry_interval = (ms > 0).then(|| Duration::from_millis(ms));
            }
            "keep_alive_interval" => config.keep_alive = seconds(&key, &value)?,
            "header_read_timeout" => config.header_read_timeout = seconds(&key, &value)?,
            "body_read_timeout" => config.body_read_timeout = seconds(&key, &value)?,
            "drain_timeout" => config.drain_timeout = seconds(&key, &value)?.unwrap_or(Duration::ZERO),
            "health_path" => config.health_path = optional_path(&value)?,
            "ready_path" => config.ready_path = optional_path(&value)?,
            "metrics_path" => config.metrics_path = optional_path(&value)?,
            other => {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "unknown HTTP option {other:?}"
                )))
            }
        }
    }
    config.legacy_sse = sse_path.map(|sse_path| LegacySsePaths { sse_path, message_path });
    config.event_store = resumable.then_some(limits);
    Ok(config)
}

/// The fallback of a native HTTP server: requests outside the MCP paths go to the ASGI app the server is
/// mounted in (`runner(method, path, query, headers, body, responder)` returns the coroutine that calls it).
struct AsgiFallback {
    runner: Arc<Py<PyAny>>,
    backend: Arc<PyBackend>,
}

impl HttpFallback for AsgiFallback {
    fn call(&self, request: FallbackRequest) -> tokio::sync::oneshot::Receiver<FallbackResponse> {
        let (head_tx, head_rx) = tokio::sync::oneshot::channel();
        let runner = self.runner.clone();
        let backend = self.backend.clone();
        self.backend.bridge.submit(Box::new(move |py| {
            let (body_tx, body_rx) = tokio::sync::mpsc::unbounded_channel();
            let responder = AsgiResponder {
                head: std::sync::Mutex::new(Some((head_tx, body_rx))),
                body: std::sync::Mutex::new(Some(body_tx)),
            };
            let started = Py::new(py, responder).and_then(|responder| {
                let headers: Vec<(Bound<'_, pyo3::types::PyBytes>, Bound<'_, pyo3::types::PyBytes>)> = request
                    .headers
                    .iter()
                    .map(|(k, v)| (pyo3::types::PyBytes::new(py, k), pyo3::types::PyBytes::new(py, v)))
                    .collect();
                let coroutine = runner.bind(py).call1((
                    request.method,
                    request.path,
                    request.query,
                    headers,
                    pyo3::types::PyBytes::new(py, &request.body),
                    responder,
                ))?;
                backend.spawn_coroutine(py, &coroutine)
            });
            if let Err(err) = started {
                err.write_unraisable(py, None);
            }
        }));
        head_rx
    }
}

/// How the ASGI app's `send` reaches the native response: `start` once, then `body` chunks.
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct AsgiResponder {
    #[allow(clippy::type_complexity)]
    head: std::sync::Mutex<
        Option<(
            tokio::sync::oneshot::Sender<FallbackResponse>,
            tokio::sync::mpsc::UnboundedReceiver<bytes::Bytes>,
        )>,
    >,
    body: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<bytes::Bytes>>>,
}

#[pymethods]
impl AsgiResponder {
    /// `http.response.start`.
    fn start(&self, status: u16, headers: Vec<(Vec<u8>, Vec<u8>)>) -> PyResult<()> {
        let Some((head, body)) = self.head.lock().unwrap().take() else {
            return Err(PyRuntimeError::new_err("the response has already started"));
        };
        let _ = head.send(FallbackResponse { status, headers, body });
        Ok(())
    }

    /// `http.response.body`; returns False once the client is gone.
    fn body(&self, chunk: &[u8], more_body: bool) -> bool {
        let mut slot = self.body.lock().unwrap();
        let sent = slot
            .as_ref()
            .is_some_and(|tx| chunk.is_empty() || tx.send(bytes::Bytes::copy_from_slice(chunk)).is_ok());
        if !more_body {
            slot.take();
        }
        sent
    }

    /// Whether the response has started.
    #[getter]
    fn started(&self) -> bool {
        self.head.lock().unwrap().is_none()
    }

    /// Ends the response however the app ended.
    fn finish(&self) {
        self.body.lock().unwrap().take();
        self.head.lock().unwrap().take();
    }
}

/// The HTTP endpoint served through an ASGI server (`NativeServer.http_endpoint`).
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct HttpEndpoint {
    state: Arc<HttpState>,
    trigger: ShutdownTrigger,
    backend: Arc<PyBackend>,
}

/// One request in flight through an [`HttpEndpoint`]; `cancel()` drops it (the client went away).
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct HttpExchange {
    task: tokio::task::AbortHandle,
}

#[pymethods]
impl HttpExchange {
    fn cancel(&self) {
        self.task.abort();
    }
}

#[pymethods]
impl HttpEndpoint {
    /// Serves one HTTP request. `on_start(status, headers)` and then `on_body(chunk)` for every chunk of the
    /// response, and `on_body(None)` at its end, are called on the loop thread.
    #[pyo3(signature = (method, target, headers, body, on_start, on_body))]
    #[allow(clippy::too_many_arguments)]
    fn handle(
        &self,
        py: Python<'_>,
        method: &str,
        target: &str,
        headers: Vec<(Vec<u8>, Vec<u8>)>,
        body: Vec<u8>,
        on_start: Bound<'_, PyAny>,
        on_body: Bound<'_, PyAny>,
    ) -> PyResult<HttpExchange> {
        let mut request = hyper::Request::builder().method(method).uri(target);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let request = request
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .map_err(|e| PyValueError::new_err(format!("bad request: {e}")))?;
        let state = self.state.clone();
        let backend = self.backend.clone();
        let (on_start, on_body) = (on_start.unbind(), Arc::new(on_body.unbind()));
        let task = runtime(py)?.spawn(async move {
            use http_body_util::BodyExt;
            let response = state.handle(request).await;
            let (parts, mut body) = response.into_parts();
            let status = parts.status.as_u16();
            let head: Vec<(Vec<u8>, Vec<u8>)> = parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect();
            backend.bridge.submit(Box::new(move |py| {
                if let Err(err) = on_start.bind(py).call1((status, head)) {
                    err.write_unraisable(py, None);
                }
            }));
            loop {
                let chunk = match body.frame().await {
                    Some(Ok(frame)) => match frame.into_data() {
                        Ok(data) => Some(data),
                        Err(_) => continue,
                    },
                    _ => None,
                };
                let done = chunk.is_none();
                let on_body = on_body.clone();
                backend.bridge.submit(Box::new(move |py| {
                    let chunk = chunk.map(|c| pyo3::types::PyBytes::new(py, &c));
                    if let Err(err) = on_body.bind(py).call1((chunk,)) {
                        err.write_unraisable(py, None);
                    }
                }));
                if done {
                    break;
                }
            }
        });
        Ok(HttpExchange {
            task: task.abort_handle(),
        })
    }

    /// Ends every session and stops the idle reaper.
    fn close(&self) {
        self.trigger.trigger();
        self.state.close_sessions();
    }
}

fn listing(definition: &str) -> PyResult<Box<serde_json::value::RawValue>> {
    let value: Value =
        serde_json::from_str(definition).map_err(|e| PyValueError::new_err(format!("definition: {e}")))?;
    raw_listing(&value).map_err(|e| PyValueError::new_err(e.0))
}

impl NativeServer {
    fn add_handler(&self, func: Bound<'_, PyAny>, is_async: bool) -> u64 {
        let key = self.next_handler.fetch_add(1, Ordering::Relaxed);
        let handler = PyHandler {
            func: func.unbind(),
            is_async,
        };
        self.backend.handlers.write().unwrap().insert(key, Arc::new(handler));
        key
    }

    /// Forgets a replaced or removed handler; returns whether there was one.
    fn forward_handler(
        &self,
        handler: u64,
        forward: Option<(PyRef<'_, upstream::PyUpstream>, crate::server::upstream::ForwardTarget)>,
    ) {
        if let Some((upstream, target)) = forward {
            let forward = crate::server::upstream::HandlerForward {
                upstream: upstream.inner.clone(),
                target,
            };
            self.server.set_handler_forward(handler, Some(forward));
        }
    }

    fn drop_handler(&self, key: Option<u64>) -> bool {
        match key {
            Some(key) => {
                self.backend.handlers.write().unwrap().remove(&key);
                self.server.set_handler_forward(key, None);
                true
            }
            None => false,
        }
    }

    fn begin_run(&self, py: Python<'_>, create_task: Option<Bound<'_, PyAny>>) {
        self.backend.set_loop(py, create_task.map(Bound::unbind));
        self.backend.pool.open();
    }
}

/// A running server: the loop drains its jobs, and it can be stopped and awaited.
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct ServerHandle {
    trigger: ShutdownTrigger,
    stopped: watch::Receiver<Option<Result<(), String>>>,
    backend: Arc<PyBackend>,
    address: Option<SocketAddr>,
}

#[pymethods]
impl ServerHandle {
    /// The descriptor that becomes readable when the loop has work (`loop.add_reader`).
    fn fileno(&self) -> i32 {
        self.backend.bridge.fileno()
    }

    /// Runs the queued jobs: starts tool coroutines, cancels tasks. Call from the loop's reader callback.
    fn drain(&self, py: Python<'_>) {
        self.backend.bridge.drain(py);
    }

    /// Asks the server to stop: no new connections; in-flight requests get a grace period.
    fn shutdown(&self) {
        self.trigger.trigger();
    }

    /// Resolves `future` (an asyncio future of the serving loop) when the server has stopped, or sets an
    /// `OSError` if it stopped on an error. The answer reaches the loop through its own job queue, so no
    /// tokio thread takes the interpreter, which could race with interpreter finalization at exit.
    fn wait_closed(&self, py: Python<'_>, future: Bound<'_, PyAny>) -> PyResult<()> {
        let mut stopped = self.stopped.clone();
        let backend = self.backend.clone();
        let future = future.unbind();
        runtime(py)?.spawn(async move {
            let outcome = stopped
                .wait_for(Option::is_some)
                .await
                .map(|v| v.clone())
                .ok()
                .flatten();
            backend.bridge.submit(Box::new(move |py| {
                let future = future.bind(py);
                if !still_pending(future) {
                    return; // cancelled meanwhile
                }
                let _ = match outcome {
                    Some(Err(e)) => future.call_method1(
                        pyo3::intern!(py, "set_exception"),
                        (PyOSError::new_err(e).into_value(py),),
                    ),
                    _ => future.call_method1(pyo3::intern!(py, "set_result"), (py.None(),)),
                };
            }));
        });
        Ok(())
    }

    /// Releases the worker threads and the loop reference once the run is over. Waits up to 10 s for
    /// sync tools still running.
    fn close(&self, py: Python<'_>) {
        self.backend.pool.close(py, Duration::from_secs(10));
        self.backend.set_loop(py, None);
    }

    /// `(host, port)` the HTTP server listens on, or `None` for stdio.
    #[getter]
    fn address(&self) -> Option<(String, u16)> {
        self.address.map(|a| (a.ip().to_string(), a.port()))
    }
}

/// One in-memory client connection (`NativeServer.connect_memory`).
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct MemoryConnection {
    tx: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<Vec<u8>>>>,
    trigger: ShutdownTrigger,
}

#[pymethods]
impl MemoryConnection {
    /// Sends one JSON-RPC message (a JSON text, without a newline) to the server.
    fn send(&self, message: &[u8]) -> PyResult<()> {
        if message.contains(&b'\n') {
            return Err(PyValueError::new_err("one message per send, without newlines"));
        }
        let tx = self.tx.lock().unwrap();
        let sent = tx.as_ref().is_some_and(|tx| tx.send(message.to_vec()).is_ok());
        if sent {
            Ok(())
        } else {
            Err(PyRuntimeError::new_err("the connection is closed"))
        }
    }

    /// Ends the connection: the server sees end of input, finishes what is in flight, and ends the session.
    fn close(&self) {
        self.tx.lock().unwrap().take();
    }

    /// Ends the session at once, without waiting for requests in flight.
    fn abort(&self) {
        self.close();
        self.trigger.trigger();
    }
}

/// The Rust side of a `Context`: the request it belongs to.
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct RequestHandle {
    context: RequestContext,
    tool_name: String,
    backend: Arc<PyBackend>,
    /// `Context.set_state(..., serializable=False)`: lives as long as this handle.
    request_state: pyo3::sync::PyOnceLock<Py<PyDict>>,
}

impl RequestHandle {
    fn new(context: RequestContext, tool_name: String, backend: Arc<PyBackend>) -> Self {
        Self {
            context,
            tool_name,
            backend,
            request_state: pyo3::sync::PyOnceLock::new(),
        }
    }
}

/// Whether an asyncio future still waits for a result (it was not cancelled meanwhile).
fn still_pending(future: &Bound<'_, PyAny>) -> bool {
    future
        .call_method0(pyo3::intern!(future.py(), "done"))
        .and_then(|d| d.is_truthy())
        .is_ok_and(|done| !done)
}

/// What `find_resource` gives back: the handler, whether it is async, and its arguments.
type FoundResource<'py> = (Py<PyAny>, bool, Bound<'py, PyAny>);

/// A session's `Context` state (`ctx.set_state`), kept with the session in the core.
struct SessionState(Py<PyDict>);

#[pymethods]
impl RequestHandle {
    /// Sends `notifications/message` unless the client's level filters it out; returns whether it was sent.
    #[pyo3(signature = (level, data, logger=None))]
    fn log(&self, level: &str, data: &Bound<'_, PyAny>, logger: Option<&str>) -> PyResult<bool> {
        let level =
            LogLevel::parse(level).ok_or_else(|| PyValueError::new_err(format!("unknown log level {level:?}")))?;
        let data = convert::py_to_json(data)?;
        Ok(self.context.log(level, data, logger))
    }

    /// Sends a notification on this request's stream (`notifications/elicitation/complete`, ...); without
    /// `params` it has none (`notifications/tools/list_changed`).
    #[pyo3(signature = (method, params=None))]
    fn notify(&self, method: &str, params: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        if !method.starts_with("notifications/") {
            return Err(PyValueError::new_err(format!(
                "{method:?} is not a notification method"
            )));
        }
        let params = params.map(convert::py_to_json).transpose()?.unwrap_or(Value::Null);
        self.context.notify(method, &params);
        Ok(())
    }

    /// Sends `notifications/progress` if the request carried a progress token; returns whether it was sent.
    #[pyo3(signature = (progress, total=None, message=None))]
    fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) -> bool {
        self.context.progress(progress, total, message)
    }

    #[getter]
    fn request_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.context.request_id.to_value())
    }

    #[getter]
    fn session_id(&self) -> Option<String> {
        self.context.session.id().map(str::to_owned)
    }

    #[getter]
    fn progress_token<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.context
            .progress_token
            .as_ref()
            .map(|t| convert::json_to_py(py, t))
            .transpose()
    }

    #[getter]
    fn protocol_version(&self) -> Option<&'static str> {
        self.context.session.protocol_version()
    }

    #[getter]
    fn tool_name(&self) -> &str {
        &self.tool_name
    }

    /// Sends a request to the client (`elicitation/create`, `sampling/createMessage`, `roots/list`) on this
    /// request's stream, and resolves `future` (an asyncio future of the serving loop) with
    /// `("result", result)`, `("error", error_object)`, or `("unavailable", reason)`.
    fn send_request(
        &self,
        py: Python<'_>,
        method: String,
        params: &Bound<'_, PyAny>,
        future: Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let params = convert::py_to_json(params)?;
        let context = self.context.clone();
        let backend = self.backend.clone();
        let future = future.unbind();
        runtime(py)?.spawn(async move {
            let answer = context.request(&method, &params).await;
            backend.bridge.submit(Box::new(move |py| {
                let future = future.bind(py);
                if !still_pending(future) {
                    return; // the tool was cancelled meanwhile
                }
                let outcome = match answer {
                    Ok(result) => convert::json_to_py(py, &result).map(|r| ("result", r)),
                    Err(ClientRequestError::Rejected(error)) => convert::json_to_py(py, &error).map(|e| ("error", e)),
                    Err(ClientRequestError::NoStream) => Ok((
                        "unavailable",
                        PyString::new(py, "there is no stream to send the request on (a JSON response or stateless request without a GET stream)").into_any(),
                    )),
                    Err(ClientRequestError::Closed) => Ok((
                        "unavailable",
                        PyString::new(py, "the session ended before the client answered").into_any(),
                    )),
                };
                let _ = match outcome {
                    Ok(pair) => future.call_method1(pyo3::intern!(py, "set_result"), (pair,)),
                    Err(err) => future.call_method1(pyo3::intern!(py, "set_exception"), (err.into_value(py),)),
                };
            }));
        });
        Ok(())
    }

    /// The innermost step of a middleware chain: serves `method` with `params` natively (the tool, resource
    /// or prompt runs as it does without middleware) and resolves `future` with `("result", result)`,
    /// `("error", error_object)` or `("cancelled", None)`.
    fn serve_native(
        &self,
        py: Python<'_>,
        method: String,
        params: &Bound<'_, PyAny>,
        future: Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let params = match convert::py_to_json(params)? {
            Value::Object(map) => Some(map),
            Value::Null => None,
            _ => return Err(PyValueError::new_err("params must be a dict")),
        };
        let Some(server) = self.backend.server.get().and_then(std::sync::Weak::upgrade) else {
            return Err(PyRuntimeError::new_err("the server is not running"));
        };
        let context = self.context.clone();
        let backend = self.backend.clone();
        let future = future.unbind();
        runtime(py)?.spawn(async move {
            let answer = server
                .serve_native(
                    &context.session,
                    context.request_id.clone(),
                    &method,
                    params,
                    context.sink.clone(),
                )
                .await;
            let answer = answer.map(|a| a.and_then(crate::server::Payload::into_value));
            backend.bridge.submit(Box::new(move |py| {
                let future = future.bind(py);
                if !still_pending(future) {
                    return;
                }
                let outcome = match answer {
                    Some(Ok(result)) => convert::json_to_py(py, &result).map(|r| ("result", r)),
                    Some(Err(error)) => {
                        let error = serde_json::json!({"code": error.code.code(), "message": error.message, "data": error.data});
                        convert::json_to_py(py, &error).map(|e| ("error", e))
                    }
                    None => Ok(("cancelled", py.None().into_bound(py))),
                };
                let _ = match outcome {
                    Ok(pair) => future.call_method1(pyo3::intern!(py, "set_result"), (pair,)),
                    Err(err) => future.call_method1(pyo3::intern!(py, "set_exception"), (err.into_value(py),)),
                };
            }));
        });
        Ok(())
    }

    /// The exception the tool of this request raised inside the middleware chain (taken: a second call
    /// gives `None`).
    fn take_chain_error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        let key = backend::chain_key(&self.context);
        let found = self.backend.chain_errors.lock().unwrap().remove(&key);
        let _ = py;
        found
    }

    /// Ends the HTTP response that carries this request's SSE stream, without ending the call: the client
    /// reconnects and receives the rest (SEP-1699 polling). Returns whether a response was ended; does
    /// nothing without a resumable stream (stdio, a JSON response, a client older than 2025-11-25).
    fn close_sse_stream(&self) -> bool {
        self.context.sink.close_stream()
    }

    /// The HTTP request's headers (names in lower case; repeated headers joined with ", "), or `None`
    /// outside HTTP.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(headers) = self.context.sink.headers() else {
            return Ok(None);
        };
        let dict = PyDict::new(py);
        for name in headers.keys() {
            let values: Vec<String> = headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            dict.set_item(name.as_str(), values.join(", "))?;
        }
        Ok(Some(dict))
    }

    /// Whether the request came from a stdio client (trusted: per-component authorization is skipped).
    #[getter]
    fn trusted_transport(&self) -> bool {
        self.context.sink.is_trusted()
    }

    /// The caller's verified bearer token as a dict (`AccessToken` fields), or `None` (no authentication,
    /// stdio).
    #[getter]
    fn access_token<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.context
            .sink
            .access_token()
            .map(|t| auth::token_to_py(py, t))
            .transpose()
    }

    /// The session's state dict (`Context.set_state`); one per session, created on first use.
    #[getter]
    fn session_state<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        let state = self
            .context
            .session
            .extension(|| SessionState(PyDict::new(py).unbind()));
        state.0.bind(py).clone()
    }

    /// A handle on the same request, naming another target (the URI `Context.read_resource` reads).
    fn for_target(&self, target: String) -> Self {
        Self::new(self.context.clone(), target, self.backend.clone())
    }

    /// State kept for this request only.
    #[getter]
    fn request_state<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        self.request_state
            .get_or_init(py, || PyDict::new(py).unbind())
            .bind(py)
            .clone()
    }

    /// The request's `_meta` (a dict), if it had one.
    #[getter]
    fn meta<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.context
            .meta
            .as_ref()
            .map(|m| convert::json_to_py(py, m))
            .transpose()
    }

    /// Whether the request is of the modern (2026-07-28) era: no requests to the client, input-required
    /// results instead.
    #[getter]
    fn is_modern(&self) -> bool {
        self.context.session.is_modern()
    }

    /// What identifies a modern-era client from one request to the next, for its own view
    /// (`NativeServer.set_scope_view`): `user:...` for a verified caller, `process` over stdio and in memory;
    /// `None` for an unauthenticated modern HTTP request and for the handshake era (see `view_ref`).
    #[getter]
    fn view_scope(&self) -> Option<String> {
        McpServer::view_scope(&self.context.session, &self.context.sink)
    }

    /// The handle on a handshake-era session's own view; `None` in the modern era (see `view_scope`).
    fn view_ref(&self) -> Option<ViewRef> {
        (!self.context.session.is_modern()).then(|| ViewRef {
            session: Arc::downgrade(&self.context.session),
        })
    }

    /// Whether the request runs as a task (its requests to the client wait for `tasks/update`).
    #[getter]
    fn in_task(&self) -> bool {
        self.context.task.is_some()
    }

    /// A modern retry's `inputResponses` (a dict), if it carried them.
    #[getter]
    fn input_responses<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.context
            .round
            .as_ref()
            .and_then(|r| r.responses.as_ref())
            .map(|v| convert::json_to_py(py, v))
            .transpose()
    }

    /// A modern retry's `requestState`, opened (the wire carries it sealed).
    #[getter]
    fn input_state(&self) -> Option<String> {
        self.context.round.as_ref().and_then(|r| r.state.clone())
    }

    /// The order of the next client call the request's code makes (0, 1, ...).
    fn next_input_index(&self) -> usize {
        self.context
            .input_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The client's declared capabilities from `initialize` (a dict), if the session had a handshake.
    #[getter]
    fn client_capabilities<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.context
            .session
            .client_capabilities()
            .map(|c| convert::json_to_py(py, c))
            .transpose()
    }
}

/// A `ClientView` from `{"tools": [keys...], ...}`.
fn client_view(view: &Bound<'_, PyDict>) -> PyResult<ClientView> {
    let kind = |name: &str| -> PyResult<Option<KeyView>> {
        Ok(match view.get_item(name)? {
            Some(keys) if !keys.is_none() => Some(KeyView::new(keys.extract::<Vec<String>>()?)),
            _ => None,
        })
    };
    Ok(ClientView {
        tools: kind("tools")?,
        resources: kind("resources")?,
        templates: kind("templates")?,
        prompts: kind("prompts")?,
    })
}

/// A handshake-era session's view (per-session visibility), held without keeping the session alive.
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct ViewRef {
    session: std::sync::Weak<Session>,
}

#[pymethods]
impl ViewRef {
    /// Sets what the session's client sees (see `NativeServer.set_scope_view` for `view`); `None`: what
    /// every client sees. Returns false once the session has ended.
    fn set(&self, view: Option<&Bound<'_, PyDict>>) -> PyResult<bool> {
        let Some(session) = self.session.upgrade() else {
            return Ok(false);
        };
        session.set_view(view.map(client_view).transpose()?.map(Arc::new));
        Ok(true)
    }

    #[getter]
    fn alive(&self) -> bool {
        self.session.strong_count() > 0
    }
}

/// The request a sync call on this thread is serving (for `get_context()`), or `None`.
#[pyfunction]
fn current_request() -> Option<RequestHandle> {
    backend::current_request()
}

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::upstream::PyUpstream;
    #[pymodule_export]
    use super::{
        current_request, verify_token, AsgiResponder, HttpEndpoint, HttpExchange, MemoryConnection, NativeServer,
        RequestHandle, ServerHandle, ViewRef,
    };

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
