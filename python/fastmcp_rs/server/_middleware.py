"""The Python middleware chain of one server: the core hands it a request (the component requests in both
eras, every other request of the handshake era) as its method and params; the chain runs on the server's loop
in the request's own asyncio Task, with FastMCP 4's message and result types; its innermost step serves the
request natively (``RequestHandle.serve_native``), and what the outermost returns goes back on the wire."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from fastmcp_rs.exceptions import FastMCPError, McpError, NotFoundError, PromptError, ResourceError, ToolError
from fastmcp_rs.prompts.base import Message, PromptResult
from fastmcp_rs.resources.base import ResourceResult
from fastmcp_rs.tools.base import ToolResult

from .middleware.middleware import MiddlewareContext, chain

if TYPE_CHECKING:
    from .server import FastMCP

__all__: list[str] = []

_log = logging.getLogger("fastmcp_rs.middleware")

_LISTS = {
    "tools/list": ("tools", "_tools", "name", "to_mcp_tool"),
    "resources/list": ("resources", "_resources", "uri", "to_mcp_resource"),
    "resources/templates/list": ("resourceTemplates", "_templates", "uriTemplate", "to_mcp_template"),
    "prompts/list": ("prompts", "_prompts", "name", "to_mcp_prompt"),
}
_OTHER_REQUESTS = {
    "initialize": "InitializeRequest",
    "ping": "PingRequest",
    "logging/setLevel": "SetLevelRequest",
    "completion/complete": "CompleteRequest",
    "resources/subscribe": "SubscribeRequest",
    "resources/unsubscribe": "UnsubscribeRequest",
    "server/discover": "DiscoverRequest",
}
_TOOL_RESULT_KEYS = frozenset({"content", "structuredContent", "_meta", "isError"})
_KIND_OF_LIST = {
    "tools/list": "tool",
    "resources/list": "resource",
    "resources/templates/list": "template",
    "prompts/list": "prompt",
}
_RESOLVED = {"tools/call": "tool", "resources/read": "resource", "prompts/get": "prompt"}
_NATIVE = object()


def _encode_cursor(offset: int) -> str:
    """A cursor as the core (and FastMCP) writes one: URL-safe base64 of ``{"o": offset}``."""
    import base64

    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _decode_cursor(cursor: Any) -> int | None:
    import base64

    if cursor == "":
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))["o"]
    except Exception:
        return None
    return offset if isinstance(offset, int) and offset >= 0 else None


def _listed(component: Any, dump: str, server: Any) -> dict[str, Any]:
    """A component a transform made, as its listing entry (schemas' ``$ref``s inlined, as the core lists)."""
    entry: dict[str, Any] = getattr(component, dump)()
    if getattr(server, "_dereference_schemas", True):
        from .._schema import dereference

        for field in ("inputSchema", "outputSchema"):
            if isinstance(entry.get(field), dict) and "$defs" in entry[field]:
                entry[field] = dereference(entry[field])
    return entry


async def _run_made_tool(tool: Any, arguments: Any, server: Any) -> ToolResult:
    """A tool a transform made, run with the server's context; a failure is FastMCP 4's failed call."""
    from pydantic import ValidationError

    from ._mount import _run_as_child

    try:
        value = await _run_as_child(tool, dict(arguments or {}), server)
    except ToolError:
        raise
    except ValidationError as e:
        raise ToolError(str(e)) from e
    except Exception as e:
        if getattr(server, "mask_error_details", False):
            raise ToolError(f"Error calling tool {tool.name!r}") from e
        raise ToolError(f"Error calling tool {tool.name!r}: {e}") from e
    result = tool.convert_result(value)
    result.content = _sdk_blocks(result.content)
    return result


def _tool_error(result: dict[str, Any], cause: BaseException | None) -> ToolError:
    """A tool's failed result as the ``ToolError`` FastMCP 4 raises through the chain: the exception the tool
    raised is its ``__cause__`` (unless it was a ``ToolError`` itself, which is raised as it is)."""
    if isinstance(cause, ToolError):
        return cause
    texts = [c.get("text", "") for c in result.get("content") or () if isinstance(c, dict)]
    text = texts[0] if texts else "Tool call failed"
    # An unknown tool (or one the caller may not use) is a NotFoundError inside FastMCP 4's chain.
    error = NotFoundError(text) if cause is None and text.startswith("Unknown tool: ") else ToolError(text)
    error.__cause__ = cause
    return error


def _handler_error(method: str, wire: dict[str, Any], cause: BaseException | None) -> BaseException:
    """A handler's JSON-RPC error as FastMCP 4 raises it through the chain: the handler's own ``McpError``,
    else a ``ResourceError`` / ``PromptError`` whose cause is what the handler raised (an ``McpError`` for
    the others)."""
    if isinstance(cause, McpError):
        return cause
    message = str(wire.get("message", ""))
    if cause is None and method == "resources/read" and message.startswith("Resource not found: "):
        return NotFoundError(message.replace("Resource not found: ", "Unknown resource: ", 1))
    if cause is None and method == "prompts/get" and message.startswith("Unknown prompt: "):
        return NotFoundError(message)
    if cause is not None and method in ("resources/read", "prompts/get"):
        error = (ResourceError if method == "resources/read" else PromptError)(wire["message"])
        error.__cause__ = cause
        return error
    return McpError(code=wire["code"], message=wire["message"], data=wire.get("data"))


class _Verbatim:
    """A native result the chain passes along without a type of its own (an input-required round)."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result = result


class _WireMessage(Message):
    __slots__ = ("_wire",)

    def __init__(self, wire: dict[str, Any]) -> None:
        super().__init__(wire.get("content"), role=wire.get("role", "user"))
        self._wire = wire

    def to_wire(self) -> dict[str, Any]:
        return self._wire


def _message(method: str, params: dict[str, Any]) -> Any:
    """The request as FastMCP 4's middleware sees it: ``mcp.types`` params (a list request without its
    cursor), or a plain object with the same attributes when the SDK is not installed."""
    try:
        import mcp.types as mt
    except ImportError:
        mt = None
    if method == "tools/call":
        fields = {"name": params.get("name"), "arguments": params.get("arguments") or {}, "_meta": params.get("_meta")}
        return mt.CallToolRequestParams(**fields) if mt else _Plain(fields)
    if method == "resources/read":
        fields = {"uri": params.get("uri"), "_meta": params.get("_meta")}
        return mt.ReadResourceRequestParams(**fields) if mt else _Plain(fields)
    if method == "prompts/get":
        fields = {"name": params.get("name"), "arguments": params.get("arguments"), "_meta": params.get("_meta")}
        return mt.GetPromptRequestParams(**fields) if mt else _Plain(fields)
    kind = {
        "tools/list": "ListToolsRequest",
        "resources/list": "ListResourcesRequest",
        "resources/templates/list": "ListResourceTemplatesRequest",
        "prompts/list": "ListPromptsRequest",
    }.get(method)
    if kind is None:  # initialize, ping, logging/setLevel, completion/complete, subscriptions...
        request = _OTHER_REQUESTS.get(method)
        if mt is not None and request is not None:
            try:
                return getattr(mt, request).model_validate({"method": method, "params": params or None})
            except Exception:
                pass
        return _Plain({"method": method, "params": params or None})
    return getattr(mt, kind)(method=method) if mt else _Plain({"method": method, "params": None})


_BLOCKS: Any = None


def _sdk_blocks(blocks: list[Any]) -> list[Any]:
    """Content blocks as FastMCP 4's middleware gets them (``mcp.types`` objects: ``result.content[0].text``),
    when the SDK is installed."""
    global _BLOCKS
    if _BLOCKS is None:
        try:
            import mcp.types as mt
            from pydantic import TypeAdapter

            _BLOCKS = TypeAdapter(mt.ContentBlock)
        except ImportError:
            _BLOCKS = False
    if _BLOCKS is False:
        return blocks
    try:
        return [_BLOCKS.validate_python(b) if isinstance(b, dict) else b for b in blocks]
    except Exception:
        return blocks


def _dumped(block: Any) -> Any:
    if hasattr(block, "model_dump"):
        return block.model_dump(by_alias=True, exclude_none=True, mode="json")
    return block


class _Plain:
    def __init__(self, fields: dict[str, Any]) -> None:
        self.meta = fields.pop("_meta", None)
        self.__dict__.update(fields)


def _params(method: str, message: Any, original: dict[str, Any]) -> dict[str, Any]:
    """The params the native step serves: the original ones, with what a middleware may have changed in the
    message (a tool's arguments, a prompt's, the name or URI)."""
    params = dict(original)
    for key in ("name", "arguments", "uri"):
        if hasattr(message, key):
            value = getattr(message, key)
            if value is not None or key == "arguments":
                params[key] = value
    if method == "tools/call" and params.get("arguments") is None:
        params["arguments"] = {}
    return params


async def _run_injected(tool: Any, arguments: Any) -> ToolResult:
    """An injected tool's call, answered as a registered tool's: its exception becomes a ``ToolError``."""
    try:
        value = await tool.run(dict(arguments or {}))
    except ToolError:
        raise
    except Exception as e:
        raise ToolError(f"Error calling tool {tool.name!r}: {e}") from e
    result = tool.convert_result(value)
    result.content = _sdk_blocks(result.content)
    return result


async def _intercepted(extensions: list[Any], context: MiddlewareContext[Any], innermost: Any) -> Any:
    """A ``tools/call`` through the extensions' interceptors, the first registered outermost; a result of an
    extension's own (a pydantic model that is not a ``ToolResult``) goes out as it dumps."""

    async def step(index: int) -> Any:
        if index == len(extensions):
            return await innermost()
        return await extensions[index].intercept_tool_call(
            context.message, context.fastmcp_context, lambda: step(index + 1)
        )

    result = await step(0)
    if not isinstance(result, ToolResult) and hasattr(result, "model_dump"):
        return _Verbatim(result.model_dump(by_alias=True, exclude_none=True, mode="json"))
    return result


