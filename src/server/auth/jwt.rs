//! JWT bearer tokens (`FastMCP`'s `JWTVerifier`): checked against one key (a PEM public key or an HMAC
//! secret) or a JWKS fetched from a URL, kept for an hour and fetched again when a token names a key it does
//! not hold (key rotation), at most once per refresh interval.
//!
//! The claims are checked as `FastMCP` 4 checks them: `exp` with no leeway, `nbf` with 30 seconds, `iat` not
//! at all; `iss` and `aud` only when configured (a list on either side matches when the two share a value);
//! an unsupported `crit` header is refused. Scopes come from `scope` or else `scp`, the client from
//! `client_id`, `azp` or `sub`.

use super::{fetch, now_secs, scopes_of, AccessToken, Verify, VerifyFuture};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const NBF_LEEWAY: i64 = 30;
/// How long a fetched key set is used before it is fetched again.
const JWKS_TTL: Duration = Duration::from_secs(3600);
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

pub enum KeySource {
    Static(DecodingKey),
    Jwks(Jwks),
}

pub struct Jwks {
    url: String,
    refresh_interval: Duration,
    state: tokio::sync::Mutex<JwksState>,
}

#[derive(Default)]
struct JwksState {
    /// Keys by `kid` (a key without one under `""`).
    keys: HashMap<String, DecodingKey>,
    fetched: Option<Instant>,
    /// The last fetch, successful or not (refetches are rate-limited from it).
    attempted: Option<Instant>,
}

impl Jwks {
    pub fn new(url: String, refresh_interval: Duration) -> Self {
        Self {
            url,
            refresh_interval,
            state: tokio::sync::Mutex::new(JwksState::default()),
        }
    }

    /// The key for `kid` (or the only key, for a token without one), fetching the set when it is stale or
    /// lacks the key and the last fetch is older than the refresh interval.
    async fn key(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        let mut state = self.state.lock().await;
        let fresh = state.fetched.is_some_and(|t| t.elapsed() < JWKS_TTL);
        if fresh {
            if let Some(key) = pick(&state.keys, kid) {
                return Some(key);
            }
        }
        if state.attempted.is_some_and(|t| t.elapsed() < self.refresh_interval) {
            // Fetched too recently to ask again; use what is held, stale or not.
            return pick(&state.keys, kid);
        }
        state.attempted = Some(Instant::now());
        match fetch::get_json(&self.url, FETCH_TIMEOUT).await {
            Ok(body) => {
                state.keys = parse_jwks(&body, alg);
                state.fetched = Some(Instant::now());
            }
            Err(e) => eprintln!("fastmcp-rs: fetching the JWKS failed: {}", e.0),
        }
        pick(&state.keys, kid)
    }
}

fn pick(keys: &HashMap<String, DecodingKey>, kid: Option<&str>) -> Option<DecodingKey> {
    match kid {
        Some(kid) => keys.get(kid).cloned(),
        None if keys.len() == 1 => keys.values().next().cloned(),
        None => None,
    }
}

/// The usable keys of a JWKS document for `alg`: keys of another family, or that fail to parse, are left out.
pub fn parse_jwks(body: &[u8], alg: Algorithm) -> HashMap<String, DecodingKey> {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(body) else {
        return HashMap::new();
    };
    let Some(Value::Array(keys)) = doc.get("keys") else {
        return HashMap::new();
    };
    keys.iter()
        .filter_map(|k| {
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(k.clone()).ok()?;
            let key = DecodingKey::from_jwk(&jwk).ok()?;
            (key.family() == alg.family()).then(|| (jwk.common.key_id.unwrap_or_default(), key))
        })
        .collect()
}

/// A key given inline: an HMAC secret for the `HS*` algorithms, else a PEM public key of the algorithm's kind.
pub fn static_key(key: &[u8], alg: Algorithm) -> Result<DecodingKey, String> {
    use jsonwebtoken::AlgorithmFamily as F;
    let parsed = match alg.family() {
        F::Hmac => DecodingKey::from_secret(key),
        F::Rsa => DecodingKey::from_rsa_pem(key),
        F::Ec => DecodingKey::from_ec_pem(key),
        F::Ed => DecodingKey::from_ed_pem(key),
    };
    parsed.map_err(|e| format!("the public key does not suit {alg:?}: {e}"))
}

