"""FastMCP 4's wrappers of another server's components (``FastMCPProviderTool.wrap(server, tool)`` and the
resource, template and prompt kin) added to a second server: listed as the wrapped ones, and each call, read
and render served by the first server, its middleware included. Built with FastMCP 4.2.3 and with fastmcp-rs,
driven by each one's in-memory client; what both see must be the same."""

from __future__ import annotations

import asyncio
from typing import Any


def build(impl: str) -> tuple[Any, Any, list[str]]:
    if impl == "fastmcp":
        from fastmcp import Client, FastMCP
        from fastmcp.server.middleware import Middleware
        from fastmcp.server.providers.fastmcp_provider import (
            FastMCPProviderPrompt,
            FastMCPProviderResource,
            FastMCPProviderResourceTemplate,
            FastMCPProviderTool,
        )
    else:
        from fastmcp_rs import Client, FastMCP
        from fastmcp_rs.server.middleware import Middleware
        from fastmcp_rs.server.providers.fastmcp_provider import (
            FastMCPProviderPrompt,
            FastMCPProviderResource,
            FastMCPProviderResourceTemplate,
            FastMCPProviderTool,
        )
    seen: list[str] = []

    class Watch(Middleware):
        async def on_call_tool(self, context: Any, call_next: Any) -> Any:
            seen.append(f"tool {context.message.name}")
            return await call_next(context)

        async def on_read_resource(self, context: Any, call_next: Any) -> Any:
            seen.append(f"read {context.message.uri}")
            return await call_next(context)

    child = FastMCP("child", middleware=[Watch()])

    @child.tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @child.resource("data://config", mime_type="application/json")
    def config() -> dict:
        return {"region": "eu"}

    @child.resource("users://{uid}/name")
    def user_name(uid: str) -> str:
        return f"user {uid}"

    @child.prompt
    def brief(topic: str) -> str:
        return f"Brief me on {topic}"

    async def wrapped() -> Any:
        front = FastMCP("front")
        front.add_tool(FastMCPProviderTool.wrap(child, await child.get_tool("add")))
        for resource in await child.list_resources():
            front.add_resource(FastMCPProviderResource.wrap(child, resource))
        for template in await child.list_resource_templates():
            front.add_template(FastMCPProviderResourceTemplate.wrap(child, template))
        for prompt in await child.list_prompts():
            front.add_prompt(FastMCPProviderPrompt.wrap(child, prompt))
        return front

    return asyncio.run(wrapped()), Client, seen


async def walk(front: Any, client_class: Any) -> dict[str, Any]:
    async with client_class(front) as client:
        tools = await client.list_tools()
        resources = await client.list_resources()
        templates = await client.list_resource_templates()
        prompts = await client.list_prompts()
        added = await client.call_tool("add", {"a": 2, "b": 3})
        return {
            "tools": [(t.name, t.description, t.input_schema) for t in tools],
            "resources": [(str(r.uri), r.mime_type) for r in resources],
            "templates": [t.uri_template for t in templates],
            "prompts": [(p.name, [a.name for a in p.arguments or ()]) for p in prompts],
            "add": (added.structured_content, [c.text for c in added.content]),
            "config": [c.text for c in await client.read_resource("data://config")],
            "user": [c.text for c in await client.read_resource("users://42/name")],
            "brief": [m.content.text for m in (await client.get_prompt("brief", {"topic": "rust"})).messages],
        }


def test_wrapped_components_delegate_as_in_fastmcp() -> None:
    seen = {}
    for impl in ("fastmcp", "fastmcp_rs"):
        front, client_class, log = build(impl)
        seen[impl] = (asyncio.run(walk(front, client_class)), log)
    ours, theirs = seen["fastmcp_rs"], seen["fastmcp"]
    assert ours == theirs
    assert ours[0]["add"] == ({"result": 5}, ["5"])
    assert ours[1] == ["tool add", "read data://config", "read users://42/name"]
