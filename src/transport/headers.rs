//! The request headers of the 2026-07-28 era on Streamable HTTP (SEP-2243): `Mcp-Method`, `Mcp-Name` and
//! `Mcp-Param-{Name}` mirror parts of the body so intermediaries can route on them, and a server checks that
//! they agree with it. Names are matched ignoring case, values exactly, after trimming optional whitespace
//! and decoding the `=?base64?…?=` form.

use crate::protocol::modern::header_mismatch;
use crate::protocol::RpcError;
use crate::server::registry::ParamHeader;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::HeaderMap;
use serde_json::{Map, Value};

pub const METHOD_HEADER: &str = "mcp-method";
pub const NAME_HEADER: &str = "mcp-name";

/// A header's value as text: optional whitespace trimmed, and a `=?base64?{payload}?=` value decoded (strict
/// standard alphabet, padding, UTF-8). Anything else is taken literally. `None`: not decodable.
pub fn decode_value(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    let text = text.trim_matches([' ', '\t']);
    if let Some(payload) = text.strip_prefix("=?base64?").and_then(|t| t.strip_suffix("?=")) {
        let bytes = STANDARD.decode(payload).ok()?;
        return String::from_utf8(bytes).ok();
    }
    if text.bytes().any(|b| b.is_ascii_control()) {
        return None;
    }
    Some(text.to_owned())
}

/// One header's value, trimmed and (`sentinel`) decoded; more than one line of it, or an undecodable one, is a
/// mismatch.
fn single(headers: &HeaderMap, name: &str, shown: &str) -> Result<Option<String>, RpcError> {
    single_value(headers, name, shown, true)
}

fn single_value(headers: &HeaderMap, name: &str, shown: &str, sentinel: bool) -> Result<Option<String>, RpcError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(header_mismatch(format!(
            "Header mismatch: {shown} header appears more than once"
        )));
    }
    let decoded = if sentinel {
        decode_value(first.as_bytes())
    } else {
        // `Mcp-Method` carries no Base64 form (only `Mcp-Name` and `Mcp-Param-*` do).
        std::str::from_utf8(first.as_bytes())
            .ok()
            .map(|t| t.trim_matches([' ', '\t']).to_owned())
    };
    decoded
        .map(Some)
        .ok_or_else(|| header_mismatch(format!("Header mismatch: {shown} header value is malformed")))
}

/// What `Mcp-Name` mirrors for a method, if anything.
fn name_field(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        "tasks/get" | "tasks/update" | "tasks/cancel" => Some("taskId"),
        _ => None,
    }
}

/// Checks `Mcp-Method` and `Mcp-Name` against the body.
pub fn check_standard(headers: &HeaderMap, method: &str, params: Option<&Map<String, Value>>) -> Result<(), RpcError> {
    match single_value(headers, METHOD_HEADER, "Mcp-Method", false)? {
        None => return Err(header_mismatch("Header mismatch: the Mcp-Method header is required")),
        Some(h) if h != method => {
            return Err(header_mismatch(format!(
                "Header mismatch: Mcp-Method header value '{h}' does not match body value '{method}'"
            )))
        }
        Some(_) => {}
    }
    let Some(field) = name_field(method) else {
        return Ok(());
    };
    let body = params.and_then(|p| p.get(field)).and_then(Value::as_str);
    match (single(headers, NAME_HEADER, "Mcp-Name")?, body) {
        (None, Some(_)) => Err(header_mismatch("Header mismatch: the Mcp-Name header is required")),
        (Some(h), Some(b)) if h != b => Err(header_mismatch(format!(
            "Header mismatch: Mcp-Name header value '{h}' does not match body value '{b}'"
        ))),
        (Some(h), None) => Err(header_mismatch(format!(
            "Header mismatch: Mcp-Name header value '{h}' but the body has no {field}"
        ))),
        _ => Ok(()),
    }
}

/// The text a header carries for an argument: strings as they are, integers in decimal, booleans as
/// `true`/`false`. `None` for values no header can carry.
fn header_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether a header's text stands for the argument (numbers compare as numbers: `42` is `42.0`).
fn same(header: &str, value: &Value) -> bool {
    match value {
        Value::Number(n) => header.parse::<f64>().ok() == n.as_f64(),
        other => header_text(other).is_some_and(|t| t == header),
    }
}

