//! The Python side of [`ToolBackend`]: runs a call on the right thread, builds its arguments, calls the
//! user's function, and maps what comes back (or what it raised) to a `CallToolResult`.

use super::convert::{exact_json, json_object_to_py, json_to_py, py_to_json};
use super::workers::{LoopBridge, PyJob, SyncPool};
use super::RequestHandle;
use crate::protocol::{json_text, ErrorCode, RpcError};
use crate::server::dispatch::error_result;
use crate::server::dispatch::MiddlewareInvocation;
use crate::server::{buffers, Payload};
use crate::server::{HandlerInvocation, HandlerKind, RequestContext, ToolBackend, ToolInvocation};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::oneshot;

/// What the facade registered for one tool.
pub struct PyTool {
    pub name: String,
    pub func: Py<PyAny>,
    pub is_async: bool,
    /// The parameter that receives the `Context`, if any.
    pub context_param: Option<Py<PyString>>,
    /// Arguments that pass the native check can go to the function as they are (no pydantic types to build).
    pub plain_arguments: bool,
    /// `prepare(arguments: dict) -> dict`: pydantic validation and coercion; raises on invalid input.
    pub prepare: Py<PyAny>,
    /// `prepare_json(arguments: bytes) -> dict | None`: the same validation from the arguments' JSON text, so no
    /// dicts and lists are built only to be read once and dropped; `None` when pydantic's JSON mode refuses
    /// them, and then `prepare` decides in pydantic's Python mode, as `FastMCP` does: its verdict, its error text.
    pub prepare_json: Option<Py<PyAny>>,
    /// `convert(value) -> dict`: the facade's result conversion, for everything the fast paths don't cover.
    pub convert: Py<PyAny>,
    /// How results of plain JSON data are shaped natively; `None` sends every result through `convert`.
    pub result_shape: Option<ResultShape>,
    /// `value -> bytes`: the return annotation's serializer writing JSON (`TypeAdapter.dump_json`), for
    /// [`ResultShape::Json`].
    pub result_json: Option<Py<PyAny>>,
}

/// The result conversions the core does itself, each equal to what `convert` gives for plain JSON data
/// (the facade only picks one when its return annotation cannot change that data).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ResultShape {
    /// No output schema: content only, plus `structuredContent` when the value is a dict.
    Untyped,
    /// An output schema that takes the value as it is (`dict`, `list`, `Any`), wrapped or not.
    Any {
        wrap: bool,
    },
    /// `-> int` / `-> str` / `-> bool`, wrapped: only a value of exactly that type takes the native path.
    Int,
    Str,
    Bool,
    /// A return annotation pydantic serializes (models, lists of them, dates, ...): the value is written
    /// to JSON once by `result_json`, and the text block and `structuredContent` are spliced from those bytes.
    Json(JsonShape),
}

/// Where [`ResultShape::Json`] puts the serialized value, as `Tool.convert` does for the tool's output schema.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// No output schema: `structuredContent` only when the value is an object.
    Untyped,
    /// An object schema: the value as `structuredContent` (`null`: none).
    Object,
    /// A wrapped schema: `{"result": value}`, with `_meta.fastmcp.wrap_result`.
    Wrapped,
}

impl ResultShape {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "untyped" => Self::Untyped,
            "any" => Self::Any { wrap: false },
            "any-wrapped" => Self::Any { wrap: true },
            "int" => Self::Int,
            "str" => Self::Str,
            "bool" => Self::Bool,
            "json-untyped" => Self::Json(JsonShape::Untyped),
            "json" => Self::Json(JsonShape::Object),
            "json-wrapped" => Self::Json(JsonShape::Wrapped),
            _ => return None,
        })
    }
}

/// Facade classes and switches the backend needs at call time.
pub struct Hooks {
    pub tool_error: Py<PyType>,
    /// `fastmcp_rs.exceptions.McpError`: raised from a resource, prompt or completion handler (or from a tool,
    /// with a request-level code), it is answered as that JSON-RPC error.
    pub mcp_error: Py<PyType>,
    pub context_factory: Py<PyAny>,
    /// `set` of the `ContextVar` that `get_context()` reads inside async calls (bound once).
    pub current_set: Py<PyAny>,
    pub mask_error_details: bool,
    /// `fastmcp_rs._mrtr.InputRequiredSignal`: a modern request's client call without an answer yet; its
    /// `result` is the input-required result to answer with.
    pub input_required: Py<PyType>,
}

/// What the facade registered for a resource, a template, a prompt or the completion handler:
/// `func(arguments: dict, handle: RequestHandle)` returns the finished result (a dict of plain data) or,
/// when `is_async`, a coroutine that does.
pub struct PyHandler {
    pub func: Py<PyAny>,
    pub is_async: bool,
}

pub struct PyBackend {
    pub tools: RwLock<HashMap<u64, Arc<PyTool>>>,
    pub handlers: RwLock<HashMap<u64, Arc<PyHandler>>>,
    pub hooks: Hooks,
    pub pool: SyncPool,
    pub bridge: LoopBridge,
    /// Running asyncio tasks by call id, so a cancellation can reach them. Touched on the loop thread.
    tasks: Mutex<HashMap<u64, Py<PyAny>>>,
    /// The running loop's task entry points, bound once per server run.
    event_loop: Mutex<Option<Arc<LoopRefs>>>,
    /// `authorizer(checks, token) -> list[bool]`: the components' opaque `auth=` checks (set by the facade).
    pub authorizer: RwLock<Option<Arc<Py<PyAny>>>>,
    /// `dispatcher(method, params, handle)`: the coroutine that runs a request through the Python middleware
    /// chain (set by the facade when the server has middleware).
    pub middleware: RwLock<Option<Arc<Py<PyAny>>>>,
    /// The exception a tool raised inside a middleware chain, by request (session address and id), for the
    /// chain to raise with its `ToolError` as `__cause__` (as `FastMCP` 4 does).
    pub chain_errors: Mutex<HashMap<(usize, String), Py<PyAny>>>,
    /// The server this backend serves, for the innermost step of a middleware chain.
    pub server: std::sync::OnceLock<std::sync::Weak<crate::server::McpServer>>,
}

