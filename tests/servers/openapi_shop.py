"""A FastAPI app (tests/servers/shop_api.py) served as MCP: with ``FastMCP.from_fastapi`` (in process), or,
when ``SHOP_API_URL`` names where it is served, with ``FastMCP.from_openapi`` over real HTTP. Route maps make
some GET routes resources and templates. tests/test_openapi.py serves it with FastMCP 4.2.3 and with
fastmcp-rs and compares them on the wire."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
from fastmcp import FastMCP
from fastmcp.server.providers.openapi import MCPType, RouteMap

sys.path.insert(0, str(Path(__file__).parent))
from shop_api import app

ROUTE_MAPS = [
    RouteMap(methods=["GET"], pattern=r"^/items/\{item_id\}$", mcp_type=MCPType.RESOURCE_TEMPLATE),
    RouteMap(methods=["GET"], pattern=r"^/(stats|ping)$", mcp_type=MCPType.RESOURCE, mcp_tags={"read"}),
]

if url := os.environ.get("SHOP_API_URL"):
    spec = httpx.get(f"{url}/openapi.json").json()
    mcp = FastMCP.from_openapi(
        spec, client=httpx.AsyncClient(base_url=url), name="Shop API", route_maps=ROUTE_MAPS, tags={"shop"}
    )
else:
    mcp = FastMCP.from_fastapi(app, route_maps=ROUTE_MAPS, tags={"shop"})
