//! The Python side of [`ToolBackend`]: runs a call on the right thread, builds its arguments, calls the
//! user's function, and maps what comes back (or what it raised) to a `CallToolResult`.

use super::convert::{exact_json, json_object_to_py, py_to_json};
use super::workers::{LoopBridge, PyJob, SyncPool};
use super::RequestHandle;
use crate::server::dispatch::error_result;
use crate::server::{ToolBackend, ToolInvocation};
use pyo3::exceptions::PyStopIteration;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyString, PyType};
use serde_json::{json, Value};
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
    /// `convert(value) -> dict`: the facade's result conversion, for everything the fast paths don't cover.
    pub convert: Py<PyAny>,
    /// How results of plain JSON data are shaped natively; `None` sends every result through `convert`.
    pub result_shape: Option<ResultShape>,
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
            _ => return None,
        })
    }
}

/// Facade classes and switches the backend needs at call time.
pub struct Hooks {
    pub tool_error: Py<PyType>,
    pub context_factory: Py<PyAny>,
    pub mask_error_details: bool,
}

pub struct PyBackend {
    pub tools: RwLock<HashMap<u64, Arc<PyTool>>>,
    pub hooks: Hooks,
    pub pool: SyncPool,
    pub bridge: LoopBridge,
    /// Running asyncio tasks by call id, so a cancellation can reach them. Touched on the loop thread.
    tasks: Mutex<HashMap<u64, Py<PyAny>>>,
    /// `loop.create_task`, bound once per server run.
    create_task: Mutex<Option<Py<PyAny>>>,
}

impl PyBackend {
    pub fn new(hooks: Hooks, max_threads: usize) -> std::io::Result<Self> {
        Ok(Self {
            tools: RwLock::new(HashMap::new()),
            hooks,
            pool: SyncPool::new(max_threads),
            bridge: LoopBridge::new()?,
            tasks: Mutex::new(HashMap::new()),
            create_task: Mutex::new(None),
        })
    }

    pub fn set_loop(&self, create_task: Option<Py<PyAny>>) {
        *self.create_task.lock().unwrap() = create_task;
    }
}

/// Everything a call needs once it reaches a Python thread.
struct PendingCall {
    backend: Arc<PyBackend>,
    tool: Arc<PyTool>,
    call: ToolInvocation,
    done: oneshot::Sender<Value>,
}

/// `Arc<PyBackend>` is what the core holds; this lets jobs keep the backend alive.
pub struct SharedBackend(pub Arc<PyBackend>);

