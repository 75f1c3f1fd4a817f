"""Tools: ``Tool`` (subclass it with ``run``), ``FunctionTool`` (a function; what ``@mcp.tool`` builds),
``ToolResult`` (a full result), and the standalone ``@tool`` decorator."""

from .base import InputRequiredToolResult, Tool, ToolResult
from .function_tool import FunctionTool, tool
from .tool_transform import forward, forward_raw

__all__ = ["FunctionTool", "InputRequiredToolResult", "Tool", "ToolResult", "forward", "forward_raw", "tool"]
