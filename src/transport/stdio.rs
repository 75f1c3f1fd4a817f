//! stdio: newline-delimited JSON-RPC on stdin/stdout. Requests are served concurrently; one writer task
//! owns the output so messages never interleave.

use crate::protocol::{ErrorCode, Incoming, Outgoing, RpcError};
use crate::server::session::new_session_id;
use crate::server::{buffers, McpServer, RequestSink, Session};
use crate::transport::Shutdown;
use bytes::Bytes;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct StdioConfig {
    /// Longest accepted line; a longer one is answered with an error and skipped.
    pub max_message_bytes: usize,
    /// After stdin closes, how long in-flight requests may still finish.
    pub shutdown_grace: Duration,
    /// The client owns the process (a real stdio pipe): per-component authorization is skipped, as in
    /// `FastMCP`. An in-process client (the same protocol over a pipe in memory) is not trusted.
    pub trusted: bool,
}

impl Default for StdioConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: 16 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(5),
            trusted: true,
        }
    }
}

enum Line {
    Eof,
    Complete,
    TooLong,
}

/// Reads one line into `buf` (without the newline), refusing to hold more than `max` bytes of it.
async fn read_line_bounded<R: AsyncBufRead + Unpin>(reader: &mut R, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(if buf.is_empty() && !too_long {
                Line::Eof
            } else if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        reader.consume(if done { take + 1 } else { take });
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Complete });
        }
    }
}

/// Serves one client over a pair of byte streams until EOF or shutdown.
pub async fn serve_stdio<R, W>(
    server: Arc<McpServer>,
    input: R,
    output: W,
    config: StdioConfig,
    mut shutdown: Shutdown,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    let (finished, finish) = oneshot::channel::<()>();
    let writer = tokio::spawn(write_messages(output, rx, finish));
    // A session id of its own, as FastMCP gives every connection one (`ctx.session_id`; state is keyed by it).
    let session = Arc::new(Session::new(Some(new_session_id())));
    // Notifications that belong to no request (list changes, resource updates) share the one output.
    session.open_standalone(tx.clone());
    server.register_client(&session);
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut line = Vec::new();
    let mut requests = JoinSet::new();
    let trusted = config.trusted;
    loop {
        let read = tokio::select! {
            read = read_line_bounded(&mut reader, &mut line, config.max_message_bytes) => read?,
            () = shutdown.wait() => break,
        };
        // Reap finished request tasks as we go so the set does not grow with the session.
        while requests.try_join_next().is_some() {}
        match read {
            Line::Eof => break,
            Line::TooLong => {
                let error = RpcError::new(ErrorCode::InvalidRequest, "Invalid Request: message too large");
                let _ = tx.send(Outgoing::error(None, &error).into());
                continue;
            }
            Line::Complete => {}
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match Incoming::parse(&mut line) {
            Err(bad) => {
                let _ = tx.send(Outgoing::error(bad.id.as_ref(), &bad.error).into());
            }
            // Notifications (cancellation above all) take effect at once, in arrival order.
            Ok(Incoming::Notification { method, params }) => {
                let sink = RequestSink::new(tx.clone()).trusted(trusted);
                server.handle_notification(&session, &method, params, &sink);
            }
            Ok(message) => {
                let (server, session, tx) = (server.clone(), session.clone(), tx.clone());
                requests.spawn(async move {
                    let sink = RequestSink::new(tx.clone()).trusted(trusted);
                    if let Some(answer) = server.handle_incoming(&session, message, sink).await {
                        let _ = tx.send(buffers::into_bytes(answer));
                    }
                });
            }
        }
    }
    // The client is gone: its listen subscriptions end now instead of holding the exit for the grace period.
    server.end_subscriptions();
    let grace = tokio::time::sleep(config.shutdown_grace);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = requests.join_next() => if next.is_none() { break },
            () = &mut grace => { requests.abort_all(); break }
        }
    }
    session.close();
    drop(tx);
    // Python may still hold a request's sink (a `Context` kept alive by a traceback cycle until the next
    // garbage collection), so the writer is told to finish rather than left waiting for every sender to drop.
    let _ = finished.send(());
    writer.await.map_err(io::Error::other)?
}

async fn write_messages<W: AsyncWrite + Unpin>(
    mut output: W,
    mut rx: mpsc::UnboundedReceiver<Bytes>,
    mut finish: oneshot::Receiver<()>,
) -> io::Result<()> {
    let mut finishing = false;
    loop {
        let first = if finishing {
            rx.recv().await
        } else {
            tokio::select! {
                biased;
                first = rx.recv() => first,
                _ = &mut finish => {
                    // No new messages; what is already queued still goes out.
                    finishing = true;
                    rx.close();
                    rx.recv().await
                }
            }
        };
        let Some(first) = first else { break };
        output.write_all(&first).await?;
        output.write_all(b"\n").await?;
        // Everything already queued goes out before one flush.
        while let Ok(more) = rx.try_recv() {
            output.write_all(&more).await?;
            output.write_all(b"\n").await?;
        }
        output.flush().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_lines() {
        let data: &[u8] = b"short\nthis-line-is-long\n\nlast";
        let mut r = BufReader::with_capacity(4, data);
        let mut buf = Vec::new();
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).await.unwrap(),
            Line::Complete
        ));
        assert_eq!(buf, b"short");
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).await.unwrap(),
            Line::TooLong
        ));
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).await.unwrap(),
            Line::Complete
        ));
        assert!(buf.is_empty());
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).await.unwrap(),
            Line::Complete
        ));
        assert_eq!(buf, b"last");
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).await.unwrap(),
            Line::Eof
        ));
    }
}