/// What starting a call's Task needs of the running loop, looked up once per server run.
struct LoopRefs {
    /// `loop.create_task`.
    create_task: Py<PyAny>,
    /// The loop itself, for `asyncio.Task(..., loop=, eager_start=True)` (Python 3.12+).
    event_loop: Py<PyAny>,
    /// The loop's ready queue (`loop._ready`, a deque of handles) on Python 3.11 pure-Python loops, where a
    /// new Task's first step is taken off the queue and run at once; `None` where that is not possible.
    ready: Option<Py<PyAny>>,
}

impl PyBackend {
    pub fn new(hooks: Hooks, max_threads: usize, active_sync_calls: usize) -> std::io::Result<Self> {
        Ok(Self {
            tools: RwLock::new(HashMap::new()),
            handlers: RwLock::new(HashMap::new()),
            hooks,
            pool: SyncPool::new(max_threads, active_sync_calls),
            bridge: LoopBridge::new()?,
            tasks: Mutex::new(HashMap::new()),
            event_loop: Mutex::new(None),
            authorizer: RwLock::new(None),
            middleware: RwLock::new(None),
            chain_errors: Mutex::new(HashMap::new()),
            server: std::sync::OnceLock::new(),
        })
    }

    /// Runs a coroutine as a Task on the server's loop (call on the loop thread).
    pub fn spawn_coroutine(&self, py: Python<'_>, coroutine: &Bound<'_, PyAny>) -> PyResult<()> {
        let refs = self.event_loop.lock().unwrap().clone();
        let Some(refs) = refs else {
            let _ = coroutine.call_method0(intern!(py, "close"));
            return Err(PyRuntimeError::new_err("the server is not running"));
        };
        refs.create_task.bind(py).call1((coroutine,)).map(drop)
    }

    pub fn set_loop(&self, py: Python<'_>, create_task: Option<Py<PyAny>>) {
        let refs = create_task.map(|create_task| {
            let event_loop = create_task
                .bind(py)
                .getattr(intern!(py, "__self__"))
                .map_or_else(|_| py.None(), Bound::unbind);
            let ready = event_loop
                .bind(py)
                .getattr(intern!(py, "_ready"))
                .ok()
                .filter(|r| r.get_type().name().is_ok_and(|n| n == "deque"))
                .map(Bound::unbind);
            Arc::new(LoopRefs {
                create_task,
                event_loop,
                ready,
            })
        });
        *self.event_loop.lock().unwrap() = refs;
    }
}

/// One call on its way to Python: a tool call or a handler call. Both run the same way (sync on the pool,
/// async on the loop with an eager first step); they differ in how the function is called and how its
/// outcome is answered.
trait Call: Send + 'static {
    fn backend(&self) -> &Arc<PyBackend>;
    fn is_async(&self) -> bool;
    fn call_id(&self) -> u64;
    /// The request, and the name `Context` reports, for `get_context()`.
    fn request(&self) -> (&RequestContext, &str);
    /// Nobody waits for the answer any more (cancelled or timed out while queued).
    fn abandoned(&self) -> bool;
    /// Calls the user's function (through the facade): the value, or for async code the coroutine.
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
    /// Answers with what the function returned or raised.
    fn finish(self: Box<Self>, py: Python<'_>, outcome: PyResult<Bound<'_, PyAny>>);
}

struct ToolCall {
    backend: Arc<PyBackend>,
    tool: Arc<PyTool>,
    call: ToolInvocation,
    done: oneshot::Sender<Result<Payload, RpcError>>,
}

impl Call for ToolCall {
    fn backend(&self) -> &Arc<PyBackend> {
        &self.backend
    }
    fn is_async(&self) -> bool {
        self.tool.is_async
    }
    fn call_id(&self) -> u64 {
        self.call.call_id
    }
    fn request(&self) -> (&RequestContext, &str) {
        (&self.call.context, &self.tool.name)
    }
    fn abandoned(&self) -> bool {
        self.done.is_closed()
    }
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = build_kwargs(py, &self.backend, &self.tool, &self.call)?;
        let func = self.tool.func.bind(py);
        if self.tool.is_async {
            return func.call((), Some(&kwargs));
        }
        isolated(py, func, Vec::new(), Some(&kwargs))
    }
    fn finish(self: Box<Self>, py: Python<'_>, outcome: PyResult<Bound<'_, PyAny>>) {
        let result = match outcome {
            Ok(value) => convert_result(py, &self.backend, &self.tool, &value),
            // In a task, an `McpError` is a protocol error: the task fails with it (status `failed`).
            Err(err) if self.call.context.task.is_some() && is_mcp_error(py, &self.backend, &err) => {
                Err(mcp_error(err.value(py)))
            }
            Err(err) => {
                if self.call.context.sink.is_native() {
                    let key = chain_key(&self.call.context);
                    let cause = err.value(py).clone().into_any().unbind();
                    self.backend.chain_errors.lock().unwrap().insert(key, cause);
                }
                exception_result(py, &self.backend, &self.tool, &err).map(Payload::Value)
            }
        };
        let _ = self.done.send(result);
    }
}

