"""A ``message_handler`` with one hook per kind of server notification."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import mcp.types as mcp_types

__all__ = ["Message", "MessageHandler", "MessageHandlerT"]

Message: TypeAlias = Any
"""A server notification (``mcp.types.ServerNotification``) or a transport-level ``Exception``."""
MessageHandlerT: TypeAlias = Callable[[Any], Awaitable[None]]


class MessageHandler:
    """Subclass and override the hooks you need; pass an instance as ``Client(message_handler=...)``.

    Server-initiated requests (sampling, elicitation, roots) never come here: they go to the Client's
    ``sampling_handler``, ``elicitation_handler`` and ``roots``."""

    async def __call__(self, message: Message) -> None:
        await self.dispatch(message)

    async def dispatch(self, message: Message) -> None:
        await self.on_message(message)
        if isinstance(message, Exception):
            await self.on_exception(message)
            return
        await self.on_notification(message)
        hook = _HOOKS.get(type(message))
        if hook is not None:
            await getattr(self, hook)(message)

    async def on_message(self, message: Message) -> None:
        pass

    async def on_notification(self, message: Any) -> None:
        pass

    async def on_exception(self, message: Exception) -> None:
        pass

    async def on_progress(self, message: mcp_types.ProgressNotification) -> None:
        pass

    async def on_logging_message(self, message: mcp_types.LoggingMessageNotification) -> None:
        pass

    async def on_tool_list_changed(self, message: mcp_types.ToolListChangedNotification) -> None:
        pass

    async def on_resource_list_changed(self, message: mcp_types.ResourceListChangedNotification) -> None:
        pass

    async def on_prompt_list_changed(self, message: mcp_types.PromptListChangedNotification) -> None:
        pass

    async def on_resource_updated(self, message: mcp_types.ResourceUpdatedNotification) -> None:
        pass

    async def on_cancelled(self, message: mcp_types.CancelledNotification) -> None:
        pass


_HOOKS: dict[type, str] = {
    mcp_types.CancelledNotification: "on_cancelled",
    mcp_types.ProgressNotification: "on_progress",
    mcp_types.LoggingMessageNotification: "on_logging_message",
    mcp_types.ToolListChangedNotification: "on_tool_list_changed",
    mcp_types.ResourceListChangedNotification: "on_resource_list_changed",
    mcp_types.PromptListChangedNotification: "on_prompt_list_changed",
    mcp_types.ResourceUpdatedNotification: "on_resource_updated",
}
