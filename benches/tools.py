"""The tool file every benchmarked server serves, unchanged apart from the import the first line picks.

BENCH_SERVER=fastmcp_rs|fastmcp|sdk python benches/tools.py http PORT [--stateless] [--json]
BENCH_SERVER=...                    python benches/tools.py stdio
"""

from __future__ import annotations

import asyncio
import os
import sys

from pydantic import BaseModel, Field

SERVER = os.environ.get("BENCH_SERVER", "fastmcp_rs")
if SERVER == "fastmcp_rs":
    from fastmcp_rs import FastMCP
elif SERVER == "fastmcp":
    from fastmcp import FastMCP
elif SERVER == "sdk":
    from mcp.server.mcpserver import MCPServer as FastMCP
elif SERVER == "floor":
    # No framework at all: this file's own imports and definitions, then a hand-written answer to `initialize`
    # over stdio. The start-up floor any server of this file pays.
    class FastMCP:  # type: ignore[no-redef]
        def __init__(self, name: str) -> None:
            self.name = name

        def tool(self):
            return lambda fn: fn

        def run(self, *args: object, **kwargs: object) -> None:
            import json

            request = json.loads(sys.stdin.readline())
            result = {"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": self.name}}
            sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}) + "\n")
            sys.stdout.flush()
            sys.stdin.read()
else:
    raise SystemExit(f"unknown BENCH_SERVER {SERVER!r}")

#: BENCH_AUTH=jwt: every HTTP request carries `Authorization: Bearer <BENCH_JWT_TOKEN>`, an HS256 JWT checked
#: by FastMCP 4's JWTVerifier (issuer, audience, a required scope) with this secret (benches/production.py).
BENCH_JWT_SECRET = "fastmcp-rs-bench-secret-0123456789abcdef"
auth = None
if os.environ.get("BENCH_AUTH") == "jwt" and SERVER in ("fastmcp_rs", "fastmcp"):
    if SERVER == "fastmcp_rs":
        from fastmcp_rs.server.auth.providers.jwt import JWTVerifier
    else:
        from fastmcp.server.auth.providers.jwt import JWTVerifier
    auth = JWTVerifier(
        public_key=BENCH_JWT_SECRET, algorithm="HS256", issuer="bench", audience="bench", required_scopes=["tools"]
    )

mcp = FastMCP("bench", auth=auth) if auth is not None else FastMCP("bench")

# BENCH_MIDDLEWARE=1: one Python middleware of the kind users write (it looks at the call and passes it on), so
# its cost per call is what is measured.
if os.environ.get("BENCH_MIDDLEWARE") and SERVER in ("fastmcp_rs", "fastmcp"):
    if SERVER == "fastmcp_rs":
        from fastmcp_rs.server.middleware import Middleware
    else:
        from fastmcp.server.middleware import Middleware

    class Audit(Middleware):
        calls = 0

        async def on_call_tool(self, context, call_next):  # type: ignore[no-untyped-def]
            Audit.calls += 1 if context.message.name else 0
            return await call_next(context)

    mcp.add_middleware(Audit())

# BENCH_RATE_LIMIT=1: FastMCP 4's token-bucket middleware, with a limit no run reaches, so its cost per
# request is what is measured (fastmcp-rs checks it in the core; FastMCP runs it as Python middleware).
if os.environ.get("BENCH_RATE_LIMIT") and SERVER in ("fastmcp_rs", "fastmcp"):
    if SERVER == "fastmcp_rs":
        from fastmcp_rs.server.middleware.rate_limiting import RateLimitingMiddleware
    else:
        from fastmcp.server.middleware.rate_limiting import RateLimitingMiddleware
    mcp.add_middleware(RateLimitingMiddleware(max_requests_per_second=1e9, burst_capacity=10**9))


@mcp.tool()
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool()
async def echo(text: str) -> str:
    """Echoes the text back."""
    return text


class Address(BaseModel):
    street: str
    city: str
    postcode: str = Field(pattern=r"^[0-9A-Z -]{3,10}$")


class Order(BaseModel):
    customer: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1000)
    unit_price: float = Field(gt=0)
    tags: list[str] = []
    address: Address


@mcp.tool()
def place_order(order: Order) -> dict:
    """Validates an order and prices it."""
    return {
        "customer": order.customer,
        "total": round(order.quantity * order.unit_price, 2),
        "city": order.address.city,
    }