struct MiddlewareCall {
    backend: Arc<PyBackend>,
    dispatcher: Arc<Py<PyAny>>,
    call: MiddlewareInvocation,
    done: oneshot::Sender<Result<Payload, RpcError>>,
}

impl Call for MiddlewareCall {
    fn backend(&self) -> &Arc<PyBackend> {
        &self.backend
    }
    fn is_async(&self) -> bool {
        true
    }
    fn call_id(&self) -> u64 {
        self.call.call_id
    }
    fn request(&self) -> (&RequestContext, &str) {
        (&self.call.context, &self.call.method)
    }
    fn abandoned(&self) -> bool {
        self.done.is_closed()
    }
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let params = json_to_py(py, &self.call.params)?;
        let handle = Py::new(
            py,
            RequestHandle::new(
                self.call.context.clone(),
                self.call.method.clone(),
                self.backend.clone(),
            ),
        )?;
        self.dispatcher
            .bind(py)
            .call1((self.call.method.as_str(), params, handle))
    }
    fn finish(self: Box<Self>, py: Python<'_>, outcome: PyResult<Bound<'_, PyAny>>) {
        let result = match outcome.and_then(|value| py_to_json(&value)) {
            Ok(value) => Ok(Payload::Value(value)),
            Err(err) if is_mcp_error(py, &self.backend, &err) => Err(mcp_error(err.value(py))),
            Err(err) => input_required(py, &self.backend, &err).map_or_else(
                || {
                    let text = err.value(py).str().map(|s| s.to_string()).unwrap_or_default();
                    Err(RpcError::new(ErrorCode::InternalError, text))
                },
                |answer| answer.map(Payload::Value),
            ),
        };
        let _ = self.done.send(result);
    }
}

struct HandlerCall {
    backend: Arc<PyBackend>,
    handler: Arc<PyHandler>,
    call: HandlerInvocation,
    done: oneshot::Sender<Result<Value, RpcError>>,
}

impl Call for HandlerCall {
    fn backend(&self) -> &Arc<PyBackend> {
        &self.backend
    }
    fn is_async(&self) -> bool {
        self.handler.is_async
    }
    fn call_id(&self) -> u64 {
        self.call.call_id
    }
    fn request(&self) -> (&RequestContext, &str) {
        (&self.call.context, &self.call.target)
    }
    fn abandoned(&self) -> bool {
        self.done.is_closed()
    }
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let arguments = json_to_py(py, &self.call.arguments)?;
        let handle = Py::new(
            py,
            RequestHandle::new(
                self.call.context.clone(),
                self.call.target.clone(),
                self.backend.clone(),
            ),
        )?;
        let func = self.handler.func.bind(py);
        if self.handler.is_async {
            return func.call1((arguments, handle));
        }
        isolated(py, func, vec![arguments, handle.into_bound(py).into_any()], None)
    }
    fn finish(self: Box<Self>, py: Python<'_>, outcome: PyResult<Bound<'_, PyAny>>) {
        let result = match outcome.and_then(|value| py_to_json(&value)) {
            Ok(value) => Ok(value),
            Err(err)
                if self.call.context.sink.is_native()
                    && !err.is_instance(py, self.backend.hooks.input_required.bind(py)) =>
            {
                // Inside a middleware chain: the chain raises its error with this exception as the cause.
                let cause = err.value(py).clone().into_any().unbind();
                self.backend
                    .chain_errors
                    .lock()
                    .unwrap()
                    .insert(chain_key(&self.call.context), cause);
                Err(handler_error(
                    py,
                    &self.backend,
                    self.call.kind,
                    &self.call.target,
                    &err,
                ))
            }
            Err(err) => input_required(py, &self.backend, &err).unwrap_or_else(|| {
                Err(handler_error(
                    py,
                    &self.backend,
                    self.call.kind,
                    &self.call.target,
                    &err,
                ))
            }),
        };
        let _ = self.done.send(result);
    }
}

/// The key of a request in [`PyBackend::chain_errors`].
pub fn chain_key(context: &RequestContext) -> (usize, String) {
    (
        Arc::as_ptr(&context.session) as usize,
        context.request_id.as_json().to_owned(),
    )
}

/// `Arc<PyBackend>` is what the core holds; this lets jobs keep the backend alive.
pub struct SharedBackend(pub Arc<PyBackend>);

impl SharedBackend {
    fn dispatch(&self, call: Box<dyn Call>) {
        if call.is_async() {
            self.0.bridge.submit(Box::new(move |py| start_async(py, call)));
        } else {
            let job: PyJob = Box::new(move |py| run_sync(py, call));
            // A closed pool drops the job and with it the sender: the dispatcher answers with an error.
            let _ = self.0.pool.submit(job);
        }
    }
}

impl ToolBackend for SharedBackend {
    fn invoke(&self, call: ToolInvocation, done: oneshot::Sender<Result<Payload, RpcError>>) {
        let tool = self.0.tools.read().unwrap().get(&call.tool.handler).cloned();
        let Some(tool) = tool else {
            let _ = done.send(Ok(error_result(&format!("Unknown tool: '{}'", call.tool.name)).into()));
            return;
        };
        self.dispatch(Box::new(ToolCall {
            backend: self.0.clone(),
            tool,
            call,
            done,
        }));
    }

    fn invoke_handler(&self, call: HandlerInvocation, done: oneshot::Sender<Result<Value, RpcError>>) {
        let handler = self.0.handlers.read().unwrap().get(&call.handler).cloned();
        let Some(handler) = handler else {
            let _ = done.send(Err(RpcError::invalid_params(format!("Unknown: '{}'", call.target))));
            return;
        };
        self.dispatch(Box::new(HandlerCall {
            backend: self.0.clone(),
            handler,
            call,
            done,
        }));
    }

