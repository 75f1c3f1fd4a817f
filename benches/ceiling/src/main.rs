//! The ceiling server: the least work a Rust-hosted Python tool can cost per request.
//!
//! hyper answers every POST by parsing the JSON-RPC body with serde_json, calling one trivial Python function
//! (`add(a, b)`) through pyo3 on the tokio worker itself, and writing a `tools/call`-shaped result. No sessions,
//! no schema validation, no thread hop. Each worker thread keeps one Python thread state for its whole life, so
//! taking the GIL costs a lock, not a thread-state allocation.
//!
//! With `--tools` it is the *realistic* ceiling: it serves the tools of `benches/tools.py` through
//! `ceiling/realistic.py`, which validates the arguments from the JSON text into the function's types, calls the
//! function and writes its result to JSON once with the return annotation's serializer. The Rust side wraps those
//! bytes as the text block and `structuredContent` of a `tools/call` result, the shape fastmcp-rs answers with
//! (sync tools on the worker itself, async tools as Tasks on one asyncio loop). That is the floor the user's own
//! Python sets for each workload.
//!
//! Usage: `ceiling PORT [--tools]` (prints `listening on http://127.0.0.1:PORT/mcp` once bound).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyModule};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

static TOOL: OnceLock<Py<PyAny>> = OnceLock::new();

/// `realistic.py`'s entry points, and which tools are async.
struct Realistic {
    call: Py<PyAny>,
    submit: Py<PyAny>,
    is_async: HashMap<String, bool>,
}

static REALISTIC: OnceLock<Realistic> = OnceLock::new();

/// An async tool's result JSON, or the exception's text.
type Outcome = Result<Vec<u8>, String>;

/// The completion callback of an async tool's Task.
#[pyclass]
struct Done(Mutex<Option<oneshot::Sender<Outcome>>>);

#[pymethods]
impl Done {
    fn __call__(&self, value: &Bound<'_, PyAny>) {
        let outcome = match value.cast::<PyBytes>() {
            Ok(b) => Ok(b.as_bytes().to_vec()),
            Err(_) => Err(value.str().map(|s| s.to_string()).unwrap_or_default()),
        };
        if let Some(tx) = self.0.lock().unwrap().take() {
            let _ = tx.send(outcome);
        }
    }
}

async fn call_realistic(tools: &Realistic, name: &str, arguments: Vec<u8>) -> Result<Vec<u8>, String> {
    if tools.is_async.get(name).copied().unwrap_or(false) {
        let (tx, rx) = oneshot::channel();
        Python::attach(|py| {
            let done = Py::new(py, Done(Mutex::new(Some(tx))))?;
            tools
                .submit
                .bind(py)
                .call1((name, PyBytes::new(py, &arguments), done))
                .map(drop)
        })
        .map_err(|e| e.to_string())?;
        return rx.await.map_err(|_| "dropped".to_string())?;
    }
    Python::attach(|py| {
        let out = tools.call.bind(py).call1((name, PyBytes::new(py, &arguments)))?;
        Ok::<_, PyErr>(out.cast::<PyBytes>()?.as_bytes().to_vec())
    })
    .map_err(|e| e.to_string())
}

/// The `tools/call` answer for a result's JSON, shaped as fastmcp-rs shapes it: a string is its own text,
/// anything else its JSON as text; an object is the structured content, anything else is wrapped.
fn realistic_reply(id: &Value, json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() * 2 + 160);
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    serde_json::to_writer(&mut out, id).expect("an id serializes");
    let object = json.first() == Some(&b'{');
    out.extend_from_slice(b",\"result\":{");
    if !object {
        out.extend_from_slice(b"\"_meta\":{\"fastmcp\":{\"wrap_result\":true}},");
    }
    out.extend_from_slice(b"\"content\":[{\"type\":\"text\",\"text\":");
    if json.first() == Some(&b'"') {
        out.extend_from_slice(json);
    } else {
        serde_json::to_writer(&mut out, std::str::from_utf8(json).unwrap_or("")).expect("a str serializes");
    }
    out.extend_from_slice(b"}],\"isError\":false,\"structuredContent\":");
    if object {
        out.extend_from_slice(json);
    } else {
        out.extend_from_slice(b"{\"result\":");
        out.extend_from_slice(json);
        out.push(b'}');
    }
    out.extend_from_slice(b"}}");
    out
}

