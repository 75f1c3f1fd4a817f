//! Sealed `requestState` (2026-07-28, SEP-2322). The state a server hands out with an input-required result
//! comes back from the client, so it is input an attacker controls. Every state leaves sealed with
//! XChaCha20-Poly1305: encrypted (answers a user gave stay private), authenticated, bound to the request it
//! belongs to (method, tool/prompt/URI, a digest of the arguments) and to an expiry. Any of the configured
//! keys opens a state and the first one seals, so keys can be rotated and shared by every instance behind a
//! load balancer.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const VERSION: &str = "s1.";
const NONCE_LEN: usize = 24;

/// Seals and opens request states with a list of keys.
pub struct StateSealer {
    ciphers: Vec<XChaCha20Poly1305>,
    ttl: Duration,
}

/// Why a state was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateError {
    /// Not ours, altered, or made for another request.
    Invalid,
    Expired,
}

impl StateSealer {
    /// `keys` are secrets of any length (each is hashed to a 256-bit key); with none, a random key is made,
    /// which only this process can open. `ttl` is how long a state stays valid.
    pub fn new(keys: &[Vec<u8>], ttl: Duration) -> Self {
        let mut ciphers: Vec<XChaCha20Poly1305> = keys
            .iter()
            .map(|k| XChaCha20Poly1305::new(Key::from_slice(&Sha256::digest(k))))
            .collect();
        if ciphers.is_empty() {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).expect("the OS has a random source");
            ciphers.push(XChaCha20Poly1305::new(Key::from_slice(&key)));
        }
        Self { ciphers, ttl }
    }

    /// Seals `state` for the request that `binding` describes.
    pub fn seal(&self, binding: &[u8], state: &str) -> String {
        let expires = now_secs() + self.ttl.as_secs().max(1);
        let mut plain = Vec::with_capacity(state.len() + 8);
        plain.extend_from_slice(&expires.to_be_bytes());
        plain.extend_from_slice(state.as_bytes());
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the OS has a random source");
        let sealed = self.ciphers[0]
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: binding,
                },
            )
            .expect("encryption into a Vec cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens a state sealed for the same `binding`.
    pub fn open(&self, binding: &[u8], token: &str) -> Result<String, StateError> {
        let raw = token
            .strip_prefix(VERSION)
            .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
            .filter(|r| r.len() > NONCE_LEN)
            .ok_or(StateError::Invalid)?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let plain = self
            .ciphers
            .iter()
            .find_map(|c| {
                c.decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: sealed,
                        aad: binding,
                    },
                )
                .ok()
            })
            .ok_or(StateError::Invalid)?;
        if plain.len() < 8 {
            return Err(StateError::Invalid);
        }
        let (expires, state) = plain.split_at(8);
        let expires = u64::from_be_bytes(expires.try_into().expect("eight bytes"));
        if now_secs() > expires {
            return Err(StateError::Expired);
        }
        String::from_utf8(state.to_vec()).map_err(|_| StateError::Invalid)
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// What a state is bound to: the method, what it names, and a digest of the arguments (keys sorted, so the
/// same arguments in another order bind the same).
pub fn binding(method: &str, target: &str, arguments: Option<&Value>) -> Vec<u8> {
    let mut hasher = Sha256::new();
    if let Some(arguments) = arguments {
        hash_canonical(&mut hasher, arguments);
    }
    let mut out = Vec::with_capacity(method.len() + target.len() + 34);
    out.extend_from_slice(method.as_bytes());
    out.push(0);
    out.extend_from_slice(target.as_bytes());
    out.push(0);
    out.extend_from_slice(&hasher.finalize());
    out
}

fn hash_canonical(hasher: &mut Sha256, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for k in keys {
                hasher.update(serde_json::to_string(k).expect("a string serializes").as_bytes());
                hasher.update(b":");
                hash_canonical(hasher, &map[k]);
                hasher.update(b",");
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for item in items {
                hash_canonical(hasher, item);
                hasher.update(b",");
            }
            hasher.update(b"]");
        }
        other => hasher.update(other.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seals_opens_and_refuses() {
        let s = StateSealer::new(&[b"k1".to_vec()], Duration::from_secs(60));
        let b = binding("tools/call", "t", Some(&json!({"a": 1, "b": [1, 2]})));
        let token = s.seal(&b, "hello");
        assert!(token.starts_with("s1."));
        assert!(!token.contains("hello"));
        assert_eq!(s.open(&b, &token).unwrap(), "hello");
        // The same arguments in another order bind the same.
        let b2 = binding("tools/call", "t", Some(&json!({"b": [1, 2], "a": 1})));
        assert_eq!(s.open(&b2, &token).unwrap(), "hello");
        // Another tool, other arguments, or a tampered token are refused.
        assert_eq!(
            s.open(&binding("tools/call", "u", None), &token),
            Err(StateError::Invalid)
        );
        let other_args = binding("tools/call", "t", Some(&json!({"a": 2})));
        assert_eq!(s.open(&other_args, &token), Err(StateError::Invalid));
        assert_eq!(s.open(&b, &format!("{token}-TAMPERED")), Err(StateError::Invalid));
        assert_eq!(s.open(&b, "plain"), Err(StateError::Invalid));
    }

    #[test]
    fn keys_rotate_and_instances_share() {
        let old = StateSealer::new(&[b"old".to_vec()], Duration::from_secs(60));
        let b = binding("prompts/get", "p", None);
        let token = old.seal(&b, "s");
        let rotated = StateSealer::new(&[b"new".to_vec(), b"old".to_vec()], Duration::from_secs(60));
        assert_eq!(rotated.open(&b, &token).unwrap(), "s");
        let stranger = StateSealer::new(&[], Duration::from_secs(60));
        assert_eq!(stranger.open(&b, &token), Err(StateError::Invalid));
    }
}