pub struct JwtVerifier {
    pub key: KeySource,
    pub algorithm: Algorithm,
    pub issuer: Vec<String>,
    pub audience: Vec<String>,
    pub required_scopes: Vec<String>,
    /// Claims whose values are scopes too, after `scope` / `scp` (`Auth0JWTVerifier`'s `permissions`).
    pub extra_scope_claims: Vec<String>,
}

impl JwtVerifier {
    async fn check(&self, token: &str) -> Option<AccessToken> {
        let header = header_json(token)?;
        if header.contains_key("crit") {
            return None;
        }
        let alg: Algorithm = header.get("alg")?.as_str()?.parse().ok()?;
        if alg != self.algorithm {
            return None;
        }
        let kid = header.get("kid").and_then(Value::as_str);
        let key = match &self.key {
            KeySource::Static(key) => key.clone(),
            KeySource::Jwks(jwks) => jwks.key(kid, alg).await?,
        };
        let mut validation = Validation::new(self.algorithm);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .ok()?
            .claims;
        self.claims_pass(&claims).then_some(())?;
        let mut scopes = scopes_of(claims.get("scope").or_else(|| claims.get("scp"))).unwrap_or_default();
        for name in &self.extra_scope_claims {
            match claims.get(name) {
                Some(Value::String(s)) => scopes.extend(s.split_whitespace().map(str::to_owned)),
                Some(Value::Array(items)) => scopes.extend(items.iter().map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })),
                _ => {}
            }
        }
        if !self.required_scopes.iter().all(|s| scopes.contains(s)) {
            return None;
        }
        let text = |name: &str| match claims.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let client_id = text("client_id")
            .or_else(|| text("azp"))
            .or_else(|| text("sub"))
            .unwrap_or_else(|| "unknown".into());
        Some(AccessToken {
            token: token.to_owned(),
            client_id,
            scopes,
            expires_at: claims.get("exp").and_then(number),
            subject: text("sub"),
            claims,
        })
    }

    fn claims_pass(&self, claims: &Map<String, Value>) -> bool {
        let now = now_secs();
        if let Some(exp) = claims.get("exp") {
            match number(exp) {
                Some(exp) if exp >= now => {}
                _ => return false,
            }
        }
        if let Some(nbf) = claims.get("nbf") {
            match number(nbf) {
                Some(nbf) if nbf <= now + NBF_LEEWAY => {}
                _ => return false,
            }
        }
        if !self.issuer.is_empty() {
            let Some(Value::String(iss)) = claims.get("iss") else {
                return false;
            };
            if !self.issuer.contains(iss) {
                return false;
            }
        }
        if !self.audience.is_empty() {
            let matches = match claims.get("aud") {
                Some(Value::String(aud)) => self.audience.contains(aud),
                Some(Value::Array(auds)) => auds
                    .iter()
                    .any(|a| a.as_str().is_some_and(|a| self.audience.iter().any(|x| x == a))),
                _ => false,
            };
            if !matches {
                return false;
            }
        }
        true
    }
}

/// A `NumericDate` claim (seconds; a fraction is cut).
fn number(value: &Value) -> Option<i64> {
    #[allow(clippy::cast_possible_truncation)]
    value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
}

