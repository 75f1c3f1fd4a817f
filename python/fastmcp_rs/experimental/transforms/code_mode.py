"""``fastmcp.experimental.transforms.code_mode``: ``CodeMode``, the whole tool catalogue behind a few meta-tools.

``mcp.add_transform(CodeMode())`` lists discovery tools (by default ``search``, BM25 over the catalogue, and
``get_schema``) and ``execute``, which runs Python the model writes in a sandbox (``pydantic-monty``'s Monty)
with one function in scope: ``await call_tool(name, params)``, which calls a tool of the catalogue and
returns its structured content (or its text). The catalogue's tools stay callable by name. A failed call
raises inside the code, with the tool's parameters spelled out when the arguments were wrong; at most
``max_tool_calls`` calls per ``execute`` (50), within ``wall_clock_timeout_secs`` if set. Names, texts and
schemas are FastMCP 4's.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal, Protocol

import anyio
from pydantic import Field

from ...exceptions import NotFoundError, ToolError, ValidationError
from ...server.context import Context
from ...server.transforms.search.base import serialize_tools_for_output_json, serialize_tools_for_output_markdown
from ...tools.base import Tool, ToolResult

__all__ = [
    "CodeMode",
    "GetSchemas",
    "GetTags",
    "GetToolCatalog",
    "ListTools",
    "MontySandboxProvider",
    "SandboxProvider",
    "Search",
]

GetToolCatalog = Callable[[Context], Awaitable[Sequence[Tool]]]
SearchFn = Callable[[Sequence[Tool], str], Awaitable[Sequence[Tool]]]
DiscoveryToolFactory = Callable[[GetToolCatalog], Tool]
ToolDetailLevel = Literal["brief", "detailed", "full"]

_DETAIL = (
    "'brief' for names and descriptions, 'detailed' for parameter schemas as markdown, 'full' for complete JSON schemas"
)
_VALIDATION_MARKERS = ("validation error for", "unexpected keyword argument", "missing required argument")


def _from_function(fn: Callable[..., Any], name: str, description: str | None = None) -> Tool:
    from ...tools.function_tool import FunctionTool

    return FunctionTool.from_function(fn, name=name, description=description)


# -- sandboxes -----------------------------------------------------------------------------------------------


class SandboxProvider(Protocol):
    """Runs the model's code. It is untrusted: run it isolated, never with ``exec()``."""

    async def run(
        self,
        code: str,
        *,
        inputs: dict[str, Any] | None = None,
        external_functions: dict[str, Callable[..., Any]] | None = None,
    ) -> Any: ...


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET = _Unset()
_DEFAULT_LIMITS: dict[str, Any] = {"max_feed_duration_secs": 30.0, "max_memory": 100_000_000}


