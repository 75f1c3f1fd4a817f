//! Opaque tokens checked by an RFC 7662 introspection endpoint (`FastMCP`'s `IntrospectionTokenVerifier`):
//! a form POST with the client's credentials (HTTP Basic, or in the form), `active` and `exp` honoured,
//! scopes from `scope`. Answers are kept only when a cache time is configured (`FastMCP`'s default keeps none,
//! so a revoked token stops working at once).

use super::fetch::{self, Outbound};
use super::{now_secs, scopes_of, AccessToken, Verify, VerifyFuture};
use base64::Engine;
use bytes::Bytes;
use http::{header, HeaderValue, Method, StatusCode};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic base64(id:secret)` (the default).
    Basic,
    /// `client_id` and `client_secret` in the form.
    Post,
}

pub struct IntrospectionVerifier {
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    pub client_auth: ClientAuth,
    pub timeout: Duration,
    pub required_scopes: Vec<String>,
    pub audience: Vec<String>,
    pub cache_ttl: Option<Duration>,
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect::<Vec<_>>()
        .join("&")
}

impl IntrospectionVerifier {
    async fn check(&self, token: &str) -> Option<AccessToken> {
        let mut pairs = vec![("token", token), ("token_type_hint", "access_token")];
        let mut headers = vec![
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            ),
            (header::ACCEPT, HeaderValue::from_static("application/json")),
        ];
        match self.client_auth {
            ClientAuth::Basic => {
                let credentials = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{}", self.client_id, self.client_secret));
                let mut value = HeaderValue::from_str(&format!("Basic {credentials}")).ok()?;
                value.set_sensitive(true);
                headers.push((header::AUTHORIZATION, value));
            }
            ClientAuth::Post => {
                pairs.push(("client_id", &self.client_id));
                pairs.push(("client_secret", &self.client_secret));
            }
        }
        let answer = fetch::send(Outbound {
            method: Method::POST,
            url: &self.url,
            headers,
            body: Bytes::from(form(&pairs)),
            timeout: self.timeout,
        })
        .await;
        let (status, body) = match answer {
            Ok(a) => a,
            Err(e) => {
                eprintln!("fastmcp-rs: token introspection failed: {}", e.0);
                return None;
            }
        };
        if status != StatusCode::OK {
            return None;
        }
        let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(&body) else {
            return None;
        };
        self.accept(token, claims)
    }

    fn accept(&self, token: &str, claims: Map<String, Value>) -> Option<AccessToken> {
        let active = match claims.get("active") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Number(n)) => n.as_f64() != Some(0.0),
            _ => false,
        };
        if !active {
            return None;
        }
        let exp = claims.get("exp").and_then(Value::as_i64);
        if exp.is_some_and(|e| e < now_secs()) {
            return None;
        }
        if !self.audience.is_empty() {
            let ok = match claims.get("aud") {
                Some(Value::String(a)) => self.audience.contains(a),
                Some(Value::Array(a)) => a
                    .iter()
                    .any(|v| v.as_str().is_some_and(|v| self.audience.iter().any(|x| x == v))),
                _ => false,
            };
            if !ok {
                return None;
            }
        }
        let scopes = scopes_of(claims.get("scope")).unwrap_or_default();
        if !self.required_scopes.iter().all(|s| scopes.contains(s)) {
            return None;
        }
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Some(AccessToken {
            token: token.to_owned(),
            client_id: text("client_id")
                .or_else(|| text("sub"))
                .unwrap_or_else(|| "unknown".into()),
            scopes,
            expires_at: exp,
            subject: text("sub"),
            claims,
        })
    }
}

impl Verify for IntrospectionVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        Box::pin(self.check(token))
    }
    fn cache_for(&self) -> Option<Duration> {
        self.cache_ttl
    }
    fn required_scopes(&self) -> &[String] {
        &self.required_scopes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_map_to_tokens() {
        let v = IntrospectionVerifier {
            url: String::new(),
            client_id: "rs".into(),
            client_secret: "x".into(),
            client_auth: ClientAuth::Basic,
            timeout: Duration::from_secs(1),
            required_scopes: vec!["read".into()],
            audience: vec![],
            cache_ttl: None,
        };
        let claims = |v: Value| v.as_object().unwrap().clone();
        let t = v
            .accept(
                "t",
                claims(json!({"active": true, "scope": "read write", "sub": "u", "exp": now_secs() + 9})),
            )
            .unwrap();
        assert_eq!((t.client_id.as_str(), t.scopes.len()), ("u", 2));
        assert!(v
            .accept("t", claims(json!({"active": false, "scope": "read"})))
            .is_none());
        assert!(v
            .accept("t", claims(json!({"active": true, "scope": "write"})))
            .is_none());
        assert!(v
            .accept(
                "t",
                claims(json!({"active": true, "scope": "read", "exp": now_secs() - 1}))
            )
            .is_none());
        assert_eq!(form(&[("token", "a b&c")]), "token=a%20b%26c");
    }
}
