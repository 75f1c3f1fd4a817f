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
from .. import _Builtin
from ..catalog import CatalogTransform

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


_ENTRY_ORDER = ("name", "title", "description", "inputSchema", "execution", "outputSchema", "icons", "annotations")


def _sorted_schema(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _sorted_schema(node[k]) for k in sorted(node)}
    if isinstance(node, list):
        return [_sorted_schema(v) for v in node]
    return node


def serialize_tools_for_output_json(tools: Sequence[Any]) -> list[dict[str, Any]]:
    """The tools as their ``tools/list`` entries, keys in the order FastMCP 4 writes them (the MCP ``Tool``
    model's fields, schema keys sorted), so the JSON text of a result reads as FastMCP's."""
    found = []
    for tool in tools:
        entry = tool.to_mcp_tool() if hasattr(tool, "to_mcp_tool") else dict(tool)
        ordered = {k: entry[k] for k in _ENTRY_ORDER if k in entry}
        for key in ("inputSchema", "outputSchema"):
            if isinstance(ordered.get(key), dict):
                ordered[key] = _sorted_schema(ordered[key])
        ordered.update({k: v for k, v in entry.items() if k not in ordered})
        found.append(ordered)
    return found


def _type_label(schema: Any) -> str:
    """A short type for a schema: ``string``, ``integer[]``, ``object``, ``string | integer``, ``string?``."""
    if not isinstance(schema, dict):
        return "any"
    kind = schema.get("type")
    if isinstance(kind, str) and kind:
        return f"{_type_label(schema.get('items'))}[]" if kind == "array" else kind
    if "$ref" in schema or "allOf" in schema:
        return "object"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            labels = list(dict.fromkeys(_type_label(b) for b in schema[key]))
            if "null" not in labels:
                return " | ".join(labels) if labels else "any"
            rest = [label for label in labels if label != "null"]
            return f"{' | '.join(rest)}?" if rest else "null"
    return "object" if "properties" in schema else "any"


def _fields_of(schema: Any, defs: dict[str, Any]) -> list[str]:
    """The field names of the object a schema describes, through a ``$ref``, an array's items and the
    branches of ``anyOf``/``oneOf``/``allOf`` (one level deep)."""
    fields: dict[str, None] = {}
    seen: set[int] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
            node = defs.get(node["$ref"][len("#/$defs/") :], node)
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        if node.get("type") == "array":
            visit(node.get("items"))
            return
        for key in ("anyOf", "oneOf", "allOf"):
            if isinstance(node.get(key), list):
                for branch in node[key]:
                    visit(branch)
        if isinstance(node.get("properties"), dict):
            fields.update(dict.fromkeys(node["properties"]))

    visit(schema)
    return list(fields)


def _enum_of(schema: Any) -> list[Any] | None:
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return [schema["const"]]
    return schema["enum"] if isinstance(schema.get("enum"), list) else None


def _union_enum(branches: Any) -> list[Any] | None:
    if not isinstance(branches, list):
        return None
    values: list[Any] = []
    for branch in branches:
        if isinstance(branch, dict) and branch.get("type") == "null":
            continue
        found = _enum_of(branch)
        if found is None:
            return None
        values += [v for v in found if v not in values]
    return values or None


def _param_line(name: str, field: Any, required: bool, defs: dict[str, Any]) -> str:
    notes = [_type_label(field)]
    if isinstance(field, dict):
        enum = _enum_of(field)
        if enum is None and "anyOf" in field:
            enum = _union_enum(field["anyOf"])
        if isinstance(enum, list) and 0 < len(enum) <= 8:
            notes.append("one of " + "/".join(json.dumps(v, default=str) for v in enum))
        if field.get("default") is not None:
            notes.append(f"default {json.dumps(field['default'], default=str)}")
    if required:
        notes.append("required")
    line = f"- `{name}` ({', '.join(notes)})"
    fields = _fields_of(field, defs)
    if fields:
        shown = fields[:16]
        line += ": " + ", ".join(f"`{f}`" for f in shown) + (f", +{len(fields) - 16} more" if len(fields) > 16 else "")
    return line


def _section(schema: Any, title: str) -> list[str]:
    lines = [f"**{title}**"]
    if not isinstance(schema, dict):
        return [*lines, "- `value` (any)"]
    properties = schema.get("properties")
    if properties is None:
        return [*lines, f"- `value` ({_type_label(schema)})"]
    if not properties:
        return [*lines, "*(no parameters)*"]
    required = set(schema["required"]) if isinstance(schema.get("required"), list) else set()
    defs = schema["$defs"] if isinstance(schema.get("$defs"), dict) else {}
    return [*lines, *(_param_line(n, f, n in required, defs) for n, f in properties.items())]


def serialize_tools_for_output_markdown(tools: Sequence[Any]) -> str:
    """The tools as compact Markdown, FastMCP 4's: a heading per tool, its description, its parameters (type,
    enum values, default, required; an object's field names) and what it returns."""
    if not tools:
        return "No tools matched the query."
    blocks = []
    for tool in tools:
        lines = [f"### {tool.name}"]
        if tool.description:
            lines += ["", tool.description.strip()]
        lines += ["", *_section(tool.parameters, "Parameters")]
        if tool.output_schema is not None:
            lines += ["", *_section(tool.output_schema, "Returns")]
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


class BaseSearchTransform(CatalogTransform, _Builtin):
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
        super().__init__()
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
