//! Authentication's Python side: the core's verifiers built from the facade's description of an auth
//! provider, a verifier written in Python (a `TokenVerifier` subclass) run on the sync pool, the components'
//! opaque checks, and tokens as the facade sees them.

use super::backend::PyBackend;
use super::convert::{json_to_py, py_to_json};
use super::workers::PyJob;
use crate::server::auth::introspection::{ClientAuth, IntrospectionVerifier};
use crate::server::auth::jwt::{static_key, Jwks, JwtVerifier, KeySource};
use crate::server::auth::{
    AccessToken, AuthConfig, Authenticator, ComponentAuth, ResourceMetadata, StaticVerifier, Verify, VerifyFuture,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// A token as the facade gets it (`AccessToken(**dict)`).
pub fn token_to_py<'py>(py: Python<'py>, token: &AccessToken) -> PyResult<Bound<'py, PyAny>> {
    json_to_py(
        py,
        &json!({
            "token": token.token,
            "client_id": token.client_id,
            "scopes": token.scopes,
            "expires_at": token.expires_at,
            "subject": token.subject,
            "claims": token.claims,
        }),
    )
}

/// A token the facade's verifier returned (an `AccessToken` dumped to a dict).
fn token_from_py(value: &Bound<'_, PyAny>) -> PyResult<AccessToken> {
    let Value::Object(mut m) = py_to_json(value)? else {
        return Err(PyValueError::new_err("a verified token must be a dict"));
    };
    let text = |m: &mut Map<String, Value>, k: &str| match m.remove(k) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(AccessToken {
        token: text(&mut m, "token").unwrap_or_default(),
        client_id: text(&mut m, "client_id").unwrap_or_else(|| "unknown".into()),
        scopes: match m.remove("scopes") {
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        },
        expires_at: m.get("expires_at").and_then(Value::as_i64),
        subject: text(&mut m, "subject"),
        claims: match m.remove("claims") {
            Some(Value::Object(c)) => c,
            _ => Map::new(),
        },
    })
}

/// A verifier written in Python: `func(token) -> dict | None`, called on the sync pool (the facade runs an
/// async `verify_token` on the server's loop from there).
struct PyVerifier {
    func: Arc<Py<PyAny>>,
    backend: Arc<PyBackend>,
    required_scopes: Vec<String>,
}

impl Verify for PyVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        let (tx, rx) = oneshot::channel();
        let func = self.func.clone();
        let token = token.to_owned();
        let job: PyJob = Box::new(move |py| {
            let verified = match func.bind(py).call1((token,)) {
                Ok(v) if v.is_none() => None,
                Ok(v) => token_from_py(&v).ok(),
                Err(err) => {
                    err.print(py);
                    None
                }
            };
            let _ = tx.send(verified);
        });
        let submitted = self.backend.pool.submit(job).is_ok();
        Box::pin(async move {
            if !submitted {
                return None;
            }
            rx.await.ok().flatten()
        })
    }
    fn cache_for(&self) -> Option<Duration> {
        None
    }
    fn required_scopes(&self) -> &[String] {
        &self.required_scopes
    }
}

fn get<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<T>> {
    match d.get_item(key)? {
        Some(v) if !v.is_none() => Ok(Some(v.extract().map_err(Into::into)?)),
        _ => Ok(None),
    }
}

