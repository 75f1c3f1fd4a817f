"""A ``Provider`` subclass of the user's own (tests/test_providers.py): tools, resources, templates and prompts
kept in a SQLite database (stdlib ``sqlite3``, read in a worker thread), a ``Tool`` subclass with fields of
its own, a provider lifespan that creates the database, a namespace, pagination and a tag filter on the
server. ``new_rule`` adds a row, so the next listing has one more tool. ``MW_IMPL=fastmcp`` serves it with
FastMCP 4 itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.prompts import Prompt
    from fastmcp.resources import Resource
    from fastmcp.server.providers import Provider
    from fastmcp.tools import Tool, ToolResult
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.prompts import Prompt
    from fastmcp_rs.resources import Resource
    from fastmcp_rs.server.providers import Provider
    from fastmcp_rs.tools import Tool, ToolResult

DB = Path(os.environ.get("PROVIDER_DB") or Path(tempfile.mkdtemp()) / "rules.db")
SCHEMA = {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]}


class RateTool(Tool):
    """A tool whose behaviour is a row: it multiplies by its rate."""

    rate: float
    currency: str = "EUR"

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        value = arguments["amount"] * self.rate
        return ToolResult(structured_content={"value": value, "currency": self.currency})


class Banner(Resource):
    text: str = ""

    async def read(self) -> str:
        return self.text


class Greeting(Prompt):
    template: str = "Hello {name}"

    async def render(self, arguments: dict[str, Any] | None = None) -> str:
        return self.template.format(**(arguments or {}))


def _rows(query: str) -> list[sqlite3.Row]:
    with sqlite3.connect(DB) as db:
        db.row_factory = sqlite3.Row
        return db.execute(query).fetchall()


class RulesProvider(Provider):
    @contextlib.asynccontextmanager
    async def lifespan(self):
        with sqlite3.connect(DB) as db:
            db.execute("CREATE TABLE IF NOT EXISTS rules (name TEXT PRIMARY KEY, rate REAL, currency TEXT, tag TEXT)")
            db.executemany(
                "INSERT OR REPLACE INTO rules VALUES (?, ?, ?, ?)",
                [
                    ("to_usd", 1.1, "USD", "fx"),
                    ("to_gbp", 0.85, "GBP", "fx"),
                    ("vat", 1.2, "EUR", "tax"),
                    ("secret", 9.0, "XXX", "internal"),
                ],
            )
        yield

    async def _list_tools(self) -> Sequence[Tool]:
        rows = await asyncio.to_thread(_rows, "SELECT * FROM rules ORDER BY name")
        return [
            RateTool(
                name=r["name"],
                description=f"Multiplies by {r['rate']}",
                parameters=SCHEMA,
                tags={r["tag"]},
                rate=r["rate"],
                currency=r["currency"],
            )
            for r in rows
        ]

    async def _list_resources(self) -> Sequence[Resource]:
        return [Banner(uri="rules://banner", name="banner", text="Rates are indicative.")]

    async def _list_prompts(self) -> Sequence[Prompt]:
        return [Greeting(name="greet", description="Greets")]


mcp = FastMCP("rules", list_page_size=2)


@mcp.tool
def new_rule(name: str, rate: float) -> str:
    with sqlite3.connect(DB) as db:
        db.execute("INSERT OR REPLACE INTO rules VALUES (?, ?, 'CHF', 'fx')", (name, rate))
    return f"added {name}"


mcp.add_provider(RulesProvider(), namespace="db")
mcp.disable(tags={"internal"})

if __name__ == "__main__":
    mcp.run(show_banner=False)
