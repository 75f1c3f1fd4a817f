//! `mcp-load`: drives an MCP server the way clients do and reports throughput and latency as JSON.
//!
//! * `http`: C keep-alive connections over Streamable HTTP, each a closed loop of `tools/call`s. In `handshake`
//!   mode every connection first runs `initialize` / `notifications/initialized` and then sends its
//!   `Mcp-Session-Id`; in `stateless` mode it sends calls only; in `modern` mode (MCP 2026-07-28) every call
//!   carries its own `_meta` envelope and the `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers. Replies may be `application/json` or
//!   `text/event-stream`; either way the JSON-RPC response is parsed and checked.
//! * `stdio`: spawns the server and drives its pipes, sequentially or with a fixed number of calls in flight.
//! * `startup`: process start to the first `initialize` answer over stdio, repeated.
//! * `sessions`: opens N sessions and leaves them idle (for memory measurements).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand, ValueEnum};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const PROTOCOL_VERSION: &str = "2025-06-18";
const MODERN_VERSION: &str = "2026-07-28";

#[derive(Parser)]
#[command(version, about = "Load generator for MCP servers")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Args, Clone)]
struct Load {
    /// Tool to call.
    #[arg(long, default_value = "add")]
    tool: String,
    /// The call's arguments, as a JSON object.
    #[arg(long, default_value = r#"{"a": 1, "b": 2}"#)]
    args: String,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Seconds measured.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Seconds one request may take before it counts as an error and its connection is abandoned.
    #[arg(long, default_value_t = 20.0)]
    timeout: f64,
    /// An extra header on every HTTP request, `name: value` (e.g. `authorization: Bearer ...`); repeatable.
    #[arg(long = "header")]
    headers: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Mode {
    /// initialize + notifications/initialized per connection, then calls carrying Mcp-Session-Id.
    Handshake,
    /// Calls only (servers run with stateless_http).
    Stateless,
    /// The 2026-07-28 era: no handshake, the protocol version and client capabilities in every call.
    Modern,
}

#[derive(Subcommand)]
enum Cmd {
    /// Closed-loop load over Streamable HTTP.
    Http {
        #[arg(long)]
        url: String,
        #[arg(long, value_enum, default_value = "handshake")]
        mode: Mode,
        /// Concurrent connections (one request in flight on each).
        #[arg(short, long, default_value_t = 16)]
        concurrency: usize,
        #[command(flatten)]
        load: Load,
    },
    /// Load over a child process's stdin/stdout.
    Stdio {
        /// Calls kept in flight (1 = sequential).
        #[arg(long, default_value_t = 1)]
        depth: usize,
        #[command(flatten)]
        load: Load,
        /// The server command line.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Process start to first `initialize` answer over stdio.
    Startup {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Opens sessions over HTTP and leaves them idle.
    Sessions {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        #[arg(short, long, default_value_t = 8)]
        concurrency: usize,
    },
}

/// What one client (connection) saw during the measured window.
struct Tally {
    hist: Histogram<u64>,
    ok: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn new() -> Self {
        Self {
            hist: Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds"),
            ok: 0,
            errors: 0,
            first_error: None,
        }
    }

    fn record(&mut self, started: Instant, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => {
                self.ok += 1;
                let micros = started.elapsed().as_micros().clamp(1, 120_000_000) as u64;
                self.hist.record(micros).expect("clamped into bounds");
            }
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.hist.add(&other.hist).expect("same bounds");
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn report(&self, seconds: f64, extra: Value) -> Value {
        let ms = |q: f64| self.hist.value_at_quantile(q) as f64 / 1000.0;
        let mut out = json!({
            "requests": self.ok,
            "errors": self.errors,
            "seconds": seconds,
            "rps": self.ok as f64 / seconds,
            "p50_ms": ms(0.50),
            "p90_ms": ms(0.90),
            "p99_ms": ms(0.99),
            "max_ms": self.hist.max() as f64 / 1000.0,
            "mean_ms": self.hist.mean() / 1000.0,
            "first_error": self.first_error,
        });
        if let (Value::Object(o), Value::Object(e)) = (&mut out, extra) {
            o.extend(e);
        }
        out
    }
}

fn call_body(id: u64, tool: &str, args: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": args}
    }))
    .expect("serializable")
}

/// A 2026-07-28 `tools/call`: the same call with its `_meta` envelope.
fn modern_call_body(id: u64, tool: &str, args: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": args, "_meta": {
            "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "mcp-load", "version": env!("CARGO_PKG_VERSION")}
        }}
    }))
    .expect("serializable")
}

