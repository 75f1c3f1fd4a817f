"""Transforms of the user's own on a mounted server and on a provider (tests/test_mount.py): they only
shape listings (``list_tools`` / ``list_prompts``): one leaves out tools tagged ``internal``, orders the rest
by name and re-describes one, and adds a tool it makes (listed, never resolved, so never callable: as in
FastMCP 4); one re-titles prompts. A second child has one that resolves names too: it renames a tool (its
old name unknown) and makes one that runs. The server a client talks to has none of its own.
``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.providers import LocalProvider
    from fastmcp.server.transforms import Transform
    from fastmcp.tools import Tool
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.providers import LocalProvider
    from fastmcp_rs.server.transforms import Transform
    from fastmcp_rs.tools import Tool


def _ghost() -> str:
    return "never reached"


class Curate(Transform):
    async def list_tools(self, tools):
        kept = sorted((t for t in tools if "internal" not in t.tags), key=lambda t: t.name)
        kept = [t.model_copy(update={"description": "curated"}) if t.name == "zeta" else t for t in kept]
        return [*kept, Tool.from_function(_ghost, name="ghost")]

    async def list_prompts(self, prompts):
        return [p.model_copy(update={"title": f"Prompt {p.name}"}) for p in prompts]


child = FastMCP("child")


@child.tool
def zeta(x: int) -> int:
    """Zeta."""
    return x * 2


@child.tool
def alpha() -> str:
    return "alpha"


@child.tool(tags={"internal"})
def secret() -> str:
    return "still callable by name"


@child.prompt
def ask(topic: str) -> str:
    return f"Tell me about {topic}."


child.add_transform(Curate())

provider = LocalProvider()


@provider.tool
def beta() -> str:
    return "beta"


@provider.tool(tags={"internal"})
def gamma() -> str:
    return "gamma"


provider.add_transform(Curate())


def _made(word: str) -> str:
    return f"made: {word}"


class Rename(Transform):
    """``alpha`` listed and called as ``first_letter``; ``made`` listed and run."""

    async def list_tools(self, tools):
        renamed = [t.model_copy(update={"name": "first_letter"}) if t.name == "alpha" else t for t in tools]
        return [*renamed, Tool.from_function(_made, name="made")]

    async def get_tool(self, name, call_next, *, version=None):
        if name == "alpha":
            return None
        if name == "made":
            return Tool.from_function(_made, name="made")
        if name == "first_letter":
            found = await call_next("alpha", version=version)
            return found.model_copy(update={"name": "first_letter"}) if found is not None else None
        return await call_next(name, version=version)


renaming = FastMCP("renaming")


@renaming.tool(name="alpha")
def renaming_alpha() -> str:
    return "the first letter"


@renaming.tool
def omega(n: int) -> int:
    return n + 1


renaming.add_transform(Rename())

mcp = FastMCP("parent")


@mcp.tool
def own() -> str:
    return "own"


mcp.mount(child, namespace="c")
mcp.add_provider(provider, namespace="p")
mcp.mount(renaming, namespace="r")

if __name__ == "__main__":
    mcp.run(show_banner=False)
