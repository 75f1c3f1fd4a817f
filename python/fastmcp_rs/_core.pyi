"""Type stubs for the native module ``fastmcp_rs._core`` (kept by hand, like pydantic-core's)."""

import asyncio
from collections.abc import Callable
from typing import Any

__version__: str

class RequestHandle:
    """The Rust side of a ``Context``: the request it belongs to."""

    def log(self, level: str, data: Any, logger: str | None = None) -> bool: ...
    def progress(self, progress: float, total: float | None = None, message: str | None = None) -> bool: ...
    @property
    def request_id(self) -> int | str: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def progress_token(self) -> int | str | None: ...
    @property
    def protocol_version(self) -> str | None: ...
    @property
    def tool_name(self) -> str: ...
    @property
    def client_capabilities(self) -> dict[str, Any] | None: ...

class ServerHandle:
    """A running server."""

    def fileno(self) -> int: ...
    def drain(self) -> None: ...
    def shutdown(self) -> None: ...
    def wait_closed(self, future: asyncio.Future[None]) -> None: ...
    def close(self) -> None: ...
    @property
    def address(self) -> tuple[str, int] | None: ...

class NativeServer:
    """The tool registry and dispatcher, with the Python callables behind each tool."""

    def __init__(
        self,
        name: str,
        version: str,
        *,
        tool_error: type[BaseException],
        context_factory: Callable[[RequestHandle], Any],
        instructions: str | None = None,
        title: str | None = None,
        website_url: str | None = None,
        list_page_size: int | None = None,
        mask_error_details: bool = False,
        max_threads: int = 40,
    ) -> None: ...
    def add_tool(
        self,
        definition: str,
        func: Callable[..., Any],
        *,
        is_async: bool,
        prepare: Callable[[dict[str, Any]], dict[str, Any]],
        convert: Callable[[Any], dict[str, Any]],
        context_param: str | None = None,
        plain_arguments: bool = False,
        result_shape: str | None = None,
        timeout: float | None = None,
    ) -> None: ...
    def remove_tool(self, name: str) -> bool: ...
    def attach_loop(self, create_task: Callable[..., Any]) -> None: ...
    def start_stdio(self, create_task: Callable[..., Any] | None) -> ServerHandle: ...
    def start_http(
        self,
        create_task: Callable[..., Any],
        host: str,
        port: int,
        *,
        path: str = "/mcp",
        json_response: bool = False,
        stateless: bool = False,
        max_body_bytes: int = 4194304,
        max_sessions: int = 100000,
        session_idle_timeout: float = 1800.0,
        max_concurrent_requests: int = 4096,
        dns_rebinding_protection: bool | None = None,
        allowed_hosts: list[str] = ...,
        allowed_origins: list[str] = ...,
    ) -> ServerHandle: ...
