"""An `McpError` raised from a tool, through the native dispatch: the codes that say the call cannot be served
as asked are answered as that JSON-RPC error (code, message and data); any other is a failed call, as FastMCP 4
answers it."""

from __future__ import annotations

import pytest

pytest.importorskip("mcp")
from fastmcp_rs import FastMCP
from fastmcp_rs.client import Client
from fastmcp_rs.exceptions import McpError, ToolError, UrlElicitationRequiredError

pytestmark = pytest.mark.anyio

mcp = FastMCP("mcp-errors")


@mcp.tool
def authorize() -> str:
    raise UrlElicitationRequiredError(
        [{"mode": "url", "message": "Sign in", "url": "https://example.com/a", "elicitationId": "e-9"}]
    )


@mcp.tool
async def needs_sampling() -> str:
    raise McpError("Client does not support sampling", -32021, {"capability": "sampling"})


@mcp.tool
def upstream_failed() -> str:
    raise McpError("upstream said no", -32001, {"status": 502})


async def test_url_elicitation_required_is_the_answer() -> None:
    # The 2026 era has no -32042: the URL elicitations are asked for as input, which needs a client that
    # declares URL-mode elicitation (this one declares none).
    async with Client(mcp) as client:
        with pytest.raises(McpError) as refused:
            await client.call_tool("authorize", {})
    assert refused.value.code == -32021
    assert refused.value.data == {"requiredCapabilities": {"elicitation": {"url": {}}}}
    async with Client(mcp, mode="legacy") as client:
        with pytest.raises(McpError) as caught:
            await client.call_tool("authorize", {})
    error = caught.value
    assert error.code == -32042 and error.message == "URL elicitation required"
    assert error.data == {
        "elicitations": [{"mode": "url", "message": "Sign in", "url": "https://example.com/a", "elicitationId": "e-9"}]
    }


async def test_missing_client_capability_is_the_answer() -> None:
    async with Client(mcp) as client:
        with pytest.raises(McpError) as caught:
            await client.call_tool("needs_sampling", {})
    assert caught.value.code == -32021 and caught.value.data == {"capability": "sampling"}


async def test_any_other_mcp_error_is_a_failed_call() -> None:
    async with Client(mcp) as client:
        result = await client.call_tool("upstream_failed", {}, raise_on_error=False)
        assert result.is_error
        assert result.content[0].text == "Error calling tool 'upstream_failed': upstream said no"
        with pytest.raises(ToolError):
            await client.call_tool("upstream_failed", {})