fn initialize_body(id: u64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {"protocolVersion": PROTOCOL_VERSION, "capabilities": {},
                   "clientInfo": {"name": "mcp-load", "version": env!("CARGO_PKG_VERSION")}}
    }))
    .expect("serializable")
}

/// Checks a JSON-RPC response: a result that is not a tool error.
fn check_response(msg: &Value) -> Result<(), String> {
    if let Some(err) = msg.get("error") {
        return Err(format!("JSON-RPC error: {err}"));
    }
    match msg.get("result") {
        Some(result) if result.get("isError").and_then(Value::as_bool) == Some(true) => {
            Err(format!("tool error: {}", truncate(&result.to_string())))
        }
        Some(_) => Ok(()),
        None => Err(format!("not a response: {}", truncate(&msg.to_string()))),
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Finds the JSON-RPC response for `id` in a reply body, JSON or an SSE stream.
///
/// One pass over the lines (a `char` split, which finds line ends with `memchr`); a one-line `data:` field is
/// parsed where it lies. The client must stay far cheaper than the server it measures: splitting a 200 KB event
/// on `"\n\n"` with a substring searcher cost more than parsing its JSON, and made the load generator, not the
/// server, the limit on large SSE answers.
fn response_in(body: &[u8], is_sse: bool, id: u64) -> Result<Value, String> {
    let parse = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).map_err(|e| format!("bad JSON: {e}"));
    if !is_sse {
        return parse(body);
    }
    let text = std::str::from_utf8(body).map_err(|_| "SSE not UTF-8".to_owned())?;
    // Events end at a blank line; a response's data may span several `data:` lines.
    let mut data: Vec<&str> = Vec::new();
    for line in text.split('\n').chain(std::iter::once("")) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(d) = line.strip_prefix("data:") {
            data.push(d.strip_prefix(' ').unwrap_or(d));
            continue;
        }
        if !line.is_empty() || data.is_empty() {
            continue;
        }
        let msg = if data.len() == 1 {
            parse(data[0].as_bytes())?
        } else {
            parse(data.join("\n").as_bytes())?
        };
        data.clear();
        if msg.get("id").and_then(Value::as_u64) == Some(id) {
            return Ok(msg);
        }
    }
    Err(format!("no response for id {id} in the event stream"))
}

struct HttpClient {
    sender: SendRequest<Full<Bytes>>,
    authority: String,
    path: String,
    session: Option<String>,
    /// For the modern era: the tool named in `Mcp-Name` (and the modern headers on every request).
    modern_tool: Option<String>,
    /// Headers sent with every request (`--header`).
    extra: Vec<(String, String)>,
}

impl HttpClient {
    async fn connect(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
        let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
        let stream = TcpStream::connect(authority)
            .await
            .map_err(|e| format!("connect {authority}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(Self {
            sender,
            authority: authority.to_owned(),
            path: path.to_owned(),
            session: None,
            modern_tool: None,
            extra: Vec::new(),
        })
    }

    /// POSTs one message; returns the status, whether the reply is SSE, the body and the session header.
    async fn post(&mut self, body: Vec<u8>) -> Result<(StatusCode, bool, Bytes, Option<String>), String> {
        let mut req = Request::post(&self.path)
            .header("host", &self.authority)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        req = match &self.modern_tool {
            Some(tool) => req
                .header("mcp-protocol-version", MODERN_VERSION)
                .header("mcp-method", "tools/call")
                .header("mcp-name", tool),
            None => req.header("mcp-protocol-version", PROTOCOL_VERSION),
        };
        if let Some(s) = &self.session {
            req = req.header("mcp-session-id", s);
        }
        for (name, value) in &self.extra {
            req = req.header(name.as_str(), value.as_str());
        }
        let req = req.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
        self.sender.ready().await.map_err(|e| format!("connection: {e}"))?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let status = resp.status();
        let is_sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let session = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        Ok((status, is_sse, body, session))
    }

    async fn call(&mut self, id: u64, body: Vec<u8>) -> Result<(), String> {
        let (status, is_sse, bytes, _) = self.post(body).await?;
        if status != StatusCode::OK {
            return Err(format!("HTTP {status}: {}", truncate(&String::from_utf8_lossy(&bytes))));
        }
        check_response(&response_in(&bytes, is_sse, id)?)
    }

