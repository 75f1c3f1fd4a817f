"""``Namespace`` as a server transform (tests/test_transforms.py): a server with tools, a resource, a template
and a prompt, a mounted child, and ``add_transform(Namespace("api"))``; ``NAMESPACED=twice`` adds a second
``Namespace("v2")`` on top. ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself."""

from __future__ import annotations

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.transforms import Namespace
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.transforms import Namespace

mcp = FastMCP("namespaced")


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.resource("config://app")
def config() -> dict:
    return {"debug": False}


@mcp.resource("users://{uid}/card")
def card(uid: str) -> str:
    return f"card of {uid}"


@mcp.prompt
def greet(name: str) -> str:
    return f"Hello {name}"


kid = FastMCP("kid")


@kid.tool
def shout(word: str) -> str:
    return word.upper()


mcp.mount(kid, namespace="kid")
mcp.add_transform(Namespace("api"))
if os.environ.get("NAMESPACED") == "twice":
    mcp.add_transform(Namespace("v2"))


@mcp.tool
def later() -> str:
    """Added after the transform: namespaced too."""
    return "later"


if __name__ == "__main__":
    mcp.run(show_banner=False)
