"""FastMCP 2/3 constructor options FastMCP 4 refuses with a ``TypeError``, served here with a deprecation
warning so such a file runs unchanged: ``tool_serializer=`` (the text content of results that are not text
already; ``structuredContent`` unchanged) and ``tool_transformations=`` (a ``ToolTransform``). Driven with
``fastmcp_rs.Client`` over stdio, in a real subprocess."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

SERVER = textwrap.dedent(
    """
    import warnings
    warnings.simplefilter("always")
    import yaml
    from pydantic import BaseModel
    from fastmcp_rs import FastMCP
    from fastmcp_rs.tools.tool_transform import ArgTransformConfig, ToolTransformConfig

    class Point(BaseModel):
        x: int
        y: int

    mcp = FastMCP(
        "v2",
        tool_serializer=lambda value: yaml.safe_dump(value if not isinstance(value, BaseModel) else value.model_dump()),
        tool_transformations={
            "lookup": ToolTransformConfig(
                name="find_user",
                description="Find a user by id.",
                arguments={"uid": ArgTransformConfig(name="user_id")},
            )
        },
    )

    @mcp.tool
    def config() -> dict:
        return {"region": "eu", "replicas": 3}

    @mcp.tool
    def point() -> Point:
        return Point(x=1, y=2)

    @mcp.tool
    def greeting() -> str:
        return "hello"

    @mcp.tool
    def nothing() -> None:
        return None

    @mcp.tool
    def lookup(uid: int) -> dict:
        return {"id": uid, "name": "Ada"}

    if __name__ == "__main__":
        mcp.run(show_banner=False)
    """
)


@pytest.mark.anyio
async def test_fastmcp2_tool_serializer_and_transformations(tmp_path: Path) -> None:
    from fastmcp_rs import Client
    from fastmcp_rs.client.transports import PythonStdioTransport

    script = tmp_path / "v2_server.py"
    script.write_text(SERVER)
    log = tmp_path / "stderr.txt"
    async with Client(PythonStdioTransport(script, log_file=log)) as client:
        tools = {t.name: t for t in await client.list_tools()}
        assert "lookup" not in tools and tools["find_user"].description == "Find a user by id."
        assert list(tools["find_user"].input_schema["properties"]) == ["user_id"]
        config = await client.call_tool("config", {})
        assert [c.text for c in config.content] == ["region: eu\nreplicas: 3\n"]
        assert config.structured_content == {"region": "eu", "replicas": 3}
        point = await client.call_tool("point", {})
        assert [c.text for c in point.content] == ["x: 1\ny: 2\n"]
        assert point.structured_content == {"x": 1, "y": 2}
        assert [c.text for c in (await client.call_tool("greeting", {})).content] == ["hello"]
        assert (await client.call_tool("nothing", {})).content == []
        found = await client.call_tool("find_user", {"user_id": 7})
        assert [c.text for c in found.content] == ["id: 7\nname: Ada\n"]
        assert json.loads(json.dumps(found.structured_content)) == {"id": 7, "name": "Ada"}
    warnings = log.read_text()
    assert "FastMCP(tool_serializer=...) is deprecated" in warnings
    assert "FastMCP(tool_transformations=...) is deprecated" in warnings


def test_fastmcp2_options_are_refused_clearly_when_malformed() -> None:
    from fastmcp_rs import FastMCP

    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="tool_serializer"):
        FastMCP("x", tool_serializer="yaml")
    assert sys.version_info >= (3, 10)


SAMPLING_SERVER = textwrap.dedent(
    """
    import os
    from fastmcp_rs import Context, FastMCP

    async def local_model(messages, params, context):
        last = messages[-1].content.text
        return f"local model ({params.max_tokens} tokens max): {last}"

    mcp = FastMCP(
        "v2",
        sampling_handler=local_model,
        sampling_handler_behavior=os.environ.get("BEHAVIOR", "fallback"),
    )

    @mcp.tool
    async def ask(question: str, ctx: Context) -> str:
        reply = await ctx.sample(question, max_tokens=64)
        return reply.text

    if __name__ == "__main__":
        mcp.run(show_banner=False)
    """
)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize("behavior", ["fallback", "always"])
async def test_fastmcp2_sampling_handler(tmp_path: Path, mode: str, behavior: str) -> None:
    """``sampling_handler=``: answers ``ctx.sample()`` when the client cannot sample (``fallback``), or every
    time (``always``); a client that can sample answers it otherwise. Both eras."""
    from fastmcp_rs import Client
    from fastmcp_rs.client.transports import PythonStdioTransport

    script = tmp_path / "sampling_server.py"
    script.write_text(SAMPLING_SERVER)

    async def client_model(messages: object, params: object, context: object) -> str:
        return "the client's model"

    answers = []
    for handler in (None, client_model):
        transport = PythonStdioTransport(script, env={"BEHAVIOR": behavior})
        async with Client(transport, sampling_handler=handler, mode=mode) as client:
            answers.append((await client.call_tool("ask", {"question": "why?"})).data)
    local = "local model (64 tokens max): why?"
    assert answers == ([local, "the client's model"] if behavior == "fallback" else [local, local])
