"""Tools that run as tasks (the ``io.modelcontextprotocol/tasks`` extension of MCP 2026-07-28).

``@mcp.tool(task=True)`` (or ``task=TaskConfig(mode="optional" | "required")``) lets a long call become a
task: a 2026-era client that declares the extension gets a task id at once and polls ``tasks/get``; the call
goes on in the server and its result is kept for the task's lifetime. The server decides: a call that ends
within a short grace is answered at once. A client without the extension gets the call run as an ordinary
one (``"optional"``) or ``-32021`` (``"required"``); handshake-era clients always get ordinary calls, as
FastMCP 4 serves them.

Unlike FastMCP 4 (whose tasks need the separate ``fastmcp-tasks`` package), the engine is in the core: no
extension to install or register. Inside a task, ``ctx.elicit()`` and the other client calls wait for the
client's ``tasks/update`` (the task shows ``input_required`` meanwhile).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL_MS",
    "DEFAULT_TTL_MS",
    "TASKS_EXTENSION_ID",
    "TaskConfig",
    "TaskMode",
    "task_mode",
]

TaskMode = Literal["forbidden", "optional", "required"]

TASKS_EXTENSION_ID = "io.modelcontextprotocol/tasks"
DEFAULT_POLL_INTERVAL = timedelta(seconds=5)
DEFAULT_POLL_INTERVAL_MS = 5000
DEFAULT_TTL_MS = 60_000

_MODES = ("forbidden", "optional", "required")


@dataclass
class TaskConfig:
    """Whether (and how) a tool runs as a task: ``forbidden``, ``optional`` (a task when the client can take
    one) or ``required`` (only as a task)."""

    mode: TaskMode = "optional"
    poll_interval: timedelta = field(default=DEFAULT_POLL_INTERVAL)

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ValueError(f"task mode must be one of {_MODES}, got {self.mode!r}")

    @classmethod
    def from_bool(cls, value: bool) -> TaskConfig:
        return cls(mode="optional" if value else "forbidden")

    def supports_tasks(self) -> bool:
        return self.mode != "forbidden"

    def validate_function(self, fn: Any, name: str) -> None:
        """A task runs in the background on the server's event loop, so its function must be async."""
        if not self.supports_tasks():
            return
        target = fn if inspect.isroutine(fn) or not callable(fn) else getattr(fn, "__call__", fn)  # noqa: B004
        if not (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)):
            raise ValueError(
                f"'{name}' uses a sync function but has task execution enabled. "
                "Background tasks require async functions."
            )


def task_mode(task: Any) -> TaskMode:
    """The mode a ``task=`` argument stands for (``None`` and ``False``: forbidden)."""
    if task is None or task is False:
        return "forbidden"
    if task is True:
        return "optional"
    if isinstance(task, TaskConfig):
        return task.mode
    mode = getattr(task, "mode", None)
    if mode in _MODES:
        return mode
    raise TypeError(f"task= takes a bool or a TaskConfig, not {task!r}")
