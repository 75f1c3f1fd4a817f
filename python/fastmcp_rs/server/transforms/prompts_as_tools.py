"""``fastmcp.server.transforms.prompts_as_tools``: ``PromptsAsTools(mcp)`` gives clients that only use tools
the server's prompts, as two tools listed after the others: ``list_prompts`` (their names, descriptions and
arguments, as indented JSON) and ``get_prompt`` (one rendered, its messages as JSON). They answer for the
server serving the request, so they list and render what that caller may see; the prompts stay served as
prompts too. Names, descriptions, schemas, results and error texts are FastMCP 4's."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field

from ..._context import Context
from ...exceptions import ToolError
from . import _Builtin

__all__ = ["PromptsAsTools"]

_LIST = (
    "List all available prompts.\n\nReturns JSON with prompt metadata including name, description,\n"
    "and optional arguments."
)
_GET = (
    "Get a prompt by name with optional arguments.\n\nReturns the rendered prompt as JSON with a messages array.\n"
    "Arguments should be provided as a dict mapping argument names\nto values."
)


def _require_server(server: Any, transform: str) -> None:
    from ..server import FastMCP

    if not isinstance(server, FastMCP):
        raise TypeError(
            f"{transform} requires a FastMCP server instance, not a {type(server).__name__}. The generated tools "
            "route through the server's middleware chain at runtime for auth and visibility. Pass your FastMCP "
            f"server: {transform}(mcp)"
        )


def _content(content: Any) -> Any:
    if isinstance(content, dict) and content.get("type") == "text":
        return content.get("text")
    if hasattr(content, "model_dump"):
        dumped = content.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped.get("text") if dumped.get("type") == "text" else dumped
    return content


class PromptsAsTools(_Builtin):
    """The server's prompts as the tools ``list_prompts`` and ``get_prompt``."""

    def __init__(self, server: Any) -> None:
        _require_server(server, "PromptsAsTools")
        self._server = server

    def __repr__(self) -> str:
        return f"PromptsAsTools({self._server!r})"

    def _tools(self) -> list[Any]:
        from ...tools.function_tool import FunctionTool

        fallback = self._server

        async def list_prompts(ctx: Context) -> str:
            server = ctx.fastmcp or fallback
            listed = [
                {
                    "name": p.name,
                    "description": p.description,
                    "arguments": [
                        {"name": a.name, "description": a.description, "required": bool(a.required)}
                        for a in p.arguments
                    ],
                }
                for p in await server.list_prompts()
            ]
            return json.dumps(listed, indent=2)

        async def get_prompt(
            name: Annotated[str, Field(description="The name of the prompt to get")],
            ctx: Context,
            arguments: Annotated[dict[str, Any] | None, Field(description="Optional arguments for the prompt")] = None,
        ) -> str:
            server = ctx.fastmcp or fallback
            prompt = next((p for p in await server.list_prompts() if p.name == name), None)
            if prompt is None:
                raise ValueError(f"Unknown prompt: {name!r}")
            given = arguments or {}
            missing = {a.name for a in prompt.arguments if a.required and a.name not in given}
            if missing:
                raise ToolError(f"Missing required arguments: {missing}")
            result = prompt.convert_result(await prompt.render(given))
            messages = []
            for message in result.messages:
                wire = message.to_wire() if hasattr(message, "to_wire") else dict(message)
                messages.append({"role": wire.get("role"), "content": _content(wire.get("content"))})
            return json.dumps({"messages": messages}, indent=2)

        return [
            FunctionTool.from_function(list_prompts, name="list_prompts", description=_LIST),
            FunctionTool.from_function(get_prompt, name="get_prompt", description=_GET),
        ]
