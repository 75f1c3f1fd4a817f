"""A FastAPI app with an MCP server mounted, the way the seed guides deploy one, for benches/mounted.py.

BENCH_SERVER=fastmcp_rs|fastmcp. Served three ways: by uvicorn (``uvicorn mounted_app:app``, with either
package), and by fastmcp-rs itself (``python mounted_app.py PORT``: ``mcp.run(transport="http", app=app)``,
the MCP path answered by the core and every other route by the app).
"""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request

if os.environ.get("BENCH_SERVER", "fastmcp_rs") == "fastmcp":
    from fastmcp import FastMCP
else:
    from fastmcp_rs import FastMCP

mcp = FastMCP("mounted")


@mcp.tool
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool
def echo(text: str) -> str:
    """Echoes the text."""
    return text


mcp_app = mcp.http_app(path="/mcp")
api = FastAPI()


@api.get("/items")
def items() -> list[dict[str, object]]:
    return [{"name": "bolt", "qty": 3}]


class Timing(BaseHTTPMiddleware):
    """A Starlette middleware on the REST API (not on the MCP mount)."""

    async def dispatch(self, request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers["x-served-by"] = "api"
        return response


api.add_middleware(Timing)
app = FastAPI(lifespan=mcp_app.lifespan)
app.mount("/api", api)
app.mount("/analytics", mcp_app)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[1]), app=app)