async def _extension_request(server: Any, binding: Any, method: str, params: dict[str, Any], handle: Any) -> Any:
    """A request for an extension's own method: its versions checked, its params validated, its handler run
    with the request's context bound (``get_context()`` works there); the result as it dumps."""
    from pydantic import ValidationError as PydanticValidationError

    from .._context import current_request
    from .extensions import ExtensionRequestContext

    version = handle.protocol_version
    if binding.protocol_versions is not None and version not in binding.protocol_versions:
        raise McpError(code=-32601, message=f"Method {method!r} is not available at protocol version {version!r}.")
    try:
        validated = binding.params_type.model_validate(params)
    except PydanticValidationError as e:
        raise McpError(
            code=-32602, message="Invalid request parameters", data=json.loads(e.json(include_url=False))
        ) from None
    context = server._make_context(handle)
    ctx = ExtensionRequestContext(handle, method, params, context, server._lifespan_result)
    token = current_request.set(handle)
    try:
        result = await binding.handler(ctx, validated)
    except McpError:
        raise
    except Exception as e:
        if _is_sdk_error(e):
            raise
        _log.exception("The handler of %r raised", method)
        masked = handle.is_modern or getattr(server, "mask_error_details", False)
        raise McpError(code=-32603, message="Internal server error" if masked else str(e)) from None
    finally:
        current_request.reset(token)
    if result is None:
        return {}
    if hasattr(result, "model_dump"):
        return result.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dict(result)


