"""``fastmcp.server.middleware.error_handling``: ``ErrorHandlingMiddleware`` logs every failed request on
``fastmcp.errors`` (``Error in {method}: {Type}: {message}``), counts errors by type and method, and turns them
into JSON-RPC errors with FastMCP 4's codes (by the type of the exception's cause when it has one: a tool's
``ValueError`` is -32602 ``Invalid params: ...``). ``RetryMiddleware`` retries requests that fail with
``ConnectionError`` or ``TimeoutError`` (or with one as the cause), backing off exponentially."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from typing import Any

from fastmcp_rs.exceptions import McpError, NotFoundError, ValidationError

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["ErrorHandlingMiddleware", "RetryMiddleware"]

_MAX_ERROR_KINDS = 1000


class ErrorHandlingMiddleware(Middleware):
    def __init__(
        self,
        logger: logging.Logger | None = None,
        include_traceback: bool = False,
        error_callback: Callable[[Exception, MiddlewareContext[Any]], None] | None = None,
        transform_errors: bool = True,
    ) -> None:
        self.logger = logger or logging.getLogger("fastmcp.errors")
        self.include_traceback = include_traceback
        self.error_callback = error_callback
        self.transform_errors = transform_errors
        self.error_counts: dict[str, int] = {}

    def get_error_stats(self) -> dict[str, int]:
        return dict(self.error_counts)

    def _log_error(self, error: Exception, context: MiddlewareContext[Any]) -> None:
        method = context.method or "unknown"
        kind = f"{type(error).__name__}:{method}"
        if kind not in self.error_counts and len(self.error_counts) >= _MAX_ERROR_KINDS - 1:
            kind = "<other>"
        self.error_counts[kind] = self.error_counts.get(kind, 0) + 1
        text = f"Error in {method}: {type(error).__name__}: {error!s}"
        if self.include_traceback:
            text = f"{text}\n{traceback.format_exc()}"
        self.logger.error(text)
        if self.error_callback is not None:
            try:
                self.error_callback(error, context)
            except Exception as callback_error:
                self.logger.error(f"Error in error callback: {callback_error}")

    def _transform_error(self, error: Exception, context: MiddlewareContext[Any]) -> Exception:
        if isinstance(error, McpError) or not self.transform_errors:
            return error
        kind = type(error.__cause__) if error.__cause__ is not None else type(error)
        method = context.method or ""
        if issubclass(kind, (ValueError, TypeError, ValidationError)):
            return McpError(code=-32602, message=f"Invalid params: {error!s}")
        if issubclass(kind, (FileNotFoundError, KeyError, NotFoundError)):
            if method.startswith("resources/"):
                return McpError(code=-32002, message=f"Resource not found: {error!s}")
            return McpError(code=-32001, message=f"Not found: {error!s}")
        if issubclass(kind, PermissionError):
            return McpError(code=-32000, message=f"Permission denied: {error!s}")
        if issubclass(kind, TimeoutError):
            return McpError(code=-32000, message=f"Request timeout: {error!s}")
        return McpError(code=-32603, message=f"Internal error: {error!s}")

    async def on_message(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        try:
            return await call_next(context)
        except Exception as error:
            self._log_error(error, context)
            transformed = self._transform_error(error, context)
            if transformed is error:
                raise
            raise transformed from error


class RetryMiddleware(Middleware):
    def __init__(
        self,
        max_retries: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        backoff_multiplier: float = 2.0,
        retry_exceptions: tuple[type[Exception], ...] = (ConnectionError, TimeoutError),
        logger: logging.Logger | None = None,
    ) -> None:
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.backoff_multiplier = backoff_multiplier
        self.retry_exceptions = retry_exceptions
        self.logger = logger or logging.getLogger("fastmcp.retry")

    def _should_retry(self, error: Exception) -> bool:
        return isinstance(error, self.retry_exceptions) or isinstance(error.__cause__, self.retry_exceptions)

    def _calculate_delay(self, attempt: int) -> float:
        return min(self.base_delay * self.backoff_multiplier**attempt, self.max_delay)

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            try:
                return await call_next(context)
            except Exception as error:
                if attempt == attempts - 1 or not self._should_retry(error):
                    raise
                delay = self._calculate_delay(attempt)
                self.logger.warning(
                    f"Request {context.method} failed (attempt {attempt + 1}/{attempts}): "
                    f"{type(error).__name__}: {error!s}. Retrying in {delay:.1f}s..."
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
