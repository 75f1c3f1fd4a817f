"""SDK v1 spellings (``from mcp.server.fastmcp import FastMCP, Context`` with the import changed to fastmcp_rs),
driven by the official Python client over stdio and HTTP (`tests/servers/sdk_v1.py`); and the FastMCP 2/3
spellings FastMCP 4 removed, which still work with a deprecation warning."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, get_origin

import anyio
import pytest
from conftest import start_http_server, stop

pytest.importorskip("mcp")
from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import FastMCPDeprecationWarning
from mcp import Client, MCPError, StdioServerParameters, types

SDK_V1 = Path(__file__).parent / "servers" / "sdk_v1.py"

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def sdk_http() -> Any:
    server = start_http_server(script=SDK_V1)
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest) -> Any:
    if request.param == "stdio":
        import sys

        return StdioServerParameters(command=sys.executable, args=[str(SDK_V1)])
    return request.getfixturevalue("sdk_http").url


async def _sample(context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=f"[{params.system_prompt}] {params.messages[0].content.text}"),
        model="test-model",
        stop_reason="endTurn",
    )


async def _elicit(context: Any, params: Any) -> types.ElicitResult:
    if getattr(params, "mode", None) == "url":
        assert params.url == "https://example.com/auth" and params.elicitation_id == "e-1"
        return types.ElicitResult(action="accept")
    props = params.requested_schema["properties"]
    if "color" in props:
        return types.ElicitResult(action="accept", content={"color": "teal"})
    return types.ElicitResult(action="accept", content={"name": "Ada"})


@asynccontextmanager
async def connect(server: Any, **kwargs: Any) -> AsyncIterator[Client]:
    async with Client(
        server,
        mode="legacy",
        read_timeout_seconds=20,
        sampling_callback=_sample,
        elicitation_callback=_elicit,
        **kwargs,
    ) as client:
        yield client


def text(result: Any) -> str:
    return result.content[0].text


async def test_listing_and_structured_output(target: Any) -> None:
    async with connect(target) as client:
        assert client.server_info.name == "sdk-v1" and client.instructions == "SDK v1 spellings"
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["unstructured"].output_schema is None
        assert tools["structured"].output_schema == {
            "additionalProperties": {"type": "integer"},
            "type": "object",
        }
        assert "ctx" not in tools["database"].input_schema["properties"]
        # Without an output schema a dict still comes back as structured content, as FastMCP 4 answers it.
        result = await client.call_tool("unstructured", {"n": 2})
        assert text(result) == '{"n":2}' and result.structured_content == {"n": 2}
        assert (await client.call_tool("structured", {"n": 3})).structured_content == {"n": 3}


async def test_lifespan_context_through_request_context(target: Any) -> None:
    async with connect(target) as client:
        assert text(await client.call_tool("database", {})) == "sqlite://memory"


async def test_log_in_both_orders(target: Any) -> None:
    logs: list[tuple[str, Any, Any]] = []

    async def on_log(params: Any) -> None:
        logs.append((params.level, params.logger, params.data))

    async with connect(target, logging_callback=on_log) as client:
        assert text(await client.call_tool("log_levels", {})) == "logged"
    assert logs == [
        ("warning", None, {"msg": "sdk order", "extra": None}),
        ("error", None, {"msg": "fastmcp order", "extra": None}),
        ("info", "custom", {"raw": True}),
    ]


async def test_session_create_message_is_typed(target: Any) -> None:
    async with connect(target) as client:
        answer = text(await client.call_tool("sample", {"topic": "tides"}))
    assert answer == "CreateMessageResult|test-model|assistant|[Be brief] About tides"


async def test_elicitation_raw_schema_model_and_url(target: Any) -> None:
    async with connect(target) as client:
        assert text(await client.call_tool("ask_raw", {})) == "ElicitResult|accept|Ada"
        assert text(await client.call_tool("ask_model", {})) == "accept|teal"
        assert text(await client.call_tool("open_url", {})) == "AcceptedUrlElicitation|accept"


async def test_url_elicitation_required_is_a_json_rpc_error(target: Any) -> None:
    error = None
    async with connect(target) as client:
        try:
            await client.call_tool("needs_authorization", {})
        except MCPError as exc:
            error = exc.error
    assert error is not None and error.code == -32042
    assert error.data["elicitations"][0]["elicitationId"] == "e-2"


async def test_list_changed_from_the_session(target: Any) -> None:
    notes: list[Any] = []

    async def on_message(message: Any) -> None:
        notes.append(message)

    kinds = (
        types.ToolListChangedNotification,
        types.ResourceListChangedNotification,
        types.PromptListChangedNotification,
    )
    async with connect(target, message_handler=on_message) as client:
        if not isinstance(target, StdioServerParameters):
            await anyio.sleep(0.2)  # the client opens its GET stream in the background
        assert text(await client.call_tool("change_lists", {})) == "changed"
        with anyio.move_on_after(5):
            while not all(any(isinstance(n, k) for n in notes) for k in kinds):
                await anyio.sleep(0.01)
    assert all(any(isinstance(n, k) for n in notes) for k in kinds)


async def test_prompt_with_sdk_messages(target: Any) -> None:
    async with connect(target) as client:
        result = await client.get_prompt("review", {"code": "x = 1"})
    assert [(m.role, m.content.text) for m in result.messages] == [
        ("user", "Review:\nx = 1"),
        ("assistant", "Looking."),
    ]


# -- in process: constructor and decorator spellings -------------------------------------------------------


def test_context_is_subscriptable() -> None:
    from mcp.server.session import ServerSession

    alias = Context[ServerSession, dict]
    assert get_origin(alias) is Context
    assert Context[ServerSession, dict, Any] is not None


def test_sdk_settings_are_run_defaults() -> None:
    with pytest.warns(FastMCPDeprecationWarning) as record:
        mcp = FastMCP("s", host="0.0.0.0", port=9123, json_response=True, stateless_http=True, mount_path="/x")
    assert sorted(str(w.message).split("(")[1].split("=")[0] for w in record) == [
        "host",
        "json_response",
        "port",
        "stateless_http",
    ]
    assert (mcp.settings.host, mcp.settings["port"], mcp.settings.json_response) == ("0.0.0.0", 9123, True)
    mcp.settings.port = 9124
    assert mcp.settings["port"] == 9124
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FastMCP("quiet", max_request_body_size=1024)  # SDK v1 names FastMCP 4 never had: no warning


async def test_removed_fastmcp_spellings_warn_and_work() -> None:
    with pytest.warns(FastMCPDeprecationWarning) as record:
        mcp = FastMCP("tags", include_tags={"public"}, exclude_tags={"beta"}, on_duplicate_tools="error")
    assert len(record) == 3 and all(w.filename == __file__ for w in record)  # pointing at the user's line

    @mcp.tool(tags={"public"})
    def shown() -> str:
        return "ok"

    @mcp.tool(tags={"public", "beta"})
    def beta() -> str:
        return "ok"

    @mcp.tool
    def untagged() -> str:
        return "ok"

    assert sorted(t.name for t in await mcp.list_tools()) == ["shown"]
    with pytest.raises(ValueError, match="already exists"):
        mcp.add_tool(lambda: None, name="shown")

    plain = FastMCP("plain")
    with pytest.warns(FastMCPDeprecationWarning, match="enabled"):

        @plain.tool(enabled=False)
        def off() -> str:
            return "off"

    assert await plain.list_tools() == []
    plain.enable(names={"off"})
    assert [t.name for t in await plain.list_tools()] == ["off"]


def test_on_duplicate() -> None:
    mcp = FastMCP("dup", on_duplicate="ignore")
    first = mcp.add_tool(lambda: 1, name="t")
    assert mcp.add_tool(lambda: 2, name="t") is first
    with pytest.raises(TypeError, match="unexpected keyword argument 'no_such_option'"):
        FastMCP("bad", no_such_option=1)
