"""Progress a server reports on a request (``notifications/progress``, from ``ctx.report_progress``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias

__all__ = ["ProgressHandler", "default_progress_handler"]

logger = logging.getLogger("fastmcp_rs.client.progress")

ProgressHandler: TypeAlias = Callable[[float, "float | None", "str | None"], Awaitable[None]]
"""``async def handler(progress: float, total: float | None, message: str | None) -> None``"""


async def default_progress_handler(progress: float, total: float | None, message: str | None) -> None:
    """Logs the progress at debug level."""
    if total:
        shown = f"{progress}/{total} ({progress / total * 100:.1f}%)"
    elif total == 0:
        shown = f"{progress}/{total}"
    else:
        shown = f"{progress}"
    logger.debug("Progress: %s%s", shown, f" - {message}" if message else "")
