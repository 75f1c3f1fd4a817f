"""Components for tests/servers/provided.py's FileSystemProvider (standalone decorators)."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp.prompts import prompt
    from fastmcp.resources import resource
    from fastmcp.tools import tool
else:
    from fastmcp_rs.prompts import prompt
    from fastmcp_rs.resources import resource
    from fastmcp_rs.tools import tool


@tool
def zeta(x: int) -> int:
    """Listed after alpha: names are taken in alphabetical order."""
    return x * 10


@tool(name="alpha-tool", tags={"fs"})
def alpha(word: str) -> str:
    """Echo a word.

    Args:
        word: The word to echo.
    """
    return word


@resource("fs://settings", mime_type="application/json")
def settings() -> dict:
    return {"theme": "dark"}


@resource("fs://users/{name}")
def user(name: str) -> str:
    """A user by name.

    Args:
        name: Who.
    """
    return f"user {name}"


@prompt
def fs_prompt(topic: str) -> str:
    return f"About {topic}"


def not_a_component() -> None:
    """Left alone."""