/// The JOSE header of a compact JWT, as JSON.
fn header_json(token: &str) -> Option<Map<String, Value>> {
    let encoded = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

impl Verify for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        Box::pin(self.check(token))
    }
    fn cache_for(&self) -> Option<Duration> {
        // A signed token means the same until it expires; an hour bounds how long a key dropped from the
        // JWKS keeps a token it signed alive.
        Some(JWKS_TTL)
    }
    fn required_scopes(&self) -> &[String] {
        &self.required_scopes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    fn hs(claims: &Value, secret: &[u8]) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret).unwrap(),
        )
        .unwrap()
    }

    fn verifier(issuer: &[&str], audience: &[&str], scopes: &[&str]) -> JwtVerifier {
        JwtVerifier {
            key: KeySource::Static(static_key(b"s3cret", Algorithm::HS256).unwrap()),
            algorithm: Algorithm::HS256,
            issuer: issuer.iter().map(|s| (*s).to_owned()).collect(),
            audience: audience.iter().map(|s| (*s).to_owned()).collect(),
            required_scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            extra_scope_claims: Vec::new(),
        }
    }

    #[tokio::test]
    async fn claims_are_checked_as_fastmcp_checks_them() {
        let now = now_secs();
        let v = verifier(&["https://idp"], &["api", "other"], &["read"]);
        let good =
            json!({"iss": "https://idp", "aud": ["x", "api"], "exp": now + 60, "scope": "read write", "sub": "u1"});
        let t = v.verify(&hs(&good, b"s3cret")).await.unwrap();
        assert_eq!(
            (t.client_id.as_str(), t.scopes.len(), t.expires_at),
            ("u1", 2, Some(now + 60))
        );
        assert!(v.verify(&hs(&good, b"wrong")).await.is_none(), "forged");
        let cases = [
            json!({"iss": "https://idp", "aud": "api", "exp": now - 1, "scope": "read"}),
            json!({"iss": "https://other", "aud": "api", "scope": "read"}),
            json!({"iss": "https://idp", "aud": "nope", "scope": "read"}),
            json!({"iss": "https://idp", "scope": "read"}),
            json!({"iss": "https://idp", "aud": "api", "scope": "write"}),
            json!({"iss": "https://idp", "aud": "api", "scope": "read", "nbf": now + 45}),
        ];
        for claims in cases {
            assert!(v.verify(&hs(&claims, b"s3cret")).await.is_none(), "{claims}");
        }
        let ok =
            json!({"iss": "https://idp", "aud": "api", "scp": ["read"], "nbf": now + 20, "azp": "app", "sub": "u"});
        assert_eq!(v.verify(&hs(&ok, b"s3cret")).await.unwrap().client_id, "app");
    }

    #[tokio::test]
    async fn extra_scope_claims_add_their_values() {
        let v = JwtVerifier {
            extra_scope_claims: vec!["permissions".into()],
            ..verifier(&[], &[], &["read", "tools:run"])
        };
        let listed = json!({"scope": "read", "permissions": ["tools:run", "x"]});
        assert_eq!(
            v.verify(&hs(&listed, b"s3cret")).await.unwrap().scopes,
            ["read", "tools:run", "x"]
        );
        let spaced = json!({"scope": "read", "permissions": "tools:run y"});
        assert_eq!(v.verify(&hs(&spaced, b"s3cret")).await.unwrap().scopes.len(), 3);
        assert!(v.verify(&hs(&json!({"scope": "read"}), b"s3cret")).await.is_none());
        assert!(verifier(&[], &[], &["tools:run"])
            .verify(&hs(&listed, b"s3cret"))
            .await
            .is_none());
    }

    #[tokio::test]
    async fn another_algorithm_and_crit_headers_are_refused() {
        let v = verifier(&[], &[], &[]);
        let claims = json!({"sub": "u"});
        let t = encode(
            &Header::new(Algorithm::HS384),
            &claims,
            &EncodingKey::from_secret(b"s3cret").unwrap(),
        )
        .unwrap();
        assert!(v.verify(&t).await.is_none());
        let crit = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","crit":["x"],"x":1}"#);
        let good = hs(&claims, b"s3cret");
        let rest = good.split_once('.').unwrap().1;
        assert!(v.verify(&format!("{crit}.{rest}")).await.is_none());
        assert_eq!(v.verify(&good).await.unwrap().client_id, "u");
    }

    #[test]
    fn jwks_keys_of_another_family_are_left_out() {
        let doc = br#"{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"},{"kty":"EC","kid":"bad","crv":"P-256"}]}"#;
        assert_eq!(parse_jwks(doc, Algorithm::HS256).len(), 1);
        assert!(parse_jwks(doc, Algorithm::RS256).is_empty());
    }
}
