"""``fastmcp.server.middleware.ping``: keeps long-lived connections alive by pinging the client every
``interval_ms`` from the first request of a session on, until the session ends."""

from __future__ import annotations

import asyncio
from typing import Any

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["PingMiddleware"]


class PingMiddleware(Middleware):
    def __init__(self, interval_ms: int = 30000) -> None:
        if interval_ms <= 0:
            raise ValueError("interval_ms must be positive")
        self.interval_ms = interval_ms
        self._active_sessions: set[str] = set()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def on_message(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        ctx = context.fastmcp_context
        session_id = getattr(ctx, "session_id", None) if ctx is not None else None
        if session_id and session_id not in self._active_sessions:
            self._active_sessions.add(session_id)
            self._tasks[session_id] = asyncio.get_running_loop().create_task(
                self._ping_loop(ctx, session_id), name=f"ping-keepalive-{session_id}"
            )
        return await call_next(context)

    async def _ping_loop(self, ctx: Any, session_id: str) -> None:
        handle = getattr(ctx, "_handle", None)
        if handle is None or handle.is_modern:  # the stateless era has no server-to-client requests
            self._active_sessions.discard(session_id)
            self._tasks.pop(session_id, None)
            return
        try:
            while True:
                await asyncio.sleep(self.interval_ms / 1000)
                future = asyncio.get_running_loop().create_future()
                handle.send_request("ping", {}, future)
                kind, _ = await future
                if kind == "unavailable":  # the session ended, or there is no stream to ping on
                    return
        except Exception:
            return
        finally:
            self._active_sessions.discard(session_id)
            self._tasks.pop(session_id, None)
