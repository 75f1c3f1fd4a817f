"""``AggregateProvider`` and ``FastMCPProvider`` (tests/test_providers.py): two ``LocalProvider``s combined,
one under a namespace, and a child server added as a ``FastMCPProvider``. ``MW_IMPL=fastmcp`` serves it with
FastMCP 4 itself."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.providers import AggregateProvider, FastMCPProvider, LocalProvider
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.providers import AggregateProvider, FastMCPProvider, LocalProvider

db = LocalProvider()
api = LocalProvider()


@db.tool
def query(sql: str) -> list[dict]:
    """Run a query."""
    return [{"sql": sql, "rows": 0}]


@db.resource("db://schema")
def schema() -> str:
    return "create table t (id int)"


@api.tool
def fetch(path: str) -> str:
    return f"GET {path}"


@api.prompt
def explain(topic: str) -> str:
    return f"Explain {topic}."


combined = AggregateProvider([db])
combined.add_provider(api, namespace="api")

child = FastMCP("child")


@child.tool
def ping_child() -> str:
    return "pong"


mcp = FastMCP("aggregated", providers=[combined])
mcp.add_provider(FastMCPProvider(child), namespace="kid")


@mcp.tool
def own(x: int) -> int:
    return x + 1


if __name__ == "__main__":
    mcp.run(show_banner=False)
