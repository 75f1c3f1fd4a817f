"""``fastmcp_tasks``: what FastMCP 4 users install to get background tasks, served here by the core.

FastMCP 4 serves ``task=True`` tools only with the separate ``fastmcp-tasks`` package registered
(``mcp.add_extension(TasksExtension(...))``), which runs them on a Docket worker. fastmcp-rs has the tasks
extension in its core, so ``TasksExtension()`` is accepted and changes nothing: tasks are kept in memory by the
server process (the Docket URL and worker settings are not used). Under ``fastmcp-rs run`` a file's
``from fastmcp_tasks import TasksExtension`` is served from here; a file edited for fastmcp_rs writes
``from fastmcp_rs.server.tasks import TasksExtension``.
"""

from __future__ import annotations

from typing import Any

from ..utilities.tasks import TASKS_EXTENSION_ID, TaskConfig, TaskMode

__all__ = ["TASKS_EXTENSION_ID", "TaskConfig", "TaskMode", "TasksExtension"]


class TasksExtension:
    """The tasks extension (``io.modelcontextprotocol/tasks``). Its arguments (``docket_url=``, worker
    settings) are accepted for compatibility; the core runs the tasks itself."""

    identifier = TASKS_EXTENSION_ID

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options = {"args": args, **kwargs}

    def settings(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return "TasksExtension()"