/// Checks every `Mcp-Param-*` header the tool declares against its arguments: an argument present (and not
/// null) needs its header, with the same value.
pub fn check_params(headers: &HeaderMap, declared: &[ParamHeader], arguments: Option<&Value>) -> Result<(), RpcError> {
    for param in declared {
        let argument = param
            .path
            .iter()
            .try_fold(arguments, |node, key| node.map(|n| n.get(key)))
            .flatten()
            .filter(|v| !v.is_null());
        let shown = header_display(&param.header);
        let argument_name = param.path.join(".");
        let header = single(headers, &param.header, &shown)?;
        match (argument, header) {
            (Some(_), None) => {
                return Err(header_mismatch(format!(
                    "Header mismatch: {shown} header is missing but the request body's '{argument_name}' argument is present"
                )))
            }
            (Some(value), Some(h)) if !same(&h, value) => {
                return Err(header_mismatch(format!(
                    "Header mismatch: {shown} header does not match the request body's '{argument_name}' argument"
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

/// `mcp-param-region` as `Mcp-Param-region` (the annotation's own case is not kept; this is for messages).
fn header_display(lower: &str) -> String {
    format!("Mcp-Param-{}", lower.strip_prefix("mcp-param-").unwrap_or(lower))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde_json::json;

    #[test]
    fn sentinel_decoding() {
        assert_eq!(decode_value(b"=?base64?SGVsbG8=?=").as_deref(), Some("Hello"));
        assert_eq!(decode_value(b"=?base64?SGVsbG8?="), None);
        assert_eq!(decode_value(b"=?base64?SGVs!!!bG8=?="), None);
        assert_eq!(decode_value(b"SGVsbG8=").as_deref(), Some("SGVsbG8="));
        assert_eq!(decode_value(b"=?base64?SGVsbG8=").as_deref(), Some("=?base64?SGVsbG8="));
        assert_eq!(
            decode_value(b"=?BASE64?SGVsbG8=?=").as_deref(),
            Some("=?BASE64?SGVsbG8=?=")
        );
        assert_eq!(decode_value(b"  tool  ").as_deref(), Some("tool"));
        assert_eq!(decode_value(b"").as_deref(), Some(""));
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn standard_headers() {
        let mut h = HeaderMap::new();
        let p = map(json!({"name": "add"}));
        assert!(check_standard(&h, "tools/call", Some(&p)).is_err());
        h.insert("MCP-METHOD", HeaderValue::from_static("tools/call"));
        assert!(
            check_standard(&h, "tools/call", Some(&p)).is_err(),
            "Mcp-Name is required"
        );
        h.insert("mcp-name", HeaderValue::from_static("  add "));
        assert!(check_standard(&h, "tools/call", Some(&p)).is_ok());
        h.insert("mcp-name", HeaderValue::from_static("sub"));
        assert_eq!(
            check_standard(&h, "tools/call", Some(&p)).unwrap_err().code.code(),
            -32020
        );
        h.insert("mcp-method", HeaderValue::from_static("TOOLS/CALL"));
        assert!(check_standard(&h, "tools/call", Some(&p)).is_err());
        h.insert("mcp-method", HeaderValue::from_static("=?base64?dG9vbHMvY2FsbA==?="));
        assert!(
            check_standard(&h, "tools/call", Some(&p)).is_err(),
            "no Base64 form for Mcp-Method"
        );
        let mut list = HeaderMap::new();
        list.insert("mcp-method", HeaderValue::from_static("tools/list"));
        assert!(check_standard(&list, "tools/list", None).is_ok());
    }

    #[test]
    fn param_headers() {
        let declared = [ParamHeader {
            header: "mcp-param-region".into(),
            path: vec!["region".into()],
        }];
        let mut h = HeaderMap::new();
        assert!(check_params(&h, &declared, Some(&json!({}))).is_ok());
        assert!(check_params(&h, &declared, Some(&json!({"region": null}))).is_ok());
        assert!(check_params(&h, &declared, Some(&json!({"region": "Hello"}))).is_err());
        h.insert("Mcp-Param-Region", HeaderValue::from_static("=?base64?SGVsbG8=?="));
        assert!(check_params(&h, &declared, Some(&json!({"region": "Hello"}))).is_ok());
        assert!(check_params(&h, &declared, Some(&json!({"region": "Bye"}))).is_err());
        let n = [ParamHeader {
            header: "mcp-param-n".into(),
            path: vec!["n".into()],
        }];
        let mut h = HeaderMap::new();
        h.insert("mcp-param-n", HeaderValue::from_static("42"));
        assert!(check_params(&h, &n, Some(&json!({"n": 42.0}))).is_ok());
    }
}
