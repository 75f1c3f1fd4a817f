"""``mcp._mcp_server``: what SDK v1 code reaches for when it drives a server over in-memory streams.

SDK v1 test suites (and the SDK's own examples, such as ``weather_structured.py``) connect a client with
``mcp.shared.memory.create_connected_server_and_client_session(mcp._mcp_server)``, which calls
``server.run(read_stream, write_stream, server.create_initialization_options())`` with a pair of anyio memory
streams of ``SessionMessage``. Here that run is one in-memory connection to the native core (the same one
``Client(mcp)`` uses): messages read from ``read_stream`` go to the core as JSON, and what the core sends is
parsed back into the installed SDK's message type and written to ``write_stream``. Works with SDK v1 and v2.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["LowLevelServer"]


def _message_parser() -> Any:
    import mcp.types as mcp_types

    adapter = getattr(mcp_types, "jsonrpc_message_adapter", None)  # SDK v2
    if adapter is not None:
        return lambda data: adapter.validate_json(data, by_name=False)
    return mcp_types.JSONRPCMessage.model_validate_json  # SDK v1


class LowLevelServer:
    """The part of the SDK's low-level ``Server`` that in-memory drivers use: ``name``, ``run`` and
    ``create_initialization_options``."""

    def __init__(self, server: Any) -> None:
        self.fastmcp = server

    @property
    def name(self) -> str:
        return str(self.fastmcp.name)

    @property
    def version(self) -> str | None:
        return getattr(self.fastmcp, "version", None)

    @property
    def instructions(self) -> str | None:
        return getattr(self.fastmcp, "instructions", None)

    def create_initialization_options(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The core negotiates the handshake itself; this is only handed back to ``run``."""
        return {"server_name": self.name, "server_version": self.version, "instructions": self.instructions}

    async def run(
        self,
        read_stream: Any,
        write_stream: Any,
        initialization_options: Any = None,
        raise_exceptions: bool = False,
        stateless: bool = False,
    ) -> None:
        """Serves one connection over the stream pair until ``read_stream`` ends or the run is cancelled."""
        import anyio
        from mcp.shared.message import SessionMessage

        from .memory import acquire_run, release_run

        parse = _message_parser()
        run = await acquire_run(self.fastmcp)
        try:
            outgoing_send, outgoing = anyio.create_memory_object_stream[Any](float("inf"))

            def on_message(data: bytes | str) -> None:  # on the loop thread, one message each
                try:
                    item: Any = SessionMessage(parse(data))
                except ValueError as exc:
                    item = exc
                with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                    outgoing_send.send_nowait(item)

            conn = self.fastmcp._native.connect_memory(on_message)

            async def forward_out() -> None:
                async with outgoing:
                    async for item in outgoing:
                        await write_stream.send(item)

            try:
                async with outgoing_send, anyio.create_task_group() as tg:
                    tg.start_soon(forward_out)
                    async with read_stream:
                        async for item in read_stream:
                            if isinstance(item, Exception):
                                if raise_exceptions:
                                    raise item
                                continue
                            conn.send(item.message.model_dump_json(by_alias=True, exclude_unset=True).encode())
                    tg.cancel_scope.cancel()
            finally:
                conn.close()
        finally:
            with anyio.CancelScope(shield=True):
                await release_run(self.fastmcp, run)
