"""A server that uses the rest of the FastMCP surface: resources, templates, prompts, completion, the full
Context, a lifespan, visibility and runtime changes.

`python features.py [stdio|http] [port] [--stateless] [--json]`. With `FEATURES_IMPL=fastmcp` the same file
runs on FastMCP 4 itself (the wire-comparison tests serve it both ways); the only lines that differ are the
imports below.
"""

import asyncio
import os
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

if os.environ.get("FEATURES_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.exceptions import PromptError, ResourceError
    from fastmcp.prompts import Message, PromptResult
    from fastmcp.resources import ResourceContent, ResourceResult

    NATIVE = False
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.exceptions import PromptError, ResourceError
    from fastmcp_rs.prompts import Message, PromptResult
    from fastmcp_rs.resources import ResourceContent, ResourceResult

    NATIVE = True

LIFESPAN_RUNS = {"enter": 0}


@asynccontextmanager
async def lifespan(server):
    LIFESPAN_RUNS["enter"] += 1
    if os.environ.get("FEATURES_LIFESPAN_FAIL"):
        raise RuntimeError("database unreachable")
    yield {"db": "connected", "runs": LIFESPAN_RUNS["enter"]}


mcp = FastMCP("features", version="2.0.0", lifespan=lifespan, mask_error_details="--mask" in sys.argv)

# -- resources -------------------------------------------------------------------------------------------

CONFIG = {"theme": "dark", "version": "1.2.0", "features": ["search", "export"]}
PROFILES = {101: {"name": "Alice", "status": "active"}, 102: {"name": "Bob", "status": "inactive"}}


@mcp.resource("data://config")
def app_config() -> dict:
    """The application's configuration."""
    return CONFIG


@mcp.resource("data://readme", mime_type="text/markdown", title="Read me", tags={"docs"}, meta={"owner": "docs"})
def readme() -> str:
    return "# Features\nA test server."


@mcp.resource("data://logo", mime_type="image/png", annotations={"audience": ["user"], "priority": 0.5})
def logo() -> bytes:
    return b"\x89PNG\r\n\x1a\n-not-really"


@mcp.resource("data://async")
async def async_resource() -> str:
    await asyncio.sleep(0)
    return "async hi"


@mcp.resource("data://both")
def both() -> ResourceResult:
    return ResourceResult(
        contents=[ResourceContent({"k": "v"}), ResourceContent("plain", mime_type="text/markdown", meta={"i": 1})],
        meta={"count": 2},
    )


@mcp.resource("data://broken")
def broken() -> str:
    raise ValueError("disk on fire")


@mcp.resource("data://refused")
def refused() -> str:
    raise ResourceError("not for you")


@mcp.resource("users://{user_id}/profile")
def user_profile(user_id: int) -> dict:
    """A user's profile by numeric id."""
    return PROFILES.get(user_id, {"error": "User not found"})


@mcp.resource("files://{path*}")
def read_file(path: str) -> str:
    return f"contents of {path}"


@mcp.resource("search://items{?q,limit}")
def search_items(q: str = "", limit: int = 10) -> dict:
    return {"q": q, "limit": limit}


@mcp.resource("ctx://whoami")
async def whoami(ctx: Context) -> str:
    return f"request {ctx.request_id}"


# -- prompts ---------------------------------------------------------------------------------------------


class Point(BaseModel):
    x: int
    y: int = 0


@mcp.prompt
def ask_about(topic: str) -> str:
    """Ask about a topic.

    Args:
        topic: What to ask about.
    """
    return f"Tell me about {topic}"


@mcp.prompt(name="conversation", description="A short exchange", tags={"chat"}, meta={"v": 1})
def conversation(name: str, mood: Literal["happy", "sad"] = "happy") -> list:
    return [Message(f"Hello {name}"), Message(f"You seem {mood}", role="assistant"), "plain follow-up"]


@mcp.prompt
async def typed_prompt(n: int, nums: list[int], point: Point, flag: bool = False) -> str:
    """Arguments of several types."""
    return f"n={n!r} nums={nums!r} point={point!r} flag={flag!r}"


@mcp.prompt
def with_result() -> PromptResult:
    return PromptResult([Message("first"), Message("second", role="assistant")], description="custom", meta={"r": 2})


@mcp.prompt
def failing_prompt() -> str:
    raise PromptError("prompt says no")


@mcp.prompt
def crashing_prompt() -> str:
    raise ValueError("prompt crashed")


# -- completion ------------------------------------------------------------------------------------------

TOPICS = ["nature", "night", "news", "numbers"]


@mcp.completion
def complete(ref, argument, context):
    if ref.type == "ref/prompt" and ref.name == "ask_about" and argument.name == "topic":
        return [t for t in TOPICS if t.startswith(argument.value)]
    if ref.type == "ref/resource" and argument.name == "user_id":
        return [str(u) for u in PROFILES if str(u).startswith(argument.value)]
    if argument.name == "many":
        return [f"v{i}" for i in range(150)]
    return None


# -- tools that use the Context ----------------------------------------------------------------------------


@mcp.tool
async def read_config(ctx: Context) -> str:
    """Reads a resource of this server through the Context."""
    result = await ctx.read_resource("data://config")
    return result.contents[0].content


@dataclass
class Person:
    name: str
    age: int


@mcp.tool
async def ask_name(ctx: Context) -> str:
    answer = await ctx.elicit("What is your name?", str)
    if answer.action == "accept":
        return f"Hello {answer.data}"
    return f"no name ({answer.action})"


@mcp.tool
async def ask_person(ctx: Context) -> str:
    answer = await ctx.elicit("Who are you?", Person)
    if answer.action == "accept":
        return f"{answer.data.name} is {answer.data.age}"
    return answer.action


@mcp.tool
async def remember(key: str, value: str, ctx: Context) -> str:
    await ctx.set_state(key, value)
    return "ok"


@mcp.tool
async def recall(key: str, ctx: Context) -> str | None:
    return await ctx.get_state(key)


@mcp.tool
async def forget(key: str, ctx: Context) -> str:
    await ctx.delete_state(key)
    return "forgotten"


@mcp.tool
def lifespan_info(ctx: Context) -> dict:
    return dict(ctx.lifespan_context)


@mcp.tool
def client_info(ctx: Context) -> dict:
    return {"client_id": ctx.client_id, "request_id": ctx.request_id}


if NATIVE:
    from fastmcp_rs import get_context
    from fastmcp_rs.dependencies import get_http_headers

    @mcp.tool
    async def sample_haiku(topic: str, ctx: Context) -> str:
        reply = await ctx.sample(f"Write a haiku about {topic}", system_prompt="Be brief", max_tokens=60)
        return reply.text

    @mcp.tool
    async def roots(ctx: Context) -> list[str]:
        return [str(r.uri) for r in await ctx.list_roots()]

    def _deep_helper() -> str:
        return get_context().request_id

    @mcp.tool
    def deep_sync() -> str:
        """get_context() from a helper inside a sync tool."""
        return f"sync {_deep_helper()}"

    @mcp.tool
    async def deep_async() -> str:
        await asyncio.sleep(0.001)
        return f"async {_deep_helper()}"

    @mcp.tool
    def headers() -> dict:
        return {k: v for k, v in get_http_headers().items() if k.startswith("x-")}

    @mcp.tool
    def touch(uri: str) -> int:
        """Tells subscribers a resource changed."""
        return mcp.notify_resource_updated(uri)

    @mcp.tool
    def hide(tag: str) -> str:
        mcp.disable(tags={tag})
        return "hidden"

    @mcp.tool
    def show(tag: str) -> str:
        mcp.enable(tags={tag})
        return "shown"

    @mcp.tool
    def add_greeter() -> str:
        @mcp.tool
        def greet(name: str) -> str:
            return f"Hi {name}"

        return "added"

    @mcp.tool
    def drop_greeter() -> str:
        mcp.remove_tool("greet")
        return "removed"

    @mcp.tool(tags={"secret"})
    def secret_tool() -> str:
        return "classified"


if __name__ == "__main__":
    transport = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if transport == "http":
        mcp.run(
            "http",
            host="127.0.0.1",
            port=int(sys.argv[2]),
            stateless_http="--stateless" in sys.argv,
            json_response="--json" in sys.argv,
        )
    elif transport == "sse":
        mcp.run("sse", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        mcp.run()
