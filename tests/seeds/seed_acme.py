"""Seed server: "acme-tools" from the FastAPI/streamable-HTTP guide (run here over stdio).

A smoke-test tool, a tool taking a pydantic model with ``Field`` constraints, ``Literal`` and a regex
pattern, and tools that raise ``ToolError`` / ``ValueError``. The tracker and user directory are
in-memory fakes.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastmcp_rs import FastMCP
from fastmcp_rs.exceptions import ToolError
from pydantic import BaseModel, Field

mcp = FastMCP("acme-tools", version="0.1.0")


class CreateIssueArgs(BaseModel):
    title: str = Field(..., min_length=3, max_length=200)
    body: str = Field("", description="Markdown body. Optional.")
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    assignee: str | None = Field(None, pattern=r"^[a-z0-9-]+$")


# ---- in-memory stand-ins ------------------------------------------------------------------------------

_ISSUES: list[dict] = []
_USERS = {
    "u100": {"id": "u100", "login": "dana", "name": "Dana Scully", "admin": True},
    "u200": {"id": "u200", "login": "fox", "name": "Fox Mulder", "admin": False},
}
_UPSTREAM = asyncio.Semaphore(8)  # cap upstream concurrency, as the guide recommends


@mcp.tool()
def ping(message: str = "hello") -> str:
    """Echo a message back. Useful as a smoke test."""
    return f"pong: {message}"


@mcp.tool()
def create_issue(args: CreateIssueArgs) -> dict:
    """Create an issue in the internal tracker."""
    number = 1042 + len(_ISSUES)
    _ISSUES.append({"number": number, **args.model_dump()})
    return {
        "id": f"ISS-{number}",
        "url": f"https://tracker.internal/iss/{number}",
        "severity": args.severity,
    }


@mcp.tool()
def list_issues(
    severity: Literal["low", "medium", "high", "critical"] | None = None,
    assignee: Annotated[str | None, Field(pattern=r"^[a-z0-9-]+$")] = None,
    title_contains: Annotated[str, Field(max_length=12, description="Case-insensitive part of the title.")] = "",
    limit: Annotated[int, Field(ge=1, le=50, description="Maximum number of issues to return.")] = 10,
) -> list[dict]:
    """List issues in the internal tracker, newest first. Filters are combined with AND."""
    found = [
        {"id": f"ISS-{i['number']}", "title": i["title"], "severity": i["severity"], "assignee": i["assignee"]}
        for i in reversed(_ISSUES)
        if (severity is None or i["severity"] == severity)
        and (assignee is None or i["assignee"] == assignee)
        and title_contains.lower() in i["title"].lower()
    ]
    return found[:limit]


@mcp.tool()
async def fetch_user(user_id: str) -> dict:
    """Fetch a user from the directory by alphanumeric ID."""
    if not user_id.isalnum():
        raise ToolError(f"invalid user_id: {user_id!r}")
    async with _UPSTREAM:
        await asyncio.sleep(0)
        user = _USERS.get(user_id)
    if user is None:
        raise ValueError(f"user {user_id} not found (upstream status 404)")
    return user


if __name__ == "__main__":
    mcp.run()
