"""A mounted child whose middleware changes its listings (tests/test_mount.py): one hook leaves out the tools
tagged ``internal`` and reverses the order of the rest, another re-describes prompts; a grandchild with a
listing filter of its own sits under the child. ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.middleware import Middleware
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.middleware import Middleware


class HideInternal(Middleware):
    async def on_list_tools(self, context, call_next):
        tools = await call_next(context)
        return list(reversed([t for t in tools if "internal" not in t.tags]))


class Curated(Middleware):
    async def on_list_prompts(self, context, call_next):
        prompts = await call_next(context)
        return [p.model_copy(update={"description": f"curated: {p.description}"}) for p in prompts]


class OnlyOdd(Middleware):
    async def on_list_tools(self, context, call_next):
        return [t for t in await call_next(context) if t.name.startswith("odd")]


grandchild = FastMCP("grandchild")


@grandchild.tool
def odd_one() -> int:
    return 1


@grandchild.tool
def even_two() -> int:
    return 2


grandchild.add_middleware(OnlyOdd())

child = FastMCP("child")


@child.tool
def first(x: int) -> int:
    return x


@child.tool(tags={"internal"})
def hidden() -> str:
    return "still callable"


@child.tool
def second(x: int) -> int:
    return x * 2


@child.prompt
def ask(topic: str) -> str:
    """Ask about a topic."""
    return f"Tell me about {topic}."


child.mount(grandchild, namespace="g")
child.add_middleware(HideInternal())
child.add_middleware(Curated())

mcp = FastMCP("parent")


@mcp.tool
def own() -> str:
    return "own"


mcp.mount(child, namespace="c")

if __name__ == "__main__":
    mcp.run(show_banner=False)
