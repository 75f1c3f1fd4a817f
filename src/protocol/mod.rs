//! JSON-RPC 2.0 framing and the MCP message vocabulary. Nothing here knows about transports or Python.

pub mod json_text;
pub mod jsonrpc;
pub mod modern;
pub mod version;

pub use jsonrpc::{ErrorCode, Incoming, Outgoing, RequestId, RpcError};
pub use modern::{Envelope, MODERN_VERSIONS};
pub use version::{
    is_supported_version_header, negotiate_handshake_version, resumes_streams, HANDSHAKE_VERSIONS,
    LATEST_HANDSHAKE_VERSION,
};
