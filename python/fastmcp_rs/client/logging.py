"""Log messages a server sends (``notifications/message``, from ``ctx.info(...)`` and friends)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from mcp.types import LoggingMessageNotificationParams

__all__ = ["LogHandler", "LogMessage", "create_log_callback", "default_log_handler"]

logger = logging.getLogger("fastmcp_rs.client")
from_server_logger = logging.getLogger("fastmcp_rs.client.from_server")

LogMessage: TypeAlias = LoggingMessageNotificationParams
LogHandler: TypeAlias = Callable[[LogMessage], Awaitable[None]]

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "notice": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "alert": logging.CRITICAL,
    "emergency": logging.CRITICAL,
}


async def default_log_handler(message: LogMessage) -> None:
    """Logs the server's message on the ``fastmcp_rs.client.from_server`` logger at the matching level."""
    source = f" ({message.logger})" if message.logger else ""
    level = _LEVELS.get(str(message.level).lower(), logging.INFO)
    from_server_logger.log(level, "Received %s from server%s: %s", str(message.level).upper(), source, message.data)


def create_log_callback(handler: LogHandler | None = None) -> Callable[[LogMessage], Awaitable[None]]:
    """The ``logging_callback`` mcp's ``ClientSession`` takes, calling ``handler`` (or the default)."""
    chosen: Any = handler or default_log_handler

    async def log_callback(params: LoggingMessageNotificationParams) -> None:
        await chosen(params)

    return log_callback
