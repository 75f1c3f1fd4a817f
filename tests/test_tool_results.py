"""Full results and raw schemas (`tests/servers/tool_results.py`): tools returning ``ToolResult``, tools built
as ``FunctionTool(fn=..., parameters=<JSON Schema>)`` / ``Tool.from_function`` and added with ``add_tool``, a
``Tool`` subclass with its own ``run``; driven by the official client over stdio and HTTP, and compared with
FastMCP 4 on the wire. Also the regressions of ``Field(...)`` defaults in tools and prompts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import start_http_server, stop

pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters

SERVER = Path(__file__).parent / "servers" / "tool_results.py"
sys.path.insert(0, str(SERVER.parent))
from tool_results import RAW_SCHEMA  # noqa: E402

sys.path.remove(str(SERVER.parent))


@pytest.fixture(scope="module")
def results_http() -> Any:
    server = start_http_server(script=SERVER)
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest) -> Any:
    if request.param == "stdio":
        return StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    return request.getfixturevalue("results_http").url


def client(target: Any) -> Client:
    return Client(target, mode="legacy", read_timeout_seconds=20)


def text(result: Any) -> str:
    return result.content[0].text


@pytest.mark.anyio
async def test_tool_result_fields(target: Any) -> None:
    async with client(target) as c:
        full = await c.call_tool("full_result", {})
        assert (text(full), full.structured_content, full.meta) == ("hello", {"a": 1, "b": [1, 2]}, {"trace": "t-1"})
        blocks = (await c.call_tool("blocks_result", {})).content
        assert [b.type for b in blocks] == ["text", "text", "image"]
        assert (blocks[0].text, blocks[1].text, blocks[2].mime_type) == ("one", "two", "image/png")
        only = await c.call_tool("structured_only", {})
        assert (json.loads(text(only)), only.structured_content) == ({"x": [1, 2], "y": None}, {"x": [1, 2], "y": None})
        assert text(await c.call_tool("value_content", {})) == '{"k":[1,2]}'
        failed = await c.call_tool("error_result", {})
        assert failed.is_error and text(failed) == "it failed, gently"


@pytest.mark.anyio
async def test_raw_schemas_are_listed_verbatim_and_called(target: Any) -> None:
    async with client(target) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        # Listed as given, but for its `$ref`s, which FastMCP 4 inlines (`dereference_schemas=True`, the default).
        listed = {k: v for k, v in RAW_SCHEMA.items() if k != "$defs"}
        listed["properties"] = {**RAW_SCHEMA["properties"], "n": {"$anchor": "count", "type": "integer", "minimum": 0}}
        for name in ("raw_kwargs", "raw_typed", "from_function_tool"):
            assert tools[name].input_schema == listed, name
        assert tools["raw_typed"].description == "Typed function, raw schema"
        got = await c.call_tool("raw_kwargs", {"kind": "counted", "n": 3, "extra": [1]})
        assert got.structured_content == {"got": {"kind": "counted", "n": 3, "extra": [1]}}
        # The function's own signature decides what it gets, as in FastMCP: coerced, defaulted, or refused.
        assert text(await c.call_tool("raw_typed", {"kind": "counted", "n": 3})) == "counted:3:"
        assert text(await c.call_tool("raw_typed", {"kind": "plain", "n": "7", "note": "x"})) == "plain:7:x"
        assert text(await c.call_tool("raw_typed", {"kind": "counted"})) == "counted:0:"
        missing = await c.call_tool("raw_typed", {"n": 1})
        assert missing.is_error and "kind" in text(missing) and "Missing required argument" in text(missing)
        wrapped = await c.call_tool("from_function_tool", {"kind": "plain", "n": 2})
        assert wrapped.structured_content == {"result": "plain:2:"}
        reversed_ = await c.call_tool("reverse", {"text": "abc"})
        assert text(reversed_) == "cba"
        assert reversed_.structured_content == {"reversed": "cba", "arguments": {"text": "abc"}}


@pytest.mark.anyio
async def test_field_defaults_are_values_not_field_infos(target: Any) -> None:
    async with client(target) as c:
        assert text(await c.call_tool("greet", {})) == "Hello, world!"
        assert text(await c.call_tool("greet", {"name": "Ada"})) == "Hello, Ada!"
        prompt = await c.get_prompt("welcome", {})
        assert prompt.messages[0].content.text == "Welcome, friend."


def test_prompt_with_pydantic_field_imports_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """`import pydantic` alone does not load `pydantic.fields`: the facade must not rely on it."""
    module = tmp_path / "only_pydantic.py"
    module.write_text(
        textwrap.dedent(
            """
            import pydantic

            from fastmcp_rs import FastMCP

            mcp = FastMCP("p")


            @mcp.prompt
            def ask(topic: str = pydantic.Field(default="tea", description="What about")) -> str:
                return f"Tell me about {topic}"


            @mcp.tool
            def pick(n: int = pydantic.Field(default=3, ge=0)) -> int:
                return n


            print(mcp._prompts["ask"].to_mcp_prompt()["arguments"])
            """
        )
    )
    done = subprocess.run([sys.executable, str(module)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "'name': 'topic', 'required': False" in done.stdout


# -- the same file on FastMCP 4 -----------------------------------------------------------------------------


def _call(name: str, arguments: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return ("tools/call", {"name": name, "arguments": arguments or {}})


WIRE_REQUESTS = [
    ("tools/list", {}),
    _call("full_result"),
    _call("blocks_result"),
    _call("structured_only"),
    _call("value_content"),
    _call("error_result"),
    _call("result_under_dict"),
    _call("greet"),
    _call("greet", {"name": "Ada"}),
    ("prompts/get", {"name": "welcome"}),
    ("prompts/list", {}),
    _call("raw_kwargs", {"kind": "counted", "n": 3, "extra": True}),
    _call("raw_kwargs", {"kind": "weird"}),
    _call("raw_typed", {"kind": "counted", "n": 3}),
    _call("raw_typed", {"kind": "counted"}),
    _call("raw_typed", {"kind": "plain", "n": "7"}),
    _call("raw_typed", {"n": 1}),
    _call("raw_typed", {"kind": "plain", "n": -1, "note": "negative"}),
    _call("from_function_tool", {"kind": "counted", "n": 2}),
    _call("reverse", {"text": "abc"}),
    _call("reverse", {}),
]


def wire_transcript(impl: str) -> list[dict[str, Any]]:
    """Every answer to `WIRE_REQUESTS`, over stdio, after a handshake."""
    messages = [
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
    env = {**os.environ, "RESULTS_IMPL": impl, "FASTMCP_SHOW_SERVER_BANNER": "false"}
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdin is not None and proc.stdout is not None
    answers: dict[int, dict[str, Any]] = {}
    for message in messages:
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
    # Known difference: FastMCP 4 lists raw schemas with their `$ref`s inlined and `$defs` dropped; fastmcp-rs
    # lists them verbatim. Everything else about those tools (and every call) must match.
    for listing in (ours[0], theirs[0]):
        for tool in listing["result"]["tools"]:
            if tool["name"] in ("raw_kwargs", "raw_typed", "from_function_tool"):
                tool["inputSchema"] = "<raw>"
    differences = [
        f"{WIRE_REQUESTS[i]}:\n  ours:    {json.dumps(a, sort_keys=True)}\n  FastMCP: {json.dumps(b, sort_keys=True)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if a != b
    ]
    assert not differences, "\n".join(differences)
