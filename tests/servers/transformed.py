"""Transforms that turn prompts and resources into tools (tests/test_transforms.py). ``MW_IMPL=fastmcp``
serves it with FastMCP 4 itself."""

from __future__ import annotations

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.prompts import Message
    from fastmcp.server.transforms import PromptsAsTools, ResourcesAsTools, Visibility
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.prompts import Message
    from fastmcp_rs.server.transforms import PromptsAsTools, ResourcesAsTools, Visibility

mcp = FastMCP("transformed")


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.prompt
def review(code: str, language: str = "python") -> str:
    """Review some code."""
    return f"Review this {language} code:\n{code}"


@mcp.prompt
def dialogue(topic: str) -> list[Message]:
    return [Message(f"Tell me about {topic}"), Message(f"{topic} is interesting.", role="assistant")]


@mcp.resource("config://app", description="The app's settings.")
def app_config() -> dict:
    return {"debug": False, "level": 3}


@mcp.resource("data://logo", mime_type="image/png")
def logo() -> bytes:
    return b"\x89PNG\r\n"


@mcp.resource("users://{user_id}/profile")
def profile(user_id: int) -> dict:
    """A user's profile."""
    return {"id": user_id, "name": f"user{user_id}"}


@mcp.tool(tags={"hidden"})
def secret() -> str:
    return "hidden by a Visibility transform"


@mcp.prompt(tags={"hidden"})
def secret_prompt() -> str:
    return "hidden too"


mcp.add_transform(Visibility(False, tags={"hidden"}))
mcp.add_transform(PromptsAsTools(mcp))
mcp.add_transform(ResourcesAsTools(mcp))


@mcp.tool
def later() -> str:
    """Registered after the transforms: listed before their tools."""
    return "later"


if __name__ == "__main__":
    mcp.run(show_banner=False)
