//! Server-Sent Events framing for Streamable HTTP and legacy SSE.

use bytes::{BufMut, Bytes, BytesMut};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Duration;

/// A comment line: ignored by clients, it keeps proxies from closing an idle stream.
pub const KEEP_ALIVE: &[u8] = b": ping\n\n";

/// One JSON-RPC message as an SSE `message` event. JSON from serde never holds a raw newline, so one
/// `data:` line is enough.
pub fn message_event(json: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(json.len() + 24);
    out.put_slice(b"event: message\ndata: ");
    out.put_slice(json);
    out.put_slice(b"\n\n");
    out.freeze()
}

/// A message event named `id`, so a client can resume after it.
pub fn message_event_with_id(id: &EventId, json: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(json.len() + 48);
    let _ = writeln!(out, "id: {id}");
    out.put_slice(b"event: message\ndata: ");
    out.put_slice(json);
    out.put_slice(b"\n\n");
    out.freeze()
}

/// A message event as chunks written one after another, the message itself shared, not copied: for a
/// large answer that is kept in the event store and framed from it. Small ones are one chunk.
pub fn message_event_parts(id: Option<&EventId>, json: &Bytes, out: &mut VecDeque<Bytes>) {
    if json.len() < 16 * 1024 {
        out.push_back(match id {
            Some(id) => message_event_with_id(id, json),
            None => message_event(json),
        });
        return;
    }
    out.push_back(match id {
        Some(id) => Bytes::from(format!("id: {id}\nevent: message\ndata: ")),
        None => Bytes::from_static(b"event: message\ndata: "),
    });
    out.push_back(json.clone());
    out.push_back(Bytes::from_static(b"\n\n"));
}

/// The priming event of a stream: an id and empty data (no message), so the client can resume the stream
/// before its first message, and how long to wait before reconnecting.
pub fn priming_event(id: &EventId, retry: Option<Duration>) -> Bytes {
    let mut out = String::with_capacity(48);
    let _ = writeln!(out, "id: {id}");
    if let Some(retry) = retry {
        let _ = writeln!(out, "retry: {}", retry.as_millis());
    }
    out.push_str("data: \n\n");
    Bytes::from(out)
}

/// An event id: the stream (unique in the process) and the event's number in it, written `stream/seq`.
/// Clients treat it as opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventId {
    pub stream: u64,
    pub seq: u64,
}

impl EventId {
    pub fn parse(text: &str) -> Option<Self> {
        let (stream, seq) = text.trim().split_once('/')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(stream) || !digits(seq) {
            return None;
        }
        Some(Self {
            stream: stream.parse().ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.stream, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_one_event() {
        assert_eq!(&message_event(b"{\"a\":1}")[..], b"event: message\ndata: {\"a\":1}\n\n");
        let big = Bytes::from(vec![b'x'; 20_000]);
        let mut parts = VecDeque::new();
        message_event_parts(Some(&EventId { stream: 7, seq: 2 }), &big, &mut parts);
        let joined: Vec<u8> = parts.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(joined, message_event_with_id(&EventId { stream: 7, seq: 2 }, &big)[..]);
        assert_eq!(parts[1].as_ptr(), big.as_ptr(), "the message is shared, not copied");
        let id = EventId { stream: 7, seq: 2 };
        assert_eq!(
            &message_event_with_id(&id, b"{}")[..],
            b"id: 7/2\nevent: message\ndata: {}\n\n"
        );
    }

    #[test]
    fn priming() {
        let id = EventId { stream: 3, seq: 0 };
        assert_eq!(
            &priming_event(&id, Some(Duration::from_millis(1500)))[..],
            b"id: 3/0\nretry: 1500\ndata: \n\n"
        );
        assert_eq!(&priming_event(&id, None)[..], b"id: 3/0\ndata: \n\n");
    }

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let id = EventId { stream: 12, seq: 0 };
        assert_eq!(EventId::parse(&id.to_string()), Some(id));
        for bad in ["", "12", "12/", "/3", "a/1", "1/-2", "1/2/3", "+1/2"] {
            assert_eq!(EventId::parse(bad), None, "{bad}");
        }
    }
}
