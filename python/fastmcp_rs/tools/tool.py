"""``fastmcp.tools.tool``: FastMCP 2's module for tools (``Tool``, ``FunctionTool``, ``ToolResult``,
``ParsedFunction`` and ``default_serializer``). FastMCP 3 moved them to ``fastmcp.tools.base`` /
``fastmcp.tools.function_tool``; these are the same objects, and ``from fastmcp.tools.tool import ...`` goes on
working without a warning, as in FastMCP 2."""

from __future__ import annotations

from typing import Any

from .._callable_module import call_as
from .base import Tool, ToolResult, _json_text
from .function_parsing import ParsedFunction
from .function_tool import FunctionTool, tool

__all__ = ["FunctionTool", "ParsedFunction", "Tool", "ToolResult", "default_serializer"]


def default_serializer(data: Any) -> str:
    """A value as the JSON text a tool result shows for it (what is not JSON becomes its ``str``)."""
    return _json_text(data)


# `import fastmcp_rs.tools.tool` puts this module where the `tool` decorator was: calling it decorates.
call_as(__name__, tool)
