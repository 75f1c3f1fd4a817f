"""``await mcp.call_tool(name, arguments)``, ``await mcp.read_resource(uri)`` and
``await mcp.render_prompt(name, arguments)``: a server's components called from Python as a client would call
them (the middleware, validation and conversion all run), over an in-memory connection to it. From inside a
call the server is serving, the component is run in place instead (without the middleware). Errors are
FastMCP 4's exceptions: ``NotFoundError`` for what is not served, ``ValidationError`` for arguments pydantic
refuses, ``ToolError`` / ``ResourceError`` / ``PromptError`` for a failing component."""

from __future__ import annotations

import re
from typing import Any

__all__: list[str] = []

_VALIDATION = re.compile(r"^\d+ validation errors? for ")


def _version_meta(version: Any) -> dict[str, Any] | None:
    if version is None:
        return None
    wanted = getattr(version, "eq", None) or str(version)
    return {"fastmcp": {"version": str(wanted)}}


def _not_found(exc: Any) -> Exception:
    from mcp import MCPError

    from ..exceptions import McpError, NotFoundError

    if isinstance(exc, MCPError):
        if exc.error.code in (-32602, -32002):
            return NotFoundError(exc.error.message)
        return McpError(exc.error.message, exc.error.code, exc.error.data)
    return exc


def _in_a_call(server: Any) -> bool:
    """Whether this runs inside a request the server is serving (then no second connection is opened)."""
    from .._context import _current_handle, _serving

    return server in _serving and _current_handle() is not None


async def _call_in_place(server: Any, name: str, arguments: dict[str, Any]) -> Any:
    import asyncio

    from ..exceptions import FastMCPError, ToolError
    from ..tools.function_tool import FunctionTool

    tool = await server.get_tool(name)
    try:
        if isinstance(tool, FunctionTool) and not tool.is_async:
            import contextvars

            from .._context import get_context

            kwargs = tool.prepare(arguments)
            if tool.context_param is not None:
                kwargs[tool.context_param] = get_context()
            invoke = tool._parsed.invoke if tool._parsed is not None else tool.fn
            context = contextvars.copy_context()
            value = await asyncio.get_running_loop().run_in_executor(None, lambda: context.run(invoke, **kwargs))
            return tool.convert_result(value)
        return tool.convert_result(await tool.run(arguments))
    except FastMCPError:
        raise
    except Exception as exc:
        if getattr(server, "mask_error_details", False):
            raise ToolError(f"Error calling tool {name!r}") from exc
        raise ToolError(f"Error calling tool {name!r}: {exc}") from exc


async def call_tool(server: Any, name: str, arguments: dict[str, Any] | None, version: Any) -> Any:
    from ..client import Client
    from ..exceptions import NotFoundError, ToolError, ValidationError
    from ..tools.base import ToolResult

    if _in_a_call(server):
        return await _call_in_place(server, name, arguments or {})

    async with Client(server, mode="legacy") as client:
        try:
            result = await client.call_tool_mcp(name, arguments or {}, meta=_version_meta(version))
        except Exception as exc:
            raise _not_found(exc) from None
    wire = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    if wire.get("isError"):
        text = "\n".join(c.get("text", "") for c in wire.get("content", []) if c.get("type") == "text")
        if text.startswith(("Unknown tool: ", "Tool not found: ")):
            raise NotFoundError(text)
        if _VALIDATION.match(text):
            raise ValidationError(text)
        raise ToolError(text)
    from ._middleware import _sdk_blocks

    done = ToolResult.from_mcp_result(wire)
    done.content = _sdk_blocks(done.content)
    return done


async def read_resource(server: Any, uri: str, version: Any) -> Any:
    from ..client import Client
    from ..resources.base import ResourceResult

    if _in_a_call(server):
        from .._context import Context, _current_handle

        return await Context(_current_handle(), server).read_resource(uri)
    async with Client(server, mode="legacy") as client:
        try:
            result = await client.read_resource_mcp(uri, meta=_version_meta(version))
        except Exception as exc:
            raise _resource_error(exc, uri) from None
    return ResourceResult._from_wire(result.model_dump(mode="json", by_alias=True, exclude_none=True))


def _resource_error(exc: Any, uri: str) -> Exception:
    from mcp import MCPError

    from ..exceptions import NotFoundError, ResourceError

    if isinstance(exc, MCPError):
        message = exc.error.message
        if message.startswith(("Unknown resource", "Resource not found")) or exc.error.code == -32002:
            return NotFoundError(f"Unknown resource: {uri!r}")
        return ResourceError(message)
    return exc


async def render_prompt(server: Any, name: str, arguments: dict[str, Any] | None, version: Any) -> Any:
    from mcp import MCPError

    from ..client import Client
    from ..exceptions import NotFoundError, PromptError
    from ..prompts.base import Message, PromptResult
    from ._middleware import _sdk_blocks

    if _in_a_call(server):
        prompt = (await server.get_prompts()).get(name)
        if prompt is None:
            raise NotFoundError(f"Unknown prompt: {name!r}")
        rendered = await prompt.render(arguments)
        wire = rendered.to_wire() if isinstance(rendered, PromptResult) else PromptResult(rendered).to_wire()
    else:
        async with Client(server, mode="legacy") as client:
            try:
                result = await client.get_prompt_mcp(name, arguments, meta=_version_meta(version))
            except MCPError as exc:
                message = exc.error.message
                raise (NotFoundError if message.startswith("Unknown prompt") else PromptError)(message) from None
        wire = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    messages = [Message(_sdk_blocks([m["content"]])[0], role=m.get("role", "user")) for m in wire.get("messages", [])]
    return PromptResult(messages, description=wire.get("description"), meta=wire.get("_meta"))
