"""``fastmcp.server.middleware.middleware``: FastMCP 4's middleware API.

A ``Middleware`` subclass overrides the hooks it needs: ``on_message`` (every message), ``on_request``, and the
typed hooks ``on_call_tool``, ``on_read_resource``, ``on_get_prompt``, ``on_list_tools``, ``on_list_resources``,
``on_list_resource_templates`` and ``on_list_prompts``. Each gets the ``MiddlewareContext`` and ``call_next``;
what ``call_next`` returns is FastMCP 4's: a ``ToolResult``, a ``ResourceResult``, a ``PromptResult``, or the
list of components. The first middleware added is the outermost; the innermost ``call_next`` runs the request
in the core as it runs without middleware. A server without Python middleware never enters this code.

Served: every request of the handshake era (``on_initialize`` included; a request other than a component one
passes its result along as a dict), the component requests of the 2026-07-28 era, and the client's
notifications (``on_notification``: the chain observes them after the core has acted on them, so a
cancellation takes effect however slow the chain is), and ``server/discover`` (``on_discover``), on every
transport.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, Generic, Literal, Protocol, TypeVar

__all__ = ["CallNext", "Middleware", "MiddlewareContext"]

T = TypeVar("T")
R = TypeVar("R", covariant=True)


class CallNext(Protocol[T, R]):
    def __call__(self, context: MiddlewareContext[T]) -> Awaitable[R]: ...


@dataclasses.dataclass(kw_only=True, frozen=True)
class MiddlewareContext(Generic[T]):
    """One message on its way through the chain: ``message`` (the request's params, an ``mcp.types`` model
    when the SDK is installed), the request's ``Context`` as ``fastmcp_context``, and where it came from."""

    message: T
    fastmcp_context: Any = None
    source: Literal["client", "server"] = "client"
    type: Literal["request", "notification"] = "request"
    method: str | None = None
    timestamp: datetime = dataclasses.field(default_factory=lambda: datetime.now(timezone.utc))

    def copy(self, **kwargs: Any) -> MiddlewareContext[T]:
        return dataclasses.replace(self, **kwargs)


_TYPED_HOOKS = {
    "tools/call": "on_call_tool",
    "resources/read": "on_read_resource",
    "prompts/get": "on_get_prompt",
    "tools/list": "on_list_tools",
    "resources/list": "on_list_resources",
    "resources/templates/list": "on_list_resource_templates",
    "prompts/list": "on_list_prompts",
    "initialize": "on_initialize",
    "server/discover": "on_discover",
}


def _wrap(hook: Callable[..., Awaitable[Any]], call_next: CallNext[Any, Any]) -> CallNext[Any, Any]:
    async def step(context: MiddlewareContext[Any]) -> Any:
        return await hook(context, call_next)

    return step


class Middleware:
    """Base class of middleware: ``__call__`` runs ``on_message`` around ``on_request`` (or
    ``on_notification``) around the typed hook of the message's method. Every hook passes the message on by
    default."""

    async def __call__(self, context: MiddlewareContext[T], call_next: CallNext[T, Any]) -> Any:
        handler: CallNext[Any, Any] = call_next
        typed = _TYPED_HOOKS.get(context.method or "")
        if typed is not None:
            handler = _wrap(getattr(self, typed), handler)
        if context.type == "request":
            handler = _wrap(self.on_request, handler)
        else:
            handler = _wrap(self.on_notification, handler)
        handler = _wrap(self.on_message, handler)
        return await handler(context)

    async def on_message(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_notification(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_initialize(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_discover(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def check_resource_access(self, context: MiddlewareContext[Any]) -> None:
        """Raise ``AuthorizationError`` to deny a read before anything is read."""

    async def on_read_resource(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        await self.check_resource_access(context)
        return await call_next(context)

    async def on_get_prompt(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_list_tools(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_list_resources(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_list_resource_templates(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)

    async def on_list_prompts(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await call_next(context)


def chain(middleware: list[Middleware], innermost: CallNext[Any, Any]) -> CallNext[Any, Any]:
    """``middleware[0]`` outermost, ``innermost`` last."""
    handler = innermost
    for mw in reversed(middleware):
        handler = functools.partial(_through, mw, handler)
    return handler


async def _through(mw: Middleware, call_next: CallNext[Any, Any], context: MiddlewareContext[Any]) -> Any:
    return await mw(context, call_next)
