"""Seed server: an internal CRM (customers and account-manager notes).

Modelled on the "FastMCP server in 40 lines" guide: async tools returning pydantic models. The HTTP calls
to the CRM are replaced by an in-memory fake so the results are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastmcp_rs import FastMCP
from fastmcp_rs.exceptions import ToolError
from pydantic import BaseModel

mcp = FastMCP("internal-crm")


class Customer(BaseModel):
    id: str
    name: str
    tier: str
    mrr: float


# ---- in-memory stand-in for https://crm.internal/api ------------------------------------------------

_CUSTOMERS = [
    {"id": "cus_001", "name": "Acme Corp", "email": "billing@acme.example", "tier": "enterprise", "mrr": 12000.0},
    {"id": "cus_002", "name": "Globex", "email": "ops@globex.example", "tier": "growth", "mrr": 2499.5},
    {"id": "cus_003", "name": "Initech", "email": "peter@initech.example", "tier": "starter", "mrr": 99.0},
    {"id": "cus_004", "name": "Acme Subsidiary", "email": "sub@acme.example", "tier": "growth", "mrr": 1500.25},
    {"id": "cus_005", "name": "Umbrella", "email": "it@umbrella.example", "tier": "enterprise", "mrr": 30000.0},
]

_NOTES = {
    "cus_001": "Renewal due in Q3. Champion: Dana (VP Eng). Asked about SSO pricing.",
    "cus_002": "Expanding to EU region; wants data-residency guarantees.",
    "cus_003": "Low usage last 30 days — schedule a check-in.",
    "cus_005": "",
}


@dataclass
class _FakeResponse:
    status_code: int
    payload: object = None
    text: str = ""

    def json(self) -> object:
        return self.payload


class _FakeCrmClient:
    """Mimics the small part of httpx.AsyncClient the tools use."""

    async def __aenter__(self) -> _FakeCrmClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def get(self, url: str, params: dict | None = None) -> _FakeResponse:
        path = url.removeprefix("https://crm.internal")
        if path == "/api/search":
            q = (params or {}).get("q", "").lower()
            tier = (params or {}).get("tier")
            rows = [
                {k: v for k, v in row.items() if k != "email"}
                for row in _CUSTOMERS
                if (q in row["name"].lower() or q in row["email"].lower()) and (tier is None or row["tier"] == tier)
            ]
            return _FakeResponse(200, rows)
        if path.startswith("/api/notes/"):
            customer_id = path.rsplit("/", 1)[1]
            if customer_id not in _NOTES:
                return _FakeResponse(404, text="not found")
            return _FakeResponse(200, text=_NOTES[customer_id])
        return _FakeResponse(404, text="not found")


def _client() -> _FakeCrmClient:
    return _FakeCrmClient()


@mcp.tool()
async def search_customers(query: str, tier: str | None = None) -> list[Customer]:
    """Search the CRM for customers by name or email. Optionally filter by tier."""
    async with _client() as client:
        r = await client.get(
            "https://crm.internal/api/search",
            params={"q": query, "tier": tier},
        )
        return [Customer(**row) for row in r.json()]


@mcp.tool()
async def get_customer_notes(customer_id: str) -> str:
    """Fetch the latest account-manager notes for a customer."""
    async with _client() as client:
        r = await client.get(f"https://crm.internal/api/notes/{customer_id}")
        if r.status_code != 200:
            raise ToolError(f"CRM returned {r.status_code} for customer {customer_id!r}")
        return r.text


if __name__ == "__main__":
    mcp.run()
