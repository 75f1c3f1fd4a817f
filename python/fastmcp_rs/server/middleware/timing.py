"""``fastmcp.server.middleware.timing``: how long requests take, logged (FastMCP 4's texts and loggers:
``fastmcp.timing``, ``fastmcp.timing.detailed``)."""

from __future__ import annotations

import logging
import time
from typing import Any

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["DetailedTimingMiddleware", "TimingMiddleware"]


class TimingMiddleware(Middleware):
    """Logs ``Request {method} completed in {ms}ms`` (or ``failed after``) for every request."""

    def __init__(self, logger: logging.Logger | None = None, log_level: int = logging.INFO) -> None:
        self.logger = logger or logging.getLogger("fastmcp.timing")
        self.log_level = log_level

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        method = context.method or "unknown"
        started = time.perf_counter()
        try:
            result = await call_next(context)
        except Exception as e:
            took = (time.perf_counter() - started) * 1000
            self.logger.log(self.log_level, f"Request {method} failed after {took:.2f}ms: {e}")
            raise
        took = (time.perf_counter() - started) * 1000
        self.logger.log(self.log_level, f"Request {method} completed in {took:.2f}ms")
        return result


class DetailedTimingMiddleware(Middleware):
    """Logs the time of each component operation: ``Tool 'add' completed in 1.39ms``, ``List tools ...``."""

    def __init__(self, logger: logging.Logger | None = None, log_level: int = logging.INFO) -> None:
        self.logger = logger or logging.getLogger("fastmcp.timing.detailed")
        self.log_level = log_level

    async def _timed(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any], what: str) -> Any:
        started = time.perf_counter()
        try:
            result = await call_next(context)
        except Exception as e:
            took = (time.perf_counter() - started) * 1000
            self.logger.log(self.log_level, f"{what} failed after {took:.2f}ms: {e}")
            raise
        took = (time.perf_counter() - started) * 1000
        self.logger.log(self.log_level, f"{what} completed in {took:.2f}ms")
        return result

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, f"Tool '{getattr(context.message, 'name', 'unknown')}'")

    async def on_read_resource(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, f"Resource '{getattr(context.message, 'uri', 'unknown')}'")

    async def on_get_prompt(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, f"Prompt '{getattr(context.message, 'name', 'unknown')}'")

    async def on_list_tools(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, "List tools")

    async def on_list_resources(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, "List resources")

    async def on_list_resource_templates(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, "List resource templates")

    async def on_list_prompts(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._timed(context, call_next, "List prompts")