fn strings(d: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<String>> {
    Ok(get::<Vec<String>>(d, key)?.unwrap_or_default())
}

/// A native verifier (not `"python"`) from its spec.
pub fn native_verifier(d: &Bound<'_, PyDict>) -> PyResult<Arc<dyn Verify>> {
    verifier(d, None)
}

fn verifier(d: &Bound<'_, PyDict>, backend: Option<&Arc<PyBackend>>) -> PyResult<Arc<dyn Verify>> {
    let kind: String = get(d, "kind")?.unwrap_or_default();
    let required_scopes = strings(d, "required_scopes")?;
    Ok(match kind.as_str() {
        "jwt" => {
            let algorithm: String = get(d, "algorithm")?.unwrap_or_else(|| "RS256".into());
            let algorithm: jsonwebtoken::Algorithm = algorithm
                .parse()
                .map_err(|_| PyValueError::new_err(format!("Unsupported algorithm: {algorithm}.")))?;
            let key = match (get::<Vec<u8>>(d, "public_key")?, get::<String>(d, "jwks_uri")?) {
                (Some(key), None) => KeySource::Static(static_key(&key, algorithm).map_err(PyValueError::new_err)?),
                (None, Some(url)) => {
                    let every = get::<f64>(d, "jwks_refresh_interval")?.unwrap_or(30.0).max(0.0);
                    KeySource::Jwks(Jwks::new(url, Duration::from_secs_f64(every)))
                }
                _ => return Err(PyValueError::new_err("Provide either public_key or jwks_uri, not both")),
            };
            Arc::new(JwtVerifier {
                key,
                algorithm,
                issuer: strings(d, "issuer")?,
                audience: strings(d, "audience")?,
                required_scopes,
                extra_scope_claims: strings(d, "extra_scope_claims")?,
            })
        }
        "static" => {
            let list: Bound<'_, PyList> = d
                .get_item("tokens")?
                .ok_or_else(|| PyValueError::new_err("tokens"))?
                .cast_into()?;
            let tokens = list.iter().map(|t| token_from_py(&t)).collect::<PyResult<Vec<_>>>()?;
            Arc::new(StaticVerifier::new(tokens, required_scopes))
        }
        "introspection" => {
            let client_auth = match get::<String>(d, "client_auth_method")?.as_deref() {
                None | Some("client_secret_basic") => ClientAuth::Basic,
                Some("client_secret_post") => ClientAuth::Post,
                Some(other) => return Err(PyValueError::new_err(format!("unknown client_auth_method {other:?}"))),
            };
            let cache = get::<f64>(d, "cache_ttl_seconds")?.filter(|s| *s > 0.0);
            Arc::new(IntrospectionVerifier {
                url: get(d, "introspection_url")?.ok_or_else(|| PyValueError::new_err("introspection_url"))?,
                client_id: get(d, "client_id")?.unwrap_or_default(),
                client_secret: get(d, "client_secret")?.unwrap_or_default(),
                client_auth,
                timeout: Duration::from_secs_f64(get::<f64>(d, "timeout_seconds")?.unwrap_or(10.0).max(0.001)),
                required_scopes,
                audience: strings(d, "audience")?,
                cache_ttl: cache.map(Duration::from_secs_f64),
            })
        }
        "python" if backend.is_some() => Arc::new(PyVerifier {
            func: Arc::new(
                d.get_item("func")?
                    .ok_or_else(|| PyValueError::new_err("func"))?
                    .unbind(),
            ),
            backend: backend.expect("checked by the match guard").clone(),
            required_scopes,
        }),
        other => return Err(PyValueError::new_err(format!("unknown verifier kind {other:?}"))),
    })
}

/// The authenticator an auth provider describes: `{"verifier": {...}, "required_scopes": [...],
/// "challenge_scopes": [...] | None, "metadata": {"path", "url", "document"} | None}`.
pub fn authenticator(d: &Bound<'_, PyDict>, backend: &Arc<PyBackend>) -> PyResult<Authenticator> {
    let verifier_spec: Bound<'_, PyDict> = d
        .get_item("verifier")?
        .ok_or_else(|| PyValueError::new_err("an auth provider needs a verifier"))?
        .cast_into()?;
    let metadata = match d.get_item("metadata")? {
        Some(m) if !m.is_none() => {
            let m: Bound<'_, PyDict> = m.cast_into()?;
            Some(ResourceMetadata {
                path: get(&m, "path")?.unwrap_or_default(),
                url: get(&m, "url")?.unwrap_or_default(),
                document: bytes::Bytes::from(get::<String>(&m, "document")?.unwrap_or_default()),
            })
        }
        _ => None,
    };
    Ok(Authenticator::new(AuthConfig {
        verifier: verifier(&verifier_spec, Some(backend))?,
        required_scopes: strings(d, "required_scopes")?,
        challenge_scopes: get(d, "challenge_scopes")?,
        metadata,
        cache_capacity: get(d, "cache_size")?.unwrap_or(10_000),
    }))
}

/// A component's `auth=` as the facade resolved it: `(scopes, check)`.
pub fn component_auth(auth: Option<(Vec<String>, Option<u64>)>) -> Option<ComponentAuth> {
    auth.map(|(scopes, check)| ComponentAuth { scopes, check })
}

/// Runs opaque checks on the sync pool: `authorizer(checks, token) -> list[bool]`.
pub fn authorize(
    backend: &Arc<PyBackend>,
    checks: Vec<u64>,
    token: Option<Arc<AccessToken>>,
    done: oneshot::Sender<Vec<bool>>,
) {
    let Some(authorizer) = backend.authorizer.read().unwrap().clone() else {
        let _ = done.send(vec![false; checks.len()]);
        return;
    };
    let job: PyJob = Box::new(move |py| {
        let answer = (|| -> PyResult<Vec<bool>> {
            let token = match &token {
                Some(t) => token_to_py(py, t)?,
                None => py.None().into_bound(py),
            };
            authorizer.bind(py).call1((checks.clone(), token))?.extract()
        })();
        let answer = answer.unwrap_or_else(|err| {
            err.print(py);
            vec![false; checks.len()]
        });
        let _ = done.send(answer);
    });
    // A closed pool drops the job and its sender: the core then denies.
    let _ = backend.pool.submit(job);
}
