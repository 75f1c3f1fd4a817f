"""A proxy in front of ``$UPSTREAM_URL`` (tests/test_proxy.py). ``MW_IMPL=fastmcp`` makes it FastMCP 4's.

``PROXY_SHAPE`` picks how it is made: ``url`` (``create_proxy(url)``), ``mounted`` (a server with a tool of its
own that mounts that proxy under ``up``), ``config`` (an MCPConfig naming one server) or ``routed`` (an MCPConfig
naming two, each served under its name); ``upstream_identity`` is the first with ``identity="upstream"``."""

from __future__ import annotations

import os
import sys

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server import create_proxy
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server import create_proxy

if os.environ.get("PROXY_NATIVE_ONLY"):
    # tests/test_proxy.py: a proxy whose upstream the core speaks (an HTTP URL) has every call, read and
    # prompt forwarded by the core, never by its Python path (which a proxy of an in-memory server,
    # MCPRouter's, still takes).
    from fastmcp_rs.server.providers.proxy import FastMCPProxy

    _python_call = FastMCPProxy._call_tool

    async def _refuse(self: FastMCPProxy, name: str, arguments: dict) -> dict:
        if self._upstream_native is not None:
            raise AssertionError(f"the call of {name!r} was forwarded from Python")
        return await _python_call(self, name, arguments)

    FastMCPProxy._call_tool = _refuse  # type: ignore[method-assign]
    _python_read, _python_prompt = FastMCPProxy._read, FastMCPProxy._get_prompt

    async def _refuse_read(self: FastMCPProxy, backend_uri: str, uri: str) -> dict:
        if self._upstream_native is not None:
            raise AssertionError(f"the read of {uri!r} was forwarded from Python")
        return await _python_read(self, backend_uri, uri)

    async def _refuse_prompt(self: FastMCPProxy, name: str, arguments: dict) -> dict:
        if self._upstream_native is not None:
            raise AssertionError(f"the prompt {name!r} was forwarded from Python")
        return await _python_prompt(self, name, arguments)

    FastMCPProxy._read = _refuse_read  # type: ignore[method-assign]
    FastMCPProxy._get_prompt = _refuse_prompt  # type: ignore[method-assign]

URL = os.environ["UPSTREAM_URL"]
SHAPE = os.environ.get("PROXY_SHAPE", "url")

if SHAPE == "url":
    proxy = create_proxy(URL, name="front")
elif SHAPE == "mounted":
    proxy = FastMCP("parent")

    @proxy.tool
    def local(x: int) -> int:
        return x * 10

    proxy.mount(create_proxy(URL), namespace="up")
elif SHAPE == "upstream_identity":
    proxy = create_proxy(URL, name="front", identity="upstream")
elif SHAPE == "config":
    proxy = create_proxy({"mcpServers": {"only": {"url": URL}}}, name="front")
else:
    proxy = create_proxy({"mcpServers": {"east": {"url": URL}, "west": {"url": URL}}}, name="front")

if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        proxy.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        proxy.run(show_banner=False)
