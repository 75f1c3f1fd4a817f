"""``fastmcp.server.middleware.rate_limiting``: FastMCP 4's rate limiting middleware, enforced by the core.

``mcp.add_middleware(RateLimitingMiddleware(max_requests_per_second=10, burst_capacity=20))`` (or the same in
``FastMCP(middleware=[...])``) limits every request the server answers, ``initialize`` and ``ping`` included,
with FastMCP 4's defaults and refusal texts (a JSON-RPC error with code -32000). The check runs in Rust before
a request is dispatched: no Python runs for it. ``get_client_id=`` (a key per client, computed by Python from
the middleware context) needs Python middleware, which fastmcp-rs does not run yet, so it is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from fastmcp_rs._unsupported import stub
from fastmcp_rs.exceptions import FastMCPDeprecationWarning, McpError

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


def _no_client_key(name: str, get_client_id: Callable[..., Any] | None) -> None:
    if get_client_id is not None:
        raise NotImplementedError(
            f"{name}(get_client_id=...): a key per client needs Python middleware, "
            "which is not supported by fastmcp-rs yet (without it, the limit applies to the whole server)"
        )


class RateLimitingMiddleware:
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
        _no_client_key("RateLimitingMiddleware", get_client_id)
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

    def _install(self, native: Any) -> None:
        native.add_token_bucket(
            float(self.max_requests_per_second), float(self.burst_capacity), global_limit=self.global_limit
        )


class SlidingWindowRateLimitingMiddleware:
    """At most ``max_requests`` in any ``window_minutes`` minutes, for the whole server."""

    def __init__(
        self,
        max_requests: int,
        window_minutes: int = 1,
        get_client_id: Callable[..., Any] | None = None,
    ) -> None:
        _no_client_key("SlidingWindowRateLimitingMiddleware", get_client_id)
        self.max_requests = max_requests
        self.window_seconds = window_minutes * 60
        self.get_client_id = get_client_id

    def _install(self, native: Any) -> None:
        native.add_sliding_window(max(0, int(self.max_requests)), float(max(0, self.window_seconds)))


# The limiter objects themselves are FastMCP's implementation details; the core keeps its own.
SlidingWindowRateLimiter = stub("SlidingWindowRateLimiter", _FEATURE, __name__)
TokenBucketRateLimiter = stub("TokenBucketRateLimiter", _FEATURE, __name__)