def _as_async(fn: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(fn):
        return fn

    async def call(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return call


class MontySandboxProvider:
    """``pydantic-monty``'s sandbox. ``limits``: Monty's ``ResourceLimits`` (``max_feed_duration_secs``,
    ``max_turn_duration_secs``, ``max_memory``, ``max_recursion_depth``, ``gc_interval``); left out, 30 s of
    sandbox time and 100 MB; ``None`` for none. A key Monty does not know is refused."""

    def __init__(self, *, limits: dict[str, Any] | _Unset | None = _UNSET) -> None:
        self.limits: dict[str, Any] | None = dict(_DEFAULT_LIMITS) if isinstance(limits, _Unset) else limits

    async def run(
        self,
        code: str,
        *,
        inputs: dict[str, Any] | None = None,
        external_functions: dict[str, Callable[..., Any]] | None = None,
    ) -> Any:
        try:
            monty = importlib.import_module("pydantic_monty")
        except ModuleNotFoundError as exc:
            raise ImportError(
                "CodeMode requires pydantic-monty for the Monty sandbox provider. "
                "Install it with `fastmcp[code-mode]` or pass a custom SandboxProvider."
            ) from exc
        if self.limits is not None:
            known = monty.ResourceLimits.__annotations__.keys()
            unknown = self.limits.keys() - known
            if unknown:
                raise ValueError(
                    f"Unsupported Monty resource limits: {', '.join(repr(k) for k in sorted(unknown))}. "
                    f"Supported limits: {', '.join(sorted(known))}."
                )
        # Callbacks the sandbox started are joined before the run ends (Monty can leave them running).
        running: set[asyncio.Task[Any]] = set()
        over = False

        def tracked(fn: Callable[..., Any]) -> Callable[..., Any]:
            call = _as_async(fn)

            async def run_callback(*args: Any, **kwargs: Any) -> Any:
                if over:
                    raise asyncio.CancelledError
                task = asyncio.current_task()
                assert task is not None
                running.add(task)
                try:
                    return await call(*args, **kwargs)
                finally:
                    running.discard(task)

            return run_callback

        functions = {k: tracked(v) for k, v in (external_functions or {}).items()}
        future = asyncio.ensure_future(self._run(monty, code, inputs or None, functions or None))
        try:
            return await future
        except asyncio.CancelledError:
            future.cancel()
            raise
        finally:
            over = True
            left = tuple(running)
            for task in left:
                task.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.gather(*left, return_exceptions=True)

    async def _run(self, monty: Any, code: str, inputs: Any, functions: Any) -> Any:
        async with monty.AsyncMonty() as pool, pool.checkout(limits=self.limits) as session:
            return await session.feed_run(code, inputs=inputs, external_lookup=functions)


# -- discovery tools -----------------------------------------------------------------------------------------


def _render(tools: Sequence[Tool], detail: ToolDetailLevel) -> str:
    if not tools:
        return json.dumps([], indent=2) if detail == "full" else "No tools matched the query."
    if detail == "full":
        return json.dumps(serialize_tools_for_output_json(tools), indent=2)
    if detail == "detailed":
        return serialize_tools_for_output_markdown(tools)
    return "\n".join(f"- {t.name}{f': {t.description}' if t.description else ''}" for t in tools)


class Search:
    """A ``search`` tool: the catalogue ranked for a query (BM25 unless ``search_fn`` says otherwise)."""

    def __init__(
        self,
        *,
        search_fn: SearchFn | None = None,
        name: str = "search",
        default_detail: ToolDetailLevel | None = None,
        default_limit: int | None = None,
    ) -> None:
        if search_fn is None:
            from ...server.transforms.search.bm25 import BM25SearchTransform

            ranking = BM25SearchTransform(max_results=sys.maxsize)

            async def bm25(tools: Sequence[Tool], query: str) -> Sequence[Tool]:
                return ranking._search(list(tools), query)

            search_fn = bm25
        self._search_fn = search_fn
        self._name = name
        self._default_detail: ToolDetailLevel = default_detail or "brief"
        self._default_limit = default_limit

    def __call__(self, get_catalog: GetToolCatalog) -> Tool:
        search_fn, default_detail, default_limit = self._search_fn, self._default_detail, self._default_limit

        async def search(
            query: Annotated[str, "Search query to find available tools"],
            tags: Annotated[list[str] | None, "Filter to tools with any of these tags before searching"] = None,
            detail: Annotated[ToolDetailLevel, _DETAIL] = default_detail,
            limit: Annotated[int | None, "Maximum number of results to return"] = default_limit,
            ctx: Context = None,  # type: ignore[assignment]
        ) -> str:
            """Search for available tools by query.

            Returns matching tools ranked by relevance.
            """
            catalog = await get_catalog(ctx)
            tools: Sequence[Tool] = catalog
            if tags:
                wanted = set(tags)
                untagged = "untagged" in wanted
                wanted.discard("untagged")
                tools = [t for t in tools if (t.tags & wanted) or (untagged and not t.tags)]
            found = list(await search_fn(tools, query))
            if limit is not None:
                found = found[: max(limit, 0)]
            text = _render(found, detail)
            if len(found) < len(catalog) and detail != "full":
                text = f"{len(found)} of {len(catalog)} tools:\n\n{text}"
            return text

        return _from_function(search, self._name)


class GetSchemas:
    """A ``get_schema`` tool: the named tools' parameters (Markdown by default)."""

    def __init__(self, *, name: str = "get_schema", default_detail: ToolDetailLevel | None = None) -> None:
        self._name = name
        self._default_detail: ToolDetailLevel = default_detail or "detailed"

    def __call__(self, get_catalog: GetToolCatalog) -> Tool:
        default_detail = self._default_detail

        async def get_schema(
            tools: Annotated[list[str], "List of tool names to get schemas for"],
            detail: Annotated[ToolDetailLevel, _DETAIL] = default_detail,
            ctx: Context = None,  # type: ignore[assignment]
        ) -> str:
            """Get parameter schemas for specific tools.

            Use after searching to get the detail needed to call a tool.
            """
            by_name = {t.name: t for t in await get_catalog(ctx)}
            matched = [by_name[n] for n in tools if n in by_name]
            missing = [n for n in tools if n not in by_name]
            if not matched and missing:
                return f"Tools not found: {', '.join(missing)}"
            if detail == "full":
                data: list[Any] = serialize_tools_for_output_json(matched)
                if missing:
                    data.append({"not_found": missing})
                return json.dumps(data, indent=2)
            text = _render(matched, detail)
            if missing:
                text += f"\n\nTools not found: {', '.join(missing)}"
            return text

        return _from_function(get_schema, self._name)


class GetTags:
    """A ``tags`` tool: the catalogue's tags, with how many tools (or which) have each."""

    def __init__(self, *, name: str = "tags", default_detail: Literal["brief", "full"] | None = None) -> None:
        self._name = name
        self._default_detail: Literal["brief", "full"] = default_detail or "brief"

    def __call__(self, get_catalog: GetToolCatalog) -> Tool:
        default_detail = self._default_detail

        async def tags(
            detail: Annotated[
                Literal["brief", "full"],
                "Level of detail: 'brief' for tag names and counts, 'full' for tools listed under each tag",
            ] = default_detail,
            ctx: Context = None,  # type: ignore[assignment]
        ) -> str:
            """List available tool tags.

            Use to browse available tools by tag before searching.
            """
            by_tag: dict[str, list[Tool]] = {}
            for tool in await get_catalog(ctx):
                for tag in tool.tags or {"untagged"}:
                    by_tag.setdefault(tag, []).append(tool)
            if not by_tag:
                return "No tools available."
            if detail == "brief":
                return "\n".join(
                    f"- {tag} ({len(ts)} tool{'s' if len(ts) != 1 else ''})" for tag, ts in sorted(by_tag.items())
                )
            return "\n\n".join(
                "\n".join([f"### {tag}", *(f"- {t.name}{f': {t.description}' if t.description else ''}" for t in ts)])
                for tag, ts in sorted(by_tag.items())
            )

        return _from_function(tags, self._name)


class ListTools:
    """A ``list_tools`` tool: the whole catalogue."""

    def __init__(self, *, name: str = "list_tools", default_detail: ToolDetailLevel | None = None) -> None:
        self._name = name
        self._default_detail: ToolDetailLevel = default_detail or "brief"

    def __call__(self, get_catalog: GetToolCatalog) -> Tool:
        default_detail = self._default_detail

        async def list_tools(
            detail: Annotated[ToolDetailLevel, _DETAIL] = default_detail,
            ctx: Context = None,  # type: ignore[assignment]
        ) -> str:
            """List all available tools.

            Use to see the full catalog before searching or calling tools.
            """
            return _render(await get_catalog(ctx), detail)

        return _from_function(list_tools, self._name)


# -- CodeMode ------------------------------------------------------------------------------------------------


def _legible(name: str, tool: Tool, error: Any) -> str:
    """A failed ``call_tool`` as the code sees it: what failed, and for wrong arguments the parameters."""
    import pydantic_core

    cause = getattr(error, "__cause__", None)
    validation = isinstance(error, (ValidationError, pydantic_core.ValidationError))
    if isinstance(error, pydantic_core.ValidationError) or isinstance(cause, pydantic_core.ValidationError):
        errors = (error if isinstance(error, pydantic_core.ValidationError) else cause).errors(include_url=False)
        text = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in errors)
    else:
        text = json.dumps(error) if isinstance(error, dict) else str(error)
    message = f"call_tool({name!r}) failed: {text}"
    if validation or any(m in text.lower() for m in _VALIDATION_MARKERS):
        properties = (tool.parameters or {}).get("properties")
        if isinstance(properties, dict) and properties:
            required = set((tool.parameters or {}).get("required") or ())
            message += f"\nValid parameters for {name} (* = required): " + ", ".join(
                n + ("*" if n in required else "") for n in properties
            )
    return message


def _error_text(result: ToolResult) -> Any:
    text = "\n".join(b["text"] for b in result.content if b.get("type") == "text" and b.get("text"))
    if text:
        return text
    if result.structured_content is not None:
        return result.structured_content
    return "tool returned an error"


def _unwrapped(result: ToolResult) -> Any:
    if result.structured_content is not None:
        return result.structured_content
    return "\n".join(b["text"] if b.get("type") == "text" else str(b) for b in result.content)


class CodeMode:
    """Discovery tools and ``execute`` in place of the catalogue (see the module docstring)."""

    def __init__(
        self,
        *,
        sandbox_provider: SandboxProvider | None = None,
        discovery_tools: list[DiscoveryToolFactory] | None = None,
        execute_tool_name: str = "execute",
        execute_description: str | None = None,
        max_tool_calls: int | None = 50,
        wall_clock_timeout_secs: float | None = None,
    ) -> None:
        self.execute_tool_name = execute_tool_name
        self.execute_description = execute_description
        self.max_tool_calls = max_tool_calls
        self.wall_clock_timeout_secs = wall_clock_timeout_secs
        self.sandbox_provider = sandbox_provider or MontySandboxProvider()
        self._factories = discovery_tools if discovery_tools is not None else [Search(), GetSchemas()]
        self._built: list[Tool] | None = None

    def __repr__(self) -> str:
        return f"CodeMode(execute_tool_name={self.execute_tool_name!r})"

    async def get_tool_catalog(self, ctx: Context | None) -> Sequence[Tool]:
        """The tools behind the meta-tools: what the server lists but them."""
        server = ctx.fastmcp if ctx is not None else None
        if server is None:
            from ...server.dependencies import get_server

            server = get_server()
        mine = set(self._listed_tools())
        return [t for t in await server.list_tools() if t.name not in mine]

    # What the server asks of a transform that lists tools of its own in place of its catalogue.
    def _listed_tools(self) -> list[str]:
        return [t.name for t in self._tools()]

    def _tools(self) -> list[Tool]:
        if self._built is None:
            discovery = [make(self.get_tool_catalog) for make in self._factories]
            names = {t.name for t in discovery}
            if self.execute_tool_name in names:
                raise ValueError(f"Discovery tool name '{self.execute_tool_name}' collides with execute_tool_name.")
            if len(names) != len(discovery):
                raise ValueError("Discovery tools must have unique names.")
            self._built = [*discovery, self._execute_tool()]
        return self._built

    def _execute_tool(self) -> Tool:
        transform = self

        async def execute(
            code: Annotated[
                str, Field(description="Python async code to execute tool calls via call_tool(name, arguments)")
            ],
            ctx: Context = None,  # type: ignore[assignment]
        ) -> Any:
            """Execute tool calls using Python code."""
            calls = 0

            async def call_tool(tool_name: str, params: dict[str, Any]) -> Any:
                nonlocal calls
                if transform.max_tool_calls is not None:
                    calls += 1
                    if calls > transform.max_tool_calls:
                        raise ToolError(
                            f"Tool call limit exceeded: at most {transform.max_tool_calls} "
                            "call_tool() invocations are allowed per execute()."
                        )
                tool = next((t for t in await transform.get_tool_catalog(ctx) if t.name == tool_name), None)
                if tool is None:
                    raise NotFoundError(f"Unknown tool: {tool_name}")
                result = await _call(ctx, tool, params, tool_name)
                if result.is_error:
                    raise ToolError(_legible(tool_name, tool, _error_text(result)))
                return _unwrapped(result)

            run = transform.sandbox_provider.run(code, external_functions={"call_tool": call_tool})
            timeout = transform.wall_clock_timeout_secs
            if timeout is None:
                return await run
            try:
                return await asyncio.wait_for(run, timeout)
            except TimeoutError as exc:
                raise ToolError(f"Execution exceeded the wall-clock limit of {timeout} seconds.") from exc

        description = self.execute_description
        if description is None:
            description = (
                "Chain `await call_tool(...)` calls in one Python block; prefer returning the final answer from a "
                "single block.\nUse `return` to produce output.\n"
                "Only `call_tool(tool_name: str, params: dict) -> Any` is available in scope."
            )
        return _from_function(execute, self.execute_tool_name, description)


async def _call(ctx: Context | None, tool: Tool, params: dict[str, Any], name: str) -> ToolResult:
    """One call of a catalogue tool from the sandbox: its result, or ``ToolError`` with a legible text."""
    import pydantic_core

    from ...server._mount import _run_as_child
    from ...tools.function_tool import FunctionTool

    server = ctx.fastmcp if ctx is not None else None
    try:
        if isinstance(tool, FunctionTool) and tool._parsed is not None:
            tool._parsed.validator.validate_python(params)  # pydantic's own errors, for the legible text
        value = await _run_as_child(tool, dict(params or {}), server)
    except (ToolError, ValidationError, pydantic_core.ValidationError) as exc:
        raise ToolError(_legible(name, tool, exc)) from exc
    except Exception as exc:
        return ToolResult(content=f"Error calling tool {name!r}: {exc}", is_error=True)
    return tool.convert_result(value)