fn call_tool(a: i64, b: i64) -> PyResult<i64> {
    Python::attach(|py| TOOL.get().expect("set at start").bind(py).call1((a, b))?.extract())
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(status(StatusCode::BAD_REQUEST)),
    };
    let Ok(msg) = serde_json::from_slice::<Value>(&body) else {
        return Ok(status(StatusCode::BAD_REQUEST));
    };
    if let Some(tools) = REALISTIC.get() {
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        let name = msg.pointer("/params/name").and_then(Value::as_str).unwrap_or("");
        let arguments = msg.pointer("/params/arguments").cloned().unwrap_or_else(|| json!({}));
        let arguments = serde_json::to_vec(&arguments).expect("serializable");
        let bytes = match call_realistic(tools, name, arguments).await {
            Ok(json) => realistic_reply(&id, &json),
            Err(e) => serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": e}}))
                .expect("serializable"),
        };
        return Ok(Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(bytes)))
            .unwrap());
    }
    let arg = |k: &str| {
        msg.pointer(&format!("/params/arguments/{k}"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    let reply = match call_tool(arg("a"), arg("b")) {
        Ok(sum) => json!({"jsonrpc": "2.0", "id": msg.get("id"), "result": {
            "content": [{"type": "text", "text": sum.to_string()}],
            "structuredContent": {"result": sum}, "isError": false}}),
        Err(e) => json!({"jsonrpc": "2.0", "id": msg.get("id"), "error": {"code": -32603, "message": e.to_string()}}),
    };
    let bytes = serde_json::to_vec(&reply).expect("serializable");
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(bytes)))
        .unwrap())
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    Response::builder().status(code).body(Full::new(Bytes::new())).unwrap()
}

fn main() {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    let realistic = std::env::args().any(|a| a == "--tools");
    Python::initialize();
    if realistic {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/realistic.py");
        let code = std::ffi::CString::new(std::fs::read_to_string(path).expect("realistic.py")).unwrap();
        let file = std::ffi::CString::new(path).unwrap();
        Python::attach(|py| {
            let module = PyModule::from_code(py, &code, &file, c"realistic").unwrap_or_else(|e| {
                e.print(py);
                panic!("realistic.py failed to load")
            });
            let names: Vec<String> = module
                .getattr("TOOLS")
                .unwrap()
                .extract::<HashMap<String, Py<PyAny>>>()
                .unwrap()
                .into_keys()
                .collect();
            let is_async_fn = module.getattr("is_async").unwrap();
            let is_async = names
                .into_iter()
                .map(|n| {
                    let a = is_async_fn.call1((&n,)).unwrap().extract::<bool>().unwrap();
                    (n, a)
                })
                .collect();
            let tools = Realistic {
                call: module.getattr("call").unwrap().unbind(),
                submit: module.getattr("submit").unwrap().unbind(),
                is_async,
            };
            assert!(REALISTIC.set(tools).is_ok());
        });
    }
    Python::attach(|py| {
        let module = PyModule::from_code(py, c"def add(a, b):\n    return a + b\n", c"ceiling.py", c"ceiling")
            .expect("tool module");
        TOOL.set(module.getattr("add").expect("add").unbind())
            .expect("set once");
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // A thread state for the worker's whole life; the GIL is released at once and taken per call.
        .on_thread_start(|| unsafe {
            pyo3::ffi::PyGILState_Ensure();
            pyo3::ffi::PyEval_SaveThread();
        })
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
        eprintln!("listening on http://{}/mcp", listener.local_addr().unwrap());
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
}
