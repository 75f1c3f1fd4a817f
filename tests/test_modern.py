"""The 2026-07-28 era (stateless MCP) against ``tests/servers/era_app.py``: the official Python client in its
modern mode over stdio and HTTP, and raw HTTP where the wire itself is the point (status codes, headers,
streams, sealed request state, caching hints, listen subscriptions, tasks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from conftest import HERE, HttpServer, start_http_server, stop, wait_for

mcp = pytest.importorskip("mcp")
import mcp_types as mt  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

ERA = HERE / "servers" / "era_app.py"
V = "2026-07-28"
KEY_A = "a" * 40
KEY_B = "b" * 40
TASKS = "io.modelcontextprotocol/tasks"
SERVER_INFO = "io.modelcontextprotocol/serverInfo"
ACCEPT = "application/json, text/event-stream"

pytestmark = pytest.mark.anyio


def era_server(*, keys: str = KEY_A, name: str = "era-app", marks: Path | None = None) -> HttpServer:
    env = {"ERA_KEYS": keys, "ERA_NAME": name}
    if marks is not None:
        env["ERA_MARKS"] = str(marks)
    return start_http_server(env=env, script=ERA)


@pytest.fixture(scope="module")
def era(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    server = era_server(marks=tmp_path_factory.mktemp("marks"))
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def envelope(caps: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": V,
        "io.modelcontextprotocol/clientCapabilities": caps if caps is not None else {},
        "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
    }
    meta.update(extra)
    return meta


_NAMED = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri", "tasks/get": "taskId"}


def post(
    http: httpx.Client,
    url: str,
    method: str,
    params: dict[str, Any] | None = None,
    *,
    caps: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    rid: Any = 1,
) -> httpx.Response:
    params = dict(params or {})
    params["_meta"] = envelope(caps, **(meta or {}))
    h = {"accept": ACCEPT, "content-type": "application/json", "mcp-protocol-version": V, "mcp-method": method}
    field = _NAMED.get(method) or ("taskId" if method.startswith("tasks/") else None)
    if field and field in params:
        h["mcp-name"] = str(params[field])
    h.update(headers or {})
    return http.post(url, json={"jsonrpc": "2.0", "id": rid, "method": method, "params": params}, headers=h)


def messages(r: httpx.Response) -> list[dict[str, Any]]:
    """Every JSON-RPC message of a response (one JSON body, or the data lines of an event stream)."""
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        return [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:") and line[5:].strip()]
    return [r.json()]


def result(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    final = messages(r)[-1]
    assert "result" in final, final
    return final["result"]


def error(r: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["error"]["code"] == code, body
    return body


# -- the official client, in its modern mode --------------------------------------------------------------


async def _answer_elicit(ctx: Any, params: Any) -> mt.ElicitResult:
    properties = params.requested_schema["properties"]
    if "colour" in properties:
        return mt.ElicitResult(action="accept", content={"colour": "teal"})
    if "value" in properties:
        return mt.ElicitResult(action="accept", content={"value": "rust"})
    return mt.ElicitResult(action="accept", content={"name": "Ada", "age": 36})


async def _answer_sample(ctx: Any, params: Any) -> mt.CreateMessageResult:
    prompt = params.messages[0].content.text
    return mt.CreateMessageResult(
        role="assistant", model="test", content=mt.TextContent(type="text", text=f"Welcome! ({prompt[-3:]})")
    )


async def _answer_roots(ctx: Any) -> mt.ListRootsResult:
    return mt.ListRootsResult(roots=[mt.Root(uri="file:///work"), mt.Root(uri="file:///tmp")])


def _client(target: Any, **kwargs: Any) -> Client:
    # "auto" probes server/discover (which names the server) and adopts the modern era it offers.
    return Client(
        target,
        mode="auto",
        elicitation_callback=_answer_elicit,
        sampling_callback=_answer_sample,
        list_roots_callback=_answer_roots,
        read_timeout_seconds=20,
        **kwargs,
    )


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest) -> Any:
    if request.param == "stdio":
        return StdioServerParameters(command=sys.executable, args=[str(ERA)], env={**os.environ, "ERA_KEYS": KEY_A})
    return request.getfixturevalue("era").url


async def test_client_rounds_run_the_users_code_unchanged(target: Any) -> None:
    with anyio.fail_after(60):
        async with _client(target) as client:
            assert client.protocol_version == V
            assert client.server_info.name == "era-app" and client.server_info.version == "2.0.0"
            # ctx.elicit, then ctx.sample, then ctx.list_roots: three rounds, each answered by the client.
            done = await client.call_tool("onboard", {})
            assert not done.is_error, done
            assert done.content[0].text == "Ada (36): Welcome! (Ada) [2 roots]"
            # The SDK spelling (ctx.session.*) takes the same road.
            sdk = await client.call_tool("sdk_style", {})
            assert sdk.content[0].text == "accept:teal:2"
            # FastMCP 4's explicit InputRequiredResult, its state back on the retry.
            guarded = await client.call_tool("guard", {"action": "deploy"})
            assert guarded.content[0].text == "deploy: accept {'name': 'Ada', 'age': 36}"
            # A prompt that asks first.
            prompt = await client.get_prompt("briefing")
            assert prompt.messages[0].content.text == "Brief me on rust"
            placed = await client.call_tool("place", {"order": {"sku": "x-1", "quantity": 2}})
            assert placed.structured_content == {"sku": "x-1", "quantity": 2}
            assert (await client.call_tool("add", {"a": 2, "b": 3})).structured_content == {"result": 5}


async def test_client_without_callbacks_is_told_what_is_missing(era: HttpServer) -> None:
    async with Client(era.url, mode=V, read_timeout_seconds=20) as client:
        with pytest.raises(mcp.MCPError) as refused:
            await client.call_tool("onboard", {})
        assert refused.value.error.code == -32021
        assert refused.value.error.data == {"requiredCapabilities": {"elicitation": {"form": {}}}}


# -- the wire: discover, envelope, errors, headers ----------------------------------------------------


def test_discover_and_caching_hints(era: HttpServer, http: httpx.Client) -> None:
    found = result(post(http, era.url, "server/discover"))
    assert found["resultType"] == "complete"
    assert found["supportedVersions"] == [V]
    assert found["_meta"][SERVER_INFO] == {"name": "era-app", "version": "2.0.0"}
    assert found["instructions"] == "2026-07-28 era fixtures."
    # As FastMCP 4 advertises MCP Apps' extension whatever the server serves.
    assert found["capabilities"]["extensions"] == {"io.modelcontextprotocol/ui": {}, TASKS: {}}
    assert found["capabilities"]["tools"] == {"listChanged": True}
    # cache_ttl=30 (seconds) / cache_scope="public" on the server...
    assert (found["ttlMs"], found["cacheScope"]) == (30000, "public")
    prompts = result(post(http, era.url, "prompts/list"))
    assert (prompts["ttlMs"], prompts["cacheScope"]) == (30000, "public")
    # ...and a component's own (its scope the server's unless it names one): a list carries the shortest TTL
    # and the narrowest scope of what it lists.
    tools = result(post(http, era.url, "tools/list"))
    assert (tools["ttlMs"], tools["cacheScope"]) == (5000, "public")
    assert [t["name"] for t in tools["tools"]][:3] == ["add", "place", "onboard"]  # registration order
    resources = result(post(http, era.url, "resources/list"))
    assert (resources["ttlMs"], resources["cacheScope"]) == (5000, "private")
    read = result(post(http, era.url, "resources/read", {"uri": "data://config"}))
    assert (read["ttlMs"], read["cacheScope"]) == (5000, "private")
    assert json.loads(read["contents"][0]["text"]) == {"mode": "modern"}
    templated = result(post(http, era.url, "resources/read", {"uri": "users://7/profile"}))
    assert (templated["ttlMs"], templated["cacheScope"]) == (30000, "public")
    # Calls are not cacheable.
    called = result(post(http, era.url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}}))
    assert called["resultType"] == "complete" and "ttlMs" not in called
    assert called["structuredContent"] == {"result": 2}


def test_envelope_and_version_errors(era: HttpServer, http: httpx.Client) -> None:
    url = era.url
    base = {"accept": ACCEPT, "content-type": "application/json", "mcp-method": "tools/list"}
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {"_meta": envelope()}}
    # The version header is required, and must agree with _meta.
    r = http.post(url, json=body, headers=base)
    assert error(r, 400, -32020)["id"] == 7
    r = http.post(url, json=body, headers={**base, "mcp-protocol-version": "2099-01-01"})
    error(r, 400, -32020)
    # Missing _meta keys come first: -32602.
    bare = {"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {}}
    error(http.post(url, json=bare, headers={**base, "mcp-protocol-version": V}), 400, -32602)
    # A version nobody serves: -32022 naming what is.
    odd = {**body, "params": {"_meta": {**envelope(), "io.modelcontextprotocol/protocolVersion": "v9"}}}
    r = http.post(url, json=odd, headers={**base, "mcp-protocol-version": "v9"})
    assert error(r, 400, -32022)["error"]["data"] == {"supported": [V], "requested": "v9"}
    # Methods of the handshake era are gone: 404 and -32601.
    for method in ("ping", "logging/setLevel", "resources/subscribe", "initialize", "tasks/list"):
        error(post(http, url, method, {"uri": "data://config", "level": "info"}), 404, -32601)
    # An unknown log level.
    error(post(http, url, "tools/list", meta={"io.modelcontextprotocol/logLevel": "loud"}), 400, -32602)
    # A resource that does not exist: -32602 with its URI (SEP-2164), not -32002.
    r = post(http, url, "resources/read", {"uri": "data://nothing"})
    assert error(r, 400, -32602)["error"]["data"] == {"uri": "data://nothing"}


def test_routing_headers(era: HttpServer, http: httpx.Client) -> None:
    url = era.url
    call = {"name": "add", "arguments": {"a": 1, "b": 2}}
    assert result(post(http, url, "tools/call", call))["isError"] is False
    for wrong in ({"mcp-method": "tools/list"}, {"mcp-name": "sub"}, {"mcp-name": "=?base64?YWRk?="[:-3]}):
        error(post(http, url, "tools/call", call, headers=wrong), 400, -32020)
    # A modern body under a handshake-era version header is still checked as modern: the header disagrees.
    error(post(http, url, "tools/call", call, headers={"mcp-protocol-version": "2025-11-25"}), 400, -32020)
    # Mcp-Method has no Base64 form.
    error(post(http, url, "tools/list", headers={"mcp-method": "=?base64?dG9vbHMvbGlzdA==?="}), 400, -32020)
    # Base64 form of the name.
    assert not result(post(http, url, "tools/call", call, headers={"mcp-name": "=?base64?YWRk?="}))["isError"]
    # x-mcp-header: the argument's value must come in Mcp-Param-Region too.
    regional = {"name": "region", "arguments": {"region": "eu-west", "n": 3}}
    error(post(http, url, "tools/call", regional), 400, -32020)
    error(post(http, url, "tools/call", regional, headers={"Mcp-Param-Region": "us-east"}), 400, -32020)
    ok = result(post(http, url, "tools/call", regional, headers={"mcp-param-region": "=?base64?ZXUtd2VzdA==?="}))
    assert ok["content"][0]["text"] == "eu-west/3"


def test_no_sessions_in_this_era(era: HttpServer, http: httpx.Client) -> None:
    r = post(http, era.url, "tools/list")
    assert r.status_code == 200 and "mcp-session-id" not in r.headers
    modern = {"mcp-protocol-version": V, "accept": ACCEPT}
    for method in ("GET", "DELETE"):
        r = http.request(method, era.url, headers=modern)
        assert r.status_code == 405 and r.headers["allow"] == "POST"
    # Every request stands alone: a handshake-era session id on a modern request changes nothing.
    r = post(http, era.url, "tools/list", headers={"mcp-session-id": "not-a-session"})
    assert r.status_code == 200


def test_logging_and_progress_only_when_asked(era: HttpServer, http: httpx.Client) -> None:
    call = {"name": "chatty", "arguments": {"steps": 2}}
    quiet = post(http, era.url, "tools/call", call)
    assert quiet.headers["content-type"] == "application/json"
    assert [m for m in messages(quiet) if "method" in m] == []
    asked = post(
        http, era.url, "tools/call", call, meta={"io.modelcontextprotocol/logLevel": "info", "progressToken": 9}
    )
    assert asked.headers["content-type"] == "text/event-stream"
    assert asked.headers["x-accel-buffering"] == "no"
    sent = messages(asked)
    logs = [m["params"]["level"] for m in sent if m.get("method") == "notifications/message"]
    assert logs == ["info", "warning"]
    progress = [m["params"]["progress"] for m in sent if m.get("method") == "notifications/progress"]
    assert progress == [1.0, 2.0]
    assert all("id" not in m or "result" in m for m in sent), "no requests on the stream"
    assert sent[-1]["result"]["content"][0]["text"] == "2 steps, session=True"


# -- sealed request state ------------------------------------------------------------------------------


def _round_one(http: httpx.Client, url: str, action: str = "deploy") -> dict[str, Any]:
    first = result(
        post(http, url, "tools/call", {"name": "guard", "arguments": {"action": action}}, caps={"elicitation": {}})
    )
    assert first["resultType"] == "input_required"
    assert set(first["inputRequests"]) == {"confirm"} and "ttlMs" not in first
    state = first["requestState"]
    assert isinstance(state, str) and "pending" not in state  # sealed, not readable
    return first


def _retry(http: httpx.Client, url: str, state: str, action: str = "deploy") -> httpx.Response:
    answer = {"confirm": {"action": "accept", "content": {"ok": True}}}
    params = {"name": "guard", "arguments": {"action": action}, "inputResponses": answer, "requestState": state}
    return post(http, url, "tools/call", params, caps={"elicitation": {}})


def test_request_state_is_sealed_bound_and_shareable(era: HttpServer, http: httpx.Client) -> None:
    state = _round_one(http, era.url)["requestState"]
    done = result(_retry(http, era.url, state))
    assert done["content"][0]["text"] == "deploy: accept {'ok': True}"
    # Tampered, or replayed on other arguments: refused.
    body = error(_retry(http, era.url, state + "x"), 400, -32602)
    assert body["error"]["data"] == {"reason": "invalid_request_state"}
    error(_retry(http, era.url, state, action="destroy"), 400, -32602)
    # Another instance with the same key opens it; one with another key does not; a rotated ring does.
    same = era_server(keys=KEY_A)
    other = era_server(keys=KEY_B)
    rotated = era_server(keys=f"{KEY_B},{KEY_A}")
    try:
        assert result(_retry(http, same.url, state))["content"][0]["text"].startswith("deploy: accept")
        error(_retry(http, other.url, state), 400, -32602)
        assert result(_retry(http, rotated.url, state))["content"][0]["text"].startswith("deploy: accept")
    finally:
        for s in (same, other, rotated):
            stop(s.proc)


def test_input_requests_follow_the_requests_capabilities(era: HttpServer, http: httpx.Client) -> None:
    # onboard asks for an elicitation first: a client that only samples is told what it lacks.
    r = post(http, era.url, "tools/call", {"name": "onboard", "arguments": {}}, caps={"sampling": {}})
    assert error(r, 400, -32021)["error"]["data"] == {"requiredCapabilities": {"elicitation": {"form": {}}}}
    # With elicitation, the first round asks for it; a malformed answer is asked for again, never completed.
    caps = {"elicitation": {}, "sampling": {}, "roots": {}}
    first = result(post(http, era.url, "tools/call", {"name": "onboard", "arguments": {}}, caps=caps))
    (key,) = first["inputRequests"]
    bad = {"name": "onboard", "arguments": {}, "inputResponses": {key: 42}, "requestState": first["requestState"]}
    again = result(post(http, era.url, "tools/call", bad, caps=caps))
    assert again["resultType"] == "input_required" and key in again["inputRequests"]


# -- listen subscriptions --------------------------------------------------------------------------------


def test_listen_over_http(era: HttpServer) -> None:
    got: list[dict[str, Any]] = []
    opened = threading.Event()

    def listen() -> None:
        params = {
            "_meta": envelope(),
            "notifications": {"toolsListChanged": True, "resourceSubscriptions": ["data://config"]},
        }
        body = {"jsonrpc": "2.0", "id": "sub-1", "method": "subscriptions/listen", "params": params}
        headers = {
            "accept": ACCEPT,
            "content-type": "application/json",
            "mcp-protocol-version": V,
            "mcp-method": "subscriptions/listen",
        }
        with httpx.Client(timeout=20) as c, c.stream("POST", era.url, json=body, headers=headers) as r:
            assert r.headers["content-type"] == "text/event-stream"
            for line in r.iter_lines():
                if line.startswith("data:"):
                    got.append(json.loads(line[5:]))
                    opened.set()
                    if len(got) >= 3:
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert opened.wait(10)
    ack = got[0]
    assert ack["method"] == "notifications/subscriptions/acknowledged"
    assert ack["params"]["_meta"] == {"io.modelcontextprotocol/subscriptionId": "sub-1"}
    assert ack["params"]["notifications"] == {"toolsListChanged": True, "resourceSubscriptions": ["data://config"]}
    with httpx.Client(timeout=20) as http:
        result(post(http, era.url, "tools/call", {"name": "trigger", "arguments": {}}))
    thread.join(10)
    methods = [m["method"] for m in got[1:]]
    assert methods == ["notifications/tools/list_changed", "notifications/resources/updated"]
    assert all(m["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub-1" for m in got[1:])
    assert got[2]["params"]["uri"] == "data://config"


def test_stdio_serves_both_eras_per_message() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(ERA)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ERA_KEYS": KEY_A},
    )
    assert proc.stdin is not None and proc.stdout is not None

    def send(message: dict[str, Any]) -> None:
        proc.stdin.write((json.dumps(message) + "\n").encode())
        proc.stdin.flush()

    def read_until(pred: Any) -> list[dict[str, Any]]:
        seen = []
        while True:
            line = proc.stdout.readline()
            assert line, "the server closed its output"
            seen.append(json.loads(line))
            if pred(seen[-1]):
                return seen

    try:
        # A handshake, then requests of both eras in the one process.
        send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"},
                },
            }
        )
        assert read_until(lambda m: m.get("id") == 1)[-1]["result"]["protocolVersion"] == "2025-11-25"
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        send(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "add", "arguments": {"a": 1, "b": 2}},
            }
        )
        legacy = read_until(lambda m: m.get("id") == 2)[-1]["result"]
        assert "resultType" not in legacy and legacy["structuredContent"] == {"result": 3}
        # A handshake-era request cannot hand the code a request state of its own making (only sealed state
        # exists, on the modern era): the forged answer is ignored, and the explicit form is refused there.
        forged = {
            "name": "guard",
            "arguments": {"action": "deploy"},
            "inputResponses": {"confirm": {"action": "accept", "content": {"ok": True}}},
            "requestState": "pending:deploy",
        }
        send({"jsonrpc": "2.0", "id": 20, "method": "tools/call", "params": forged})
        refused = read_until(lambda m: m.get("id") == 20)[-1]
        assert refused["error"]["code"] == -32602 and "InputRequiredResult" in refused["error"]["message"]
        call = {"name": "add", "arguments": {"a": 2, "b": 2}, "_meta": envelope()}
        send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call})
        modern = read_until(lambda m: m.get("id") == 3)[-1]["result"]
        assert modern["resultType"] == "complete" and modern["_meta"][SERVER_INFO]["name"] == "era-app"
        # A listen subscription on stdio: the ack, tagged notifications, and cancellation ends it.
        listen = {"_meta": envelope(), "notifications": {"toolsListChanged": True}}
        send({"jsonrpc": "2.0", "id": 4, "method": "subscriptions/listen", "params": listen})
        ack = read_until(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")[-1]
        assert ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 4
        send(
            {
                "jsonrpc": "2.0",
                "id": 5,
                "method": "tools/call",
                "params": {"name": "trigger", "arguments": {}, "_meta": envelope()},
            }
        )
        seen = read_until(lambda m: m.get("id") == 5)
        tagged = [m for m in seen if m.get("method") == "notifications/tools/list_changed"]
        # One for the subscription (tagged), one for the handshake session (untagged).
        assert {json.dumps(m.get("params", {}).get("_meta")) for m in tagged} == {
            json.dumps({"io.modelcontextprotocol/subscriptionId": 4}),
            "null",
        }
        send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 4}})
        send(
            {
                "jsonrpc": "2.0",
                "id": 6,
                "method": "tools/call",
                "params": {"name": "trigger", "arguments": {}, "_meta": envelope()},
            }
        )
        seen = read_until(lambda m: m.get("id") == 6)
        assert not any(m.get("params", {}).get("_meta") for m in seen if m.get("method", "").endswith("list_changed"))
        # No answer for the cancelled subscription.
        assert not any(m.get("id") == 4 for m in seen)
    finally:
        proc.stdin.close()
        assert proc.wait(15) == 0


# -- tasks -----------------------------------------------------------------------------------------------


def _poll(http: httpx.Client, url: str, task_id: str, until: set[str], caps: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        task = result(post(http, url, "tasks/get", {"taskId": task_id}, caps=caps))
        if task["status"] in until:
            return task
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} never reached {until}")


def test_tasks(era: HttpServer, http: httpx.Client) -> None:
    url = era.url
    ext = {"extensions": {TASKS: {}}, "elicitation": {}}
    created = result(post(http, url, "tools/call", {"name": "crunch", "arguments": {"seconds": 0.3}}, caps=ext))
    assert created["resultType"] == "task" and created["status"] == "working"
    assert isinstance(created["ttlMs"], int) and created["pollIntervalMs"] > 0
    assert not {"result", "error", "inputRequests", "requestState", "ttl"} & set(created)
    done = _poll(http, url, created["taskId"], {"completed"}, ext)
    assert done["result"]["structuredContent"] == {"slept": 0.3}
    # Waiting for the user: input_required with the question, then tasks/update answers it.
    asking = result(post(http, url, "tools/call", {"name": "approve", "arguments": {"item": "invoice"}}, caps=ext))
    waiting = _poll(http, url, asking["taskId"], {"input_required"}, ext)
    (key,) = waiting["inputRequests"]
    assert waiting["inputRequests"][key]["method"] == "elicitation/create"
    update = {"taskId": asking["taskId"], "inputResponses": {key: {"action": "accept", "content": {"value": True}}}}
    ack = result(post(http, url, "tasks/update", update, caps=ext))
    assert set(ack) - {"_meta"} == {"resultType"}
    approved = _poll(http, url, asking["taskId"], {"completed"}, ext)
    assert approved["result"]["content"][0]["text"] == "invoice: accept True"
    # Cancelling a running task; cancelling again is the same ack.
    long = result(post(http, url, "tools/call", {"name": "crunch", "arguments": {"seconds": 30}}, caps=ext))
    for _ in range(2):
        assert result(post(http, url, "tasks/cancel", {"taskId": long["taskId"]}, caps=ext))["resultType"] == "complete"
    assert _poll(http, url, long["taskId"], {"cancelled"}, ext)["status"] == "cancelled"
    # Without the extension: an ordinary call, and no tasks methods.
    plain = result(post(http, url, "tools/call", {"name": "crunch", "arguments": {"seconds": 0.05}}))
    assert plain["resultType"] == "complete" and plain["structuredContent"] == {"slept": 0.05}
    r = post(http, url, "tasks/get", {"taskId": long["taskId"]})
    assert error(r, 400, -32021)["error"]["data"] == {"requiredCapabilities": {"extensions": {TASKS: {}}}}
    error(post(http, url, "tasks/get", {"taskId": "no-such-task"}, caps=ext), 400, -32602)


def test_task_status_on_a_listen_stream(era: HttpServer, http: httpx.Client) -> None:
    ext = {"extensions": {TASKS: {}}}
    created = result(post(http, era.url, "tools/call", {"name": "report", "arguments": {"steps": 3}}, caps=ext))
    task_id = created["taskId"]
    got: list[dict[str, Any]] = []

    def listen() -> None:
        params = {"_meta": envelope(ext), "notifications": {"taskIds": [task_id]}}
        body = {"jsonrpc": "2.0", "id": 77, "method": "subscriptions/listen", "params": params}
        headers = {
            "accept": ACCEPT,
            "content-type": "application/json",
            "mcp-protocol-version": V,
            "mcp-method": "subscriptions/listen",
        }
        with httpx.Client(timeout=20) as c, c.stream("POST", era.url, json=body, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    got.append(json.loads(line[5:]))
                    if got[-1].get("params", {}).get("status") == "completed":
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    thread.join(15)
    assert got and got[0]["params"]["notifications"] == {"taskIds": [task_id]}
    updates = [m["params"] for m in got[1:]]
    assert all(m["method"] == "notifications/tasks" for m in got[1:])
    assert all(u["taskId"] == task_id and u["_meta"] == {"io.modelcontextprotocol/subscriptionId": 77} for u in updates)
    assert any(u.get("statusMessage", "").startswith("step ") for u in updates), updates
    assert updates[-1]["status"] == "completed"
    assert updates[-1]["result"]["content"][0]["text"] == "3 steps reported"
    # Without the extension declared, a listen for task ids is refused.
    r = post(http, era.url, "subscriptions/listen", {"notifications": {"taskIds": [task_id]}})
    assert error(r, 400, -32021)["error"]["data"] == {"requiredCapabilities": {"extensions": {TASKS: {}}}}


async def test_handshake_era_clients_get_tasks_run_synchronously(era: HttpServer) -> None:
    async with Client(era.url, mode="legacy", read_timeout_seconds=20) as client:
        r = await client.call_tool("crunch", {"seconds": 0.1})
        assert r.structured_content == {"slept": 0.1}
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["crunch"].execution is not None and tools["crunch"].execution.task_support == "optional"


def test_closing_the_stream_cancels_the_call(tmp_path: Path, http: httpx.Client) -> None:
    server = era_server(marks=tmp_path)
    try:
        params = {"name": "sleepy", "arguments": {"seconds": 30, "mark": "gone"}, "_meta": envelope(progressToken=1)}
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
        headers = {
            "accept": ACCEPT,
            "content-type": "application/json",
            "mcp-protocol-version": V,
            "mcp-method": "tools/call",
            "mcp-name": "sleepy",
        }
        with pytest.raises(httpx.ReadTimeout), httpx.Client(timeout=httpx.Timeout(20, read=0.5)) as c:
            c.post(server.url, json=body, headers=headers)
        assert wait_for(lambda: (tmp_path / "gone").exists(), 10)
    finally:
        stop(server.proc)


WRAPPED_GUARD = """
from fastmcp_rs import Context, FastMCP, InputRequiredResult
from fastmcp_rs.server.middleware import Middleware
from fastmcp_rs.tools.base import InputRequiredToolResult

