//! JSON-RPC 2.0 messages as MCP uses them: one object per message (batches are rejected), ids that are
//! strings or integers.

use serde_json::{Map, Value};
use std::fmt;

/// Standard JSON-RPC error codes plus the MCP ones we emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ParseError,
    InvalidRequest,
    MethodNotFound,
    InvalidParams,
    InternalError,
    /// MCP: the resource asked for does not exist.
    ResourceNotFound,
    /// The request was cancelled before it produced a result.
    RequestCancelled,
    /// 2026-07-28: an HTTP header is missing, malformed, or disagrees with the body.
    HeaderMismatch,
    /// 2026-07-28: serving the request needs a client capability the request did not declare.
    MissingRequiredClientCapability,
    /// 2026-07-28: the request's protocol version is not one this server serves.
    UnsupportedProtocolVersion,
    /// Any other code (one that server code chose).
    Other(i64),
}

impl ErrorCode {
    pub fn code(self) -> i64 {
        match self {
            ErrorCode::ParseError => -32700,
            ErrorCode::InvalidRequest => -32600,
            ErrorCode::MethodNotFound => -32601,
            ErrorCode::InvalidParams => -32602,
            ErrorCode::InternalError => -32603,
            ErrorCode::ResourceNotFound => -32002,
            ErrorCode::RequestCancelled => -32800,
            ErrorCode::HeaderMismatch => -32020,
            ErrorCode::MissingRequiredClientCapability => -32021,
            ErrorCode::UnsupportedProtocolVersion => -32022,
            ErrorCode::Other(code) => code,
        }
    }
}

/// An error answered to a request. Every protocol-level failure in the core becomes one of these.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: ErrorCode,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
    /// An error with any numeric code; the standard ones map to their names.
    pub fn with_code(code: i64, message: impl Into<String>, data: Option<Value>) -> Self {
        let named = [
            ErrorCode::ParseError,
            ErrorCode::InvalidRequest,
            ErrorCode::MethodNotFound,
            ErrorCode::InvalidParams,
            ErrorCode::InternalError,
            ErrorCode::ResourceNotFound,
            ErrorCode::RequestCancelled,
            ErrorCode::HeaderMismatch,
            ErrorCode::MissingRequiredClientCapability,
            ErrorCode::UnsupportedProtocolVersion,
        ];
        let code = named
            .into_iter()
            .find(|c| c.code() == code)
            .unwrap_or(ErrorCode::Other(code));
        Self {
            code,
            message: message.into(),
            data,
        }
    }
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParams, message)
    }
    pub fn to_value(&self) -> Value {
        let mut err = Map::with_capacity(3);
        err.insert("code".into(), self.code.code().into());
        err.insert("message".into(), Value::String(self.message.clone()));
        if let Some(data) = &self.data {
            err.insert("data".into(), data.clone());
        }
        Value::Object(err)
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code.code())
    }
}

/// A JSON-RPC id: a string or a number (kept as the JSON value it arrived as, so it echoes back exactly).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    /// Accepts strings and integers; `null`, floats, objects and arrays are not ids.
    pub fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::String(_) => Some(Self(v.to_string())),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Self(v.to_string())),
            _ => None,
        }
    }
    /// The `null` id a notification's context carries: it names no request.
    pub fn null() -> Self {
        Self("null".to_owned())
    }
    /// The id as JSON text, ready to splice into a response.
    pub fn as_json(&self) -> &str {
        &self.0
    }
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

/// A message received from a client, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Request {
        id: RequestId,
        method: String,
        params: Option<Map<String, Value>>,
    },
    Notification {
        method: String,
        params: Option<Map<String, Value>>,
    },
    /// A response to a request the server sent (sampling, elicitation, roots).
    Response {
        id: RequestId,
        outcome: Result<Value, Value>,
    },
}

/// Why a received message could not be classified. Carries the id when one could be recovered, so the
/// error answer can name it.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    pub id: Option<RequestId>,
    pub error: RpcError,
}