impl ToolBackend for SharedBackend {
    fn invoke(&self, call: ToolInvocation, done: oneshot::Sender<Value>) {
        let tool = self.0.tools.read().unwrap().get(&call.tool.handler).cloned();
        let Some(tool) = tool else {
            let _ = done.send(error_result(&format!("Unknown tool: '{}'", call.tool.name)));
            return;
        };
        let is_async = tool.is_async;
        let pending = PendingCall {
            backend: self.0.clone(),
            tool,
            call,
            done,
        };
        if is_async {
            self.0.bridge.submit(Box::new(move |py| start_async(py, pending)));
        } else {
            let job: PyJob = Box::new(move |py| run_sync(py, pending));
            // A closed pool drops the job and with it the sender: the dispatcher answers with an error.
            let _ = self.0.pool.submit(job);
        }
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

/// The common start of every call: skip it if nobody waits any more, else build its arguments. Hands
/// back the pieces and the kwargs, or `None` once the call has been answered (or abandoned).
fn begin_call(py: Python<'_>, pending: PendingCall) -> Option<(PendingCall, Bound<'_, PyDict>)> {
    if pending.done.is_closed() {
        return None; // cancelled or timed out while queued
    }
    match build_kwargs(py, &pending.backend, &pending.tool, &pending.call) {
        Ok(kwargs) => Some((pending, kwargs)),
        Err(result) => {
            let _ = pending.done.send(result);
            None
        }
    }
}

fn run_sync(py: Python<'_>, pending: PendingCall) {
    let Some((
        PendingCall {
            backend, tool, done, ..
        },
        kwargs,
    )) = begin_call(py, pending)
    else {
        return;
    };
    let result = match tool.func.bind(py).call((), Some(&kwargs)) {
        Ok(value) => convert_result(py, &backend, &tool, &value),
        Err(err) => exception_result(py, &backend, &tool, &err),
    };
    let _ = done.send(result);
}

fn start_async(py: Python<'_>, pending: PendingCall) {
    let Some((
        PendingCall {
            backend,
            tool,
            call,
            done,
        },
        kwargs,
    )) = begin_call(py, pending)
    else {
        return;
    };
    let coroutine = match tool.func.bind(py).call((), Some(&kwargs)) {
        Ok(c) => c,
        Err(err) => {
            let _ = done.send(exception_result(py, &backend, &tool, &err));
            return;
        }
    };
    let create_task = backend.create_task.lock().unwrap().as_ref().map(|c| c.clone_ref(py));
    let Some(create_task) = create_task else {
        let _ = coroutine.call_method0(intern!(py, "close"));
        let _ = done.send(error_result("the server is not running"));
        return;
    };
    let eager = match eager(py) {
        Ok(e) => e,
        Err(err) => {
            let _ = done.send(exception_result(py, &backend, &tool, &err));
            return;
        }
    };
    if !eager.supported {
        // Python 3.10: `create_task` takes no context, so the first step could not run in the Task's own.
        match create_task.bind(py).call1((coroutine,)) {
            Ok(task) => watch_task(py, &backend, tool, call.call_id, done, &task),
            Err(err) => {
                let _ = done.send(exception_result(py, &backend, &tool, &err));
            }
        }
        return;
    }
    // The first step runs now, in the context a Task would have given it. A coroutine that finishes without
    // waiting (most do) is answered here: no Task, no loop iterations, no done-callback.
    let first = (|| -> PyResult<_> {
        let context = eager.copy_context.bind(py).call0()?;
        let send = coroutine.getattr(intern!(py, "send"))?;
        Ok((context.call_method1(intern!(py, "run"), (send, py.None())), context))
    })();
    let (stepped, context) = match first {
        Ok(pair) => pair,
        Err(err) => {
            let _ = done.send(exception_result(py, &backend, &tool, &err));
            return;
        }
    };
    let awaited = match stepped {
        Ok(awaited) => awaited,
        Err(err) if err.is_instance_of::<PyStopIteration>(py) => {
            let value = err.value(py).getattr(intern!(py, "value"));
            let result = match value {
                Ok(value) => convert_result(py, &backend, &tool, &value),
                Err(err) => exception_result(py, &backend, &tool, &err),
            };
            let _ = done.send(result);
            return;
        }
        Err(err) => {
            let _ = done.send(exception_result(py, &backend, &tool, &err));
            return;
        }
    };
    let task = (|| -> PyResult<_> {
        let rest = eager.resume.bind(py).call1((&coroutine, awaited))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item(intern!(py, "context"), context)?;
        create_task.bind(py).call((rest,), Some(&kwargs))
    })();
    match task {
        Ok(task) => watch_task(py, &backend, tool, call.call_id, done, &task),
        Err(err) => {
            let _ = done.send(exception_result(py, &backend, &tool, &err));
        }
    }
}

/// Answers the call when its task finishes, and keeps the task where a cancellation can find it.
fn watch_task(
    py: Python<'_>,
    backend: &Arc<PyBackend>,
    tool: Arc<PyTool>,
    call_id: u64,
    done: oneshot::Sender<Value>,
    task: &Bound<'_, PyAny>,
) {
    let on_done = TaskDone {
        state: Mutex::new(Some((backend.clone(), tool, done))),
        call_id,
    };
    let registered =
        Py::new(py, on_done).and_then(|cb| task.call_method1(intern!(py, "add_done_callback"), (cb,)).map(drop));
    if registered.is_ok() {
        backend.tasks.lock().unwrap().insert(call_id, task.clone().unbind());
    }
}

/// What the eager start needs from Python, looked up once.
struct Eager {
    /// `loop.create_task(..., context=)` exists (Python 3.11+).
    supported: bool,
    copy_context: Py<PyAny>,
    resume: Py<PyAny>,
}

fn eager(py: Python<'_>) -> PyResult<&'static Eager> {
    static EAGER: PyOnceLock<Eager> = PyOnceLock::new();
    EAGER.get_or_try_init(py, || {
        Ok(Eager {
            supported: py.version_info() >= (3, 11),
            copy_context: py.import("contextvars")?.getattr("copy_context")?.unbind(),
            resume: py.import("fastmcp_rs._eager")?.getattr("resume")?.unbind(),
        })
    })
}

/// What a finished task needs to answer its call.
type TaskState = (Arc<PyBackend>, Arc<PyTool>, oneshot::Sender<Value>);

/// The done-callback of a tool's asyncio task.
#[pyclass(frozen)]
struct TaskDone {
    state: Mutex<Option<TaskState>>,
    call_id: u64,
}

#[pymethods]
impl TaskDone {
    fn __call__(&self, py: Python<'_>, task: Bound<'_, PyAny>) -> PyResult<()> {
        let Some((backend, tool, done)) = self.state.lock().unwrap().take() else {
            return Ok(());
        };
        backend.tasks.lock().unwrap().remove(&self.call_id);
        if task.call_method0(intern!(py, "cancelled"))?.is_truthy()? {
            return Ok(()); // the request was cancelled; nobody waits for an answer
        }
        let result = match task.call_method0(intern!(py, "result")) {
            Ok(value) => convert_result(py, &backend, &tool, &value),
            Err(err) => exception_result(py, &backend, &tool, &err),
        };
        let _ = done.send(result);
        Ok(())
    }
}

/// The keyword arguments for the user's function, or the error result that answers instead.
fn build_kwargs<'py>(
    py: Python<'py>,
    backend: &PyBackend,
    tool: &PyTool,
    call: &ToolInvocation,
) -> Result<Bound<'py, PyDict>, Value> {
    let Value::Object(arguments) = &call.arguments else {
        return Err(error_result("arguments must be an object"));
    };
    let kwargs = (|| -> PyResult<Bound<'py, PyDict>> {
        let raw = json_object_to_py(py, arguments)?;
        // A JSON float where an int is declared (`2.0`) passes the schema check but pydantic turns it into
        // an int; such calls take the pydantic path so the function sees what FastMCP would give it.
        if tool.plain_arguments && call.arguments_valid && !arguments.values().any(has_float) {
            Ok(raw)
        } else {
            Ok(tool.prepare.bind(py).call1((raw,))?.cast_into::<PyDict>()?)
        }
    })()
    .map_err(|err| exception_result(py, backend, tool, &err))?;
    if let Some(param) = &tool.context_param {
        let handle = RequestHandle::new(call.context.clone(), tool.name.clone());
        let context = Py::new(py, handle)
            .and_then(|h| backend.hooks.context_factory.bind(py).call1((h,)))
            .and_then(|ctx| kwargs.set_item(param.bind(py), ctx));
        if let Err(err) = context {
            return Err(exception_result(py, backend, tool, &err));
        }
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

/// Plain JSON data is shaped natively; everything else goes through the facade's converter.
fn convert_result(py: Python<'_>, backend: &PyBackend, tool: &PyTool, value: &Bound<'_, PyAny>) -> Value {
    if let Some(result) = tool.result_shape.and_then(|shape| native_result(py, shape, value)) {
        return result;
    }
    match tool.convert.bind(py).call1((value,)) {
        Ok(result) => match py_to_json(&result) {
            Ok(v) => v,
            Err(err) => exception_result(py, backend, tool, &err),
        },
        Err(err) => exception_result(py, backend, tool, &err),
    }
}

/// `FastMCP`'s `CallToolResult` for a value of plain JSON data, or `None` to let the facade convert it.
fn native_result(py: Python<'_>, shape: ResultShape, value: &Bound<'_, PyAny>) -> Option<Value> {
    let exact_type_matches = match shape {
        ResultShape::Int => value.is_exact_instance_of::<PyInt>(),
        ResultShape::Str => value.is_exact_instance_of::<PyString>(),
        ResultShape::Bool => value.is_exact_instance_of::<PyBool>(),
        ResultShape::Untyped | ResultShape::Any { .. } => true,
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

/// The one place a Python exception becomes a tool result: `ToolError` text as it is, anything else named
/// after the tool (without its text when details are masked).
pub fn exception_result(py: Python<'_>, backend: &PyBackend, tool: &PyTool, err: &PyErr) -> Value {
    let text = if err.is_instance(py, backend.hooks.tool_error.bind(py)) {
        err.value(py).str().map(|s| s.to_string()).unwrap_or_default()
    } else {
        log_exception(py, &tool.name, err);
        if backend.hooks.mask_error_details {
            format!("Error calling tool '{}'", tool.name)
        } else {
            let detail = err.value(py).str().map(|s| s.to_string()).unwrap_or_default();
            format!("Error calling tool '{}': {detail}", tool.name)
        }
    };
    error_result(&text)
}

/// Unexpected exceptions go to the `fastmcp_rs` logger (stderr by default), with their traceback.
#[cold]
fn log_exception(py: Python<'_>, tool: &str, err: &PyErr) {
    let logged = (|| -> PyResult<()> {
        let logging = py.import(intern!(py, "logging"))?;
        let logger = logging.call_method1(intern!(py, "getLogger"), ("fastmcp_rs",))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("exc_info", err.value(py))?;
        logger.call_method("error", (format!("Error calling tool '{tool}'"),), Some(&kwargs))?;
        Ok(())
    })();
    drop(logged);
}
