"""MCP Apps (tests/test_apps.py): a ``@mcp.tool(app=True)`` tool, one with its own CSP (so a second renderer
resource), one whose Prefab return type alone makes it an app, a ``ui://`` resource of its own, and a
``FastMCPApp`` whose entry tool's UI calls a backend tool with ``CallTool``. Also a sync tool that sets a
``ContextVar``, to show one call's context does not leak into the next."""

from __future__ import annotations

import contextvars

from fastmcp import FastMCP, FastMCPApp
from fastmcp.apps import AppConfig, PrefabAppConfig, ResourceCSP
from prefab_ui.actions.mcp import CallTool
from prefab_ui.app import PrefabApp
from prefab_ui.components import Badge, Button, Column, Heading

mcp = FastMCP("Apps")
LAST: contextvars.ContextVar[str | None] = contextvars.ContextVar("last", default=None)


@mcp.tool(app=True)
def greet(name: str) -> Column:
    """Greet someone."""
    with Column(gap=2) as view:
        Heading(f"Hello, {name}!")
        Badge("app=True")
    return view


@mcp.tool(app=PrefabAppConfig(csp=ResourceCSP(connect_domains=["https://api.example.com"])))
def weather(city: str) -> PrefabApp:
    """Weather, from a page that fetches from api.example.com."""
    with Column() as view:
        Heading(city)
    return PrefabApp(view=view, state={"city": city})


@mcp.tool
def badge(label: str) -> Badge:
    """Returns a Prefab component, so it renders as an app without saying so."""
    return Badge(label)


@mcp.resource("ui://custom/page.html", app=AppConfig(csp=ResourceCSP(resource_domains=["https://cdn.example.com"])))
def page() -> str:
    return "<html><body>custom</body></html>"


@mcp.tool(app=AppConfig(resource_uri="ui://custom/page.html"))
def open_page() -> str:
    """Opens the custom page."""
    return "opened"


@mcp.tool
def remember(value: str) -> str:
    """Sets a ContextVar and answers what it held before (never a previous call's value)."""
    before = LAST.get()
    LAST.set(value)
    return str(before)


notes = FastMCPApp("Notes")
SAVED: list[str] = []


@notes.tool()
def save(text: str) -> str:
    SAVED.append(text)
    return f"saved {len(SAVED)}"


@notes.ui()
def notes_board() -> PrefabApp:
    """Opens the notes board."""
    with Column() as view:
        Heading("Notes")
        Button("Save", on_click=CallTool(save, arguments={"text": "hi"}))
    return PrefabApp(view=view)


mcp.add_provider(notes)
