"""``fastmcp.telemetry``: OpenTelemetry for MCP, with the OpenTelemetry API only (a no-op until an SDK is
configured, as in FastMCP 4). ``get_tracer()`` gives the ``fastmcp`` tracer for spans of your own;
``inject_trace_context`` / ``extract_trace_context`` carry a trace in a request's ``_meta`` (``traceparent``,
``tracestate``)."""

from __future__ import annotations

from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, Status, StatusCode, Tracer

__all__ = [
    "INSTRUMENTATION_NAME",
    "TRACE_PARENT_KEY",
    "TRACE_STATE_KEY",
    "error_span_attributes",
    "extract_trace_context",
    "get_tracer",
    "inject_trace_context",
    "record_span_error",
    "tracing_enabled",
]

INSTRUMENTATION_NAME = "fastmcp"
TRACE_PARENT_KEY = "traceparent"
TRACE_STATE_KEY = "tracestate"


def get_tracer(version: str | None = None) -> Tracer:
    """The tracer fastmcp-rs makes its spans with (instrumentation name ``fastmcp``, as FastMCP's)."""
    return trace.get_tracer(INSTRUMENTATION_NAME, version)


def tracing_enabled() -> bool:
    """Whether an OpenTelemetry SDK has been configured (a tracer provider set): only then are spans made."""
    provider = trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


def _carrier(source: dict[str, Any] | None) -> dict[str, str]:
    carrier: dict[str, str] = {}
    if source:
        for key in (TRACE_PARENT_KEY, TRACE_STATE_KEY):
            if key in source:
                carrier[key] = str(source[key])
    return carrier


def extract_trace_context(meta: dict[str, Any] | None) -> otel_context.Context:
    """The context a request's ``_meta`` carries, onto the current one; the current one as it is when a span is
    already active or ``_meta`` carries none."""
    if trace.get_current_span().get_span_context().is_valid:
        return otel_context.get_current()
    carrier = _carrier(meta)
    if not carrier:
        return otel_context.get_current()
    return propagate.extract(carrier, context=otel_context.get_current())


def inject_trace_context(meta: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """``meta`` with the current trace context added (``None`` stays ``None`` without one)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    found = _carrier(carrier)
    return {**(meta or {}), **found} if found else meta


def error_span_attributes(exception: BaseException) -> dict[str, str]:
    """``error.type`` as the MCP semantic conventions put it: a JSON-RPC error's code (also as
    ``rpc.response.status_code``), ``tool_error`` for a tool's error, else the exception's class."""
    from .exceptions import McpError, ToolError

    if isinstance(exception, McpError):
        code = str(exception.error.code)
        return {"error.type": code, "rpc.response.status_code": code}
    if isinstance(exception, ToolError):
        return {"error.type": "tool_error"}
    return {"error.type": type(exception).__qualname__}


def record_span_error(span: Span, exception: BaseException) -> None:
    span.record_exception(exception)
    span.set_status(Status(StatusCode.ERROR))