    fn middleware(&self, call: MiddlewareInvocation, done: oneshot::Sender<Result<Payload, RpcError>>) {
        let dispatcher = self.0.middleware.read().unwrap().clone();
        let Some(dispatcher) = dispatcher else {
            let _ = done.send(Err(RpcError::new(
                ErrorCode::InternalError,
                "the middleware chain is gone",
            )));
            return;
        };
        self.dispatch(Box::new(MiddlewareCall {
            backend: self.0.clone(),
            dispatcher,
            call,
            done,
        }));
    }

    fn authorize(
        &self,
        checks: Vec<u64>,
        token: Option<Arc<crate::server::auth::AccessToken>>,
        done: oneshot::Sender<Vec<bool>>,
    ) {
        super::auth::authorize(&self.0, checks, token, done);
    }

    fn cancel(&self, call_id: u64) {
        let backend = self.0.clone();
        self.0.bridge.submit(Box::new(move |py| {
            let task = backend.tasks.lock().unwrap().get(&call_id).map(|t| t.clone_ref(py));
            if let Some(task) = task {
                let _ = task.call_method0(py, intern!(py, "cancel"));
            }
        }));
    }
}

thread_local! {
    /// The call a pool thread is running, for `get_context()` in sync code.
    static CURRENT: RefCell<Option<(RequestContext, String, Arc<PyBackend>)>> = const { RefCell::new(None) };
}

/// The request the calling thread is serving, if it is a pool thread inside a sync call.
pub fn current_request() -> Option<RequestHandle> {
    CURRENT.with_borrow(|c| {
        c.as_ref()
            .map(|(ctx, name, backend)| RequestHandle::new(ctx.clone(), name.clone(), backend.clone()))
    })
}

/// Clears the pool thread's current call however the call ends.
struct CurrentGuard;

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with_borrow_mut(|c| *c = None);
    }
}

fn run_sync(py: Python<'_>, call: Box<dyn Call>) {
    if call.abandoned() {
        return;
    }
    let (context, name) = call.request();
    let backend = call.backend().clone();
    CURRENT.with_borrow_mut(|c| *c = Some((context.clone(), name.to_owned(), backend)));
    let guard = CurrentGuard;
    let outcome = call.start(py);
    drop(guard);
    call.finish(py, outcome);
}

fn start_async(py: Python<'_>, call: Box<dyn Call>) {
    if call.abandoned() {
        return;
    }
    let backend = call.backend().clone();
    let coroutine = match call.start(py) {
        Ok(c) => c,
        Err(err) => return call.finish(py, Err(err)),
    };
    let refs = backend.event_loop.lock().unwrap().clone();
    let Some(refs) = refs else {
        let _ = coroutine.call_method0(intern!(py, "close"));
        return call.finish(py, Err(PyRuntimeError::new_err("the server is not running")));
    };
    let eager = match eager(py) {
        Ok(e) => e,
        Err(err) => return call.finish(py, Err(err)),
    };
    let (context, name) = call.request();
    let handle = match Py::new(
        py,
        RequestHandle::new(context.clone(), name.to_owned(), backend.clone()),
    ) {
        Ok(h) => h,
        Err(err) => return call.finish(py, Err(err)),
    };
    match start_task(py, eager, &refs, &backend, &coroutine, handle) {
        // A coroutine that finished within its first step (most do) is answered here: no loop iteration,
        // no done-callback.
        Ok(task) if task_flag(&task, intern!(py, "done")) => {
            finish_from_task(py, call, &task);
        }
        Ok(task) => watch_task(py, call, &task),
        Err(err) => call.finish(py, Err(err)),
    }
}

/// Wraps the coroutine in a real asyncio Task whose context carries the current request, and runs the Task's
/// first step at once where the interpreter allows: `asyncio.current_task()`, `asyncio.timeout`, task groups,
/// anyio and sniffio see a Task from the coroutine's first line.
fn start_task<'py>(
    py: Python<'py>,
    eager: &Eager,
    refs: &LoopRefs,
    backend: &PyBackend,
    coroutine: &Bound<'py, PyAny>,
    handle: Py<RequestHandle>,
) -> PyResult<Bound<'py, PyAny>> {
    let create_task = refs.create_task.bind(py);
    if eager.version < (3, 11) {
        // Python 3.10: `create_task` takes no context; the wrapper sets the current request inside the Task.
        let wrapped = eager
            .bind_current
            .bind(py)
            .call1((coroutine, backend.hooks.current_set.bind(py), handle))?;
        return create_task.call1((wrapped,));
    }
    let context = eager.copy_context.bind(py).call0()?;
    context.call_method1(intern!(py, "run"), (backend.hooks.current_set.bind(py), handle))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(intern!(py, "context"), &context)?;
    if eager.version >= (3, 12) {
        // The standard eager start (what `asyncio.eager_task_factory` does).
        kwargs.set_item(intern!(py, "loop"), refs.event_loop.bind(py))?;
        kwargs.set_item(intern!(py, "eager_start"), true)?;
        return eager.task_class.bind(py).call((coroutine,), Some(&kwargs));
    }
    let task = create_task.call((coroutine,), Some(&kwargs))?;
    // Python 3.11 has no eager start: the new Task's first step is the handle `create_task` just appended to
    // the loop's ready queue. It is taken off and run now, as the loop would run it. Checking and popping are
    // C calls made while holding the GIL, so no other thread's handle can slip in between; if the last handle
    // is not this Task's step (another thread appended one first), the Task simply starts on the next tick.
    if let Some(ready) = &refs.ready {
        let ready = ready.bind(py);
        if let Ok(last) = ready.get_item(-1) {
            let step_owner = last
                .getattr(intern!(py, "_callback"))
                .and_then(|cb| cb.getattr(intern!(py, "__self__")));
            if step_owner.is_ok_and(|owner| owner.is(&task)) {
                ready.call_method0(intern!(py, "pop"))?;
                last.call_method0(intern!(py, "_run"))?;
            }
        }
    }
    Ok(task)
}