impl Incoming {
    /// Parses raw bytes into a message. simd-json needs a mutable buffer, which every transport has.
    pub fn parse(bytes: &mut [u8]) -> Result<Self, Malformed> {
        let value: Value = simd_json::serde::from_slice(bytes).map_err(|e| Malformed {
            id: None,
            error: RpcError::new(ErrorCode::ParseError, format!("Parse error: {e}")),
        })?;
        Self::from_value(value)
    }

    /// Classifies a parsed JSON value.
    pub fn from_value(value: Value) -> Result<Self, Malformed> {
        let Value::Object(mut obj) = value else {
            let message = if value.is_array() {
                "Invalid Request: batch requests are not supported"
            } else {
                "Invalid Request: a JSON-RPC message must be an object"
            };
            return Err(Malformed {
                id: None,
                error: RpcError::new(ErrorCode::InvalidRequest, message),
            });
        };
        let raw_id = obj.remove("id");
        let id = match &raw_id {
            None => None,
            Some(v) => match RequestId::from_value(v) {
                Some(id) => Some(id),
                None => {
                    return Err(invalid(None, "Invalid Request: id must be a string or an integer"));
                }
            },
        };
        if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err(invalid(id, "Invalid Request: jsonrpc must be \"2.0\""));
        }
        match obj.remove("method") {
            Some(Value::String(method)) => {
                let params = match obj.remove("params") {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(p)) => Some(p),
                    Some(_) => {
                        return Err(Malformed {
                            id,
                            error: RpcError::invalid_params("params must be an object"),
                        })
                    }
                };
                Ok(match id {
                    Some(id) => Incoming::Request { id, method, params },
                    None => Incoming::Notification { method, params },
                })
            }
            Some(_) => Err(invalid(id, "Invalid Request: method must be a string")),
            None => {
                let Some(id) = id else {
                    return Err(invalid(None, "Invalid Request: missing method"));
                };
                if let Some(result) = obj.remove("result") {
                    Ok(Incoming::Response {
                        id,
                        outcome: Ok(result),
                    })
                } else if let Some(error) = obj.remove("error") {
                    Ok(Incoming::Response {
                        id,
                        outcome: Err(error),
                    })
                } else {
                    Err(invalid(Some(id), "Invalid Request: missing method"))
                }
            }
        }
    }
}

fn invalid(id: Option<RequestId>, message: &str) -> Malformed {
    Malformed {
        id,
        error: RpcError::new(ErrorCode::InvalidRequest, message),
    }
}

/// Serialized messages the server sends.
pub struct Outgoing;

impl Outgoing {
    /// `{"jsonrpc":"2.0","id":<id>,"result":<result>}` without re-encoding the id.
    pub fn result(id: &RequestId, result: &Value) -> Vec<u8> {
        let body = serde_json::to_vec(result).expect("a JSON value always serializes");
        Self::result_raw(id, &body)
    }

    /// The same, for a result that is already JSON text.
    pub fn result_raw(id: &RequestId, result_json: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(result_json.len() + id.as_json().len() + 32);
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        out.extend_from_slice(id.as_json().as_bytes());
        out.extend_from_slice(b",\"result\":");
        out.extend_from_slice(result_json);
        out.push(b'}');
        out
    }

    /// The same for a result already in a buffer of its own: the envelope is written around it in place
    /// (a large result is moved within its buffer, not copied into a new one).
    pub fn result_raw_owned(id: &RequestId, mut result_json: Vec<u8>) -> Vec<u8> {
        let id = id.as_json().as_bytes();
        let head = [b"{\"jsonrpc\":\"2.0\",\"id\":".as_slice(), id, b",\"result\":"];
        result_json.splice(0..0, head.iter().flat_map(|part| part.iter().copied()));
        result_json.push(b'}');
        result_json
    }

