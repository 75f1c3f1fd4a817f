"""Servers mounted in servers (tests/test_mount.py). ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself.

The parent mounts ``kid`` under the namespace ``kid`` with a tool renamed, ``plain`` without a namespace, and
``kid`` itself mounts ``grandkid`` (namespace ``gk``). Each has a lifespan, and ``kid`` has middleware; all
record what they see in ``EVENTS``. ``grow`` adds a tool to ``kid`` while the parent serves."""

from __future__ import annotations

import contextlib
import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.server.middleware import Middleware
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.server.middleware import Middleware

EVENTS: list[list] = []


def lifespan(name: str):
    @contextlib.asynccontextmanager
    async def run(server):
        EVENTS.append(["enter", name])
        yield {"owner": name}
        EVENTS.append(["exit", name])

    return run


class Seen(Middleware):
    def __init__(self, who: str) -> None:
        self.who = who

    async def on_call_tool(self, context, call_next):
        EVENTS.append([self.who, "call", context.message.name])
        return await call_next(context)


grandkid = FastMCP("grandkid", lifespan=lifespan("grandkid"))
kid = FastMCP("kid", lifespan=lifespan("kid"), middleware=[Seen("kid")])
plain = FastMCP("plain")
parent = FastMCP("parent", lifespan=lifespan("parent"), middleware=[Seen("parent")])


@grandkid.tool
def deep(x: int) -> int:
    """Doubles x, two mounts down."""
    return 2 * x


@kid.tool
def ping(ctx: Context) -> dict:
    """Says who serves it."""
    return {"server": ctx.fastmcp.name, "lifespan": ctx.lifespan_context["owner"]}


@kid.tool
async def add(a: int, b: int) -> int:
    return a + b


@kid.tool
def clash() -> str:
    return "kid's"


@kid.resource("data://config")
def config() -> dict:
    return {"debug": False}


@kid.resource("data://items/{item_id}")
def item(item_id: int) -> dict:
    return {"id": item_id, "twice": item_id * 2}


@kid.resource("file:///etc/motd")
def motd() -> str:
    return "hello"


@kid.prompt
def greet(name: str) -> str:
    return f"Hello, {name}!"


@plain.tool
def clash_two() -> str:
    return "plain's"


@plain.tool(name="clash")
def plain_clash() -> str:
    return "plain's clash"


@parent.tool(name="clash")
def parent_clash() -> str:  # the parent's own wins over its children's
    return "parent's"


@parent.tool
def grow() -> str:
    kid.tool(lambda: "new", name="later")
    return "grown"


@parent.tool
def events() -> list:
    return EVENTS


kid.mount(grandkid, namespace="gk")
parent.mount(kid, namespace="kid", tool_names={"ping": "pinger"})
parent.mount(plain)

if __name__ == "__main__":
    parent.run(show_banner=False)
