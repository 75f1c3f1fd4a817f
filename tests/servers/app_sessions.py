"""Application sessions (tests/test_app_sessions.py). ``MW_IMPL=fastmcp`` serves it with FastMCP 4.

A per-user note kept in ``session: UserSession`` (and one optional), a cart kept in the session a
``session_id: SessionId`` names, with ``SessionProvider``'s ``create_session`` / ``end_session``. Over HTTP two
bearer tokens are two principals; ``app_sessions.py http PORT`` serves Streamable HTTP, stdio otherwise.
With ``$STATE_DIR`` set, state (``ctx.set_state`` and the sessions) is kept in a py-key-value
``FileTreeStore`` there (``session_state_store=``), so it outlives the process.
"""

from __future__ import annotations

import os
import sys

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.server.auth.providers.jwt import StaticTokenVerifier
    from fastmcp.server.dependencies import get_session
    from fastmcp.server.sessions import SessionId, SessionProvider, UserSession
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.server.auth.providers.jwt import StaticTokenVerifier
    from fastmcp_rs.server.dependencies import get_session
    from fastmcp_rs.server.sessions import SessionId, SessionProvider, UserSession

HTTP = len(sys.argv) > 2 and sys.argv[1] == "http"
TOKENS = {
    "token-ada": {"client_id": "laptop", "scopes": ["read"], "sub": "ada"},
    "token-alan": {"client_id": "laptop", "scopes": ["read"], "sub": "alan"},
}
STORE = None
if os.environ.get("STATE_DIR"):
    from key_value.aio.stores.filetree import FileTreeStore

    STORE = FileTreeStore(data_directory=os.environ["STATE_DIR"])
mcp = FastMCP("sessions", auth=StaticTokenVerifier(tokens=TOKENS) if HTTP else None, session_state_store=STORE)
mcp.add_provider(SessionProvider())


@mcp.tool
async def remember(fact: str, session: UserSession) -> str:
    """Keep a fact for the calling user."""
    facts = await session.get("facts", [])
    await session.set("facts", [*facts, fact])
    return f"{len(facts) + 1} facts"


@mcp.tool
async def recall(session: UserSession) -> list[str]:
    return await session.get("facts", [])


@mcp.tool
async def who_keeps(session: UserSession | None = None) -> str:
    return "nobody" if session is None else f"a user session (id {session.id})"


@mcp.tool
async def cart_add(session_id: SessionId, item: str) -> list[str]:
    """Add an item to the cart of a session.

    Args:
        session_id: The shopping session.
        item: What to add.
    """
    session = await get_session(session_id)
    items = [*(await session.get("items", [])), item]
    await session.set("items", items)
    return items


@mcp.tool
async def cart(session_id: SessionId) -> dict:
    session = await get_session(session_id)
    return {"id_matches": session.id == session_id, "items": await session.get("items", [])}


@mcp.tool
async def empty_cart(session_id: SessionId) -> str:
    session = await get_session(session_id)
    await session.clear()
    await session.delete("never-set")
    return "emptied"


@mcp.tool
async def note(text: str, ctx: Context) -> str | None:
    """Keep a note in the connection's state; returns the one it replaced."""
    before = await ctx.get_state("note")
    await ctx.set_state("note", text)
    return before


@mcp.tool
async def raw_state(ctx: Context) -> dict | None:
    """What the state store holds for this connection's note (None without a store)."""
    if STORE is None:
        return None
    return await STORE.get(key=f"{ctx.session_id}:note", collection="fastmcp_state")


if __name__ == "__main__":
    if HTTP:
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