/// `task.done()` / `task.cancelled()`.
fn task_flag(task: &Bound<'_, PyAny>, method: &Bound<'_, PyString>) -> bool {
    task.call_method0(method).is_ok_and(|v| v.is_truthy().unwrap_or(false))
}

/// Answers a call from its finished Task (a cancelled one is not answered: nobody waits for it).
fn finish_from_task(py: Python<'_>, call: Box<dyn Call>, task: &Bound<'_, PyAny>) {
    if task_flag(task, intern!(py, "cancelled")) {
        return;
    }
    let outcome = task.call_method0(intern!(py, "result"));
    call.finish(py, outcome);
}

/// Answers the call when its task finishes, and keeps the task where a cancellation can find it.
fn watch_task(py: Python<'_>, call: Box<dyn Call>, task: &Bound<'_, PyAny>) {
    let backend = call.backend().clone();
    let call_id = call.call_id();
    let on_done = TaskDone {
        state: Mutex::new(Some(call)),
        call_id,
    };
    let registered =
        Py::new(py, on_done).and_then(|cb| task.call_method1(intern!(py, "add_done_callback"), (cb,)).map(drop));
    if registered.is_ok() {
        backend.tasks.lock().unwrap().insert(call_id, task.clone().unbind());
    }
}

/// What starting a Task needs from Python, looked up once.
/// A sync function's call, in a copy of the pool thread's context (as `anyio.to_thread.run_sync` runs one in
/// a copy of the request's): what it sets in a `ContextVar` stays with the call, not with the thread's next.
fn isolated<'py>(
    py: Python<'py>,
    func: &Bound<'py, PyAny>,
    args: Vec<Bound<'py, PyAny>>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let context = eager(py)?.copy_context.bind(py).call0()?;
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(func.clone());
    all.extend(args);
    context
        .getattr(intern!(py, "run"))?
        .call(PyTuple::new(py, all)?, kwargs)
}

struct Eager {
    version: (u8, u8),
    copy_context: Py<PyAny>,
    /// `asyncio.Task`, built directly with `eager_start=True` on Python 3.12+.
    task_class: Py<PyAny>,
    bind_current: Py<PyAny>,
}

fn eager(py: Python<'_>) -> PyResult<&'static Eager> {
    static EAGER: PyOnceLock<Eager> = PyOnceLock::new();
    EAGER.get_or_try_init(py, || {
        let helpers = py.import("fastmcp_rs._eager")?;
        let info = py.version_info();
        Ok(Eager {
            version: (info.major, info.minor),
            copy_context: py.import("contextvars")?.getattr("copy_context")?.unbind(),
            task_class: py.import("asyncio")?.getattr("Task")?.unbind(),
            bind_current: helpers.getattr("bind_current")?.unbind(),
        })
    })
}

/// The done-callback of a call's asyncio task.
#[pyclass(frozen)]
struct TaskDone {
    state: Mutex<Option<Box<dyn Call>>>,
    call_id: u64,
}

#[pymethods]
impl TaskDone {
    fn __call__(&self, py: Python<'_>, task: Bound<'_, PyAny>) {
        let Some(call) = self.state.lock().unwrap().take() else {
            return;
        };
        call.backend().tasks.lock().unwrap().remove(&self.call_id);
        finish_from_task(py, call, &task);
    }
}

/// The keyword arguments for the user's function.
fn build_kwargs<'py>(
    py: Python<'py>,
    backend: &Arc<PyBackend>,
    tool: &PyTool,
    call: &ToolInvocation,
) -> PyResult<Bound<'py, PyDict>> {
    let Value::Object(arguments) = &call.arguments else {
        return Err(PyValueError::new_err("arguments must be an object"));
    };
    // A JSON float where an int is declared (`2.0`) passes the schema check but pydantic turns it into an int;
    // such calls take the pydantic path so the function sees what FastMCP would give it.
    let plain = tool.plain_arguments && call.arguments_valid && !arguments.values().any(has_float);
    let from_json = match &tool.prepare_json {
        Some(prepare_json) if !plain => {
            let text = serde_json::to_vec(&call.arguments).map_err(|e| PyValueError::new_err(e.to_string()))?;
            let kwargs = prepare_json.bind(py).call1((PyBytes::new(py, &text),))?;
            (!kwargs.is_none()).then(|| kwargs.cast_into::<PyDict>()).transpose()?
        }
        _ => None,
    };
    let kwargs = match from_json {
        Some(kwargs) => kwargs,
        None if plain => json_object_to_py(py, arguments)?,
        None => tool
            .prepare
            .bind(py)
            .call1((json_object_to_py(py, arguments)?,))?
            .cast_into::<PyDict>()?,
    };
    if let Some(param) = &tool.context_param {
        let handle = RequestHandle::new(call.context.clone(), tool.name.clone(), backend.clone());
        let context = backend.hooks.context_factory.bind(py).call1((Py::new(py, handle)?,))?;
        kwargs.set_item(param.bind(py), context)?;
    }
    Ok(kwargs)
}

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