    /// An error answer. `id` is `null` when the request's id could not be read.
    pub fn error(id: Option<&RequestId>, error: &RpcError) -> Vec<u8> {
        let mut out = Vec::with_capacity(96 + error.message.len());
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        out.extend_from_slice(id.map_or("null", RequestId::as_json).as_bytes());
        out.extend_from_slice(b",\"error\":");
        serde_json::to_writer(&mut out, &error.to_value()).expect("a JSON value always serializes");
        out.push(b'}');
        out
    }

    /// A request from the server to the client.
    pub fn request(id: &RequestId, method: &str, params: &Value) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        out.extend_from_slice(id.as_json().as_bytes());
        out.extend_from_slice(b",\"method\":");
        serde_json::to_writer(&mut out, method).expect("a string always serializes");
        out.extend_from_slice(b",\"params\":");
        serde_json::to_writer(&mut out, params).expect("a JSON value always serializes");
        out.push(b'}');
        out
    }

    /// A notification that carries no params (`notifications/tools/list_changed`).
    pub fn notification_without_params(method: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
        serde_json::to_writer(&mut out, method).expect("a string always serializes");
        out.push(b'}');
        out
    }

    /// A notification; `params` of `null` are left out.
    pub fn notification(method: &str, params: &Value) -> Vec<u8> {
        if params.is_null() {
            return Self::notification_without_params(method);
        }
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
        serde_json::to_writer(&mut out, method).expect("a string always serializes");
        out.extend_from_slice(b",\"params\":");
        serde_json::to_writer(&mut out, params).expect("a JSON value always serializes");
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Result<Incoming, Malformed> {
        let mut b = s.as_bytes().to_vec();
        Incoming::parse(&mut b)
    }

    #[test]
    fn classifies_request_notification_response() {
        match parse(r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).unwrap() {
            Incoming::Request { id, method, params } => {
                assert_eq!(id.as_json(), "7");
                assert_eq!(method, "ping");
                assert!(params.is_none());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap(),
            Incoming::Notification { .. }
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":"a","result":{}}"#).unwrap(),
            Incoming::Response { outcome: Ok(_), .. }
        ));
    }

    #[test]
    fn a_raw_result_is_enveloped_in_place() {
        let id = RequestId::from_value(&json!("a\"b")).unwrap();
        let raw = br#"{"content":[],"isError":false}"#.to_vec();
        assert_eq!(
            Outgoing::result_raw_owned(&id, raw.clone()),
            Outgoing::result_raw(&id, &raw)
        );
    }

    #[test]
    fn string_ids_echo_exactly() {
        let Incoming::Request { id, .. } = parse(r#"{"jsonrpc":"2.0","id":"x\"y","method":"ping"}"#).unwrap() else {
            panic!()
        };
        let out = Outgoing::result(&id, &json!({}));
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, json!({"jsonrpc":"2.0","id":"x\"y","result":{}}));
    }

    #[test]
    fn errors_have_the_right_codes() {
        assert_eq!(parse("{not json").unwrap_err().error.code.code(), -32700);
        assert_eq!(parse("[]").unwrap_err().error.code.code(), -32600);
        assert_eq!(parse("3").unwrap_err().error.code.code(), -32600);
        let e = parse(r#"{"id":1,"method":"ping"}"#).unwrap_err();
        assert_eq!(e.error.code.code(), -32600);
        assert_eq!(e.id.unwrap().as_json(), "1");
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":null,"method":"x"}"#)
                .unwrap_err()
                .error
                .code
                .code(),
            -32600
        );
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#)
                .unwrap_err()
                .error
                .code
                .code(),
            -32600
        );
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#)
                .unwrap_err()
                .error
                .code
                .code(),
            -32602
        );
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":1}"#).unwrap_err().error.code.code(),
            -32600
        );
    }

    #[test]
    fn error_with_null_id() {
        let out = Outgoing::error(None, &RpcError::new(ErrorCode::ParseError, "Parse error"));
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})
        );
    }
}
