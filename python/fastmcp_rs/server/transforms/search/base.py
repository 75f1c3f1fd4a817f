"""``fastmcp.server.transforms.search.base``: what the search transforms share. The server then lists only
the tools named in ``always_visible``, a search tool (``search_tools``) and ``call_tool``, in place of its
whole catalogue; every tool stays callable by name. The search looks at each tool's name, description, and
parameter names and descriptions, over the tools the caller may see, and answers with their ``tools/list``
entries. Names, descriptions, schemas and results are FastMCP 4's."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import Field

from ...._context import Context
from ....tools.base import ToolResult

__all__ = ["BaseSearchTransform", "serialize_tools_for_output_json", "serialize_tools_for_output_markdown"]

_CALL = "Call a tool by name with the given arguments.\n\nUse this to execute tools discovered via search_tools."
_SEARCH_OUTPUT = {
    "type": "object",
    "properties": {
        "result": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            ]
        }
    },
    "required": ["result"],
    "x-fastmcp-wrap-result": True,
}


def serialize_tools_for_output_json(tools: Sequence[Any]) -> list[dict[str, Any]]:
    """The tools as their ``tools/list`` entries."""
    return [tool.to_mcp_tool() if hasattr(tool, "to_mcp_tool") else dict(tool) for tool in tools]


def serialize_tools_for_output_markdown(tools: Sequence[Any]) -> str:
    """The tools as Markdown: a heading per tool, its description and its parameters."""
    if not tools:
        return "No tools matched the query."
    blocks = []
    for tool in tools:
        entry = tool.to_mcp_tool() if hasattr(tool, "to_mcp_tool") else dict(tool)
        lines = [f"### {entry['name']}"]
        if entry.get("description"):
            lines.append(entry["description"])
        properties = (entry.get("inputSchema") or {}).get("properties") or {}
        required = set((entry.get("inputSchema") or {}).get("required") or ())
        if properties:
            lines.append("**Parameters:**")
            for name, schema in properties.items():
                kind = schema.get("type", "any")
                note = " (required)" if name in required else ""
                text = f": {schema['description']}" if schema.get("description") else ""
                lines.append(f"- `{name}` ({kind}){note}{text}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def searchable_text(tool: Any) -> str:
    entry = tool.to_mcp_tool() if hasattr(tool, "to_mcp_tool") else dict(tool)
    parts = [entry["name"]]
    if entry.get("description"):
        parts.append(entry["description"])
    for name, schema in ((entry.get("inputSchema") or {}).get("properties") or {}).items():
        parts.append(name)
        if isinstance(schema, dict) and schema.get("description"):
            parts.append(schema["description"])
    return " ".join(parts)


class BaseSearchTransform:
    """A search tool and ``call_tool`` in place of the listed catalogue (see the module's documentation)."""

    #: The search tool's description and its query parameter (name, description).
    _description = ""
    _parameter = ("query", "")

    def __init__(
        self,
        *,
        max_results: int = 5,
        always_visible: list[str] | None = None,
        search_tool_name: str = "search_tools",
        call_tool_name: str = "call_tool",
        search_result_serializer: Callable[[Sequence[Any]], Any] | None = None,
    ) -> None:
        self.max_results = max_results
        self.always_visible = list(always_visible or [])
        self.search_tool_name = search_tool_name
        self.call_tool_name = call_tool_name
        self.search_result_serializer = search_result_serializer or serialize_tools_for_output_json

    def _search(self, tools: list[Any], query: str) -> list[Any]:
        raise NotImplementedError

    def _listed_tools(self) -> list[str]:
        return [*self.always_visible, self.search_tool_name, self.call_tool_name]

    async def _catalogue(self, server: Any) -> list[Any]:
        synthetic = {self.search_tool_name, self.call_tool_name}
        pinned = set(self.always_visible)
        return [t for t in await server.list_tools() if t.name not in synthetic and t.name not in pinned]

    def _tools(self) -> list[Any]:
        from ....tools.function_tool import FunctionTool
        from ..._mount import _run_as_child

        transform = self
        query_name, query_description = self._parameter

        async def search(ctx: Context, **arguments: Any) -> ToolResult:
            server = ctx.fastmcp
            found = transform._search(await transform._catalogue(server), str(arguments[query_name]))
            result = transform.search_result_serializer(found[: transform.max_results])
            if isinstance(result, str):
                return ToolResult(
                    content=result, structured_content={"result": result}, meta={"fastmcp": {"wrap_result": True}}
                )
            text = [{"type": "text", "text": json.dumps(result, separators=(",", ":"), ensure_ascii=False)}]
            return ToolResult(
                content=text if result else [],
                structured_content={"result": result},
                meta={"fastmcp": {"wrap_result": True}},
            )

        async def call_tool(
            name: Annotated[str, Field(description="The name of the tool to call")],
            ctx: Context,
            arguments: Annotated[dict[str, Any] | None, Field(description="Arguments to pass to the tool")] = None,
        ) -> ToolResult:
            if name in (transform.search_tool_name, transform.call_tool_name):
                raise ValueError(f"{name!r} is a synthetic search tool and cannot be called via the call_tool proxy")
            server = ctx.fastmcp
            tool = next((t for t in await server.list_tools() if t.name == name), None)
            if tool is None:
                raise ValueError(f"Unknown tool: {name!r}")
            value = await _run_as_child(tool, dict(arguments or {}), server)
            return tool.convert_result(value)

        search_tool = FunctionTool.from_function(
            _with_query(search, query_name, query_description),
            name=self.search_tool_name,
            title="Search Tools",
            description=self._description,
            output_schema=_SEARCH_OUTPUT,
        )
        return [
            search_tool,
            FunctionTool.from_function(
                call_tool, name=self.call_tool_name, title="Call Tool", description=_CALL, output_schema=None
            ),
        ]


def _with_query(search: Any, query_name: str, description: str) -> Any:
    """``search`` as a function of one string parameter named ``query_name`` (and the context)."""

    async def run(ctx: Context, **arguments: Any) -> ToolResult:
        return await search(ctx, **arguments)

    import inspect

    query_type = Annotated[str, Field(description=description)]
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(query_name, inspect.Parameter.KEYWORD_ONLY, annotation=query_type),
            inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context),
        ],
        return_annotation=ToolResult,
    )
    run.__annotations__ = {query_name: query_type, "ctx": Context, "return": ToolResult}
    return run