mcp = FastMCP("wrapped")
SEEN = []


class Watch(Middleware):
    async def on_call_tool(self, context, call_next):
        result = await call_next(context)
        SEEN.append(type(result).__name__)
        return result


mcp.add_middleware(Watch())


@mcp.tool
def deploy(ctx: Context) -> str:
    answers = ctx.input_responses or {}
    if "ok" in answers and ctx.request_state == "asked":
        return f"deployed ({answers['ok'].action}) after {SEEN}"
    ask = {"method": "elicitation/create", "params": {"mode": "form", "message": "Deploy?",
           "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}}
    return InputRequiredToolResult(InputRequiredResult(input_requests={"ok": ask}, request_state="asked"))


if __name__ == "__main__":
    mcp.run(show_banner=False)
"""


async def test_a_tool_returning_an_input_required_tool_result(tmp_path: Path) -> None:
    """FastMCP 4's ``InputRequiredToolResult`` (the ``ToolResult`` an asking leg is): returned by a tool, it
    reaches the client as the input request it wraps, and the retry brings the answer and the state back."""
    script = tmp_path / "wrapped.py"
    script.write_text(WRAPPED_GUARD)
    params = StdioServerParameters(command=sys.executable, args=[str(script)], env=dict(os.environ))
    with anyio.fail_after(60):
        async with _client(params) as client:
            done = await client.call_tool("deploy", {})
            assert not done.is_error, done
            assert done.content[0].text.startswith("deployed (accept) after ")
