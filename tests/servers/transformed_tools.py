"""Tools made from other tools (tests/test_tool_transform.py): ``Tool.from_tool`` with renamed, described,
defaulted, retyped and hidden arguments, and with a ``transform_fn`` calling ``forward`` / ``forward_raw``.
``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.transforms import ToolTransform
    from fastmcp.tools import Tool
    from fastmcp.tools.tool_transform import ArgTransform, ArgTransformConfig, ToolTransformConfig, forward, forward_raw
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.transforms import ToolTransform
    from fastmcp_rs.tools import Tool
    from fastmcp_rs.tools.tool_transform import (
        ArgTransform,
        ArgTransformConfig,
        ToolTransformConfig,
        forward,
        forward_raw,
    )

mcp = FastMCP("transformed-tools")
COUNTER = {"n": 0}


def search(query: str, limit: int = 10, api_key: str = "k") -> dict:
    """Search the catalogue."""
    return {"query": query, "limit": limit, "api_key": api_key}


def next_id() -> str:
    COUNTER["n"] += 1
    return f"id-{COUNTER['n']}"


parent = Tool.from_function(search)
mcp.add_tool(
    Tool.from_tool(
        parent,
        name="find",
        description="Find stuff",
        transform_args={
            "query": ArgTransform(name="q", description="the query"),
            "limit": ArgTransform(default=3),
            "api_key": ArgTransform(hide=True, default="SECRET"),
        },
    )
)
mcp.add_tool(
    Tool.from_tool(
        parent,
        name="find_fresh",
        transform_args={"api_key": ArgTransform(hide=True, default_factory=next_id)},
    )
)


async def doubled_limit(q: str, limit: int = 3) -> dict:
    result = await forward(q=q, limit=limit * 2)
    return {**result.structured_content, "wrapped": True}


mcp.add_tool(
    Tool.from_tool(
        parent,
        name="find_double",
        transform_fn=doubled_limit,
        transform_args={"query": ArgTransform(name="q"), "api_key": ArgTransform(hide=True, default="H")},
    )
)


async def raw(query: str, **kwargs) -> dict:
    result = await forward_raw(query=query.upper(), **{**kwargs, "api_key": "raw"})
    return result.structured_content


mcp.add_tool(Tool.from_tool(parent, name="find_raw", transform_fn=raw))


@mcp.tool
def lookup(term: str, exact: bool = False) -> dict:
    """Look a term up."""
    return {"term": term, "exact": exact}


@mcp.tool
def legacy() -> str:
    return "old"


@mcp.tool
def last() -> str:
    return "last"


mcp.add_transform(
    ToolTransform(
        {
            "lookup": ToolTransformConfig(
                name="define",
                description="Define a term.",
                arguments={
                    "term": ArgTransformConfig(name="word", description="The word"),
                    "exact": ArgTransformConfig(default=True),
                },
            ),
            "legacy": ToolTransformConfig(enabled=False),
        }
    )
)

if __name__ == "__main__":
    mcp.run(show_banner=False)
