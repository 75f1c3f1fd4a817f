//! Server-Sent Events framing for Streamable HTTP.

use bytes::{BufMut, Bytes, BytesMut};

/// One JSON-RPC message as an SSE `message` event. JSON from serde never holds a raw newline, so one
/// `data:` line is enough.
pub fn message_event(json: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(json.len() + 24);
    out.put_slice(b"event: message\ndata: ");
    out.put_slice(json);
    out.put_slice(b"\n\n");
    out.freeze()
}

#[cfg(test)]
mod tests {
    #[test]
    fn frames_one_event() {
        assert_eq!(
            &super::message_event(b"{\"a\":1}")[..],
            b"event: message\ndata: {\"a\":1}\n\n"
        );
    }
}
