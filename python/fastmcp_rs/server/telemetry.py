"""The server's spans: one SERVER span per tool call, resource read and prompt, named and attributed as
FastMCP 4 names them after the MCP semantic conventions (``tools/call add``; ``mcp.method.name``,
``gen_ai.tool.name``, ``mcp.session.id``, ``mcp.protocol.version``, ``jsonrpc.request.id``, ``enduser.id``,
``error.type``). The parent is the trace the request's ``_meta`` carries (``traceparent``), else the one its
HTTP headers carry. Spans your code makes inside a tool are its children.

Every other request (``initialize``, the listings, ``ping``, ``logging/setLevel``, ...) gets one SERVER span
too, named by its method, with the same request attributes, as FastMCP 4 makes them: ``SeamSpans`` opens it,
outermost in the middleware chain; notifications get none.

Only made when an OpenTelemetry SDK is configured when the server starts (and for components added while it
serves with one): then each component's function is wrapped once and the chain traces the other requests
(tool calls, reads and prompts stay off it unless there is middleware of the user's); otherwise nothing is
added to any request."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["SeamSpans", "server_span", "traced", "tracing_enabled"]

_METHODS = {"tool": "tools/call", "resource": "resources/read", "template": "resources/read", "prompt": "prompts/get"}


def tracing_enabled() -> bool:
    """An SDK tracer provider is set (the OpenTelemetry API is imported by then; if it is not even loaded,
    nobody configured one)."""
    if "opentelemetry.trace" not in sys.modules:
        return False
    try:
        from fastmcp_rs.telemetry import tracing_enabled as enabled
    except ImportError:
        return False
    return enabled()


def _request_attributes(attrs: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    from fastmcp_rs._context import _current_handle

    handle = _current_handle()
    if handle is None:
        return None, None
    session = handle.session_id
    if session:
        attrs["mcp.session.id"] = session
    version = getattr(handle, "protocol_version", None)
    if version:
        attrs["mcp.protocol.version"] = version
    attrs["jsonrpc.request.id"] = str(handle.request_id)
    token = handle.access_token
    if token is not None:
        user = token.get("subject") or token.get("client_id")
        if user:
            attrs["enduser.id"] = user
        if token.get("scopes"):
            attrs["enduser.scope"] = " ".join(token["scopes"])
    return handle.meta, handle.headers


@contextlib.contextmanager
def server_span(kind: str, key: str, server_name: str) -> Iterator[Any]:
    from opentelemetry import propagate
    from opentelemetry.trace import SpanKind

    from fastmcp_rs.telemetry import error_span_attributes, extract_trace_context, get_tracer, record_span_error

    method = _METHODS[kind]
    attrs: dict[str, Any] = {
        "mcp.method.name": method,
        "fastmcp.server.name": server_name,
        "fastmcp.component.type": "resource_template" if kind == "template" else kind,
        # FastMCP 4's component key: kind, key and version (none here).
        "fastmcp.component.key": f"{'template' if kind == 'template' else kind}:{key}@",
    }
    if kind == "tool":
        attrs["gen_ai.tool.name"] = key
        attrs["gen_ai.operation.name"] = "execute_tool"
    elif kind == "prompt":
        attrs["gen_ai.prompt.name"] = key
    meta, headers = _request_attributes(attrs)
    if kind in ("resource", "template"):
        from fastmcp_rs._context import _current_handle

        handle = _current_handle()
        attrs["mcp.resource.uri"] = handle.tool_name if handle is not None else key
    parent = extract_trace_context(meta)
    if headers and "traceparent" in headers and not (meta or {}).get("traceparent"):
        parent = propagate.extract({k: headers[k] for k in ("traceparent", "tracestate") if k in headers})
    # FastMCP 4 names a read's span by its method alone (the URI is an attribute).
    name = method if kind in ("resource", "template") else f"{method} {key}"
    with get_tracer().start_as_current_span(
        name,
        context=parent,
        kind=SpanKind.SERVER,
        attributes=attrs,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as e:
            if span.is_recording():
                span.set_attributes(error_span_attributes(e))
                record_span_error(span, e)
            raise


def traced(fn: Callable[..., Any], is_async: bool, kind: str, key: str, server_name: str) -> Callable[..., Any]:
    """``fn`` inside its server span."""
    if is_async:

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with server_span(kind, key, server_name):
                return await fn(*args, **kwargs)

        return run_async

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with server_span(kind, key, server_name):
            return fn(*args, **kwargs)

    return run


_TRACED_WHERE_THEY_RUN = frozenset({"tools/call", "resources/read", "prompts/get"})
#: A listing's span also names the kind of component listed (with an empty key), as FastMCP 4's does.
_LISTED = {
    "tools/list": "tool",
    "resources/list": "resource",
    "resources/templates/list": "resource_template",
    "prompts/list": "prompt",
}


class SeamSpans:
    """The middleware step that gives each request without a span of its own its SERVER span."""

    def __init__(self, server_name: str) -> None:
        self.server_name = server_name

    async def __call__(self, context: Any, call_next: Callable[[Any], Any]) -> Any:
        if context.type != "request" or context.method in _TRACED_WHERE_THEY_RUN:
            return await call_next(context)
        from opentelemetry import propagate
        from opentelemetry.trace import SpanKind

        from fastmcp_rs.telemetry import error_span_attributes, extract_trace_context, get_tracer, record_span_error

        method = context.method or ""
        attrs: dict[str, Any] = {"mcp.method.name": method, "fastmcp.server.name": self.server_name}
        if method in _LISTED:
            attrs["fastmcp.component.type"] = _LISTED[method]
            attrs["fastmcp.component.key"] = ""
        meta, headers = _request_attributes(attrs)
        parent = extract_trace_context(meta)
        if headers and "traceparent" in headers and not (meta or {}).get("traceparent"):
            parent = propagate.extract({k: headers[k] for k in ("traceparent", "tracestate") if k in headers})
        with get_tracer().start_as_current_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes=attrs,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                return await call_next(context)
            except Exception as e:
                if span.is_recording():
                    span.set_attributes(error_span_attributes(e))
                    record_span_error(span, e)
                raise