/// Plain JSON data is shaped natively, values of a pydantic-serialized annotation are written to JSON once;
/// everything else goes through the facade's converter.
fn convert_result(
    py: Python<'_>,
    backend: &PyBackend,
    tool: &PyTool,
    value: &Bound<'_, PyAny>,
) -> Result<Payload, RpcError> {
    match tool.result_shape {
        Some(ResultShape::Json(shape)) => {
            if let Some(raw) = tool.result_json.as_ref().and_then(|f| json_result(py, f, shape, value)) {
                return Ok(Payload::Raw(raw));
            }
        }
        Some(ResultShape::Str) if value.is_exact_instance_of::<PyString>() => {
            if let Some(raw) = str_result(value) {
                return Ok(Payload::Raw(raw));
            }
        }
        Some(shape) => {
            if let Some(result) = native_result(py, shape, value) {
                return Ok(Payload::Value(result));
            }
        }
        None => {}
    }
    tool.convert
        .bind(py)
        .call1((value,))
        .and_then(|result| py_to_json(&result))
        .or_else(|err| exception_result(py, backend, tool, &err))
        .map(Payload::Value)
}

/// The `CallToolResult` text for a value its annotation's serializer writes, spliced from one serialization:
/// what `Tool.convert` gives (text block and `structuredContent` from the same JSON), or `None` to leave the
/// value to it (a value that is, or holds, content or a full result; a serializer error; a non-object under an
/// object schema, which is the facade's error to raise).
fn json_result(py: Python<'_>, to_json: &Py<PyAny>, shape: JsonShape, value: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if !plain_result_value(py, value) {
        return None;
    }
    let bytes = to_json.bind(py).call1((value,)).ok()?;
    let json = bytes.cast::<PyBytes>().ok()?.as_bytes();
    // NaN/Infinity (JSON cannot carry them): `convert` refuses them with their path.
    if json_text::has_nonfinite(json) {
        return None;
    }
    if shape == JsonShape::Object && json.first() != Some(&b'{') && json != b"null" {
        return None;
    }
    Some(spliced(shape, json))
}