class Customer(BaseModel):
    """The first seed guide's shape: six fields, about 110 bytes of JSON."""

    id: int
    name: str
    email: str
    tier: str
    balance: float
    active: bool


def _customer(i: int) -> Customer:
    return Customer(
        id=i, name=f"Customer {i:05d}", email=f"c{i}@example.com", tier="gold", balance=i * 1.5, active=i % 2 == 0
    )


@mcp.tool()
def customers(n: int = 50) -> list[Customer]:
    """n pydantic models (issue 11's workload)."""
    return [_customer(i) for i in range(n)]


@mcp.tool()
def customers_plain(n: int = 50) -> list[dict]:
    """The same rows as plain dicts."""
    return [
        {
            "id": i,
            "name": f"Customer {i:05d}",
            "email": f"c{i}@example.com",
            "tier": "gold",
            "balance": i * 1.5,
            "active": i % 2 == 0,
        }
        for i in range(n)
    ]


_BIG_TEXT = ("lorem ipsum dolor sit amet " * 4000)[:100_000]


@mcp.tool()
def big_text() -> str:
    """A 100 KB string."""
    return _BIG_TEXT


_WIDE = {f"key_{i:03d}": i * 0.5 if i % 2 else f"value {i}" for i in range(200)}


@mcp.tool()
def wide() -> dict:
    """A dict of 200 keys."""
    return dict(_WIDE)


@mcp.tool()
def bulk(orders: list[Order]) -> int:
    """Validation-heavy input: a list of models."""
    return sum(o.quantity for o in orders)


_UPSTREAM = os.environ.get("BENCH_UPSTREAM")
_http = None


@mcp.tool()
async def fetch() -> int:
    """I/O like the seeds' tools: one httpx.AsyncClient GET to a local server (BENCH_UPSTREAM)."""
    global _http
    import httpx

    if _http is None:
        _http = httpx.AsyncClient(base_url=_UPSTREAM or "http://127.0.0.1:9", timeout=10)
    r = await _http.get("/")
    return len(r.content)


_ROWS = [
    {"id": i, "name": f"item-{i:05d}", "price": i * 1.25, "in_stock": i % 3 != 0, "tags": ["alpha", "beta"]}
    for i in range(1030)
]


@mcp.tool()
def catalog() -> dict:
    """Returns about 100 KB of structured data."""
    return {"items": _ROWS, "count": len(_ROWS)}


@mcp.tool()
async def slow(delay: float = 0.01) -> str:
    """Waits without using the CPU."""
    await asyncio.sleep(delay)
    return "done"


# BENCH_MOUNT=1: the same tools served through a parent that mounts this server (`child_add`, ...).
if os.environ.get("BENCH_MOUNT") and SERVER in ("fastmcp_rs", "fastmcp"):
    _child = mcp
    mcp = FastMCP("parent")
    mcp.mount(_child, namespace="child")

# BENCH_PROXY=<url>: a proxy in front of the server at that URL (`create_proxy(url)`), serving its tools.
if os.environ.get("BENCH_PROXY") and SERVER in ("fastmcp_rs", "fastmcp"):
    if SERVER == "fastmcp":
        from fastmcp.server import create_proxy
    else:
        from fastmcp_rs.server import create_proxy
    mcp = create_proxy(os.environ["BENCH_PROXY"], name="proxy")

if __name__ == "__main__":
    transport = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if transport == "stdio":
        mcp.run()
    else:
        port = int(sys.argv[2])
        stateless = "--stateless" in sys.argv
        idle = float(os.environ.get("BENCH_SESSION_IDLE", "1800"))
        if SERVER == "sdk":
            mcp.run("streamable-http", host="127.0.0.1", port=port, stateless_http=stateless, session_idle_timeout=idle)
        elif SERVER == "fastmcp":
            mcp.run(
                transport="http",
                host="127.0.0.1",
                port=port,
                stateless_http=stateless,
                show_banner=False,
                log_level="warning",
            )
        else:
            mcp.run(
                transport="http",
                host="127.0.0.1",
                port=port,
                stateless_http=stateless,
                json_response="--json" in sys.argv,
                session_idle_timeout=idle,
            )
