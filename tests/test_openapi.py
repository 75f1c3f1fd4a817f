"""OpenAPI and FastAPI servers (issue 13): ``FastMCP.from_fastapi(app)``, ``FastMCP.from_openapi(spec,
client=...)`` and ``OpenAPIProvider``, with route maps, names, tags, schemas and requests as FastMCP 4 makes
them.

- On the wire, against FastMCP 4.2.3 serving the same file: a FastAPI shop (tests/servers/openapi_shop.py)
  and a hand-written OpenAPI 3.0 document in front of an API that answers with the request it received
  (tests/servers/openapi_echo.py). The drop-in corpus's probe records everything both answer; then the
  official client calls every operation with all its arguments, so the requests each sends are compared.
- Over real HTTP: the shop served by uvicorn, the MCP server by ``fastmcp-rs run --transport http``, the
  official client in front; calls change the API's state, errors come back as FastMCP 4 words them, and the
  MCP client's headers reach the API.
- In memory (``fastmcp_rs.Client``): ``route_map_fn``, ``mcp_component_fn``, ``mcp_names``,
  ``validate_output=False``, a provider added under a namespace, a default client from the document's
  ``servers``, timeouts and 429s told to the model as FastMCP 4 tells them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from test_auth import free_port, wait_listening

sys.path.insert(0, str(HERE / "dropin"))
sys.path.insert(0, str(HERE / "servers"))
from manifest import ACCEPTED_EVERYWHERE
from test_dropin_corpus import CLI, REF_SERVE, differences, probe, report, scrub, served, wire

pytest.importorskip("fastmcp", reason="FastMCP 4.2.3 is the reference (scripts/test.sh installs it)")
pytest.importorskip("fastapi")

SERVERS = HERE / "servers"
SHOP, ECHO = SERVERS / "openapi_shop.py", SERVERS / "openapi_echo.py"


# -- on the wire, beside FastMCP 4.2.3 --------------------------------------------------------------------------


@pytest.mark.parametrize("server", [SHOP, ECHO], ids=["fastapi-shop", "handwritten-3.0"])
def test_listed_read_and_called_as_fastmcp4_does(server: Path) -> None:
    import re
    from concurrent.futures import ThreadPoolExecutor

    commands = ([sys.executable, str(REF_SERVE), str(server)], [*CLI, "run", str(server)])
    with ThreadPoolExecutor(2) as pool:
        reference, ours = pool.map(lambda c: probe(c, server.parent), commands)
    assert served(reference), reference.get("stderr", reference)
    assert served(ours), ours.get("stderr", ours)
    # Something was really served: tools with schemas, and (for the shop) resources and a template.
    tools = ours["tools/list"][0]["result"]["tools"]
    assert len(tools) >= 7 and all(t["inputSchema"]["type"] == "object" for t in tools)
    accepted = [re.compile(p) for p, _ in ACCEPTED_EVERYWHERE]
    diffs = [d for d in differences(wire(reference), wire(ours)) if not any(a.match(d[0]) for a in accepted)]
    assert not diffs, f"{server.name} answers differently from FastMCP 4.2.3:\n{report(diffs)}"


ECHO_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("getPet", {"petId": 3, "fields": ["name", "age"], "session": "abc", "verbose": True, "X-Trace": "t-1"}),
    ("getPet", {"petId": 3, "unknown": "dropped", "verbose": None}),
    ("Remove_the_pet", {"petId": 4, "X-Trace": "x"}),
    ("getPet_2", {"name": "Rex", "nickname": None, "age": None, "secret": "s"}),
    ("getPet_2", {"name": "Rex", "age": 2}),
    ("find_things", {"q": "dogs", "filter": {"kind": "cat", "max": 3}, "tags": ["a", "b"], "ids": [1, 2], "limit": 9}),
    ("find_things", {"q": "a b&c=d", "tags": [], "ids": []}),
    ("submit_form", {"name": "n", "count": 3, "meta": {"a": "b"}}),
    ("submit_form", {}),
    ("put_raw", {"raw_text": "héllo"}),
    ("brew", {}),
    ("getPet", {}),
    ("getPet", {"petId": "not a number"}),
]


async def _calls(command: list[str], calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    params = StdioServerParameters(
        command=command[0], args=command[1:], env={**os.environ, "FASTMCP_LOG_LEVEL": "ERROR"}
    )
    answers: list[Any] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for name, arguments in calls:
            result = await session.call_tool(name, arguments)
            answers.append(scrub(result.model_dump(mode="json", by_alias=True, exclude_none=True)))
    return answers


@pytest.mark.anyio
async def test_requests_sent_as_fastmcp4_sends_them() -> None:
    """Every parameter style, body kind and null the echo document has, called through both: the API's echo
    of each request (inside the results) must be the same, and so must the results."""
    reference = await _calls([sys.executable, str(REF_SERVE), str(ECHO)], ECHO_CALLS)
    ours = await _calls([*CLI, "run", str(ECHO)], ECHO_CALLS)
    for (name, arguments), theirs, mine in zip(ECHO_CALLS, reference, ours, strict=True):
        assert mine == theirs, f"{name}({arguments}):\n{report(differences(theirs, mine))}"
    # The requests themselves, as the API saw them: the first call's query, cookie and header.
    seen = json.loads(ours[0]["structuredContent"]["seen"])
    assert seen["path"] == "/v1/pets/3"
    assert seen["query"] == [["fields", "name,age"], ["verbose", "true"]]
    assert seen["headers"] == {"cookie": "session=abc", "x-trace": "t-1"}
    search = json.loads(ours[5]["structuredContent"]["result"][0])
    assert search["query"] == sorted(
        [
            ["filter[kind]", "cat"],
            ["filter[max]", "3"],
            ["tags", "a|b"],
            ["ids", "1"],
            ["ids", "2"],
            ["limit", "9"],
            ["q", "dogs"],
        ]
    )
    assert json.loads(json.loads(ours[3]["structuredContent"]["seen"])["body"]) == {
        "name": "Rex",
        "nickname": None,
        "age": None,
        "secret": "s",
    }
    assert ours[10]["isError"] and "HTTP error 418: I'm a teapot" in ours[10]["content"][0]["text"]


# -- over real HTTP ----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _shop_api() -> Iterator[str]:
    """The shop's FastAPI app, served by uvicorn on a port of 127.0.0.1, in this process."""
    import importlib

    import uvicorn

    shop_api = importlib.reload(importlib.import_module("shop_api"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(shop_api.app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(400):
            if server.started:
                break
            threading.Event().wait(0.025)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def _mcp_over_http(api_url: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "run", str(SHOP), "--transport", "http", "--port", str(port), "--no-banner"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "SHOP_API_URL": api_url, "FASTMCP_LOG_LEVEL": "ERROR"},
    )
    try:
        wait_listening(port, proc, "fastmcp-rs run openapi_shop.py")
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.anyio
async def test_calls_reach_a_real_fastapi_app_over_http() -> None:
    from mcp.client.streamable_http import streamable_http_client

    with _shop_api() as api, _mcp_over_http(api) as url:
        async with (
            httpx.AsyncClient(timeout=20, headers={"X-Tenant": "acme"}) as http,
            streamable_http_client(url, http_client=http) as (read, write, *_),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            assert {"list_items", "create_item_items_post", "place_order_orders", "whoami_whoami_get"} <= names
            made = await session.call_tool(
                "create_item_items_post", {"name": "Lamp", "price": 12.5, "category": "toys", "tags": ["light"]}
            )
            assert not made.is_error, made
            item = made.structured_content
            assert item is not None and item["name"] == "Lamp" and item["category"] == "toys"
            # The API's own state changed: it lists the new item, directly and through MCP.
            direct = httpx.get(f"{api}/items", params={"category": "toys"}).json()
            assert item["id"] in [i["id"] for i in direct["items"]]
            listed = await session.call_tool("list_items", {"category": "toys", "tag": ["light"]})
            assert [i["name"] for i in listed.structured_content["items"]] == ["Lamp"]
            # The template reads one item; a missing one is the API's 404, as FastMCP 4 words it.
            read = await session.read_resource(f"resource://get_item_items/{item['id']}")
            assert json.loads(read.contents[0].text)["name"] == "Lamp"
            assert read.contents[0].mime_type == "application/json"
            with pytest.raises(Exception, match=r"HTTP error 404: Not Found - \{\"detail\": \"No item 999\"\}"):
                await session.read_resource("resource://get_item_items/999")
            # FastAPI's 422 for a bad body comes back as the call's error.
            bad = await session.call_tool("create_item_items_post", {"name": "", "price": -1})
            assert (
                bad.is_error and "HTTP error 422" in bad.content[0].text and "string_too_short" in bad.content[0].text
            )
            # The MCP client's own headers travel to the API; the client's user agent stays the API client's.
            who = await session.call_tool("whoami_whoami_get", {})
            assert who.structured_content == {"tenant": "acme", "agent_is_httpx": "True"}
            # A discriminated union body: the variants' fields are arguments side by side, sent as one object.
            shipped = await session.call_tool("ship_shipments_post", {"kind": "letter", "stamps": 2})
            assert shipped.structured_content == {"shipped": "letter"}
            deleted = await session.call_tool("delete_item_items", {"item_id": item["id"]})
            assert not deleted.is_error and deleted.structured_content is None
            assert httpx.get(f"{api}/items/{item['id']}").status_code == 404


# -- in memory: the options --------------------------------------------------------------------------------------


def _shop_spec() -> dict[str, Any]:
    import shop_api

    return shop_api.app.openapi()


def _asgi_client(base: str = "http://shop") -> httpx.AsyncClient:
    import shop_api

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=shop_api.app), base_url=base)


@pytest.mark.anyio
async def test_route_map_fn_component_fn_names_and_tags() -> None:
    from fastmcp_rs import Client, FastMCP
    from fastmcp_rs.server.providers.openapi import MCPType, OpenAPITool, RouteMap
    from fastmcp_rs.utilities.openapi import HTTPRoute

    seen: list[tuple[str, str, MCPType]] = []

    def route_map_fn(route: HTTPRoute, kind: MCPType) -> MCPType | None:
        seen.append((route.method, route.path, kind))
        if route.path == "/ping":
            return MCPType.EXCLUDE
        return MCPType.RESOURCE if route.path == "/stats" else None

    def component_fn(route: HTTPRoute, component: Any) -> None:
        if isinstance(component, OpenAPITool):
            component.description = f"[{route.method}] {component.description}"
            component.tags.add("customized")
        if route.path == "/count":
            raise RuntimeError("a broken component_fn is logged and skipped")

    mcp = FastMCP.from_openapi(
        _shop_spec(),
        client=_asgi_client(),
        route_maps=[RouteMap(tags={"admin"}, mcp_type=MCPType.EXCLUDE)],
        route_map_fn=route_map_fn,
        mcp_component_fn=component_fn,
        mcp_names={"list_items": "catalogue"},
        tags={"api"},
    )
    async with Client(mcp) as client:
        tools = {t.name: t for t in await client.list_tools()}
        resources = {str(r.uri) for r in await client.list_resources()}
    # admin-tagged routes were excluded by the map, so route_map_fn saw them as EXCLUDE.
    assert ("POST", "/items", MCPType.EXCLUDE) in seen and ("GET", "/items", MCPType.TOOL) in seen
    assert "create_item_items_post" not in tools and "delete_item_items" not in tools
    assert "ping_ping_get" not in tools and "resource://ping_ping_get" not in resources
    assert resources == {"resource://stats_stats_get"}
    catalogue = tools["catalogue"]
    assert catalogue.description == "[GET] List items, optionally by category and tags."
    assert catalogue.meta == {"fastmcp": {"tags": sorted(["api", "items", "customized"])}}
    assert tools["count_count_get"].description == "[GET] Count"


@pytest.mark.anyio
async def test_permissive_output_namespaced_provider_and_default_client() -> None:
    from fastmcp_rs import Client, FastMCP
    from fastmcp_rs.server.providers.openapi import OpenAPIProvider

    spec = _shop_spec()
    spec["servers"] = [{"url": "http://{host}/", "variables": {"host": {"default": "shop.invalid"}}}]
    # No client: one is made for the document's first server URL, and closed with the server.
    provider = OpenAPIProvider(spec, validate_output=False)
    assert str(provider._client.base_url) == "http://shop.invalid/"
    mcp = FastMCP("gateway")
    mcp.add_provider(OpenAPIProvider(spec, client=_asgi_client(), validate_output=False), namespace="shop")
    async with Client(mcp) as client:
        tools = {t.name: t for t in await client.list_tools()}
        assert tools["shop_count_count_get"].output_schema == {
            "type": "object",
            "additionalProperties": True,
            "x-fastmcp-wrap-result": True,
            "properties": {"result": {}},
        }
        assert (await client.call_tool("shop_count_count_get", {})).data == 2
        page = await client.call_tool("shop_list_items", {"limit": 1})
        assert page.structured_content["total"] == 2 and len(page.structured_content["items"]) == 1
    with pytest.raises(ValueError, match="No server URL found in OpenAPI spec"):
        OpenAPIProvider({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}})
    with pytest.raises(ValueError, match="External or non-local reference not supported"):
        FastMCP.from_openapi(
            {
                "openapi": "3.1.0",
                "info": {"title": "x", "version": "1"},
                "paths": {
                    "/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"$ref": "other.json#/Q"}}]}}
                },
            },
            client=_asgi_client(),
        )
    with pytest.raises(ValueError, match="Invalid OpenAPI schema"):
        FastMCP.from_openapi({"paths": {}}, client=_asgi_client())


