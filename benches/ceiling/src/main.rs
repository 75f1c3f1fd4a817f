//! The ceiling server: the least work a Rust-hosted Python tool can cost per request.
//!
//! hyper answers every POST by parsing the JSON-RPC body with serde_json, calling one trivial Python function
//! (`add(a, b)`) through pyo3 on the tokio worker itself, and writing a `tools/call`-shaped result. No sessions,
//! no schema validation, no thread hop. Each worker thread keeps one Python thread state for its whole life, so
//! taking the GIL costs a lock, not a thread-state allocation.
//!
//! Usage: `ceiling PORT` (prints `listening on http://127.0.0.1:PORT/mcp` once bound).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pyo3::prelude::*;
use pyo3::types::PyModule;
use serde_json::{json, Value};
use tokio::net::TcpListener;

static TOOL: std::sync::OnceLock<Py<PyAny>> = std::sync::OnceLock::new();

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
    Python::initialize();
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
