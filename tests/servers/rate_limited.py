"""A server with FastMCP 4's rate limiting middleware (tests/test_rate_limits.py).

`RL_IMPL=fastmcp` serves it with FastMCP 4 itself (the reference); `RL_KIND` picks the limiter: `bucket`,
`global` (a token bucket with `global_limit=True`), `window` (a sliding window), or `client_bucket` /
`client_window` (the same with a key per client from `get_client_id`, enforced by Python middleware).
`rate_limited.py http PORT` serves Streamable HTTP; without arguments, stdio.
"""

from __future__ import annotations

import os
import sys

if os.environ.get("RL_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.middleware.rate_limiting import (
        RateLimitingMiddleware,
        SlidingWindowRateLimitingMiddleware,
    )
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.middleware.rate_limiting import (
        RateLimitingMiddleware,
        SlidingWindowRateLimitingMiddleware,
    )


def per_method(context) -> str:
    """A key per client of the kind users write (here: the tool called, else the method)."""
    return "agent-" + str(getattr(context.message, "name", None) or context.method)


kind = os.environ.get("RL_KIND", "bucket")
if kind == "window":
    limiter = SlidingWindowRateLimitingMiddleware(max_requests=4, window_minutes=1)
elif kind == "client_window":
    limiter = SlidingWindowRateLimitingMiddleware(max_requests=3, window_minutes=1, get_client_id=per_method)
elif kind == "client_bucket":
    limiter = RateLimitingMiddleware(max_requests_per_second=0.001, burst_capacity=3, get_client_id=per_method)
else:
    # A rate this low refills nothing while a test runs: the burst is all there is.
    limiter = RateLimitingMiddleware(max_requests_per_second=0.001, burst_capacity=4, global_limit=kind == "global")

mcp = FastMCP("limited")
mcp.add_middleware(limiter)


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        mcp.run(transport="http", port=int(sys.argv[2]))
    else:
        mcp.run(show_banner=False) if os.environ.get("RL_IMPL") == "fastmcp" else mcp.run()
