"""A server written the SDK v1 way (``mcp.server.fastmcp``), with only the import lines changed to fastmcp_rs:
constructor settings, ``Context[ServerSession, AppContext]``, ``@mcp.tool(structured_output=...)``,
``ctx.log(level, message)``, ``ctx.request_context.lifespan_context`` and the ``ctx.session`` calls.

`python sdk_v1.py [stdio|http] [port]`.
"""

import sys
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import UrlElicitationRequiredError
from fastmcp_rs.prompts.base import AssistantMessage, Message, UserMessage
from mcp.server.session import ServerSession
from mcp.types import ElicitRequestURLParams, SamplingMessage, TextContent
from pydantic import BaseModel

# The SDK v1 constructor settings are FastMCP 2/3 spellings that FastMCP 4 moved to run(): they warn.
warnings.simplefilter("ignore", DeprecationWarning)


@dataclass
class AppContext:
    db: str


@asynccontextmanager
async def app_lifespan(server: FastMCP) -> AsyncIterator[AppContext]:
    yield AppContext(db="sqlite://memory")


mcp = FastMCP(
    "sdk-v1",
    instructions="SDK v1 spellings",
    host="127.0.0.1",
    port=8000,
    stateless_http=False,
    json_response=False,
    debug=False,
    log_level="INFO",
    mount_path="/",
    sse_path="/sse",
    streamable_http_path="/mcp",
    lifespan=app_lifespan,
)


@mcp.tool()
def database(ctx: Context[ServerSession, AppContext]) -> str:
    """The lifespan's database."""
    return ctx.request_context.lifespan_context.db


@mcp.tool(structured_output=False)
def unstructured(n: int) -> dict[str, int]:
    return {"n": n}


@mcp.tool(structured_output=True)
def structured(n: int) -> dict[str, int]:
    return {"n": n}


@mcp.tool()
async def log_levels(ctx: Context) -> str:
    await ctx.log("warning", "sdk order")
    await ctx.log("fastmcp order", "error")
    await ctx.session.send_log_message(level="info", data={"raw": True}, logger="custom")
    return "logged"


@mcp.tool()
async def sample(topic: str, ctx: Context) -> str:
    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=f"About {topic}"))],
        max_tokens=50,
        system_prompt="Be brief",
    )
    return f"{type(result).__name__}|{result.model}|{result.role}|{result.content.text}"


@mcp.tool()
async def ask_raw(ctx: Context) -> str:
    result = await ctx.session.elicit(
        message="Your name?",
        requested_schema={"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    )
    return f"{type(result).__name__}|{result.action}|{(result.content or {}).get('name')}"


class Preferences(BaseModel):
    color: str


@mcp.tool()
async def ask_model(ctx: Context) -> str:
    result = await ctx.elicit(message="Favourite colour?", schema=Preferences)
    return f"{result.action}|{result.data.color if result.action == 'accept' else ''}"


@mcp.tool()
async def open_url(ctx: Context) -> str:
    result = await ctx.elicit_url(message="Authorize", url="https://example.com/auth", elicitation_id="e-1")
    return f"{type(result).__name__}|{result.action}"


@mcp.tool()
def needs_authorization() -> str:
    raise UrlElicitationRequiredError(
        [ElicitRequestURLParams(mode="url", message="Authorize", url="https://example.com/auth", elicitation_id="e-2")]
    )


@mcp.tool()
async def change_lists(ctx: Context) -> str:
    await ctx.session.send_tool_list_changed()
    await ctx.session.send_resource_list_changed()
    await ctx.session.send_prompt_list_changed()
    return "changed"


@mcp.prompt()
def review(code: str) -> list[Message]:
    return [UserMessage(f"Review:\n{code}"), AssistantMessage("Looking.")]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "http":
        mcp.run(transport="streamable-http", port=int(sys.argv[2]))
    else:
        mcp.run()
