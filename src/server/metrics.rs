//! Prometheus metrics of the requests a server answers (off unless the transport serves a metrics path).
//!
//! Written with the Prometheus project's own client library (`prometheus-client`, the `OpenMetrics` text format). Labels are
//! bounded: a method is one of MCP's or `other`, a tool one the server has (a call to an unknown name counts
//! as `unknown`), so a client cannot grow the series without end. Gauges (requests in flight, sessions,
//! draining) are read when the metrics are scraped, so the hot path only counts and times. Refusals
//! (rate limits, a full server, a body over the limit, a draining server) are counted by reason.

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Latency buckets, in seconds: from a cached listing to a long tool call.
const BUCKETS: [f64; 14] = [
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The methods counted under their own name; anything else is `other`.
const METHODS: [&str; 24] = [
    "initialize",
    "ping",
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "subscriptions/listen",
    "tasks/get",
    "tasks/result",
    "tasks/list",
    "tasks/cancel",
    "sampling/createMessage",
    "elicitation/create",
    "roots/list",
    "notifications/initialized",
    "notifications/cancelled",
];

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A result (for a tool, one that is not an error result).
    Ok,
    /// A tool's error result (`isError: true`).
    ToolError,
    /// A JSON-RPC error.
    Error,
    /// Cancelled before it answered.
    Cancelled,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ToolError => "tool_error",
            Outcome::Error => "error",
            Outcome::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabels {
    tool: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolNameLabels {
    tool: String,
}

/// What the transport knows when it is scraped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    pub in_flight: usize,
    pub sessions: usize,
    pub draining: bool,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<MethodLabels, Histogram>,
    tool_calls: Family<ToolLabels, Counter>,
    tool_seconds: Family<ToolNameLabels, Histogram>,
    in_flight: Gauge,
    sessions: Gauge,
    draining: Gauge,
    refused: Family<ReasonLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("mcp");
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds = Family::<MethodLabels, Histogram>::new_with_constructor(histogram as fn() -> Histogram);
        let tool_calls = Family::<ToolLabels, Counter>::default();
        let tool_seconds = Family::<ToolNameLabels, Histogram>::new_with_constructor(histogram as fn() -> Histogram);
        let (in_flight, sessions, draining) = (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register("requests", "Requests answered, by method and outcome", requests.clone());
        registry.register(
            "request_duration_seconds",
            "Time to answer a request, by method",
            request_seconds.clone(),
        );
        registry.register("tool_calls", "Tool calls, by tool and outcome", tool_calls.clone());
        registry.register(
            "tool_call_duration_seconds",
            "Time a tool call took, by tool",
            tool_seconds.clone(),
        );
        registry.register("requests_in_flight", "Requests being served", in_flight.clone());
        registry.register("sessions", "Open sessions (handshake era)", sessions.clone());
        registry.register("draining", "1 while the server drains at shutdown", draining.clone());
        let refused = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "refused_requests",
            "Requests refused before they were served: rate_limited, busy, too_large, draining",
            refused.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            tool_calls,
            tool_seconds,
            in_flight,
            sessions,
            draining,
            refused,
        }
    }

    /// A request refused before it was served (`reason`: `rate_limited`, `busy`, `too_large`, `draining`).
    pub fn refused(&self, reason: &'static str) {
        self.refused.get_or_create(&ReasonLabels { reason }).inc();
    }

    /// The bounded label of a method.
    pub fn method_label(method: &str) -> &'static str {
        METHODS.iter().find(|m| **m == method).copied().unwrap_or("other")
    }

    pub fn request(&self, method: &str, outcome: Outcome, took: Duration) {
        let method = Self::method_label(method);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                outcome: outcome.as_str(),
            })
            .inc();
        self.request_seconds
            .get_or_create(&MethodLabels { method })
            .observe(took.as_secs_f64());
    }

    /// A call of `tool` (a name the server has, or `None` for an unknown one).
    pub fn tool_call(&self, tool: Option<&str>, outcome: Outcome, elapsed: Duration) {
        let tool = tool.unwrap_or("unknown").to_owned();
        self.tool_calls
            .get_or_create(&ToolLabels {
                tool: tool.clone(),
                outcome: outcome.as_str(),
            })
            .inc();
        self.tool_seconds
            .get_or_create(&ToolNameLabels { tool })
            .observe(elapsed.as_secs_f64());
    }

    /// The metrics in the `OpenMetrics` text format.
    pub fn encode(&self, now: Snapshot) -> String {
        self.in_flight.set(i64::try_from(now.in_flight).unwrap_or(i64::MAX));
        self.sessions.set(i64::try_from(now.sessions).unwrap_or(i64::MAX));
        self.draining.set(i64::from(now.draining));
        let mut out = String::with_capacity(4096);
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_with_bounded_labels_and_encodes_openmetrics() {
        let m = Metrics::new();
        m.request("tools/call", Outcome::Ok, Duration::from_millis(3));
        m.request("tools/call", Outcome::Ok, Duration::from_millis(4));
        m.request("made/up", Outcome::Error, Duration::from_micros(10));
        m.tool_call(Some("add"), Outcome::ToolError, Duration::from_millis(1));
        m.tool_call(None, Outcome::Ok, Duration::from_millis(1));
        m.refused("rate_limited");
        let text = m.encode(Snapshot {
            in_flight: 2,
            sessions: 5,
            draining: false,
        });
        assert!(
            text.contains(r#"mcp_requests_total{method="tools/call",outcome="ok"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mcp_requests_total{method="other",outcome="error"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mcp_tool_calls_total{tool="add",outcome="tool_error"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mcp_tool_calls_total{tool="unknown",outcome="ok"} 1"#),
            "{text}"
        );
        assert!(text.contains("mcp_requests_in_flight 2"), "{text}");
        assert!(
            text.contains(r#"mcp_refused_requests_total{reason="rate_limited"} 1"#),
            "{text}"
        );
        assert!(text.contains("mcp_sessions 5"), "{text}");
        assert!(
            text.contains(r#"mcp_request_duration_seconds_count{method="tools/call"} 2"#),
            "{text}"
        );
        assert!(text.trim_end().ends_with("# EOF"));
    }
}
