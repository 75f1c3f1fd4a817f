"""Dependency injection (tests/test_dependencies.py). ``MW_IMPL=fastmcp`` serves it with FastMCP 4.

A sqlite connection opened per call by a ``Depends`` context manager (its opening and closing logged), a user
loaded from it through ``CallArgument``, an ``httpx.AsyncClient`` shared by every call (``Shared``) that
fetches from the local HTTP server at ``$UPSTREAM``, the server, the request's headers and the caller's token
claims (``CurrentFastMCP``, ``CurrentHeaders``, ``TokenClaim``, ``CurrentAccessToken``; a bearer token is
checked over HTTP), ``Progress``, a dependency that fails, one that raises ``ToolError``, a generator result
that reads the connection, and a resource template and a prompt with dependencies of their own.
``injected.py http PORT`` serves Streamable HTTP; without arguments, stdio.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
from pydantic import BaseModel

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.dependencies import (
        CallArgument,
        CurrentAccessToken,
        CurrentContext,
        CurrentFastMCP,
        CurrentHeaders,
        Depends,
        Progress,
        Shared,
        TokenClaim,
    )
    from fastmcp.exceptions import ToolError
    from fastmcp.server.auth.providers.jwt import StaticTokenVerifier
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.dependencies import (
        CallArgument,
        CurrentAccessToken,
        CurrentContext,
        CurrentFastMCP,
        CurrentHeaders,
        Depends,
        Progress,
        Shared,
        TokenClaim,
    )
    from fastmcp_rs.exceptions import ToolError
    from fastmcp_rs.server.auth.providers.jwt import StaticTokenVerifier

HTTP = len(sys.argv) > 2 and sys.argv[1] == "http"
TOKENS = {"secret-ada": {"client_id": "ada-laptop", "scopes": ["read"], "sub": "ada", "team": "core"}}
mcp = FastMCP("injected", auth=StaticTokenVerifier(tokens=TOKENS) if HTTP else None)
EVENTS: list[str] = []
SHARED_OPENED: list[int] = []


class User(BaseModel):
    id: int
    name: str
    email: str


@contextlib.contextmanager
def get_db() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("create table users (id integer primary key, name text, email text)")
    db.executemany("insert into users values (?, ?, ?)", [(1, "Ada", "ada@example.com"), (2, "Alan", "alan@x.org")])
    EVENTS.append("open")
    try:
        yield db
    finally:
        db.close()
        EVENTS.append("close")


def load_user(user_id: int = CallArgument(), db: sqlite3.Connection = Depends(get_db)) -> User:
    row = db.execute("select id, name, email from users where id = ?", (user_id,)).fetchone()
    if row is None:
        raise ToolError(f"no user {user_id}")
    return User(id=row[0], name=row[1], email=row[2])


@contextlib.asynccontextmanager
async def upstream() -> AsyncIterator[httpx.AsyncClient]:
    SHARED_OPENED.append(1)
    async with httpx.AsyncClient(base_url=os.environ.get("UPSTREAM", "http://127.0.0.1:9")) as client:
        yield client


def needs_config() -> str:
    raise KeyError("API_KEY")


@mcp.tool
async def profile(user_id: int, user: User = Depends(load_user)) -> User:
    """A user's profile, from the per-call connection."""
    return user


@mcp.tool
def count_users(prefix: str, db: Annotated[sqlite3.Connection, Depends(get_db)], ctx: Context) -> dict:
    """A sync tool with an Annotated dependency and the Context: it runs off the event loop's thread."""
    (n,) = db.execute("select count(*) from users where name like ?", (prefix + "%",)).fetchone()
    return {
        "count": n,
        "context": type(ctx).__name__,
        "main_thread": threading.current_thread() is threading.main_thread(),
    }


@mcp.tool
async def fetch(path: str, client: httpx.AsyncClient = Shared(upstream)) -> dict:
    """A GET through the one client every call shares."""
    response = await client.get(path)
    return {"status": response.status_code, "body": response.text, "clients_opened": len(SHARED_OPENED)}


@mcp.tool
async def who(server: FastMCP = CurrentFastMCP(), ctx: Context = CurrentContext()) -> str:
    return f"{server.name} {type(ctx).__name__}"


@mcp.tool
async def headers_seen(headers: dict = CurrentHeaders()) -> dict:
    return {k: v for k, v in headers.items() if k in ("x-team", "authorization")}


@mcp.tool
async def claims(sub: str = TokenClaim("sub"), token=CurrentAccessToken()) -> str:
    return f"{sub} {token.client_id} {sorted(token.scopes)}"


@mcp.tool
async def steps(n: int, progress: Progress = Progress()) -> str:
    await progress.set_total(n)
    for i in range(n):
        await progress.increment()
        await progress.set_message(f"step {i + 1}")
    return f"{progress.current}/{progress.total}: {progress.message}"


@mcp.tool
async def misconfigured(x: int = 0, key: str = Depends(needs_config)) -> str:
    return key


@mcp.tool
def names(db: sqlite3.Connection = Depends(get_db)) -> Iterator[str]:
    """A generator result: it is read while the connection is still open."""
    for (name,) in db.execute("select name from users order by id"):
        yield name


@mcp.tool
def events() -> list[str]:
    return EVENTS


@mcp.resource("users://{user_id}/email")
def user_email(user_id: int, user: User = Depends(load_user)) -> str:
    return user.email


@mcp.prompt
async def greet(user_id: int, user: User = Depends(load_user)) -> str:
    return f"Write a greeting for {user.name}."


if __name__ == "__main__":
    if HTTP:
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
