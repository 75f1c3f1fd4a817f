"""Resumable Streamable HTTP streams (MCP 2025-11-25 "Resumability and Redelivery", SEP-1699): event ids, the
priming event and its retry field, replay after `Last-Event-ID` and live delivery after it, no event crossing
sessions, keep-alive comments, and `ctx.close_sse_stream()` with the official client reconnecting. A real server
(`tests/servers/resumable.py`) on 127.0.0.1, driven with raw httpx and with the `mcp` client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import HttpServer, start_http_server, stop
from fastmcp_rs import Context, FastMCP
from fastmcp_rs.server.event_store import EventStore

SERVER = Path(__file__).parent / "servers" / "resumable.py"
ACCEPT_BOTH = "application/json, text/event-stream"
NEW = "2025-11-25"
OLD = "2025-06-18"


@dataclass
class Event:
    id: str | None = None
    retry: int | None = None
    data: str | None = None

    @property
    def message(self) -> dict[str, Any]:
        assert self.data, "the priming event carries no message"
        return json.loads(self.data)


def read_events(response: httpx.Response, comments: list[str] | None = None) -> Iterator[Event]:
    """SSE events as they arrive (comments go to `comments`)."""
    event: Event | None = None
    for line in response.iter_lines():
        if line == "":
            if event is not None:
                yield event
            event = None
            continue
        if line.startswith(":"):
            if comments is not None:
                comments.append(line)
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        event = event or Event()
        if name == "id":
            event.id = value
        elif name == "retry":
            event.retry = int(value)
        elif name == "data":
            event.data = value if event.data is None else f"{event.data}\n{value}"


def read_until(response: httpx.Response, done: Callable[[Event], bool]) -> list[Event]:
    seen = []
    for event in read_events(response):
        seen.append(event)
        if done(event):
            return seen
    raise AssertionError(f"the stream ended first: {seen}")


def log_text(event: Event) -> str | None:
    message = event.message
    if message.get("method") != "notifications/message":
        return None
    return message["params"]["data"]["msg"]


def headers(session: str | None = None, accept: str = ACCEPT_BOTH, version: str = NEW, **extra: str) -> dict[str, str]:
    h = {"accept": accept, "content-type": "application/json", "mcp-protocol-version": version, **extra}
    if session:
        h["mcp-session-id"] = session
    return h


def open_session(client: httpx.Client, url: str, version: str = NEW) -> str:
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    r = client.post(url, json=init, headers={"accept": ACCEPT_BOTH, "content-type": "application/json"})
    assert r.status_code == 200
    # The initialize answer opens no resumable stream: the version is not agreed until it is read.
    [answer] = list(read_events(r))
    assert answer.message["result"]["protocolVersion"] == version
    session = r.headers["mcp-session-id"]
    r = client.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers(session))
    assert r.status_code == 202
    return session


def tool_call(name: str, arguments: dict[str, Any], request_id: int = 1, **meta: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, "arguments": arguments}
    if meta:
        params["_meta"] = meta
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def release(url: str, session: str, gate: str) -> None:
    """Opens a gate from another connection (the call waiting at it goes on)."""
    with httpx.Client(timeout=10) as other:
        r = other.post(url, json=tool_call("release", {"gate": gate}, 99), headers=headers(session, "application/json"))
        assert r.json()["result"]["structuredContent"] == {"result": "released"}


def resume(client: httpx.Client, url: str, session: str, last_event_id: str) -> httpx.Response:
    return client.get(url, headers=headers(session, "text/event-stream", **{"last-event-id": last_event_id}))


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    started = start_http_server(script=SERVER)
    yield started
    assert stop(started.proc) == 0, "".join(started.stderr_lines)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def test_request_streams_are_primed_and_every_event_is_named(client: httpx.Client, server: HttpServer) -> None:
    url = server.url
    session = open_session(client, url)
    body = tool_call("chatty", {"steps": 2}, progressToken="t")
    r = client.post(url, json=body, headers=headers(session))
    assert r.headers["content-type"] == "text/event-stream"
    priming, *rest = read_events(r)
    # An id and empty data, with how long to wait before reconnecting.
    assert priming.id and priming.data == "" and priming.retry == 100
    methods = [e.message.get("method") for e in rest]
    assert methods == ["notifications/message", "notifications/progress", "notifications/progress", None]
    assert rest[-1].message["result"]["structuredContent"] == {"result": "chatted"}
    ids = [e.id for e in [priming, *rest]]
    assert None not in ids and len(set(ids)) == len(ids)
    again = [e.id for e in read_events(client.post(url, json=body, headers=headers(session)))]
    assert None not in again and not set(again) & set(ids), "ids are unique across the session's streams"


def test_older_clients_get_ids_but_no_priming_event(client: httpx.Client, server: HttpServer) -> None:
    session = open_session(client, server.url, OLD)
    body = tool_call("chatty", {"steps": 1}, progressToken=1)
    r = client.post(server.url, json=body, headers=headers(session, version=OLD))
    events = list(read_events(r))
    assert all(e.data for e in events), "no empty event for a client that may not expect one"
    assert all(e.retry is None for e in events)
    assert [e.message.get("method") for e in events] == ["notifications/message", "notifications/progress", None]
    assert None not in [e.id for e in events]


def test_a_dropped_stream_resumes_after_the_last_event_seen_then_goes_on_live(
    client: httpx.Client, server: HttpServer
) -> None:
    url = server.url
    session = open_session(client, url)
    with client.stream("POST", url, json=tool_call("gated", {"gate": "live"}), headers=headers(session)) as r:
        seen = read_until(r, lambda e: bool(e.data) and log_text(e) == "one")
    # The connection is gone and the call waits at its gate: it was not cancelled.
    with client.stream(
        "GET", url, headers=headers(session, "text/event-stream", **{"last-event-id": seen[-1].id})
    ) as resumed:
        assert resumed.status_code == 200 and resumed.headers["content-type"] == "text/event-stream"
        release(url, session, "live")
        rest = list(read_events(resumed))  # ends once the answer is out
    assert [log_text(e) for e in rest[:-1]] == ["two"]
    assert rest[-1].message["id"] == 1
    assert rest[-1].message["result"]["structuredContent"] == {"result": "passed live"}
    ids = [e.id for e in seen + rest]
    assert None not in ids and len(set(ids)) == len(ids)


def test_events_sent_while_disconnected_are_replayed_once(client: httpx.Client, server: HttpServer) -> None:
    url = server.url
    session = open_session(client, url)
    with client.stream("POST", url, json=tool_call("gated", {"gate": "replay"}), headers=headers(session)) as r:
        [priming] = read_until(r, lambda e: e.data == "")
    release(url, session, "replay")
    # From the priming event: every message of the stream, ending with the answer.
    r = resume(client, url, session, priming.id or "")
    assert r.status_code == 200
    events = list(read_events(r))
    assert [log_text(e) for e in events[:-1]] == ["one", "two"]
    assert events[-1].message["result"]["structuredContent"] == {"result": "passed replay"}
    # Delivered: there is nothing left to resume.
    assert resume(client, url, session, priming.id or "").status_code == 400


def test_no_event_crosses_sessions(client: httpx.Client, server: HttpServer) -> None:
    url = server.url
    alice = open_session(client, url)
    bob = open_session(client, url)
    with client.stream("POST", url, json=tool_call("gated", {"gate": "cross"}), headers=headers(alice)) as r:
        seen = read_until(r, lambda e: bool(e.data) and log_text(e) == "one")
    last = seen[-1].id or ""
    refused = resume(client, url, bob, last)
    assert refused.status_code == 400
    assert "Last-Event-ID" in refused.json()["error"]["message"]
    for garbage in ("", "nonsense", "1/x", "999999999/0"):
        assert resume(client, url, alice, garbage).status_code == 400
    # Bob's session is as it was, and Alice still gets her own stream.
    with client.stream("GET", url, headers=headers(bob, "text/event-stream")) as standalone:
        assert standalone.status_code == 200
    release(url, alice, "cross")
    events = list(read_events(resume(client, url, alice, last)))
    assert [log_text(e) for e in events[:-1]] == ["two"]
    assert events[-1].message["result"]["structuredContent"] == {"result": "passed cross"}


def test_the_get_stream_is_named_and_resumable(client: httpx.Client, server: HttpServer) -> None:
    url = server.url
    session = open_session(client, url)
    json_only = headers(session, "application/json")

    def log_on_the_get_stream(steps: int) -> None:
        # A JSON response has no stream of its own: the call's notifications go to the GET stream.
        r = client.post(url, json=tool_call("chatty", {"steps": steps}), headers=json_only)
        assert r.json()["result"]["structuredContent"] == {"result": "chatted"}

    with httpx.Client(timeout=10) as listener:
        with listener.stream("GET", url, headers=headers(session, "text/event-stream")) as standalone:
            log_on_the_get_stream(0)
            [first] = read_until(standalone, lambda e: e.data is not None)
    assert first.id and log_text(first) == "starting"
    log_on_the_get_stream(0)  # while no connection reads the GET stream: kept
    with httpx.Client(timeout=10) as listener:
        with listener.stream(
            "GET", url, headers=headers(session, "text/event-stream", **{"last-event-id": first.id})
        ) as resumed:
            [kept] = read_until(resumed, lambda e: e.data is not None)
    assert log_text(kept) == "starting" and kept.id not in (None, first.id)


def test_keep_alive_comments_on_quiet_streams(client: httpx.Client, server: HttpServer) -> None:
    url = server.url
    session = open_session(client, url)
    comments: list[str] = []
    with client.stream("GET", url, headers=headers(session, "text/event-stream")) as standalone:
        for line in standalone.iter_lines():
            if line.startswith(":"):
                comments.append(line)
                break
    assert comments == [": ping"]
    # A long call's stream: comments while it runs, for a client of either era.
    for version in (OLD, NEW):
        session = open_session(client, url, version)
        r = client.post(url, json=tool_call("slow", {"seconds": 0.3}), headers=headers(session, version=version))
        assert ": ping" in r.text.split("\n")
        *_, answer = read_events(r)
        assert answer.message["result"]["structuredContent"] == {"result": "slow done"}


def test_close_sse_stream_ends_the_response_and_the_rest_follows_on_resume(
    client: httpx.Client, server: HttpServer
) -> None:
    url = server.url
    session = open_session(client, url)
    r = client.post(url, json=tool_call("close_early", {}, progressToken="p"), headers=headers(session))
    # The whole response: the priming event and the progress, then the end, with no answer.
    events = list(read_events(r))
    assert [e.data == "" for e in events] == [True, False]
    assert events[1].message["method"] == "notifications/progress"
    rest = list(read_events(resume(client, url, session, events[1].id or "")))
    assert [log_text(e) for e in rest[:-1]] == ["after the close"]
    assert rest[-1].message["result"]["structuredContent"] == {"result": "finished after the close"}


def test_close_sse_stream_does_nothing_where_the_client_cannot_resume(client: httpx.Client, server: HttpServer) -> None:
    url = server.url
    session = open_session(client, url, OLD)
    r = client.post(url, json=tool_call("close_early", {}, progressToken="p"), headers=headers(session, version=OLD))
    events = list(read_events(r))
    assert events[-1].message["result"]["structuredContent"] == {"result": "finished after the close"}
    assert "after the close" in [log_text(e) for e in events]
    # A JSON response has no SSE stream to close.
    session = open_session(client, url)
    r = client.post(url, json=tool_call("close_early", {}), headers=headers(session, "application/json"))
    assert r.json()["result"]["structuredContent"] == {"result": "finished after the close"}


@pytest.mark.anyio
async def test_close_sse_stream_does_nothing_without_http() -> None:
    pytest.importorskip("mcp")
    from fastmcp_rs.client import Client

    server = FastMCP("in-memory")

    @server.tool
    async def close_early(ctx: Context) -> str:
        await ctx.close_sse_stream()
        await ctx.request_context.close_sse_stream()
        return "still here"

    async with Client(server) as client:
        result = await client.call_tool("close_early", {})
    assert result.data == "still here"


def test_keep_alive_comments_on_the_legacy_sse_stream() -> None:
    legacy = start_http_server("--sse", script=SERVER)
    try:
        with httpx.Client(timeout=10) as c, c.stream("GET", legacy.url, headers={"accept": "text/event-stream"}) as r:
            assert r.status_code == 200
            lines = []
            for line in r.iter_lines():
                lines.append(line)
                if line.startswith(":"):
                    break
        assert lines[0] == "event: endpoint" and lines[-1] == ": ping"
    finally:
        assert stop(legacy.proc) == 0


@pytest.mark.anyio
async def test_close_sse_stream_with_the_official_client(server: HttpServer) -> None:
    pytest.importorskip("mcp")
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    resumed: list[str] = []
    logs: list[Any] = []
    progress: list[tuple[float, float | None]] = []

    async def on_request(request: httpx2.Request) -> None:
        if request.method == "GET" and "last-event-id" in request.headers:
            resumed.append(request.headers["last-event-id"])

    async def on_log(params: Any) -> None:
        logs.append(params.data)

    async def on_progress(p: float, total: float | None, message: str | None) -> None:
        progress.append((p, total))

    timeout = httpx2.Timeout(30, read=30)
    async with httpx2.AsyncClient(timeout=timeout, event_hooks={"request": [on_request]}) as http:
        transport = streamable_http_client(server.url, http_client=http)
        async with Client(transport, mode="legacy", logging_callback=on_log) as client:
            assert client.protocol_version == NEW
            result = await client.call_tool("close_early", {}, progress_callback=on_progress)
    assert not result.is_error and result.structured_content == {"result": "finished after the close"}
    assert progress == [(1.0, 2.0)]
    assert {"msg": "after the close", "extra": None} in logs
    assert len(resumed) == 1, "the client reconnected once, with the id of the last event it saw"


@pytest.fixture(params=["no-store", "stateless"])
def unresumable(request: pytest.FixtureRequest) -> Iterator[HttpServer]:
    if request.param == "no-store":
        started = start_http_server("--no-store", script=SERVER)
    else:
        started = start_http_server("--stateless")
    yield started
    stop(started.proc)


def test_without_an_event_store_events_carry_no_ids(client: httpx.Client, unresumable: HttpServer) -> None:
    url = unresumable.url
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {"protocolVersion": NEW, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    r = client.post(url, json=init, headers=headers())
    session = r.headers.get("mcp-session-id")
    r = client.post(url, json=tool_call("chatty", {"steps": 1}), headers=headers(session))
    events = list(read_events(r))
    assert events and all(e.id is None and e.data for e in events)
    assert events[-1].message["result"]["isError"] is False
    if session is not None:
        with client.stream(
            "GET", url, headers=headers(session, "text/event-stream", **{"last-event-id": "1/0"})
        ) as standalone:
            assert standalone.status_code == 200, "Last-Event-ID means nothing without a store"


def test_event_store_settings_reach_the_native_endpoint() -> None:
    with pytest.raises(ValueError, match="max_events_per_stream"):
        EventStore(max_events_per_stream=0)
    mcp = FastMCP("settings", event_store=EventStore(max_events_per_stream=7, ttl=None), retry_interval=250)
    app = mcp.http_app(keep_alive_interval=2.5)
    [route] = [r for r in app.routes if getattr(r, "path", None) == "/mcp"]
    options = route.endpoint._options
    assert options["event_store"] is True and options["event_store_max_events_per_stream"] == 7
    assert options["event_store_ttl"] == 0 and options["retry_interval"] == 250
    assert options["keep_alive_interval"] == 2.5
    off = mcp.http_app(event_store=False)
    [route] = [r for r in off.routes if getattr(r, "path", None) == "/mcp"]
    assert route.endpoint._options["event_store"] is False
    with pytest.raises(ValueError, match="at least 1"):
        mcp._native.http_endpoint(event_store_max_events=0)
    mcp._native.http_endpoint(**options).close()
