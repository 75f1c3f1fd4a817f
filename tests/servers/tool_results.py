"""Full results and raw schemas: tools that return ``ToolResult``, tools built as ``FunctionTool(fn=...,
parameters=<JSON Schema>)`` or ``Tool.from_function(...)`` and added with ``mcp.add_tool``, and a ``Tool``
subclass with its own ``run``. Also the two regressions of ``Field(...)`` defaults.

`python tool_results.py [stdio|http] [port]`. With `RESULTS_IMPL=fastmcp` the same file runs on FastMCP 4
itself (the wire-comparison test serves it both ways); only the imports differ.
"""

import os
import sys
from typing import Any

from mcp.types import TextContent
from pydantic import Field

if os.environ.get("RESULTS_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.tools import FunctionTool, Tool, ToolResult
    from fastmcp.utilities.types import Image
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.tools import FunctionTool, Tool, ToolResult
    from fastmcp_rs.utilities.types import Image

mcp = FastMCP("tool-results", version="1.0.0")


@mcp.tool
def full_result() -> ToolResult:
    """Content, structured content and meta."""
    return ToolResult(content="hello", structured_content={"a": 1, "b": [1, 2]}, meta={"trace": "t-1"})


@mcp.tool
def blocks_result() -> ToolResult:
    return ToolResult(content=[TextContent(type="text", text="one"), "two", Image(data=b"\x89PNG", format="png")])


@mcp.tool
def structured_only() -> ToolResult:
    return ToolResult(structured_content={"x": [1, 2], "y": None})


@mcp.tool
def value_content() -> ToolResult:
    return ToolResult(content={"k": [1, 2]})


@mcp.tool
def error_result() -> ToolResult:
    return ToolResult(content="it failed, gently", is_error=True)


@mcp.tool
def result_under_dict() -> dict:
    return ToolResult(content="x", structured_content={"y": 2})  # type: ignore[return-value]


@mcp.tool
def greet(name: str = Field(default="world", description="Who to greet")) -> str:
    return f"Hello, {name}!"


@mcp.prompt
def welcome(name: str = Field(default="friend", description="Who is welcomed")) -> str:
    return f"Welcome, {name}."


#: 2020-12 keywords a generated schema never has: `$defs` with an `$anchor`, `if`/`then`/`else`.
RAW_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"count": {"$anchor": "count", "type": "integer", "minimum": 0}},
    "properties": {
        "kind": {"enum": ["plain", "counted"]},
        "n": {"$ref": "#/$defs/count"},
        "note": {"type": "string"},
    },
    "required": ["kind"],
    "if": {"properties": {"kind": {"const": "counted"}}},
    "then": {"required": ["n"]},
    "else": {"not": {"required": ["n"]}},
}


def echo_arguments(**arguments: Any) -> dict:
    return {"got": arguments}


def describe(kind: str, n: int = 0, note: str = "") -> str:
    return f"{kind}:{n}:{note}"


mcp.add_tool(FunctionTool(fn=echo_arguments, name="raw_kwargs", parameters=RAW_SCHEMA))
mcp.add_tool(
    FunctionTool(fn=describe, name="raw_typed", description="Typed function, raw schema", parameters=RAW_SCHEMA)
)

from_function = Tool.from_function(describe, name="from_function_tool", tags={"raw"})
from_function.parameters = RAW_SCHEMA
mcp.add_tool(from_function)


class Reverse(Tool):
    """A tool that is not a function."""

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        text = str(arguments.get("text", ""))
        return ToolResult(content=text[::-1], structured_content={"reversed": text[::-1], "arguments": arguments})


mcp.add_tool(
    Reverse(
        name="reverse",
        description="Reverses text",
        parameters={"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    )
)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "http":
        mcp.run("http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        mcp.run()
