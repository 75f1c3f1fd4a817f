"""``fastmcp.server.event_store``: the settings of resumable Streamable HTTP streams (MCP 2025-11-25,
"Resumability and Redelivery"; SEP-1699 polling with ``ctx.close_sse_stream()``).

The events themselves live in the native core, per session, in memory: every SSE event of a stateful
Streamable HTTP server carries an id, and the recent ones are kept for a client that reconnects with
``Last-Event-ID``. That is on by default; an ``EventStore`` passed as ``event_store=`` only sets its bounds.
Sessions live in the serving process, so a shared or persistent ``storage`` backend would hold nothing a
client could resume elsewhere: it is accepted and not used."""

from __future__ import annotations

from typing import Any

__all__ = ["EventStore"]


class EventStore:
    """Bounds on the events kept for clients that reconnect.

    Args:
        storage: FastMCP's key-value backend; accepted and not used (see the module's documentation).
        max_events_per_stream: Events kept per stream, at least 1 (the oldest go first). Default 100.
        ttl: Seconds an event is kept; ``None`` keeps it until the bounds push it out. Default 3600.
        max_events: Events kept across every stream of every session, at least 1. Default 10 000.

    Example:
        ```python
        from fastmcp_rs import FastMCP
        from fastmcp_rs.server.event_store import EventStore

        mcp = FastMCP("MyServer")
        app = mcp.http_app(event_store=EventStore(max_events_per_stream=500), retry_interval=2000)
        ```
    """

    def __init__(
        self,
        storage: Any = None,
        max_events_per_stream: int = 100,
        ttl: int | None = 3600,
        *,
        max_events: int = 10_000,
    ) -> None:
        if max_events_per_stream < 1:
            raise ValueError("max_events_per_stream must be at least 1")
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be a positive number of seconds, or None")
        self.storage = storage
        self.max_events_per_stream = int(max_events_per_stream)
        self.ttl = ttl
        self.max_events = int(max_events)

    def __repr__(self) -> str:
        return (
            f"EventStore(max_events_per_stream={self.max_events_per_stream}, ttl={self.ttl}, "
            f"max_events={self.max_events})"
        )


def native_options(event_store: Any) -> dict[str, Any]:
    """The native HTTP options for a server's ``event_store`` setting: ``None`` keeps the default store,
    ``False`` turns resumable streams off, an ``EventStore`` sets the bounds. Any other event store (the SDK's
    ``EventStore`` interface) gets the default bounds, as the native store takes its place."""
    if event_store is None or event_store is True:
        return {}
    if event_store is False:
        return {"event_store": False}
    if isinstance(event_store, EventStore):
        return {
            "event_store": True,
            "event_store_max_events_per_stream": event_store.max_events_per_stream,
            "event_store_max_events": event_store.max_events,
            "event_store_ttl": 0 if event_store.ttl is None else float(event_store.ttl),
        }
    return {"event_store": True}
