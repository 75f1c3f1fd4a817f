"""A FastAPI app with an MCP server mounted, the way the seed guides deploy one: a Starlette middleware that
checks a bearer token on the MCP path, a health route from ``@mcp.custom_route``, and a plain API route.

uvicorn tests.servers.asgi_app:app        (the MCP endpoint is /analytics/mcp)
uvicorn tests.servers.asgi_app:sdk_app    (SDK v1 style: streamable_http_app() + add_middleware, /mcp)
uvicorn tests.servers.asgi_app:sse_app    (legacy SSE: /sse and /messages/)
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastmcp_rs import Context, FastMCP
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

TOKEN = "dev-token"

mcp = FastMCP("asgi-tools")


class Item(BaseModel):
    name: str
    qty: int


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool
async def restock(items: list[Item], ctx: Context) -> list[Item]:
    """Doubles every quantity, reporting progress as it goes."""
    out = []
    for i, item in enumerate(items):
        await ctx.report_progress(i + 1, len(items), f"item {item.name}")
        await asyncio.sleep(0)
        out.append(Item(name=item.name, qty=item.qty * 2))
    await ctx.info("restocked")
    return out


@mcp.resource("config://app")
def config() -> dict[str, str]:
    return {"env": "test"}


@mcp.custom_route("/health", methods=["GET"])
async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("OK")


class BearerAuth(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):  # type: ignore[no-untyped-def]
        if "/mcp" in request.url.path or request.url.path.startswith(("/sse", "/messages")):
            if request.headers.get("authorization", "") != f"Bearer {TOKEN}":
                return JSONResponse({"error": "missing or invalid bearer token"}, status_code=401)
        return await call_next(request)


mcp_app = mcp.http_app(path="/mcp")
app = FastAPI(lifespan=mcp_app.lifespan)
app.add_middleware(BearerAuth)
app.mount("/analytics", mcp_app)


@app.get("/api/items")
def items() -> list[dict[str, object]]:
    return [{"name": "bolt", "qty": 3}]


sdk_app = mcp.streamable_http_app()
sdk_app.add_middleware(BearerAuth)

sse_app = mcp.sse_app()
sse_app.add_middleware(BearerAuth)

# No middleware in front of MCP: served natively, the MCP path is answered by the core itself.
open_mcp_app = mcp.http_app(path="/mcp")
open_app = FastAPI(lifespan=open_mcp_app.lifespan)
open_app.mount("/tools", open_mcp_app)


@open_app.get("/api/ping")
async def ping() -> dict[str, str]:
    return {"pong": "yes"}
