//! Bearer-token authentication for the HTTP transports, and the per-component checks that use its result.
//!
//! A [`Verify`] turns a bearer token into an [`AccessToken`] or refuses it: a JWT checked against a key or a
//! JWKS ([`jwt::JwtVerifier`]), a fixed table ([`StaticVerifier`]), an RFC 7662 introspection endpoint
//! ([`introspection::IntrospectionVerifier`]), or code elsewhere (the Python glue). The [`Authenticator`]
//! sits in front of the MCP paths: it reads `Authorization`, keeps verified tokens until they expire (keyed by
//! their SHA-256, so a token is never kept or compared in the clear), and writes the RFC 6750 / RFC 9728
//! challenges `FastMCP` 4 writes.

pub mod fetch;
pub mod introspection;
pub mod jwt;

use bytes::Bytes;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A verified token, as the code serving a request sees it.
#[derive(Clone, PartialEq)]
pub struct AccessToken {
    /// The bearer token itself (handed to the user's code, never logged).
    pub token: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Seconds since the epoch.
    pub expires_at: Option<i64>,
    pub subject: Option<String>,
    pub claims: Map<String, Value>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl AccessToken {
    /// Who the token speaks for, as a session's owner: the client and the subject (a refreshed token of the
    /// same caller is the same owner).
    pub fn owner(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(self.client_id.as_bytes());
        hash.update([0]);
        hash.update(self.subject.as_deref().unwrap_or_default().as_bytes());
        hash.finalize().into()
    }

    /// Whether the token holds every one of `scopes`.
    pub fn has_scopes(&self, scopes: &[String]) -> bool {
        scopes.iter().all(|s| self.scopes.contains(s))
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Scopes from a claim: a space-separated string or a list of strings (anything else: none).
pub fn scopes_of(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::String(s) => Some(s.split_whitespace().map(str::to_owned).collect()),
        Value::Array(items) => Some(items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
        _ => Some(Vec::new()),
    }
}

pub type VerifyFuture<'a> = Pin<Box<dyn Future<Output = Option<AccessToken>> + Send + 'a>>;

/// Turns a bearer token into an [`AccessToken`], or refuses it (`None`: unknown, forged, expired, or missing
/// a scope the verifier requires).
pub trait Verify: Send + Sync + 'static {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a>;
    /// How long a verified token may be kept without asking again (never past its expiry); `None`: ask
    /// every time.
    fn cache_for(&self) -> Option<Duration>;
    /// The scopes the verifier itself requires (the default challenge scopes).
    fn required_scopes(&self) -> &[String];
}

/// A fixed table of tokens (`FastMCP`'s `StaticTokenVerifier`, for development and service accounts). Looked
/// up by the token's SHA-256, so the lookup says nothing about how close a wrong token came.
pub struct StaticVerifier {
    tokens: HashMap<[u8; 32], AccessToken>,
    required_scopes: Vec<String>,
}

impl StaticVerifier {
    pub fn new(tokens: Vec<AccessToken>, required_scopes: Vec<String>) -> Self {
        let tokens = tokens.into_iter().map(|t| (digest(&t.token), t)).collect();
        Self {
            tokens,
            required_scopes,
        }
    }
}

impl Verify for StaticVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        let found = self
            .tokens
            .get(&digest(token))
            .filter(|t| t.expires_at.is_none_or(|exp| exp >= now_secs()) && t.has_scopes(&self.required_scopes));
        let found = found.cloned();
        Box::pin(async move { found })
    }
    fn cache_for(&self) -> Option<Duration> {
        None
    }
    fn required_scopes(&self) -> &[String] {
        &self.required_scopes
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A verified token and until when it may be used without asking the verifier again.
type CacheEntry = (Arc<AccessToken>, Instant);

/// Verified tokens kept until they expire (or for the verifier's cache time), at most `capacity` of them.
struct TokenCache {
    entries: Mutex<HashMap<[u8; 32], CacheEntry>>,
    capacity: usize,
}

impl TokenCache {
    fn get(&self, key: &[u8; 32]) -> Option<Arc<AccessToken>> {
        let mut entries = self.entries.lock().unwrap();
        match entries.get(key) {
            Some((token, until)) if *until > Instant::now() => Some(token.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    fn put(&self, key: [u8; 32], token: Arc<AccessToken>, keep: Duration) {
        let mut keep = keep;
        if let Some(exp) = token.expires_at {
            let left = u64::try_from(exp.saturating_sub(now_secs())).unwrap_or(0);
            keep = keep.min(Duration::from_secs(left));
        }
        if keep.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= self.capacity {
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= self.capacity {
                // Still full of live tokens: forget an arbitrary half rather than grow without bound.
                let drop: Vec<_> = entries.keys().take(self.capacity / 2 + 1).copied().collect();
                for k in drop {
                    entries.remove(&k);
                }
            }
        }
        entries.insert(key, (token, now + keep));
    }
}

/// Who may see and use one component (`auth=` on its decorator), over HTTP; stdio is trusted, as in
/// `FastMCP`. Every part must pass: the scopes (`require_scopes`, and `restrict_tag` on a tagged component),
/// checked here, then the opaque checks (`require_roles`, any callable), run by the backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentAuth {
    pub scopes: Vec<String>,
    /// The backend's key for the component's opaque checks.
    pub check: Option<u64>,
}

impl ComponentAuth {
    /// The part decided without the backend: `false` when the caller lacks a scope.
    pub fn scopes_pass(&self, token: Option<&AccessToken>) -> bool {
        self.scopes.is_empty() || token.is_some_and(|t| t.has_scopes(&self.scopes))
    }
}

/// The RFC 9728 Protected Resource Metadata document and the path it is served on.
#[derive(Debug, Clone)]
pub struct ResourceMetadata {
    pub path: String,
    /// Its URL, named in every challenge (`resource_metadata="..."`).
    pub url: String,
    pub document: Bytes,
}

/// What the server's auth provider asks of every request to the MCP paths.
pub struct AuthConfig {
    pub verifier: Arc<dyn Verify>,
    /// Scopes a verified token must also hold (else 403 `insufficient_scope`).
    pub required_scopes: Vec<String>,
    /// The `scope="..."` of a challenge; `None`: the verifier's required scopes.
    pub challenge_scopes: Option<Vec<String>>,
    pub metadata: Option<ResourceMetadata>,
    /// How many verified tokens are kept at most.
    pub cache_capacity: usize,
}

/// Why a request was not let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No `Authorization: Bearer` header.
    Missing,
    /// The token was refused by the verifier, or has expired.
    Invalid,
    /// A valid token without this scope (the first one missing).
    InsufficientScope(String),
}

impl Refused {
    pub fn reason(&self) -> &'static str {
        match self {
            Refused::Missing => "missing_token",
            Refused::Invalid => "invalid_token",
            Refused::InsufficientScope(_) => "insufficient_scope",
        }
    }
}

const INVALID_TOKEN: &str = "Authentication failed. The provided bearer token is invalid, expired, or no longer \
                             recognized by the server. To resolve: clear authentication tokens in your MCP client \
                             and reconnect. Your client should automatically re-register and obtain new tokens.";

/// A refusal as HTTP: status, `WWW-Authenticate` value, body (empty, or a JSON object).
pub struct Challenge {
    pub status: u16,
    pub www_authenticate: String,
    pub body: Option<Vec<u8>>,
}

pub struct Authenticator {
    config: AuthConfig,
    cache: TokenCache,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("required_scopes", &self.config.required_scopes)
            .field("metadata", &self.config.metadata.as_ref().map(|m| &m.path))
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub fn new(config: AuthConfig) -> Self {
        let capacity = config.cache_capacity.max(1);
        Self {
            config,
            cache: TokenCache {
                entries: Mutex::new(HashMap::new()),
                capacity,
            },
        }
    }

    pub fn metadata(&self) -> Option<&ResourceMetadata> {
        self.config.metadata.as_ref()
    }

    /// Checks a request's `Authorization` header value.
    pub async fn authenticate(&self, authorization: Option<&[u8]>) -> Result<Arc<AccessToken>, Refused> {
        let token = authorization.and_then(bearer).ok_or(Refused::Missing)?;
        let key = digest(token);
        let verified = if let Some(hit) = self.cache.get(&key) {
            hit
        } else {
            let verified = Arc::new(self.config.verifier.verify(token).await.ok_or(Refused::Invalid)?);
            if let Some(keep) = self.config.verifier.cache_for() {
                self.cache.put(key, verified.clone(), keep);
            }
            verified
        };
        if verified.expires_at.is_some_and(|exp| exp < now_secs()) {
            return Err(Refused::Invalid);
        }
        if let Some(missing) = self
            .config
            .required_scopes
            .iter()
            .find(|s| !verified.scopes.contains(s))
        {
            return Err(Refused::InsufficientScope(missing.clone()));
        }
        Ok(verified)
    }

    /// The answer to a refused request, as `FastMCP` 4 writes it.
    pub fn challenge(&self, refused: &Refused) -> Challenge {
        let mut params: Vec<String> = Vec::new();
        let (status, body) = match refused {
            Refused::Missing => (401, None),
            Refused::Invalid => {
                params.push("error=\"invalid_token\"".into());
                params.push(format!("error_description=\"{INVALID_TOKEN}\""));
                (401, Some(error_body("invalid_token", INVALID_TOKEN)))
            }
            Refused::InsufficientScope(scope) => {
                let text = format!("Required scope: {scope}");
                params.push("error=\"insufficient_scope\"".into());
                params.push(format!("error_description=\"{}\"", quoted(&text)));
                (403, Some(error_body("insufficient_scope", &text)))
            }
        };
        let scopes = self
            .config
            .challenge_scopes
            .as_deref()
            .unwrap_or_else(|| self.config.verifier.required_scopes());
        if !scopes.is_empty() {
            params.push(format!("scope=\"{}\"", quoted(&scopes.join(" "))));
        }
        if let Some(m) = &self.config.metadata {
            params.push(format!("resource_metadata=\"{}\"", quoted(&m.url)));
        }
        let www_authenticate = if params.is_empty() {
            "Bearer".to_owned()
        } else {
            format!("Bearer {}", params.join(", "))
        };
        Challenge {
            status,
            www_authenticate,
            body,
        }
    }
}

/// The token of `Bearer <token>` (the scheme in any case; the token as sent).
fn bearer(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, token) = (value.get(..7)?, value.get(7..)?);
    (scheme.eq_ignore_ascii_case("bearer ") && !token.is_empty()).then_some(token)
}

/// A quoted-string's content: `"` and `\` escaped (RFC 9110 section 5.6.4).
fn quoted(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `{"error": "...", "error_description": "..."}` with Python's `json.dumps` separators, as `FastMCP` sends it.
fn error_body(error: &str, description: &str) -> Vec<u8> {
    let e = serde_json::to_string(error).expect("a string serializes");
    let d = serde_json::to_string(description).expect("a string serializes");
    format!("{{\"error\": {e}, \"error_description\": {d}}}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(t: &str, scopes: &[&str], exp: Option<i64>) -> AccessToken {
        AccessToken {
            token: t.into(),
            client_id: format!("client-{t}"),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            expires_at: exp,
            subject: None,
            claims: Map::new(),
        }
    }

    fn auth(required: &[&str], provider_required: &[&str]) -> Authenticator {
        let verifier = StaticVerifier::new(
            vec![
                token("good", &["read", "write"], None),
                token("old", &["read"], Some(now_secs() - 10)),
                token("reader", &["read"], None),
            ],
            required.iter().map(|s| (*s).to_owned()).collect(),
        );
        Authenticator::new(AuthConfig {
            verifier: Arc::new(verifier),
            required_scopes: provider_required.iter().map(|s| (*s).to_owned()).collect(),
            challenge_scopes: None,
            metadata: Some(ResourceMetadata {
                path: "/.well-known/oauth-protected-resource/mcp".into(),
                url: "http://h/.well-known/oauth-protected-resource/mcp".into(),
                document: Bytes::new(),
            }),
            cache_capacity: 4,
        })
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_the_token_is_kept_as_sent() {
        assert_eq!(bearer(b"Bearer abc"), Some("abc"));
        assert_eq!(bearer(b"bEaReR abc "), Some("abc "));
        assert_eq!(bearer(b"Basic abc"), None);
        assert_eq!(bearer(b"Bearer "), None);
        assert_eq!(bearer(b"Bearer"), None);
    }

    #[tokio::test]
    async fn refusals_and_their_challenges() {
        let a = auth(&["read"], &["write"]);
        assert_eq!(a.authenticate(None).await.unwrap_err(), Refused::Missing);
        assert_eq!(
            a.authenticate(Some(b"Bearer nope")).await.unwrap_err(),
            Refused::Invalid
        );
        assert_eq!(a.authenticate(Some(b"Bearer old")).await.unwrap_err(), Refused::Invalid);
        assert_eq!(
            a.authenticate(Some(b"Bearer reader")).await.unwrap_err(),
            Refused::InsufficientScope("write".into())
        );
        assert_eq!(
            a.authenticate(Some(b"Bearer good")).await.unwrap().client_id,
            "client-good"
        );

        let missing = a.challenge(&Refused::Missing);
        assert_eq!(missing.status, 401);
        assert!(missing.body.is_none());
        assert_eq!(
            missing.www_authenticate,
            "Bearer scope=\"read\", resource_metadata=\"http://h/.well-known/oauth-protected-resource/mcp\""
        );
        let forbidden = a.challenge(&Refused::InsufficientScope("write".into()));
        assert_eq!(forbidden.status, 403);
        assert!(forbidden.www_authenticate.starts_with(
            "Bearer error=\"insufficient_scope\", error_description=\"Required scope: write\", scope=\"read\""
        ));
        assert_eq!(
            forbidden.body.unwrap(),
            br#"{"error": "insufficient_scope", "error_description": "Required scope: write"}"#
        );
    }

    #[test]
    fn the_cache_is_bounded_and_honours_expiry() {
        let cache = TokenCache {
            entries: Mutex::new(HashMap::new()),
            capacity: 4,
        };
        for i in 0..20u8 {
            cache.put([i; 32], Arc::new(token("t", &[], None)), Duration::from_secs(60));
            assert!(cache.entries.lock().unwrap().len() <= 4);
        }
        cache.put(
            [99; 32],
            Arc::new(token("t", &[], Some(now_secs() - 1))),
            Duration::from_secs(60),
        );
        assert!(cache.get(&[99; 32]).is_none());
    }
}
