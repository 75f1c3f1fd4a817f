"""``fastmcp.server.middleware.logging``: a log line before and after every request, FastMCP 4's format
(``event=request_start method=tools/call source=client``, ``..._success ... duration_ms=1.39``,
``..._error ... error=...`` at ERROR). ``StructuredLoggingMiddleware`` writes the same as JSON lines and adds
the audit trail's fields after FastMCP's: ``time`` (UTC, ISO 8601), ``request_id``, ``tool`` (or ``resource`` /
``prompt``), ``client_id`` (the verified token's, else the request's ``_meta``), and ``outcome``.

Notifications do not pass through fastmcp-rs's middleware chain yet, so they are not logged."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import timezone
from typing import Any

import pydantic_core

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["BaseLoggingMiddleware", "LoggingMiddleware", "StructuredLoggingMiddleware"]


def _default_payload(message: Any) -> str:
    return pydantic_core.to_json(message, fallback=str).decode()


class BaseLoggingMiddleware(Middleware):
    """What both loggers share; ``structured_logging`` picks JSON or ``key=value`` text."""

    logger: logging.Logger
    log_level: int
    include_payloads: bool
    include_payload_length: bool
    estimate_payload_tokens: bool
    max_payload_length: int | None
    methods: list[str] | None
    payload_serializer: Callable[[Any], str] | None
    structured_logging: bool
    audit: bool = False

    def _payload(self, context: MiddlewareContext[Any]) -> str:
        if self.payload_serializer is not None:
            try:
                return self.payload_serializer(context.message)
            except Exception as e:
                self.logger.warning(
                    f"Failed to serialize payload due to {e}: {context.type} {context.method} {context.source}."
                )
        return _default_payload(context.message)

    def _start(self, context: MiddlewareContext[Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "event": f"{context.type}_start",
            "method": context.method or "unknown",
            "source": context.source,
        }
        if self.include_payloads or self.include_payload_length or self.estimate_payload_tokens:
            payload = self._payload(context)
            if self.estimate_payload_tokens:
                entry["payload_tokens"] = len(payload) // 4
            if self.include_payload_length:
                entry["payload_length"] = len(payload)
            if self.include_payloads:
                if self.max_payload_length is not None and len(payload) > self.max_payload_length:
                    payload = payload[: self.max_payload_length] + "..."
                entry["payload"] = payload
                entry["payload_type"] = type(context.message).__name__
        return entry

    def _audit(self, context: MiddlewareContext[Any], entry: dict[str, Any], outcome: str | None) -> dict[str, Any]:
        if not self.audit:
            return entry
        entry["time"] = context.timestamp.astimezone(timezone.utc).isoformat(timespec="milliseconds")
        ctx = context.fastmcp_context
        entry["request_id"] = getattr(ctx, "request_id", None) if ctx is not None else None
        message = context.message
        if context.method in ("tools/call", "prompts/get"):
            entry["tool" if context.method == "tools/call" else "prompt"] = getattr(message, "name", None)
        elif context.method == "resources/read":
            entry["resource"] = str(getattr(message, "uri", ""))
        entry["client_id"] = _caller(ctx)
        if outcome is not None:
            entry["outcome"] = outcome
        return entry

    def _emit(self, entry: dict[str, Any], level: int) -> None:
        if self.structured_logging:
            text = json.dumps(entry)
        else:
            text = " ".join(f"{k}={v}" for k, v in entry.items())
        self.logger.log(level, text)

    async def on_message(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if self.methods is not None and context.method not in self.methods:
            return await call_next(context)
        self._emit(self._audit(context, self._start(context), None), self.log_level)
        started = time.perf_counter()
        base = {"method": context.method or "unknown", "source": context.source}
        try:
            result = await call_next(context)
        except Exception as e:
            took = round((time.perf_counter() - started) * 1000, 2)
            entry = {"event": f"{context.type}_error", **base, "duration_ms": took, "error": str(e)}
            self._emit(self._audit(context, entry, "error"), logging.ERROR)
            raise
        took = round((time.perf_counter() - started) * 1000, 2)
        entry = {"event": f"{context.type}_success", **base, "duration_ms": took}
        outcome = "tool_error" if getattr(result, "is_error", False) else "ok"
        self._emit(self._audit(context, entry, outcome), self.log_level)
        return result


def _caller(ctx: Any) -> str | None:
    """Who called: the verified token's client, else the ``client_id`` of the request's ``_meta``."""
    try:
        from fastmcp_rs.server.dependencies import get_access_token

        token = get_access_token()
    except Exception:
        token = None
    if token is not None:
        return token.client_id
    return getattr(ctx, "client_id", None) if ctx is not None else None


class LoggingMiddleware(BaseLoggingMiddleware):
    """``key=value`` lines on ``fastmcp.middleware.logging``; payloads cut at ``max_payload_length``."""

    def __init__(
        self,
        *,
        logger: logging.Logger | None = None,
        log_level: int = logging.INFO,
        include_payloads: bool = False,
        include_payload_length: bool = False,
        estimate_payload_tokens: bool = False,
        max_payload_length: int = 1000,
        methods: list[str] | None = None,
        payload_serializer: Callable[[Any], str] | None = None,
    ) -> None:
        self.logger = logger or logging.getLogger("fastmcp.middleware.logging")
        self.log_level = log_level
        self.include_payloads = include_payloads
        self.include_payload_length = include_payload_length
        self.estimate_payload_tokens = estimate_payload_tokens
        self.max_payload_length = max_payload_length
        self.methods = methods
        self.payload_serializer = payload_serializer
        self.structured_logging = False


class StructuredLoggingMiddleware(BaseLoggingMiddleware):
    """JSON lines on ``fastmcp.middleware.structured_logging``: FastMCP 4's keys, then the audit trail's
    (``audit=False`` leaves them out)."""

    def __init__(
        self,
        *,
        logger: logging.Logger | None = None,
        log_level: int = logging.INFO,
        include_payloads: bool = False,
        include_payload_length: bool = False,
        estimate_payload_tokens: bool = False,
        methods: list[str] | None = None,
        payload_serializer: Callable[[Any], str] | None = None,
        audit: bool = True,
    ) -> None:
        self.logger = logger or logging.getLogger("fastmcp.middleware.structured_logging")
        self.log_level = log_level
        self.include_payloads = include_payloads
        self.include_payload_length = include_payload_length
        self.estimate_payload_tokens = estimate_payload_tokens
        self.max_payload_length = None
        self.methods = methods
        self.payload_serializer = payload_serializer
        self.structured_logging = True
        self.audit = audit
