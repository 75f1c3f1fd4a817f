//! The 2026-07-28 era ("modern"): every request carries its protocol version, the client's capabilities
//! and (optionally) its identity and log level in `params._meta`, and no handshake comes first.

use crate::protocol::{ErrorCode, RpcError};
use serde_json::{json, Map, Value};

/// Versions served per request, without a handshake, oldest first.
pub const MODERN_VERSIONS: &[&str] = &["2026-07-28"];

pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
pub const META_SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// The tasks extension's identifier (in `capabilities.extensions`).
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// What one modern request says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub version: &'static str,
    /// `ClientCapabilities` for this request only (an object).
    pub capabilities: Value,
    pub client_info: Option<Value>,
    /// `io.modelcontextprotocol/logLevel`, as sent (checked by the dispatcher).
    pub log_level: Option<String>,
}

impl Envelope {
    /// Whether the request declared a client capability (`"sampling"`, `"elicitation"`, `"roots"`).
    pub fn declares(&self, capability: &str) -> bool {
        self.capabilities.get(capability).is_some_and(|c| !c.is_null())
    }

    /// Whether the request declared an extension (`capabilities.extensions[id]`).
    pub fn declares_extension(&self, id: &str) -> bool {
        self.capabilities
            .get("extensions")
            .and_then(|e| e.get(id))
            .is_some_and(|c| !c.is_null())
    }
}

/// Whether `_meta` marks a message as modern: any of the spec's own per-request keys.
pub fn has_modern_meta(params: Option<&Map<String, Value>>) -> bool {
    params
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key(META_PROTOCOL_VERSION) || m.contains_key(META_CLIENT_CAPABILITIES))
}

/// The version a request names in `_meta`, if any.
pub fn meta_version(params: Option<&Map<String, Value>>) -> Option<&str> {
    params
        .and_then(|p| p.get("_meta"))
        .and_then(|m| m.get(META_PROTOCOL_VERSION))
        .and_then(Value::as_str)
}

pub fn is_modern_version(version: &str) -> bool {
    MODERN_VERSIONS.contains(&version)
}

/// The envelope of a modern request, or the error to answer it with: `-32602` when `params`, `_meta`, the
/// protocol version or the client capabilities are missing, `-32022` (naming what is served) when the
/// version is not one of ours.
pub fn read_envelope(params: Option<&Map<String, Value>>) -> Result<Envelope, RpcError> {
    let meta = params
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            RpcError::invalid_params(format!(
                "Invalid params: the request needs _meta with {META_PROTOCOL_VERSION} and {META_CLIENT_CAPABILITIES}"
            ))
        })?;
    let requested = match meta.get(META_PROTOCOL_VERSION) {
        Some(Value::String(v)) => v.as_str(),
        _ => {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: _meta needs {META_PROTOCOL_VERSION} (a string)"
            )))
        }
    };
    let capabilities = match meta.get(META_CLIENT_CAPABILITIES) {
        Some(c @ Value::Object(_)) => c.clone(),
        _ => {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: _meta needs {META_CLIENT_CAPABILITIES} (an object)"
            )))
        }
    };
    let Some(version) = MODERN_VERSIONS.iter().find(|v| **v == requested).copied() else {
        return Err(unsupported_version(requested));
    };
    let log_level = match meta.get(META_LOG_LEVEL) {
        None | Some(Value::Null) => None,
        Some(Value::String(l)) => Some(l.clone()),
        Some(other) => {
            return Err(RpcError::invalid_params(format!("Invalid log level: {other}")));
        }
    };
    Ok(Envelope {
        version,
        capabilities,
        client_info: meta.get(META_CLIENT_INFO).cloned(),
        log_level,
    })
}

/// `-32022`, with the versions served and the one asked for.
pub fn unsupported_version(requested: &str) -> RpcError {
    RpcError {
        code: ErrorCode::UnsupportedProtocolVersion,
        message: format!("Unsupported protocol version: {requested}"),
        data: Some(json!({"supported": MODERN_VERSIONS, "requested": requested})),
    }
}

/// `-32021`: serving the request needs `required` (a `ClientCapabilities` object such as `{"sampling":{}}`).
pub fn missing_capability(required: Value, what: &str) -> RpcError {
    RpcError {
        code: ErrorCode::MissingRequiredClientCapability,
        message: format!("Missing required client capability: {what}"),
        data: Some(json!({"requiredCapabilities": required})),
    }
}

/// `-32020`.
pub fn header_mismatch(message: impl Into<String>) -> RpcError {
    RpcError::new(ErrorCode::HeaderMismatch, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn envelope() {
        let p = params(json!({"_meta": {
            META_PROTOCOL_VERSION: "2026-07-28",
            META_CLIENT_CAPABILITIES: {"sampling": {}, "extensions": {TASKS_EXTENSION: {}}},
            META_LOG_LEVEL: "info"
        }}));
        assert!(has_modern_meta(Some(&p)));
        let e = read_envelope(Some(&p)).unwrap();
        assert_eq!(e.version, "2026-07-28");
        assert!(e.declares("sampling"));
        assert!(!e.declares("elicitation"));
        assert!(e.declares_extension(TASKS_EXTENSION));
        assert_eq!(e.log_level.as_deref(), Some("info"));
    }

    #[test]
    fn envelope_errors() {
        let missing = read_envelope(Some(&params(json!({})))).unwrap_err();
        assert_eq!(missing.code.code(), -32602);
        let no_caps = params(json!({"_meta": {META_PROTOCOL_VERSION: "2026-07-28"}}));
        assert_eq!(read_envelope(Some(&no_caps)).unwrap_err().code.code(), -32602);
        let old = params(json!({"_meta": {META_PROTOCOL_VERSION: "v999", META_CLIENT_CAPABILITIES: {}}}));
        let e = read_envelope(Some(&old)).unwrap_err();
        assert_eq!(e.code.code(), -32022);
        assert_eq!(e.data.unwrap()["requested"], "v999");
        assert!(!has_modern_meta(Some(&params(json!({"_meta": {"progressToken": 1}})))));
    }
}
