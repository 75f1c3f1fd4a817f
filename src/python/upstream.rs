//! `_core.Upstream`: a proxy's upstream over Streamable HTTP (`crate::server::upstream`), for the Python
//! proxy to register forwarded tools with and to send its own requests (listings, reads, prompts) on.

use super::{convert, runtime, RequestHandle};
use crate::server::upstream::{Upstream, UpstreamConfig, UpstreamError};
use crate::server::ListKind;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::{Map, Value};
use std::sync::Arc;

#[pyclass(frozen, module = "fastmcp_rs._core", name = "Upstream")]
pub struct PyUpstream {
    pub(super) inner: Arc<Upstream>,
}

/// Calls `callback(*args)` with the interpreter, on a thread where waiting for it blocks no tokio worker.
fn call_back(callback: Arc<Py<PyAny>>, args: impl FnOnce(Python<'_>) -> PyResult<Vec<Py<PyAny>>> + Send + 'static) {
    tokio::task::spawn_blocking(move || {
        Python::attach(|py| {
            let outcome = args(py).and_then(|args| callback.call1(py, pyo3::types::PyTuple::new(py, args)?).map(drop));
            if let Err(e) = outcome {
                e.write_unraisable(py, Some(callback.bind(py)));
            }
        });
    });
}

#[pymethods]
impl PyUpstream {
    /// `on_list_changed(kind)` is called (from another thread) with `"tools"`, `"resources"` or `"prompts"`
    /// when the upstream says that listing changed.
    #[new]
    #[pyo3(signature = (url, *, headers=Vec::new(), forward_headers=true, unforwarded=Vec::new(),
        client_name=String::from("fastmcp-rs"), client_version=String::new(), as_upstream=false, on_list_changed=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        url: String,
        headers: Vec<(String, String)>,
        forward_headers: bool,
        unforwarded: Vec<String>,
        client_name: String,
        client_version: String,
        as_upstream: bool,
        on_list_changed: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let upstream = Upstream::new(UpstreamConfig {
            url,
            headers,
            forward_headers,
            unforwarded,
            client_name,
            client_version,
            as_upstream,
        })
        .map_err(PyValueError::new_err)?;
        if let Some(hook) = on_list_changed {
            let hook = Arc::new(hook);
            upstream.on_list_changed(Some(Arc::new(move |kind: ListKind| {
                let name = match kind {
                    ListKind::Tools => "tools",
                    ListKind::Resources => "resources",
                    ListKind::Prompts => "prompts",
                };
                call_back(hook.clone(), move |py| {
                    Ok(vec![name.into_pyobject(py)?.into_any().unbind()])
                });
            })));
        }
        Ok(Self {
            inner: Arc::new(upstream),
        })
    }

    /// Sends `method` upstream for the request `handle` serves (`None`: for the proxy itself) and calls
    /// `done(kind, payload)` from another thread with `("result", result)`, `("error", {code, message,
    /// data})` (the upstream's JSON-RPC error) or `("failed", text)` (it could not be reached).
    /// `forward_meta`: the request's `_meta` goes along (and its progress is relayed).
    #[pyo3(signature = (handle, method, params, done, *, forward_meta=false))]
    fn request(
        &self,
        py: Python<'_>,
        handle: Option<PyRef<'_, RequestHandle>>,
        method: String,
        params: &Bound<'_, PyAny>,
        done: Py<PyAny>,
        forward_meta: bool,
    ) -> PyResult<()> {
        let params = match convert::py_to_json(params)? {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => return Err(PyValueError::new_err("params must be a dict")),
        };
        let context = handle.map(|h| h.context.clone());
        let upstream = self.inner.clone();
        runtime(py)?.spawn(async move {
            let answer = if method == "initialize" {
                upstream.initialized().await
            } else {
                upstream.request(context.as_ref(), &method, params, forward_meta).await
            };
            call_back(Arc::new(done), move |py| {
                let (kind, payload) = match answer {
                    Ok(result) => ("result", convert::json_to_py(py, &result)?.unbind()),
                    Err(UpstreamError::Rejected { code, message, data }) => {
                        let error = serde_json::json!({"code": code, "message": message, "data": data});
                        ("error", convert::json_to_py(py, &error)?.unbind())
                    }
                    Err(e @ UpstreamError::Failed(_)) => {
                        ("failed", e.to_string().into_pyobject(py)?.into_any().unbind())
                    }
                };
                Ok(vec![kind.into_pyobject(py)?.into_any().unbind(), payload])
            });
        });
        Ok(())
    }

    /// The result of a proxied call as the proxy relays it.
    fn relayed_call<'py>(&self, py: Python<'py>, result: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.inner.relayed_call(convert::py_to_json(result)?))
    }
}