    async fn handshake(&mut self) -> Result<(), String> {
        let (status, is_sse, bytes, session) = self.post(initialize_body(0)).await?;
        if status != StatusCode::OK {
            return Err(format!(
                "initialize: HTTP {status}: {}",
                truncate(&String::from_utf8_lossy(&bytes))
            ));
        }
        check_response(&response_in(&bytes, is_sse, 0)?)?;
        self.session = session;
        let note = serde_json::to_vec(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).unwrap();
        let (status, _, _, _) = self.post(note).await?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("notifications/initialized: HTTP {status}"));
        }
        Ok(())
    }
}

async fn http_client(
    url: Arc<str>,
    mode: Mode,
    load: Arc<Load>,
    args: Arc<Value>,
    warm_end: Instant,
    end: Instant,
) -> Tally {
    let mut tally = Tally::new();
    let mut client = match HttpClient::connect(&url).await {
        Ok(c) => c,
        Err(e) => {
            tally.record(Instant::now(), Err(e));
            return tally;
        }
    };
    if mode == Mode::Modern {
        client.modern_tool = Some(load.tool.clone());
    }
    client.extra = load
        .headers
        .iter()
        .filter_map(|h| h.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    if mode == Mode::Handshake {
        let limit = Duration::from_secs_f64(load.timeout);
        let shaken = tokio::time::timeout(limit, client.handshake()).await;
        if let Err(e) = shaken.unwrap_or_else(|_| Err("timeout: handshake".to_owned())) {
            tally.record(Instant::now(), Err(e));
            return tally;
        }
    }
    let mut id = 1u64;
    loop {
        let started = Instant::now();
        if started >= end {
            break;
        }
        let limit = Duration::from_secs_f64(load.timeout);
        let body = if mode == Mode::Modern {
            modern_call_body(id, &load.tool, &args)
        } else {
            call_body(id, &load.tool, &args)
        };
        let outcome = tokio::time::timeout(limit, client.call(id, body))
            .await
            .unwrap_or_else(|_| Err(format!("timeout: no answer within {}s", load.timeout)));
        id += 1;
        // A broken or stuck connection is not retried: the error is the finding, whenever it happens.
        let broken = matches!(&outcome, Err(e) if e.starts_with("connection") || e.starts_with("request") || e.starts_with("timeout"));
        if broken || (started >= warm_end && Instant::now() <= end) {
            tally.record(started, outcome);
        }
        if broken {
            break;
        }
    }
    tally
}

async fn run_http(url: String, mode: Mode, concurrency: usize, load: Load) -> Value {
    let args: Arc<Value> = Arc::new(serde_json::from_str(&load.args).expect("--args must be JSON"));
    let load = Arc::new(load);
    let url: Arc<str> = url.into();
    let start = Instant::now();
    let warm_end = start + Duration::from_secs_f64(load.warmup);
    let end = warm_end + Duration::from_secs_f64(load.duration);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            tokio::spawn(http_client(
                url.clone(),
                mode,
                load.clone(),
                args.clone(),
                warm_end,
                end,
            ))
        })
        .collect();
    let mut total = Tally::new();
    for t in tasks {
        total.merge(t.await.expect("client task"));
    }
    total.report(
        load.duration,
        json!({"transport": "http", "concurrency": concurrency, "tool": load.tool}),
    )
}

struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
}

impl StdioServer {
    fn spawn(command: &[String]) -> Self {
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
        let stdin = child.stdin.take().expect("piped");
        let lines = BufReader::with_capacity(1 << 20, child.stdout.take().expect("piped")).lines();
        Self { child, stdin, lines }
    }

    async fn send(&mut self, mut line: Vec<u8>) {
        line.push(b'\n');
        self.stdin.write_all(&line).await.expect("server stdin");
    }

    /// Reads until the response with `id` (or any response when `id` is None), skipping notifications.
    async fn response(&mut self) -> Value {
        loop {
            let line = self
                .lines
                .next_line()
                .await
                .expect("server stdout")
                .expect("server closed stdout");
            let msg: Value = serde_json::from_str(&line).expect("server wrote JSON");
            if msg.get("id").is_some() && (msg.get("result").is_some() || msg.get("error").is_some()) {
                return msg;
            }
        }
    }

    async fn handshake(&mut self) {
        self.send(initialize_body(0)).await;
        check_response(&self.response().await).expect("initialize");
        self.send(serde_json::to_vec(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).unwrap())
            .await;
    }

