"""A stdio server whose tools write to stdout the ways real tools do: ``print()``, ``os.system``, a subprocess,
and a write straight to file descriptor 1 (tests/test_stdio_raw.py: none of it may reach the protocol stream)."""

import os
import subprocess
import sys

from fastmcp_rs import FastMCP

if os.environ.get("NOISY_AT_IMPORT"):
    print("printed at import")  # buffered until the server starts, which sends it to stderr

mcp = FastMCP("noisy")


@mcp.tool
def noisy_print() -> str:
    print("printed by a tool")
    return "printed"


@mcp.tool
async def noisy_async() -> str:
    print("printed by an async tool", flush=True)
    return "printed async"


@mcp.tool
def noisy_shell() -> str:
    os.system("echo from a shell")
    return "shelled"


@mcp.tool
def noisy_subprocess() -> str:
    subprocess.run([sys.executable, "-c", "print('from a subprocess')"], check=True)
    return "spawned"


@mcp.tool
def noisy_fd() -> str:
    os.write(1, b"straight to fd 1\n")
    return "written"


if __name__ == "__main__":
    mcp.run()
