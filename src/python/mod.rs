//! The pyo3 glue: the only place that touches the interpreter. Exposed to Python as `fastmcp_rs._core`.

mod backend;
mod convert;
mod workers;

use crate::server::{LogLevel, McpServer, RequestContext, ServerInfo, ServerOptions, SessionLimits, ToolEntry};
use crate::transport::http::{serve_http, HttpConfig};
use crate::transport::stdio::{serve_stdio, StdioConfig};
use crate::transport::{Shutdown, ShutdownTrigger};
use backend::{Hooks, PyBackend, PyTool, ResultShape, SharedBackend};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};
use std::net::SocketAddr;
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
    #[pyo3(signature = (name, version, *, tool_error, context_factory, instructions=None, title=None,
        website_url=None, list_page_size=None, mask_error_details=false, max_threads=40))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: String,
        version: String,
        tool_error: Bound<'_, PyType>,
        context_factory: Bound<'_, PyAny>,
        instructions: Option<String>,
        title: Option<String>,
        website_url: Option<String>,
        list_page_size: Option<usize>,
        mask_error_details: bool,
        max_threads: usize,
    ) -> PyResult<Self> {
        let hooks = Hooks {
            tool_error: tool_error.unbind(),
            context_factory: context_factory.unbind(),
            mask_error_details,
        };
        let backend = Arc::new(PyBackend::new(hooks, max_threads).map_err(|e| PyOSError::new_err(e.to_string()))?);
        let info = ServerInfo {
            name,
            version,
            title,
            instructions,
            website_url,
        };
        let options = ServerOptions {
            list_page_size: list_page_size.filter(|n| *n > 0),
        };
        let server = Arc::new(McpServer::new(info, options, Arc::new(SharedBackend(backend.clone()))));
        Ok(Self {
            server,
            backend,
            next_handler: AtomicU64::new(1),
        })
    }

    /// Registers (or replaces) a tool. `definition` is the JSON text of its `tools/list` entry.
    #[pyo3(signature = (definition, func, *, is_async, prepare, convert, context_param=None,
        plain_arguments=false, result_shape=None, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_tool(
        &self,
        definition: &str,
        func: Bound<'_, PyAny>,
        is_async: bool,
        prepare: Bound<'_, PyAny>,
        convert: Bound<'_, PyAny>,
        context_param: Option<Bound<'_, PyString>>,
        plain_arguments: bool,
        result_shape: Option<&str>,
        timeout: Option<f64>,
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
        let handler = self.next_handler.fetch_add(1, Ordering::Relaxed);
        let entry = ToolEntry::new(&definition, handler, timeout).map_err(|e| PyValueError::new_err(e.0))?;
        let tool = PyTool {
            name: entry.name.clone(),
            func: func.unbind(),
            is_async,
            context_param: context_param.map(Bound::unbind),
            plain_arguments,
            prepare: prepare.unbind(),
            convert: convert.unbind(),
            result_shape,
        };
        self.backend.tools.write().unwrap().insert(handler, Arc::new(tool));
        if let Some(old) = self.server.tools.insert(entry) {
            self.backend.tools.write().unwrap().remove(&old.handler);
        }
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

    /// Gives a server started without a loop the running loop's `create_task`.
    fn attach_loop(&self, create_task: Bound<'_, PyAny>) {
        self.backend.set_loop(Some(create_task.unbind()));
    }

    /// Starts serving stdin/stdout. `create_task` is the running loop's `create_task`.
    ///
    /// `create_task` may be `None` when serving starts before the event loop exists; calls to async tools
    /// then wait in the queue until `attach_loop` is called and the loop drains it.
    fn start_stdio(&self, py: Python<'_>, create_task: Option<Bound<'_, PyAny>>) -> PyResult<ServerHandle> {
        let rt = runtime(py)?;
        let (trigger, shutdown) = Shutdown::new();
        let (stopped_tx, stopped) = watch::channel(None);
        self.begin_run(create_task);
        let server = self.server.clone();
        rt.spawn(async move {
            let outcome = serve_stdio(
                server,
                tokio::io::stdin(),
                tokio::io::stdout(),
                StdioConfig::default(),
                shutdown,
            )
            .await;
            let _ = stopped_tx.send(Some(outcome.map_err(|e| e.to_string())));
        });
        Ok(ServerHandle {
            trigger,
            stopped,
            backend: self.backend.clone(),
            address: None,
        })
    }

    /// Binds and starts serving Streamable HTTP. Returns once the socket is listening.
    #[pyo3(signature = (create_task, host, port, *, path="/mcp".to_owned(), json_response=false,
        stateless=false, max_body_bytes=4*1024*1024, max_sessions=100_000, session_idle_timeout=1800.0,
        max_concurrent_requests=4096, dns_rebinding_protection=None, allowed_hosts=Vec::new(),
        allowed_origins=Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn start_http(
        &self,
        py: Python<'_>,
        create_task: Bound<'_, PyAny>,
        host: String,
        port: u16,
        path: String,
        json_response: bool,
        stateless: bool,
        max_body_bytes: usize,
        max_sessions: usize,
        session_idle_timeout: f64,
        max_concurrent_requests: usize,
        dns_rebinding_protection: Option<bool>,
        allowed_hosts: Vec<String>,
        allowed_origins: Vec<String>,
    ) -> PyResult<ServerHandle> {
        if !session_idle_timeout.is_finite() || session_idle_timeout <= 0.0 {
            return Err(PyValueError::new_err(
                "session_idle_timeout must be a positive number of seconds",
            ));
        }
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        let config = HttpConfig {
            path,
            json_response,
            stateless,
            max_body_bytes,
            max_concurrent_requests,
            sessions: SessionLimits {
                max_sessions: max_sessions.max(1),
                idle_timeout: Duration::from_secs_f64(session_idle_timeout),
            },
            dns_rebinding_protection,
            allowed_hosts,
            allowed_origins,
            ..HttpConfig::default()
        };
        let rt = runtime(py)?;
        let bind_to = format!("{host}:{port}");
        let listener = py
            .detach(|| rt.block_on(tokio::net::TcpListener::bind(bind_to.clone())))
            .map_err(|e| PyOSError::new_err(format!("could not listen on {bind_to}: {e}")))?;
        let address = listener.local_addr().map_err(|e| PyOSError::new_err(e.to_string()))?;
        let (trigger, shutdown) = Shutdown::new();
        let (stopped_tx, stopped) = watch::channel(None);
        self.begin_run(Some(create_task));
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

impl NativeServer {
    fn begin_run(&self, create_task: Option<Bound<'_, PyAny>>) {
        self.backend.set_loop(create_task.map(Bound::unbind));
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
                let pending = future
                    .call_method0(pyo3::intern!(py, "done"))
                    .and_then(|d| d.is_truthy())
                    .is_ok_and(|done| !done);
                if !pending {
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
        self.backend.set_loop(None);
    }

    /// `(host, port)` the HTTP server listens on, or `None` for stdio.
    #[getter]
    fn address(&self) -> Option<(String, u16)> {
        self.address.map(|a| (a.ip().to_string(), a.port()))
    }
}

/// The Rust side of a `Context`: the request it belongs to.
#[pyclass(frozen, module = "fastmcp_rs._core")]
pub struct RequestHandle {
    context: RequestContext,
    tool_name: String,
}

impl RequestHandle {
    fn new(context: RequestContext, tool_name: String) -> Self {
        Self { context, tool_name }
    }
}

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

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::{NativeServer, RequestHandle, ServerHandle};

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