def _is_sdk_error(error: BaseException) -> bool:
    """The SDK's ``MCPError`` (its JSON-RPC error goes out as it is)."""
    module = type(error).__module__
    return (module == "mcp" or module.startswith("mcp.")) and hasattr(getattr(error, "error", None), "code")


class MiddlewareRunner:
    """What the core calls (``dispatcher(method, params, handle)``) for a server with Python middleware."""

    def __init__(self, server: FastMCP) -> None:
        self._server = server

    async def __call__(self, method: str, params: dict[str, Any], handle: Any) -> dict[str, Any]:
        server = self._server
        if method.startswith("notifications/"):
            await self._notification(method, params, handle)
            return {}
        native: dict[str, Any] = {}

        async def served_natively(wire_params: dict[str, Any]) -> dict[str, Any]:
            future = asyncio.get_running_loop().create_future()
            handle.serve_native(method, wire_params, future)
            kind, value = await future
            if kind == "cancelled":
                raise asyncio.CancelledError
            if kind == "error":
                native["wire_error"] = value
                native["error"] = _handler_error(method, value, handle.take_chain_error())
                raise native["error"]
            native["result"] = value
            if method == "tools/call" and value.get("isError") and _TOOL_RESULT_KEYS.issuperset(value):
                # If this very error comes out of the chain, the result goes out as the core wrote it.
                native["error"] = _tool_error(value, handle.take_chain_error())
                raise native["error"]
            return value

        async def serve(context: MiddlewareContext[Any]) -> Any:
            if (binding := server._extension_methods.get(method)) is not None:
                return await _extension_request(server, binding, method, params, handle)
            if method == "tools/call" and (interceptors := server._tool_call_interceptors()):
                return await _intercepted(interceptors, context, lambda: innermost(context))
            return await innermost(context)

        async def innermost(context: MiddlewareContext[Any]) -> Any:
            if method == "tools/call" and (tool := self._injected().get(context.message.name)) is not None:
                return await _run_injected(tool, context.message.arguments)
            if method in _LISTS:
                for hook in server._list_hooks():
                    await hook(method, handle)
            wire_params = _params(method, context.message, params)
            if server._custom_transforms or server._mounts_listing_in_python():
                if method in _LISTS:
                    return await self._transformed_listing(method, wire_params, served_natively, native, handle)
                if method in _RESOLVED and server._resolves(_RESOLVED[method]):
                    made = await self._resolved_request(method, wire_params)
                    if made is not _NATIVE:
                        return made
            return self._typed(method, await served_natively(wire_params))

        context = MiddlewareContext(
            message=_message(method, params),
            fastmcp_context=server._make_context(handle),
            source="client",
            type="request",
            method=method,
        )
        try:
            result = await chain(server._chain_middleware, serve)(context)
        except (FastMCPError, ToolError, McpError) as e:
            if e is native.get("error"):
                if "wire_error" in native:  # a handler's error, out of the chain as it went in
                    wire = native["wire_error"]
                    raise McpError(code=wire["code"], message=wire["message"], data=wire.get("data")) from None
                return native["result"]
            if isinstance(e, McpError):
                raise
            if method != "tools/call":
                raise
            text = f"Unknown tool: {params.get('name')!r}" if isinstance(e, NotFoundError) else str(e)
            return {"content": [{"type": "text", "text": text}], "isError": True}
        finally:
            handle.take_chain_error()  # not left behind by a chain that did not look
        return self._wire(method, result, native.get("result"), params, native.get("entries"))

    async def _notification(self, method: str, params: dict[str, Any], handle: Any) -> None:
        """A client's notification, seen by ``on_message`` and ``on_notification`` (as FastMCP 4 shows it: its
        params as a dict). The core has already acted on it; what the chain returns or raises is not sent."""

        async def observed(context: MiddlewareContext[Any]) -> None:
            return None

        context = MiddlewareContext(
            message=dict(params),
            fastmcp_context=self._server._make_context(handle),
            source="client",
            type="notification",
            method=method,
        )
        try:
            await chain(self._server._chain_middleware, observed)(context)
        except Exception:
            _log.exception("Middleware failed on %s", method)

    async def _transformed_listing(
        self, method: str, params: dict[str, Any], served_natively: Any, native: dict[str, Any], handle: Any
    ) -> list[Any]:
        """A listing through the user's own transforms: the whole native listing (what this caller may see),
        as components, through each transform's ``list_*``, then cut into pages as the core cuts them."""
        server = self._server
        field, _, key, _ = _LISTS[method]
        kind = _KIND_OF_LIST[method]
        cursor = params.get("cursor")
        page_size = server.list_page_size
        offset = 0
        if page_size and cursor is not None:
            offset = _decode_cursor(cursor)
            if offset is None:
                raise McpError(code=-32602, message=f"Invalid cursor: {cursor}")
        entries: list[dict[str, Any]] = []
        asked = {k: v for k, v in params.items() if k != "cursor"}
        while True:
            value = await served_natively(asked)
            entries.extend(value.get(field) or ())
            following = value.get("nextCursor")
            if not following:
                break
            asked = {**asked, "cursor": following}
        served = server._served_by_key(kind)
        components = [served.get(entry.get(key), entry) for entry in entries]
        # A component the transforms pass along unchanged is listed as the core lists it.
        native["entries"] = {id(c): e for c, e in zip(components, entries, strict=True) if not isinstance(c, dict)}
        components = await server._through_children(kind, components, handle)
        listed = await server._transformed(kind, components)
        page = listed
        native["result"] = {}
        if page_size:
            page = listed[offset : offset + page_size]
            if offset + page_size < len(listed):
                native["result"] = {"nextCursor": _encode_cursor(offset + page_size)}
        return page

    async def _resolved_request(self, method: str, params: dict[str, Any]) -> Any:
        """A call, read or prompt whose name one of the user's own transforms resolves: served natively when
        it reaches a component the server serves under that name (``params`` then name it), else run here."""
        server = self._server
        kind = _RESOLVED[method]
        if not server._resolves(kind):
            return _NATIVE
        field = "uri" if kind == "resource" else "name"
        key = str(params.get(field))
        found = await server._resolved(kind, key)
        if found is None:
            if kind == "tool":
                raise NotFoundError(f"Unknown tool: {key!r}")
            return _NATIVE  # the core answers for it (a template's URI, or nothing there)
        own_key = str(found.key) if hasattr(found, "key") else key
        if server._served_by_key(kind).get(own_key) is found:
            params[field] = own_key
            return _NATIVE
        if kind == "tool":  # a mounted server's runs with its own context
            return await _run_made_tool(found, params.get("arguments"), getattr(found, "_mounted_from", (server,))[0])
        if kind == "prompt":
            try:
                return found.convert_result(await found.render(dict(params.get("arguments") or {})))
            except PromptError:
                raise
            except Exception as e:
                raise PromptError(f"Error rendering prompt {key!r}: {e}") from e
        try:
            return found.convert_result(await found.read())
        except ResourceError:
            raise
        except Exception as e:
            raise ResourceError(f"Error reading resource {key!r}: {e}") from e

    def _typed(self, method: str, value: dict[str, Any]) -> Any:
        if method not in _LISTS and method not in ("tools/call", "resources/read", "prompts/get"):
            return value
        if method == "tools/call":
            if not _TOOL_RESULT_KEYS.issuperset(value):
                return _Verbatim(value)
            result = ToolResult.from_mcp_result(value)
            result.content = _sdk_blocks(result.content)
            return result
        if method == "resources/read":
            return ResourceResult._from_wire(value) if set(value) <= {"contents", "_meta"} else _Verbatim(value)
        if method == "prompts/get":
            if not set(value) <= {"messages", "description", "_meta"}:
                return _Verbatim(value)
            messages = [_WireMessage(m) for m in value.get("messages", [])]
            return PromptResult(messages, description=value.get("description"), meta=value.get("_meta"))
        field, table, key, _ = _LISTS[method]
        registry = getattr(self._server, table)
        listed = [registry.get(entry.get(key), entry) for entry in value.get(field, [])]
        if method == "tools/list" and (injected := self._injected()):
            listed = [t for t in listed if (t.get("name") if isinstance(t, dict) else t.name) not in injected]
            listed.extend(injected.values())
        return listed

    def _injected(self) -> dict[str, Any]:
        """The tools ``ToolInjectionMiddleware`` gives, by name; the middleware added first wins."""
        from .middleware.tool_injection import ToolInjectionMiddleware

        tools: dict[str, Any] = {}
        for mw in self._server._python_middleware:
            if isinstance(mw, ToolInjectionMiddleware):
                for tool in mw.injected_tools:
                    tools.setdefault(tool.name, tool)
        return tools

    def _wire(
        self,
        method: str,
        result: Any,
        native: dict[str, Any] | None,
        params: dict[str, Any],
        native_entries: dict[int, Any] | None = None,
    ) -> Any:
        if isinstance(result, _Verbatim):
            return result.result
        if method not in _LISTS and method not in ("tools/call", "resources/read", "prompts/get"):
            return result.model_dump(by_alias=True, exclude_none=True) if hasattr(result, "model_dump") else result
        if method == "tools/call":
            if isinstance(result, ToolResult):
                wire = result.to_mcp_result()
                wire["content"] = [_dumped(block) for block in wire["content"]]
                return wire
            return ToolResult(content=result).to_mcp_result() if not isinstance(result, dict) else result
        if method == "resources/read":
            return result._to_wire(params.get("uri", "")) if isinstance(result, ResourceResult) else result
        if method == "prompts/get":
            return result.to_wire() if isinstance(result, PromptResult) else result
        field, _, _, dump = _LISTS[method]
        entries = native_entries or {}
        listing = {
            field: [
                item if isinstance(item, dict) else entries.get(id(item)) or _listed(item, dump, self._server)
                for item in result
            ]
        }
        if native is not None and "nextCursor" in native:
            listing["nextCursor"] = native["nextCursor"]
        return listing
