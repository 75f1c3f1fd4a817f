"""Servers made by factory functions, no module-level instance (tests/test_cli.py)."""

import asyncio
import sys

from fastmcp import FastMCP


def create_server() -> FastMCP:
    server = FastMCP("sync-factory")

    @server.tool
    def origin() -> str:
        return "sync"

    return server


async def make_async() -> FastMCP:
    await asyncio.sleep(0)
    server = FastMCP("async-factory")
    loop = asyncio.get_running_loop()

    @server.tool
    async def origin() -> str:
        # The factory ran on the loop that serves the calls.
        return f"async same-loop={asyncio.get_running_loop() is loop}"

    return server


def not_a_server() -> int:
    return 42


if "--fail" in sys.argv:
    raise RuntimeError("factory module refused to load")
