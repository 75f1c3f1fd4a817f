"""Resources, prompts, completion, the full Context, lifespans and visibility, driven by the official Python
`mcp` client over real stdio pipes and real HTTP; and the same server file served by FastMCP 4 itself, compared
answer by answer on the wire."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import start_http_server, stop

mcp = pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters, types  # noqa: E402

FEATURES = Path(__file__).parent / "servers" / "features.py"


@pytest.fixture(scope="module")
def features_http() -> Any:
    server = start_http_server(script=FEATURES)
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest) -> Any:
    if request.param == "stdio":
        return StdioServerParameters(command=sys.executable, args=[str(FEATURES)])
    return request.getfixturevalue("features_http").url


async def _elicit(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
    props = params.requested_schema["properties"]
    if "value" in props:
        return types.ElicitResult(action="accept", content={"value": "Ada"})
    if "age" in props:
        return types.ElicitResult(action="accept", content={"name": "Ada", "age": 36})
    return types.ElicitResult(action="decline")


async def _sample(context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
    prompt = params.messages[0].content.text
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=f"[{params.system_prompt}] {prompt}"),
        model="test-model",
        stop_reason="endTurn",
    )


async def _roots(context: Any) -> types.ListRootsResult:
    return types.ListRootsResult(roots=[types.Root(uri="file:///tmp/a", name="a")])


@asynccontextmanager
async def connect(server: Any, notes: list[Any] | None = None, **kwargs: Any) -> AsyncIterator[Client]:
    async def on_message(message: Any) -> None:
        if notes is not None:
            notes.append(message)

    async with Client(server, mode="legacy", read_timeout_seconds=20, message_handler=on_message, **kwargs) as c:
        yield c


def text(result: Any) -> str:
    return result.content[0].text


pytestmark = pytest.mark.anyio


async def test_resources(target: Any) -> None:
    async with connect(target) as client:
        listed = {r.uri: r for r in (await client.list_resources()).resources}
        assert list(listed)[:3] == ["data://config", "data://readme", "data://logo"]
        assert listed["data://readme"].mime_type == "text/markdown" and listed["data://readme"].title == "Read me"
        assert listed["data://config"].description == "The application's configuration."
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        assert templates == ["users://{user_id}/profile", "files://{path*}", "search://items{?q,limit}"]

        config = (await client.read_resource("data://config")).contents[0]
        assert json.loads(config.text) == {"theme": "dark", "version": "1.2.0", "features": ["search", "export"]}
        logo = (await client.read_resource("data://logo")).contents[0]
        assert logo.mime_type == "image/png" and logo.blob == "iVBORw0KGgotbm90LXJlYWxseQ=="
        profile = (await client.read_resource("users://101/profile")).contents[0]
        assert profile.text == '{"name": "Alice", "status": "active"}'
        found = (await client.read_resource("search://items?q=red+shoes&limit=3")).contents[0]
        assert json.loads(found.text) == {"q": "red shoes", "limit": 3}
        assert "contents of a/b.txt" == (await client.read_resource("files://a/b.txt")).contents[0].text
        for hostile in ("files://../etc/passwd", "files://%2e%2e/%2e%2e/x", "files:///etc/passwd", "files://a%00b"):
            with pytest.raises(mcp.MCPError) as info:
                await client.read_resource(hostile)
            assert info.value.error.code == -32602 and "Resource not found" in info.value.error.message
        with pytest.raises(mcp.MCPError) as info:
            await client.read_resource("users://abc/profile")
        assert info.value.error.message == (
            "Error reading resource 'users://abc/profile': invalid literal for int() with base 10: 'abc'"
        )
        # A bad read harms nothing: the next one on the same session works.
        assert (await client.read_resource("data://async")).contents[0].text == "async hi"


async def test_prompts_and_completion(target: Any) -> None:
    async with connect(target) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert list(prompts)[:3] == ["ask_about", "conversation", "typed_prompt"]
        assert [(a.name, a.required) for a in prompts["conversation"].arguments] == [("name", True), ("mood", False)]
        got = await client.get_prompt("conversation", {"name": "Ann", "mood": "sad"})
        assert [(m.role, m.content.text) for m in got.messages] == [
            ("user", "Hello Ann"),
            ("assistant", "You seem sad"),
            ("user", "plain follow-up"),
        ]
        typed = await client.get_prompt("typed_prompt", {"n": "5", "nums": "[1,2]", "point": '{"x":1}'})
        assert typed.messages[0].content.text == "n=5 nums=[1, 2] point=Point(x=1, y=0) flag=False"
        with pytest.raises(mcp.MCPError) as info:
            await client.get_prompt("typed_prompt", {"n": "5"})
        assert info.value.error.message.endswith("Missing required arguments: {'nums', 'point'}")

        done = await client.complete(
            types.PromptReference(type="ref/prompt", name="ask_about"), {"name": "topic", "value": "n"}
        )
        assert done.completion.values == ["nature", "night", "news", "numbers"]
        ref = types.ResourceTemplateReference(type="ref/resource", uri="users://{user_id}/profile")
        assert (await client.complete(ref, {"name": "user_id", "value": "10"})).completion.values == ["101", "102"]
        many = (await client.complete(ref, {"name": "many", "value": ""})).completion
        assert len(many.values) == 100 and many.has_more is True and many.total == 150


async def test_context_requests_to_the_client(target: Any) -> None:
    callbacks = dict(elicitation_callback=_elicit, sampling_callback=_sample, list_roots_callback=_roots)
    async with connect(target, **callbacks) as client:
        assert text(await client.call_tool("ask_name", {})) == "Hello Ada"
        assert text(await client.call_tool("ask_person", {})) == "Ada is 36"
        haiku = await client.call_tool("sample_haiku", {"topic": "rust"})
        assert text(haiku) == "[Be brief] Write a haiku about rust"
        assert (await client.call_tool("roots", {})).structured_content == {"result": ["file:///tmp/a"]}
    # Without the capability, nothing is sent: the tool fails with a clear message.
    async with connect(target) as client:
        r = await client.call_tool("ask_name", {})
        assert r.is_error and "did not declare the elicitation capability" in text(r)


async def test_context_state_lifespan_and_get_context(target: Any) -> None:
    async with connect(target) as client:
        assert not (await client.call_tool("remember", {"key": "k", "value": "v1"})).is_error
        assert (await client.call_tool("recall", {"key": "k"})).structured_content == {"result": "v1"}
        await client.call_tool("forget", {"key": "k"})
        assert (await client.call_tool("recall", {"key": "k"})).structured_content == {"result": None}
        assert (await client.call_tool("lifespan_info", {})).structured_content == {"db": "connected", "runs": 1}
        assert text(await client.call_tool("read_config", {})).startswith('{"theme": "dark"')
        assert text(await client.call_tool("deep_sync", {})).startswith("sync ")
        assert text(await client.call_tool("deep_async", {})).startswith("async ")
    # State belongs to the session: a new session does not see it.
    async with connect(target) as client:
        assert (await client.call_tool("recall", {"key": "k"})).structured_content == {"result": None}
        await client.call_tool("remember", {"key": "k", "value": "v2"})
        # The lifespan ran once for the whole server run, not once per session.
        assert (await client.call_tool("lifespan_info", {})).structured_content["runs"] == 1


async def test_notifications_subscriptions_and_visibility(target: Any) -> None:
    notes: list[Any] = []

    async def seen(kind: type) -> bool:
        with anyio.move_on_after(5):
            while not any(isinstance(n, kind) for n in notes):
                await anyio.sleep(0.01)
        return any(isinstance(n, kind) for n in notes)

    async with connect(target, notes) as client:
        if not isinstance(target, StdioServerParameters):
            await anyio.sleep(0.2)  # the client opens its GET stream in the background
        await client.subscribe_resource("data://config")
        assert (await client.call_tool("touch", {"uri": "data://config"})).structured_content == {"result": 1}
        assert await seen(types.ResourceUpdatedNotification)
        await client.unsubscribe_resource("data://config")
        assert (await client.call_tool("touch", {"uri": "data://config"})).structured_content == {"result": 0}

        assert "secret_tool" in [t.name for t in (await client.list_tools()).tools]
        await client.call_tool("hide", {"tag": "secret"})
        assert await seen(types.ToolListChangedNotification)
        assert "secret_tool" not in [t.name for t in (await client.list_tools()).tools]
        hidden = await client.call_tool("secret_tool", {})
        assert hidden.is_error and text(hidden) == "Unknown tool: 'secret_tool'"
        await client.call_tool("show", {"tag": "secret"})
        assert text(await client.call_tool("secret_tool", {})) == "classified"

        await client.call_tool("add_greeter", {})
        assert text(await client.call_tool("greet", {"name": "Ann"})) == "Hi Ann"
        await client.call_tool("drop_greeter", {})
        assert (await client.call_tool("greet", {"name": "Ann"})).is_error


def test_lifespan_failure_stops_start_up() -> None:
    proc = subprocess.run(
        [sys.executable, str(FEATURES)],
        input=b"",
        capture_output=True,
        timeout=30,
        env={**os.environ, "FEATURES_LIFESPAN_FAIL": "1"},
    )
    assert proc.returncode != 0
    assert proc.stdout == b""
    assert b"lifespan of 'features' failed at start-up: database unreachable" in proc.stderr


# -- the same file on FastMCP 4, answer by answer --------------------------------------------------------

WIRE_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("resources/list", {}),
    ("resources/templates/list", {}),
    *[
        ("resources/read", {"uri": uri})
        for uri in (
            "data://config",
            "data://readme",
            "data://logo",
            "data://async",
            "data://both",
            "data://broken",
            "data://refused",
            "users://101/profile",
            "users://102/profile",
            "users://abc/profile",
            "users:///profile",
            "files://a/b/c.txt",
            "files://../etc/passwd",
            "files://a/%2e%2e/%2e%2e/b",
            "files://C:/x",
            "search://items",
            "search://items?q=a+b%20c&limit=5&extra=1",
            "nope://x",
        )
    ],
    ("prompts/list", {}),
    ("prompts/get", {"name": "ask_about", "arguments": {"topic": "cats"}}),
    ("prompts/get", {"name": "conversation", "arguments": {"name": "Ann"}}),
    ("prompts/get", {"name": "typed_prompt", "arguments": {"n": "5", "nums": "[1,2]", "point": '{"x":1}'}}),
    ("prompts/get", {"name": "typed_prompt", "arguments": {"n": "abc", "nums": "[1]", "point": '{"x":1}'}}),
    ("prompts/get", {"name": "typed_prompt", "arguments": {"n": "1", "nums": "[1]", "point": '{"x":1}', "z": "9"}}),
    ("prompts/get", {"name": "with_result"}),
    ("prompts/get", {"name": "failing_prompt"}),
    ("prompts/get", {"name": "crashing_prompt"}),
    ("prompts/get", {"name": "nope"}),
    (
        "completion/complete",
        {"ref": {"type": "ref/prompt", "name": "ask_about"}, "argument": {"name": "topic", "value": "n"}},
    ),
    (
        "completion/complete",
        {
            "ref": {"type": "ref/resource", "uri": "users://{user_id}/profile"},
            "argument": {"name": "many", "value": ""},
        },
    ),
    ("tools/call", {"name": "client_info", "arguments": {}, "_meta": {"client_id": "cid-7"}}),
    ("tools/call", {"name": "lifespan_info", "arguments": {}}),
    ("tools/call", {"name": "remember", "arguments": {"key": "k", "value": "v"}}),
    ("tools/call", {"name": "recall", "arguments": {"key": "k"}}),
]


def wire_transcript(impl: str) -> list[dict[str, Any]]:
    """Every answer of the server to `WIRE_REQUESTS`, over stdio, after a handshake."""
    lines = [
        {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        *({"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(WIRE_REQUESTS, 1)),
    ]
    env = {**os.environ, "FEATURES_IMPL": impl, "FASTMCP_SHOW_SERVER_BANNER": "false"}
    proc = subprocess.Popen(
        [sys.executable, str(FEATURES)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    answers: dict[int, dict[str, Any]] = {}
    assert proc.stdin is not None and proc.stdout is not None
    # One request at a time, in order, as a careful client would send them.
    for message in lines:
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        proc.stdin.flush()
        if "id" not in message:
            continue
        while True:
            answer = json.loads(proc.stdout.readline())
            if answer.get("id") == message["id"] and "method" not in answer:
                answers[message["id"]] = answer
                break
    proc.stdin.close()
    proc.wait(20)
    return [answers[i] for i in range(1, len(WIRE_REQUESTS) + 1)]


def test_wire_matches_fastmcp() -> None:
    pytest.importorskip("fastmcp")
    ours, theirs = wire_transcript("native"), wire_transcript("fastmcp")
    assert len(ours) == len(theirs) == len(WIRE_REQUESTS)
    differences = [
        f"{WIRE_REQUESTS[i]}:\n  ours: {json.dumps(a, sort_keys=True)}\n  FastMCP: {json.dumps(b, sort_keys=True)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if a != b
    ]
    assert not differences, "\n".join(differences)
