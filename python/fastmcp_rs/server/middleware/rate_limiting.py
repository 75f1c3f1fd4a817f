"""``fastmcp.server.middleware.rate_limiting``: FastMCP 4's rate limiting middleware, enforced by the core.

``mcp.add_middleware(RateLimitingMiddleware(max_requests_per_second=10, burst_capacity=20))`` (or the same in
``FastMCP(middleware=[...])``) limits every request the server answers, ``initialize`` and ``ping`` included,
with FastMCP 4's defaults and refusal texts (a JSON-RPC error with code -32000). The check runs in Rust before
a request is dispatched: no Python runs for it. With ``get_client_id=`` (a key per client, computed by Python
from the middleware context) the limiter is Python middleware instead: one bucket or window per key, at most
``_MAX_CLIENTS`` of them (the least recently used is forgotten first).
"""

from __future__ import annotations

import collections
import inspect
import time
import warnings
from collections.abc import Callable
from typing import Any

from fastmcp_rs._unsupported import stub
from fastmcp_rs.exceptions import FastMCPDeprecationWarning, McpError

from .middleware import Middleware

__all__ = [
    "RateLimitError",
    "RateLimitingMiddleware",
    "SlidingWindowRateLimiter",
    "SlidingWindowRateLimitingMiddleware",
    "TokenBucketRateLimiter",
]

_FEATURE = "rate limiting middleware"


class RateLimitError(McpError):
    """The refusal of a request over a rate limit (JSON-RPC code -32000)."""

    def __init__(self, message: str = "Rate limit exceeded") -> None:
        super().__init__(code=-32000, message=message)


#: Per-client limiters kept at most (the least recently used is forgotten first).
_MAX_CLIENTS = 10_000


async def _client_key(get_client_id: Callable[..., Any], context: Any) -> str:
    key = get_client_id(context)
    if inspect.isawaitable(key):
        key = await key
    return str(key)


class _PerClient(collections.OrderedDict):  # type: ignore[type-arg]
    """Limiter state by client key, least recently used first, bounded."""

    def touch(self, key: str, make: Callable[[], Any]) -> Any:
        state = self.get(key)
        if state is None:
            state = self[key] = make()
            while len(self) > _MAX_CLIENTS:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return state


class RateLimitingMiddleware(Middleware):
    """A token bucket: ``max_requests_per_second`` sustained, bursts of ``burst_capacity`` (by default twice
    the rate, at least 1 for a positive rate), for the whole server (``global_limit=True`` words the refusal
    "Global rate limit exceeded")."""

    def __init__(
        self,
        max_requests_per_second: float = 10.0,
        burst_capacity: int | None = None,
        get_client_id: Callable[..., Any] | None = None,
        global_limit: bool = False,
    ) -> None:
        if burst_capacity is not None and burst_capacity < 1:
            warnings.warn(
                f"RateLimitingMiddleware(burst_capacity={burst_capacity!r}) is deprecated: a bucket that holds "
                "less than one token can't admit a request, so 0 falls back to the default and other values "
                "reject every request",
                FastMCPDeprecationWarning,
                stacklevel=2,
            )
        self.max_requests_per_second = max_requests_per_second
        default = int(max_requests_per_second * 2)
        if max_requests_per_second > 0:
            default = max(1, default)
        self.burst_capacity = burst_capacity or default
        self.get_client_id = get_client_id
        self.global_limit = global_limit

        self._clients = _PerClient()

    @property
    def _native(self) -> bool:
        return self.get_client_id is None or self.global_limit

    def _install(self, native: Any) -> None:
        native.add_token_bucket(
            float(self.max_requests_per_second), float(self.burst_capacity), global_limit=self.global_limit
        )

    async def on_request(self, context: Any, call_next: Any) -> Any:
        # Only reached with a key per client (without one the core enforces the limit).
        assert self.get_client_id is not None
        key = await _client_key(self.get_client_id, context)
        now = time.monotonic()
        bucket = self._clients.touch(key, lambda: [float(self.burst_capacity), now])
        bucket[0] = min(float(self.burst_capacity), bucket[0] + (now - bucket[1]) * self.max_requests_per_second)
        bucket[1] = now
        if bucket[0] < 1:
            raise RateLimitError(f"Rate limit exceeded for client: {key}")
        bucket[0] -= 1
        return await call_next(context)


class SlidingWindowRateLimitingMiddleware(Middleware):
    """At most ``max_requests`` in any ``window_minutes`` minutes, for the whole server."""

    def __init__(
        self,
        max_requests: int,
        window_minutes: int = 1,
        get_client_id: Callable[..., Any] | None = None,
    ) -> None:
        self.max_requests = max_requests
        self.window_seconds = window_minutes * 60
        self.get_client_id = get_client_id

        self._clients = _PerClient()

    @property
    def _native(self) -> bool:
        return self.get_client_id is None

    def _install(self, native: Any) -> None:
        native.add_sliding_window(max(0, int(self.max_requests)), float(max(0, self.window_seconds)))

    async def on_request(self, context: Any, call_next: Any) -> Any:
        assert self.get_client_id is not None
        key = await _client_key(self.get_client_id, context)
        now = time.monotonic()
        seen = self._clients.touch(key, collections.deque)
        while seen and seen[0] <= now - self.window_seconds:
            seen.popleft()
        if len(seen) >= self.max_requests:
            raise RateLimitError(
                f"Rate limit exceeded: {self.max_requests} requests per "
                f"{self.window_seconds // 60} minutes for client: {key}"
            )
        seen.append(now)
        return await call_next(context)


# The limiter objects themselves are FastMCP's implementation details; the core keeps its own.
SlidingWindowRateLimiter = stub("SlidingWindowRateLimiter", _FEATURE, __name__)
TokenBucketRateLimiter = stub("TokenBucketRateLimiter", _FEATURE, __name__)
