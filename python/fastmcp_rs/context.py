"""``Context``: what a tool can do besides returning a value (log to the client, report progress)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core import RequestHandle
    from .server import FastMCP

__all__ = ["Context"]

_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


class Context:
    """Injected into any tool parameter annotated ``Context``. One per request."""

    __slots__ = ("_fastmcp", "_handle")

    def __init__(self, handle: RequestHandle, fastmcp: FastMCP | None = None) -> None:
        self._handle = handle
        self._fastmcp = fastmcp

    @property
    def fastmcp(self) -> FastMCP | None:
        """The server this request belongs to."""
        return self._fastmcp

    @property
    def request_id(self) -> str:
        """The JSON-RPC id of the request, as a string."""
        return str(self._handle.request_id)

    @property
    def session_id(self) -> str | None:
        """The ``Mcp-Session-Id`` of the HTTP session (``None`` over stdio and stateless HTTP)."""
        return self._handle.session_id

    @property
    def client_id(self) -> str | None:
        return None

    @property
    def protocol_version(self) -> str | None:
        return self._handle.protocol_version

    @property
    def progress_token(self) -> str | int | None:
        return self._handle.progress_token

    async def log(
        self,
        message: Any,
        level: str | None = None,
        logger_name: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Sends a log message to the client (``notifications/message``).

        Accepts FastMCP's order ``log(message, level)`` and the SDK's ``log(level, message)``.
        """
        if level is not None and message in _LEVELS and level not in _LEVELS:
            message, level = level, message
        level = level or "info"
        if level not in _LEVELS:
            raise ValueError(f"unknown log level {level!r}")
        self._handle.log(level, {"msg": message, "extra": extra}, logger_name)

    async def debug(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "debug", logger_name, extra)

    async def info(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "info", logger_name, extra)

    async def warning(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "warning", logger_name, extra)

    async def error(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "error", logger_name, extra)

    async def report_progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Sends ``notifications/progress`` when the client asked for progress (sent a progress token)."""
        self._handle.progress(float(progress), None if total is None else float(total), message)
