"""Transforms of the user's own (tests/test_transforms.py): a ``Transform`` subclass that renames tools to
upper case and hides internal ones (in listings and in lookups), one that re-describes prompts and hides a
resource from listings, and a ``CatalogTransform`` that lists one tool and a catalogue tool reading the real
catalogue. ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself; ``PAGE_SIZE`` sets ``list_page_size``."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.server.transforms import Transform
    from fastmcp.server.transforms.catalog import CatalogTransform
    from fastmcp.tools import Tool
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.server.transforms import Transform
    from fastmcp_rs.server.transforms.catalog import CatalogTransform
    from fastmcp_rs.tools import Tool

import anyio
from pydantic import BaseModel

page_size = int(os.environ["PAGE_SIZE"]) if os.environ.get("PAGE_SIZE") else None
mcp = FastMCP("custom transforms", list_page_size=page_size)


class User(BaseModel):
    id: int
    name: str


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@mcp.tool(tags={"internal"})
def secret() -> str:
    return "hidden"


@mcp.tool
async def fetch_user(user_id: int) -> User:
    """Look a user up."""
    await anyio.sleep(0)
    return User(id=user_id, name=f"user {user_id}")


@mcp.tool
def fail(reason: str) -> str:
    raise ValueError(reason)


@mcp.prompt
def greet(name: str) -> str:
    """Greet someone."""
    return f"Hello, {name}!"


@mcp.resource("data://config")
def config() -> dict:
    return {"debug": True}


@mcp.resource("data://internal")
def internal() -> str:
    return "not listed, still readable"


class Shout(Transform):
    """Tools served in upper case; internal ones gone."""

    async def list_tools(self, tools):
        return [Tool.from_tool(t, name=t.name.upper()) for t in tools if "internal" not in t.tags]

    async def get_tool(self, name, call_next, *, version=None):
        if not name.isupper():
            return None
        tool = await call_next(name.lower(), version=version)
        if tool is None or "internal" in tool.tags:
            return None
        return Tool.from_tool(tool, name=name)


class Curate(Transform):
    """Prompts re-described; one resource left out of listings (lookups pass through)."""

    async def list_prompts(self, prompts):
        return [p.model_copy(update={"description": f"[curated] {p.description}"}) for p in prompts]

    async def list_resources(self, resources):
        return [r for r in resources if str(r.uri) != "data://internal"]


class Index(CatalogTransform):
    """Lists ``ADD``, ``FAIL`` and a ``catalog`` tool that names every tool of the real catalogue."""

    def __init__(self) -> None:
        super().__init__()
        transform = self

        async def catalog(ctx: Context) -> list[str]:
            return [t.name for t in await transform.get_tool_catalog(ctx)]

        self._catalog_tool = Tool.from_function(catalog, name="catalog", description="Every tool there is.")

    async def transform_tools(self, tools):
        return [*(t for t in tools if t.name in ("ADD", "FAIL")), self._catalog_tool]

    async def get_tool(self, name, call_next, *, version=None):
        if name == "catalog":
            return self._catalog_tool
        return await call_next(name, version=version)


mcp.add_transform(Shout())
mcp.add_transform(Curate())
mcp.add_transform(Index())

if __name__ == "__main__":
    mcp.run(show_banner=False)
