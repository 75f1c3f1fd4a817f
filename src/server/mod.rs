//! The transport-independent MCP server: the tool registry, request dispatch and sessions.
//! Tool bodies run elsewhere (the Python glue) behind the [`ToolBackend`] trait.

pub mod auth;
pub mod buffers;
pub mod call_gate;
pub mod context;
pub mod dispatch;
pub mod event_store;
pub mod metrics;
pub mod rate_limit;
pub mod registry;
pub mod request_state;
pub mod session;
pub mod tasks;
pub mod upstream;
pub mod uri_template;
pub mod wake_queue;

pub use context::{ClientRequestError, InputRound, LogLevel, OutboundTx, RequestContext, RequestSink};
pub use dispatch::{
    is_modern_request, CacheHint, HandlerInvocation, HandlerKind, ListKind, McpServer, Payload, Reply, ServerInfo,
    ServerOptions, ToolBackend, ToolInvocation,
};
pub use event_store::{Event, EventRx, EventStore, EventStoreLimits, EventStream};
pub use registry::{PromptEntry, Registry, ResourceEntry, TemplateEntry, ToolEntry, ToolRegistry};
pub use session::{Session, SessionLimits, SessionStore};
pub use wake_queue::WakeQueue;
