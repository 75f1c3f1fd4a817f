//! Protocol version negotiation.

/// Versions served through the `initialize` handshake, oldest first.
pub const HANDSHAKE_VERSIONS: &[&str] = &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// What a server answers when the client asks for a version it does not know.
pub const LATEST_HANDSHAKE_VERSION: &str = "2025-11-25";

/// The version to answer an `initialize` with: the client's own when we speak it, else our latest.
pub fn negotiate_handshake_version(requested: Option<&str>) -> &'static str {
    requested
        .and_then(|want| HANDSHAKE_VERSIONS.iter().find(|v| **v == want))
        .copied()
        .unwrap_or(LATEST_HANDSHAKE_VERSION)
}

/// Whether a client of this version expects a priming event (an id and empty data) on a request's SSE
/// stream, and can resume a stream the server closed early (2025-11-25, SEP-1699). Older clients may take
/// the empty event for a malformed message.
pub fn resumes_streams(version: &str) -> bool {
    version >= "2025-11-25"
}

/// Whether an `MCP-Protocol-Version` header names a version this server can serve.
pub fn is_supported_version_header(version: &str) -> bool {
    HANDSHAKE_VERSIONS.contains(&version.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_known_versions() {
        for v in HANDSHAKE_VERSIONS {
            assert_eq!(negotiate_handshake_version(Some(v)), *v);
        }
    }

    #[test]
    fn unknown_or_missing_gets_latest() {
        assert_eq!(
            negotiate_handshake_version(Some("1999-01-01")),
            LATEST_HANDSHAKE_VERSION
        );
        assert_eq!(negotiate_handshake_version(None), LATEST_HANDSHAKE_VERSION);
    }

    #[test]
    fn resumable_from_2025_11_25() {
        assert!(!resumes_streams("2025-06-18"));
        assert!(resumes_streams("2025-11-25"));
    }

    #[test]
    fn header_check() {
        assert!(is_supported_version_header("2025-06-18"));
        assert!(!is_supported_version_header("2025-06-19"));
    }
}
