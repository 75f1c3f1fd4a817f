"""``mcp.mount(child, namespace=..., tool_names=...)``: a live link from a parent server to a child.

The child's components are served by the parent's core as its own, under the parent-side names FastMCP 4
gives them: tools and prompts ``{namespace}_{name}`` (after ``tool_names`` renames), resource URIs and
templates ``scheme://{namespace}/rest`` (a URI without ``://`` is left as it is). The parent's core calls the
child's functions directly, so a call through the parent costs what a call to the parent's own tool costs;
inside them ``ctx.fastmcp`` and ``ctx.lifespan_context`` are the child's. When the child has middleware of
its own, a tool call through the parent runs it too (the parent's first, then the child's, each seeing its
own name for the tool).

The link is live: what the child adds, removes, shows or hides later appears at the parent at once (its
clients are told with ``list_changed``), through any depth of mounts. The parent's own components come first
in its listings, then each mount's in the order they were mounted; on a clash the parent's own wins, then the
earlier mount. The child's lifespan runs inside the parent's, after it has started."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FastMCP

__all__: list[str] = []

_URI = re.compile(r"^([^:]+://)(.*)$", re.S)


class MountLink:
    """One ``mount()``: which child, under which namespace, with which tool renames."""

    def __init__(self, parent: FastMCP, child: FastMCP, namespace: str, tool_names: dict[str, str]) -> None:
        self.parent = parent
        self.child = child
        self.namespace = namespace
        self.tool_names = dict(tool_names)

    # -- names ---------------------------------------------------------------------------------------

    def outer_key(self, kind: str, key: str) -> str:
        if kind == "tool":
            key = self.tool_names.get(key, key)
        if not self.namespace:
            return key
        if kind in ("tool", "prompt"):
            return f"{self.namespace}_{key}"
        found = _URI.match(key)
        return f"{found.group(1)}{self.namespace}/{found.group(2)}" if found else key

    def inner_key(self, kind: str, outer: str) -> str | None:
        """The child's key for the parent-side ``outer``; ``None`` when ``outer`` is not one of this mount's."""
        key = outer
        if self.namespace:
            if kind in ("tool", "prompt"):
                if not key.startswith(f"{self.namespace}_"):
                    return None
                key = key[len(self.namespace) + 1 :]
            else:
                found = _URI.match(key)
                if found is None or not found.group(2).startswith(f"{self.namespace}/"):
                    return None
                key = found.group(1) + found.group(2)[len(self.namespace) + 1 :]
        if kind == "tool":
            for inner, renamed in self.tool_names.items():
                if renamed == key:
                    return inner
        return key

    def outer_copy(self, kind: str, key: str, component: Any) -> Any:
        outer = self.outer_key(kind, key)
        field = {"tool": "name", "prompt": "name", "resource": "uri", "template": "uri_template"}[kind]
        copy = component.model_copy(update={field: outer})
        copy._mounted_from = (self.child, key)
        return copy

    # -- what the child tells -------------------------------------------------------------------------

    def shown(self, kind: str, key: str, component: Any) -> None:
        self.parent._adopt(self, kind, self.outer_key(kind, key), self.outer_copy(kind, key, component))

    def hidden(self, kind: str, key: str) -> None:
        self.parent._orphan(self, kind, self.outer_key(kind, key))

    def attach(self) -> None:
        """Brings in what the child serves now (in its listing order)."""
        for kind, key, component in self.child._served():
            self.shown(kind, key, component)


def with_child_context(func: Any, is_async: bool, child: FastMCP, context_param: str | None) -> Any:
    """``func`` (a mounted tool's function) with its ``Context`` argument bound to the child server."""
    if context_param is None:
        return func
    from .._context import Context

    def rebound(kwargs: dict[str, Any]) -> None:
        ctx = kwargs.get(context_param)
        if isinstance(ctx, Context):
            kwargs[context_param] = Context(ctx._handle, child)

    if is_async:

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            rebound(kwargs)
            return await func(*args, **kwargs)

        return run_async

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        rebound(kwargs)
        return func(*args, **kwargs)

    return run


def through_child_middleware(tool: Any, child: FastMCP, inner_name: str) -> Any:
    """A mounted tool whose child has middleware: the call runs the child's chain (seeing the child's name
    for the tool), the innermost step running the tool itself."""
    from ..exceptions import ToolError, ValidationError
    from ..tools.base import ToolResult
    from ._middleware import _dumped, _message, _sdk_blocks
    from .middleware.middleware import MiddlewareContext, chain

    async def call(arguments: dict[str, Any]) -> Any:
        from .._context import _current_handle

        async def innermost(context: MiddlewareContext[Any]) -> Any:
            try:
                value = await _run_as_child(tool, dict(context.message.arguments or {}), child)
            except ToolError:
                raise
            except ValidationError as e:  # the arguments' errors, as pydantic words them
                raise ToolError(str(e)) from e
            except Exception as e:
                raise ToolError(f"Error calling tool {inner_name!r}: {e}") from e
            result = tool.convert_result(value)
            result.content = _sdk_blocks(result.content)
            return result

        handle = _current_handle()
        context = MiddlewareContext(
            message=_message("tools/call", {"name": inner_name, "arguments": arguments}),
            fastmcp_context=child._make_context(handle) if handle is not None else None,
            source="client",
            type="request",
            method="tools/call",
        )
        result = await chain(child._chain_middleware, innermost)(context)
        if isinstance(result, ToolResult):  # back to plain JSON for the core
            result.content = [_dumped(block) for block in result.content]
        return result

    return call


async def _run_as_child(tool: Any, arguments: dict[str, Any], child: FastMCP) -> Any:
    """Runs a child's tool with its arguments validated, its ``Context`` the child's, and a ``def`` tool on a
    worker thread (not on the event loop)."""
    import asyncio
    import inspect

    from .._context import Context, _current_handle
    from ..tools.function_tool import FunctionTool

    if not isinstance(tool, FunctionTool):
        return await tool.run(arguments)
    kwargs = tool.prepare(arguments)
    handle = _current_handle()
    if tool.context_param is not None and handle is not None:
        kwargs[tool.context_param] = Context(handle, child)
    invoke = tool._parsed.invoke if tool._parsed is not None else tool.fn
    if tool.is_async:
        return await invoke(**kwargs)
    import contextvars

    run = functools.partial(contextvars.copy_context().run, invoke, **kwargs)
    value = await asyncio.get_running_loop().run_in_executor(None, run)
    return await value if inspect.isawaitable(value) else value
