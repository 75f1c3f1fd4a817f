"""``fastmcp.utilities.tests``: helpers for testing servers, as FastMCP 4 documents them (development/tests):
``run_server_async`` (a server on a real port in this process, for the length of an ``async with``),
``run_server_in_process`` (a server function run in a separate process), ``temporary_settings`` (settings
overridden for a block) and ``find_available_port``.

Where this differs from FastMCP 4: ``run_server_in_process`` starts its process with ``spawn`` (a fresh
interpreter), not the platform's default ``fork``, because a forked copy of a process whose native core has
already served cannot serve; ``server_fn`` and its arguments must therefore be picklable (a module-level
function). FastMCP 4's in-process ASGI helpers (``asgi_server``, ``asgi_client``, ``ASGIServer``) and
``HeadlessOAuth`` are not here."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import multiprocessing
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..server.server import FastMCP

__all__ = ["find_available_port", "run_server_async", "run_server_in_process", "temporary_settings"]

#: How long ``run_server_in_process`` waits for its process to listen (a fresh interpreter imports everything).
_PROCESS_START_TIMEOUT = 30.0


def find_available_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on at ``host`` now, chosen by the operating system."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# -- settings ---------------------------------------------------------------------------------------------


def _owner(settings: Any, name: str) -> tuple[Any, str]:
    """The object holding setting ``name`` (``a__b`` is field ``b`` of setting ``a``) and the field's name."""
    while "__" in name:
        parent, name = name.split("__", 1)
        if not hasattr(settings, parent):
            raise AttributeError(f"Setting {parent} does not exist.")
        settings = getattr(settings, parent)
    return settings, name


@contextlib.contextmanager
def temporary_settings(**kwargs: Any) -> Iterator[None]:
    """Sets ``fastmcp_rs.settings`` fields (``FASTMCP_*``) for the block, validated as assignments are, and puts
    the previous values back after it. A name with ``__`` sets a nested field."""
    from .. import settings as settings_module

    settings = settings_module.current()
    fields_set = set(settings.model_fields_set)
    saved = {}
    for name in kwargs:
        owner, field = _owner(settings, name)
        saved[name] = copy.deepcopy(getattr(owner, field))
    try:
        for name, value in kwargs.items():
            owner, field = _owner(settings, name)
            setattr(owner, field, value)
        yield
    finally:
        for name, value in saved.items():
            owner, field = _owner(settings, name)
            setattr(owner, field, value)
        # A field set only for the block is not left looking as if the environment had set it.
        object.__setattr__(settings, "__pydantic_fields_set__", fields_set)


# -- a server in another process ------------------------------------------------------------------------------


def _wait_for_process(process: Any, host: str, port: int) -> None:
    deadline = time.monotonic() + _PROCESS_START_TIMEOUT
    while True:
        if not process.is_alive():
            raise RuntimeError(f"Server process exited (code {process.exitcode}) before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"Server process did not listen on {host}:{port} within {_PROCESS_START_TIMEOUT:g} seconds"
                ) from None
            time.sleep(0.05)


@contextlib.contextmanager
def run_server_in_process(
    server_fn: Callable[..., None],
    *args: Any,
    provide_host_and_port: bool = True,
    host: str = "127.0.0.1",
    port: int | None = None,
    **kwargs: Any,
) -> Iterator[str]:
    """Runs ``server_fn(*args, **kwargs)`` (a function that builds a server and runs it over HTTP) in a new
    process, and yields ``http://host:port`` once something listens there; the process is terminated (then
    killed, if it lingers) when the block ends.

    Args:
        server_fn: A module-level function (servers are not picklable, so the process builds its own).
        *args: Positional arguments for ``server_fn``.
        provide_host_and_port: Whether ``host`` and ``port`` are passed to ``server_fn`` as keywords.
        host: The address the server is expected on.
        port: The port it is expected on (a free one by default).
        **kwargs: Keyword arguments for ``server_fn``.
    """
    if port is None:
        port = find_available_port(host)
    if provide_host_and_port:
        kwargs = {**kwargs, "host": host, "port": port}
    process = multiprocessing.get_context("spawn").Process(target=server_fn, args=args, kwargs=kwargs, daemon=True)
    process.start()
    try:
        _wait_for_process(process, host, port)
        yield _origin(host, port)
    finally:
        process.terminate()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=2)
            if process.is_alive():
                raise RuntimeError("Server process failed to terminate even after kill")


# -- a server in this process ---------------------------------------------------------------------------------


async def _wait_for_task(task: asyncio.Task[None], host: str, port: int) -> None:
    """Until ``host:port`` accepts a connection (the server listens once its lifespan has started); a run that
    ends first raises its error."""
    while True:
        if task.done():
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
            raise RuntimeError(f"Server stopped before listening on {host}:{port}")
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.005)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


@contextlib.asynccontextmanager
async def run_server_async(
    server: FastMCP,
    port: int | None = None,
    transport: Literal["http", "streamable-http", "sse"] = "http",
    path: str = "/mcp",
    host: str = "127.0.0.1",
) -> AsyncIterator[str]:
    """Serves ``server`` over HTTP on a real port, as a task of the running event loop, and yields the URL of
    its MCP endpoint (``http://host:port/mcp``) once it listens; the run is cancelled when the block ends.

    Args:
        server: The server.
        port: The port (a free one by default).
        transport: ``"http"`` / ``"streamable-http"`` (Streamable HTTP) or ``"sse"`` (the legacy SSE transport,
            whose event stream is then at ``path``).
        path: The endpoint's path.
        host: The address to bind.

    Example:
        ```python
        async with run_server_async(mcp) as url:
            async with Client(url) as client:
                result = await client.call_tool("greet", {"name": "World"})
        ```
    """
    if port is None:
        port = find_available_port(host)
    where = {"sse_path": path} if transport == "sse" else {"path": path}
    task = asyncio.create_task(
        server.run_http_async(host=host, port=port, transport=transport, show_banner=False, **where)
    )
    try:
        await _wait_for_task(task, host, port)
        yield f"{_origin(host, port)}{path}"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
            await asyncio.wait_for(task, timeout=2.0)