/// A `CallToolResult` with `json` (a value's JSON text) as its text block and structured content.
fn spliced(shape: JsonShape, json: &[u8]) -> Vec<u8> {
    let is_object = json.first() == Some(&b'{');
    // Room for the JSON-RPC envelope too, which is written around the result in this buffer.
    let mut out = buffers::take(json.len() * 2 + 192);
    out.extend_from_slice(result_head(shape));
    match json {
        b"null" | b"[]" => {}
        // A string is its own text (not its JSON); its JSON is already the text field's value.
        [b'"', ..] => {
            out.extend_from_slice(TEXT_BLOCK);
            out.extend_from_slice(json);
            out.push(b'}');
        }
        _ => {
            out.extend_from_slice(TEXT_BLOCK);
            // JSON text is UTF-8 (pydantic writes it so), so the bytes are a `str`, written as a JSON string.
            match std::str::from_utf8(json) {
                Ok(text) => json_text::write_str(&mut out, text),
                Err(_) => json_text::write_str(&mut out, &String::from_utf8_lossy(json)),
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(br#"],"isError":false"#);
    match shape {
        JsonShape::Wrapped => {
            out.extend_from_slice(br#","structuredContent":{"result":"#);
            out.extend_from_slice(json);
            out.push(b'}');
        }
        JsonShape::Object | JsonShape::Untyped if is_object => {
            out.extend_from_slice(br#","structuredContent":"#);
            out.extend_from_slice(json);
        }
        JsonShape::Object | JsonShape::Untyped => {}
    }
    out.push(b'}');
    out
}

const TEXT_BLOCK: &[u8] = br#"{"type":"text","text":"#;

fn result_head(shape: JsonShape) -> &'static [u8] {
    if shape == JsonShape::Wrapped {
        br#"{"_meta":{"fastmcp":{"wrap_result":true}},"content":["#
    } else {
        br#"{"content":["#
    }
}

/// `-> str` returning exactly a `str`: the string is escaped once, into the answer's buffer, and that JSON is
/// both the text block's value and the wrapped structured content (a large text is not escaped twice, nor
/// copied into a `Value`).
fn str_result(value: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if !value.is_exact_instance_of::<PyString>() {
        return None;
    }
    let text = value.cast::<PyString>().ok()?.to_str().ok()?;
    let mut out = buffers::take(text.len() * 2 + 224);
    out.extend_from_slice(result_head(JsonShape::Wrapped));
    out.extend_from_slice(TEXT_BLOCK);
    let start = out.len();
    json_text::write_str(&mut out, text);
    let end = out.len();
    out.extend_from_slice(br#"}],"isError":false,"structuredContent":{"result":"#);
    out.extend_from_within(start..end);
    out.extend_from_slice(b"}}");
    Some(out)
}

/// Whether `Tool.convert` would treat the value as data: it is not (and, as a list or tuple, holds no)
/// content block, media helper, `ToolResult`, `CallToolResult` or input-required result. Decided per type
/// by the facade and remembered.
fn plain_result_value(py: Python<'_>, value: &Bound<'_, PyAny>) -> bool {
    static CHECK: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static KNOWN: Mutex<Vec<(Py<PyType>, bool)>> = Mutex::new(Vec::new());
    let Ok(check) = CHECK.get_or_try_init(py, || {
        py.import("fastmcp_rs.tools.base")?
            .getattr("_plain_result_type")
            .map(Bound::unbind)
    }) else {
        return false;
    };
    let mut last: Option<(*mut pyo3::ffi::PyTypeObject, bool)> = None;
    let mut plain = |item: &Bound<'_, PyAny>| -> bool {
        let ty = item.get_type();
        let ptr = ty.as_type_ptr();
        if let Some((seen, verdict)) = last {
            if seen == ptr {
                return verdict;
            }
        }
        let verdict = if item.is_exact_instance_of::<PyString>()
            || item.is_exact_instance_of::<PyInt>()
            || item.is_exact_instance_of::<PyDict>()
            || item.is_none()
        {
            true
        } else {
            let known = KNOWN
                .lock()
                .unwrap()
                .iter()
                .find(|(t, _)| t.as_ptr().cast() == ptr)
                .map(|(_, v)| *v);
            known.unwrap_or_else(|| {
                let verdict = check
                    .bind(py)
                    .call1((&ty,))
                    .and_then(|v| v.is_truthy())
                    .unwrap_or(false);
                let mut known = KNOWN.lock().unwrap();
                // Bounded: a program with ever new types (made at run time) is answered without the memo.
                if known.len() < 256 {
                    known.push((ty.clone().unbind(), verdict));
                }
                verdict
            })
        };
        last = Some((ptr, verdict));
        verdict
    };
    if let Ok(list) = value.cast::<PyList>() {
        return list.iter().all(|item| plain(&item));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple.iter().all(|item| plain(&item));
    }
    plain(value)
}

/// `FastMCP`'s `CallToolResult` for a value of plain JSON data, or `None` to let the facade convert it.
fn native_result(py: Python<'_>, shape: ResultShape, value: &Bound<'_, PyAny>) -> Option<Value> {
    let exact_type_matches = match shape {
        ResultShape::Int => value.is_exact_instance_of::<PyInt>(),
        ResultShape::Str => value.is_exact_instance_of::<PyString>(),
        ResultShape::Bool => value.is_exact_instance_of::<PyBool>(),
        ResultShape::Untyped | ResultShape::Any { .. } => true,
        ResultShape::Json(_) => false,
    };
    if !exact_type_matches {
        return None;
    }
    let (data, has_float) = exact_json(value)?;
    let content = match &data {
        Value::Null => json!([]),
        Value::Array(items) if items.is_empty() => json!([]),
        Value::String(text) => json!([{"type": "text", "text": text}]),
        _ => json!([{"type": "text", "text": json_text(py, value, &data, has_float)?}]),
    };
    Some(match shape {
        ResultShape::Untyped | ResultShape::Any { wrap: false } if data.is_object() => {
            json!({"content": content, "isError": false, "structuredContent": data})
        }
        // An unwrapped schema takes a dict, or nothing; anything else is the facade's error to raise.
        ResultShape::Any { wrap: false } if !data.is_null() => return None,
        ResultShape::Untyped | ResultShape::Any { wrap: false } => json!({"content": content, "isError": false}),
        ResultShape::Json(_) => return None,
        ResultShape::Any { wrap: true } | ResultShape::Int | ResultShape::Str | ResultShape::Bool => json!({
            "_meta": {"fastmcp": {"wrap_result": true}},
            "content": content,
            "isError": false,
            "structuredContent": {"result": data},
        }),
    })
}

/// The text block's JSON, written as pydantic writes it. `serde_json` and pydantic agree on everything but
/// floats (`1e+20` vs `1e20`), so data with floats is written by pydantic itself.
fn json_text(py: Python<'_>, value: &Bound<'_, PyAny>, data: &Value, has_float: bool) -> Option<String> {
    static TO_JSON: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    if !has_float {
        return serde_json::to_string(data).ok();
    }
    let to_json = TO_JSON
        .get_or_try_init(py, || py.import("pydantic_core")?.getattr("to_json").map(Bound::unbind))
        .ok()?;
    let bytes = to_json.bind(py).call1((value,)).ok()?;
    let bytes = bytes.cast::<PyBytes>().ok()?;
    String::from_utf8(bytes.as_bytes().to_vec()).ok()
}

/// `McpError` codes that say a tool call cannot be served as asked, rather than how it went: raised from a
/// tool, they are answered as the JSON-RPC error itself. URL elicitation required (-32042), as the SDK's
/// `FastMCP` answers it, and a missing required client capability (-32021), as `FastMCP` 4 does. Any other
/// `McpError` is a failed call like any exception (`isError: true`), again as `FastMCP` 4 answers it.
const REQUEST_LEVEL_CODES: [i64; 2] = [-32042, -32021];

/// The one place a Python exception from a tool becomes its answer: an `McpError` with a request-level code
/// as that JSON-RPC error; otherwise a tool result, `ToolError` text as it is, anything else named after the
/// tool (without its text when details are masked).
pub fn exception_result(py: Python<'_>, backend: &PyBackend, tool: &PyTool, err: &PyErr) -> Result<Value, RpcError> {
    if let Some(result) = input_required(py, backend, err) {
        return result;
    }
    if is_mcp_error(py, backend, err) {
        let error = mcp_error(err.value(py));
        if REQUEST_LEVEL_CODES.contains(&error.code.code()) {
            return Err(error);
        }
    }
    let text = if err.is_instance(py, backend.hooks.tool_error.bind(py)) {
        err.value(py).str().map(|s| s.to_string()).unwrap_or_default()
    } else if let Some(text) = upstream_failure(py, err) {
        log_exception(py, &format!("Error calling tool '{}'", tool.name), err);
        text.to_string()
    } else {
        log_exception(py, &format!("Error calling tool '{}'", tool.name), err);
        if backend.hooks.mask_error_details {
            format!("Error calling tool '{}'", tool.name)
        } else {
            let detail = err.value(py).str().map(|s| s.to_string()).unwrap_or_default();
            format!("Error calling tool '{}': {detail}", tool.name)
        }
    };
    Ok(error_result(&text))
}

/// What `FastMCP` 4 tells the model, masked or not, when a tool's HTTP call to an upstream API failed in a way
/// worth retrying: `httpx`'s (or `httpx2`'s) status error for a 429, or its timeout.
fn upstream_failure(py: Python<'_>, err: &PyErr) -> Option<&'static str> {
    let value = err.value(py);
    let mro = value.get_type().getattr(intern!(py, "__mro__")).ok()?;
    for cls in mro.try_iter().ok()? {
        let cls = cls.ok()?;
        let module = cls.getattr(intern!(py, "__module__")).ok()?.str().ok()?.to_string();
        if !matches!(module.split('.').next(), Some("httpx" | "httpx2")) {
            continue;
        }
        let name = cls.getattr(intern!(py, "__name__")).ok()?.str().ok()?.to_string();
        if name == "TimeoutException" {
            return Some("Upstream request timed out, please retry");
        }
        if name == "HTTPStatusError" {
            let status = value
                .getattr(intern!(py, "response"))
                .and_then(|r| r.getattr(intern!(py, "status_code")))
                .and_then(|c| c.extract::<i64>())
                .ok();
            return (status == Some(429)).then_some("Rate limited by upstream API, please retry later");
        }
    }
    None
}

/// The input-required result a transparent client call ended the run with, if that is how it ended.
fn input_required(py: Python<'_>, backend: &PyBackend, err: &PyErr) -> Option<Result<Value, RpcError>> {
    if !err.is_instance(py, backend.hooks.input_required.bind(py)) {
        return None;
    }
    Some(
        err.value(py)
            .getattr(intern!(py, "result"))
            .and_then(|r| py_to_json(&r))
            .map_err(|e| RpcError::new(ErrorCode::InternalError, e.to_string())),
    )
}

/// Our `McpError`, or the SDK's own (`mcp.shared.exceptions.McpError` in v1, `MCPError` in v2, and their
/// `UrlElicitationRequiredError`), which SDK v1 files raise: an exception from an `mcp.*` module whose
/// `error` is an `ErrorData`.
fn is_mcp_error(py: Python<'_>, backend: &PyBackend, err: &PyErr) -> bool {
    if err.is_instance(py, backend.hooks.mcp_error.bind(py)) {
        return true;
    }
    let value = err.value(py);
    let from_sdk = value
        .get_type()
        .module()
        .is_ok_and(|m| m.to_str().is_ok_and(|m| m == "mcp" || m.starts_with("mcp.")));
    from_sdk
        && value
            .getattr(intern!(py, "error"))
            .is_ok_and(|e| e.hasattr(intern!(py, "code")).unwrap_or(false))
}

/// The JSON-RPC error an `McpError` carries: its code, message and data (an SDK error keeps them in `.error`).
fn mcp_error(value: &Bound<'_, pyo3::exceptions::PyBaseException>) -> RpcError {
    let sdk_error = value
        .getattr("error")
        .ok()
        .filter(|e| e.hasattr("code").unwrap_or(false));
    let value = sdk_error.as_ref().map_or(value.as_any(), |e| e);
    let code = value.getattr("code").and_then(|c| c.extract::<i64>()).unwrap_or(-32603);
    let message = value
        .getattr("message")
        .and_then(|m| m.extract::<String>())
        .unwrap_or_else(|_| value.str().map(|s| s.to_string()).unwrap_or_default());
    let data = value
        .getattr("data")
        .ok()
        .filter(|d| !d.is_none())
        .and_then(|d| py_to_json(&d).ok());
    RpcError::with_code(code, message, data)
}

/// Unexpected exceptions go to the `fastmcp_rs` logger (stderr by default), with their traceback.
#[cold]
fn log_exception(py: Python<'_>, what: &str, err: &PyErr) {
    let logged = (|| -> PyResult<()> {
        let logging = py.import(intern!(py, "logging"))?;
        let logger = logging.call_method1(intern!(py, "getLogger"), ("fastmcp_rs",))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("exc_info", err.value(py))?;
        logger.call_method("error", (what,), Some(&kwargs))?;
        Ok(())
    })();
    drop(logged);
}

/// The one place a Python exception from a resource, prompt or completion handler becomes a JSON-RPC error,
/// as `FastMCP` answers it: an `McpError` with its own code; a `ResourceError` / `PromptError` (any of the
/// facade's errors) with its text; anything else as an internal error named after what failed, its text
/// hidden when details are masked.
fn handler_error(py: Python<'_>, backend: &PyBackend, kind: HandlerKind, target: &str, err: &PyErr) -> RpcError {
    let value = err.value(py);
    let text = || value.str().map(|s| s.to_string()).unwrap_or_default();
    if is_mcp_error(py, backend, err) {
        return mcp_error(value);
    }
    if err.is_instance(py, backend.hooks.tool_error.bind(py)) {
        return RpcError::new(ErrorCode::InternalError, text());
    }
    let what = match kind {
        HandlerKind::Resource => format!("Error reading resource '{target}'"),
        HandlerKind::Prompt => format!("Error rendering prompt '{target}'"),
        HandlerKind::Completion => "Error completing the argument".to_owned(),
    };
    log_exception(py, &what, err);
    if backend.hooks.mask_error_details {
        RpcError::new(ErrorCode::InternalError, what)
    } else {
        RpcError::new(ErrorCode::InternalError, format!("{what}: {}", text()))
    }
}