    async fn close(mut self) {
        drop(self.stdin);
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

async fn run_stdio(depth: usize, load: Load, command: Vec<String>) -> Value {
    let args: Value = serde_json::from_str(&load.args).expect("--args must be JSON");
    let mut server = StdioServer::spawn(&command);
    server.handshake().await;
    let start = Instant::now();
    let warm_end = start + Duration::from_secs_f64(load.warmup);
    let end = warm_end + Duration::from_secs_f64(load.duration);
    let mut tally = Tally::new();
    let mut sent_at = std::collections::HashMap::new();
    let mut next_id = 1u64;
    for _ in 0..depth.max(1) {
        sent_at.insert(next_id, Instant::now());
        server.send(call_body(next_id, &load.tool, &args)).await;
        next_id += 1;
    }
    let limit = Duration::from_secs_f64(load.timeout);
    while !sent_at.is_empty() {
        let Ok(msg) = tokio::time::timeout(limit, server.response()).await else {
            tally.errors += sent_at.len() as u64;
            tally
                .first_error
                .get_or_insert_with(|| format!("timeout: no answer within {}s", load.timeout));
            break;
        };
        let id = msg.get("id").and_then(Value::as_u64).expect("numeric id");
        let started = sent_at.remove(&id).expect("an id we sent");
        let now = Instant::now();
        if started >= warm_end && now <= end {
            tally.record(started, check_response(&msg));
        }
        if now < end {
            sent_at.insert(next_id, Instant::now());
            server.send(call_body(next_id, &load.tool, &args)).await;
            next_id += 1;
        }
    }
    server.close().await;
    tally.report(
        load.duration,
        json!({"transport": "stdio", "depth": depth, "tool": load.tool}),
    )
}

async fn run_startup(runs: usize, command: Vec<String>) -> Value {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut server = StdioServer::spawn(&command);
        server.send(initialize_body(0)).await;
        check_response(&server.response().await).expect("initialize");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        server.close().await;
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    json!({"runs_ms": times, "median_ms": sorted[sorted.len() / 2], "min_ms": sorted[0]})
}

async fn run_sessions(url: String, count: usize, concurrency: usize) -> Value {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (url, next) = (url.clone(), next.clone());
            tokio::spawn(async move {
                let (mut ok, mut errors, mut first_error) = (0usize, 0usize, None);
                let mut client = HttpClient::connect(&url).await.expect("connect");
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count {
                    client.session = None;
                    match tokio::time::timeout(Duration::from_secs(20), client.handshake()).await {
                        Ok(Ok(())) => ok += 1,
                        Ok(Err(e)) => {
                            errors += 1;
                            first_error.get_or_insert(e);
                        }
                        Err(_) => {
                            errors += 1;
                            first_error.get_or_insert_with(|| "timeout: handshake".to_owned());
                            break;
                        }
                    }
                }
                (ok, errors, first_error)
            })
        })
        .collect();
    let (mut ok, mut errors, mut first_error) = (0, 0, None);
    for t in tasks {
        let (o, e, f) = t.await.expect("session task");
        ok += o;
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    json!({"sessions": ok, "errors": errors, "seconds": started.elapsed().as_secs_f64(), "first_error": first_error})
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let report = match cli.command {
        Cmd::Http {
            url,
            mode,
            concurrency,
            load,
        } => run_http(url, mode, concurrency, load).await,
        Cmd::Stdio { depth, load, command } => run_stdio(depth, load, command).await,
        Cmd::Startup { runs, command } => run_startup(runs, command).await,
        Cmd::Sessions {
            url,
            count,
            concurrency,
        } => run_sessions(url, count, concurrency).await,
    };
    println!("{report}");
}

#[cfg(test)]
mod tests {
    use super::response_in;

    #[test]
    fn finds_the_response_among_sse_events() {
        let body = "id: 1\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n\
                    event: message\r\ndata: {\"jsonrpc\":\"2.0\",\r\ndata: \"id\":7,\"result\":{}}\r\n\r\n";
        let msg = response_in(body.as_bytes(), true, 7).unwrap();
        assert_eq!(msg["id"], 7);
        // The last event may end without its blank line.
        let msg = response_in(b"data: {\"id\":3,\"result\":1}", true, 3).unwrap();
        assert_eq!(msg["result"], 1);
        assert!(response_in(b"data: {\"id\":3}\n\n", true, 4).is_err());
        assert!(response_in(b"data: {\"id\":\n\n", true, 4)
            .unwrap_err()
            .starts_with("bad JSON"));
        assert_eq!(response_in(b"{\"id\":5}", false, 5).unwrap()["id"], 5);
    }
}