class _TimingOut(httpx.AsyncBaseTransport):
    """An API's answers, but ``/slow`` times out as a read from a real socket would."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/slow":
            raise httpx.ReadTimeout("timed out", request=request)
        return await self.inner.handle_async_request(request)


@pytest.mark.anyio
async def test_timeouts_rate_limits_and_unreachable_apis_as_fastmcp4_tells_them() -> None:
    """A 429 and a timeout are told to the model as worth retrying, even with details masked; any other
    failure is the call's error (only its tool's name when masked)."""
    from fastmcp_rs import Client, FastMCP
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def limited(request: Any) -> JSONResponse:
        return JSONResponse({"detail": "slow down"}, status_code=429)

    async def slow(request: Any) -> JSONResponse:
        await asyncio.sleep(5)
        return JSONResponse({})

    async def broken(request: Any) -> JSONResponse:
        return JSONResponse({"detail": "boom"}, status_code=500)

    api = Starlette(routes=[Route("/limited", limited), Route("/slow", slow), Route("/broken", broken)])
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "flaky", "version": "1"},
        "paths": {f"/{p}": {"get": {"operationId": p, "responses": ok}} for p in ("limited", "slow", "broken")},
    }
    for masked in (False, True):
        client = httpx.AsyncClient(transport=_TimingOut(httpx.ASGITransport(app=api)), base_url="http://flaky")
        mcp = FastMCP.from_openapi(spec, client=client, mask_error_details=masked)
        async with Client(mcp) as mcp_client:
            texts = {}
            for name in ("limited", "slow", "broken"):
                result = await mcp_client.call_tool(name, {}, raise_on_error=False)
                assert result.is_error
                texts[name] = result.content[0].text
        assert texts["limited"] == "Rate limited by upstream API, please retry later"
        assert texts["slow"] == "Upstream request timed out, please retry"
        if masked:
            assert texts["broken"] == "Error calling tool 'broken'"
        else:
            assert (
                texts["broken"]
                == 'Error calling tool \'broken\': HTTP error 500: Internal Server Error - {"detail": "boom"}'
            )


def test_director_refuses_dot_segments_in_path_values() -> None:
    """A path value cannot climb out of its segment, however it is encoded."""
    from fastmcp_rs.utilities.openapi import RequestDirector, parse_openapi_to_http_routes

    spec = {
        "openapi": "3.1.0",
        "info": {"title": "files", "version": "1"},
        "paths": {
            "/files/{name}": {
                "get": {"parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]}
            }
        },
    }
    (route,) = parse_openapi_to_http_routes(spec)
    director = RequestDirector(spec)
    assert str(director.build(route, {"name": "a b.txt"}, "http://api").url) == "http://api/files/a%20b%2Etxt"
    for hostile in ("..", "%2e%2e", "%252e%252e", "a/../../etc"):
        with pytest.raises(ValueError, match="cannot contain dot segments"):
            director.build(route, {"name": hostile}, "http://api")
