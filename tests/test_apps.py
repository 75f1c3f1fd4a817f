"""MCP Apps (issue 13): ``@mcp.tool(app=...)``, Prefab UIs as results, the shared Prefab renderer resources,
``ui://`` resources of your own, and ``FastMCPApp``, driven by the official client over stdio, and compared on
the wire with FastMCP 4.2.3 serving the same file (tests/servers/apps_server.py). FastMCP 4's own apps
examples are in the drop-in corpus."""

from __future__ import annotations

import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

sys.path.insert(0, str(HERE / "dropin"))
from manifest import ACCEPTED_EVERYWHERE
from test_dropin_corpus import CLI, REF_SERVE, differences, probe, report, served, wire

pytest.importorskip("prefab_ui")
pytest.importorskip("fastmcp", reason="FastMCP 4.2.3 is the reference (scripts/test.sh installs it)")

SERVER = HERE / "servers" / "apps_server.py"
RENDERER = re.compile(r"^ui://prefab/renderer/[0-9a-f]{64}/renderer\.html$")


def test_served_as_fastmcp4_serves_it() -> None:
    commands = ([sys.executable, str(REF_SERVE), str(SERVER)], [*CLI, "run", str(SERVER)])
    with ThreadPoolExecutor(2) as pool:
        reference, ours = pool.map(lambda c: probe(c, SERVER.parent), commands)
    assert served(reference), reference.get("stderr")
    assert served(ours), ours.get("stderr")
    accepted = [re.compile(p) for p, _ in ACCEPTED_EVERYWHERE]
    diffs = [d for d in differences(wire(reference), wire(ours)) if not any(a.match(d[0]) for a in accepted)]
    assert not diffs, report(diffs)


def _plain(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


@pytest.mark.anyio
async def test_apps_through_the_official_client() -> None:
    params = StdioServerParameters(command=CLI[0], args=[*CLI[1:], "run", str(SERVER)], env=dict(os.environ))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name: _plain(t) for t in (await session.list_tools()).tools}
        resources = [_plain(r) for r in (await session.list_resources()).resources]

        # app=True, a Prefab return type and PrefabAppConfig point at renderer resources; the same
        # configuration shares one, another CSP has its own; the CSP is the resource's, not the tool's.
        greet_ui, badge_ui, weather_ui = (tools[n]["_meta"]["ui"] for n in ("greet", "badge", "weather"))
        assert RENDERER.match(greet_ui["resourceUri"]) and greet_ui == badge_ui == {
            "resourceUri": greet_ui["resourceUri"]
        }
        assert RENDERER.match(weather_ui["resourceUri"]) and weather_ui["resourceUri"] != greet_ui["resourceUri"]
        assert "outputSchema" not in tools["greet"]
        by_uri = {r["uri"]: r for r in resources}
        plain, fetching = by_uri[greet_ui["resourceUri"]], by_uri[weather_ui["resourceUri"]]
        assert plain["mimeType"] == fetching["mimeType"] == "text/html;profile=mcp-app"
        assert fetching["_meta"]["ui"]["csp"]["connectDomains"] == ["https://api.example.com"]
        assert "connectDomains" not in plain["_meta"]["ui"]["csp"]
        # Renderers are listed after the server's own resources, as FastMCP 4 lists them.
        assert resources[0]["uri"] == "ui://custom/page.html"
        assert all(RENDERER.match(r["uri"]) for r in resources[1:]) and len(resources) == 3
        page = (await session.read_resource(plain["uri"])).contents[0]
        assert page.mime_type == "text/html;profile=mcp-app" and "<html" in page.text.lower()

        # A ui:// resource of its own: UI media type by default, its AppConfig as _meta.ui.
        custom = by_uri["ui://custom/page.html"]
        assert custom["mimeType"] == "text/html;profile=mcp-app"
        assert custom["_meta"]["ui"] == {"csp": {"resourceDomains": ["https://cdn.example.com"]}}
        assert tools["open_page"]["_meta"]["ui"] == {"resourceUri": "ui://custom/page.html"}

        # A Prefab result: its payload as structured content, a placeholder text.
        greeted = await session.call_tool("greet", {"name": "Ada"})
        assert greeted.content[0].text == "[Rendered Prefab UI]"
        view = greeted.structured_content["view"]
        assert view["type"] == "Div" and view["children"][0]["children"][0] == {
            "type": "Heading",
            "content": "Hello, Ada!",
            "level": 1,
        }
        weather = await session.call_tool("weather", {"city": "Oslo"})
        assert weather.structured_content["state"] == {"city": "Oslo"}

        # FastMCPApp: the entry tool is for the model, the backend tool for the app; the UI's CallTool names the
        # backend by the name this server lists it under, its identity address kept in _meta.fastmcp.toolNames.
        save_meta, board_meta = tools["save"]["_meta"], tools["notes_board"]["_meta"]
        assert save_meta["ui"] == {"visibility": ["app"]} and save_meta["fastmcp"]["app"] == "Notes"
        assert board_meta["ui"]["visibility"] == ["model"] and RENDERER.match(board_meta["ui"]["resourceUri"])
        identity = save_meta["fastmcp"]["tool_hash"]
        board = (await session.call_tool("notes_board", {})).structured_content
        button = board["view"]["children"][0]["children"][1]
        assert button["onClick"]["action"] == "toolCall" and button["onClick"]["tool"] == "save"
        assert board["_meta"]["fastmcp"]["toolNames"] == {"save": f"__{identity}_save"}
        assert (await session.call_tool("save", {"text": "hi"})).content[0].text == "saved 1"

        # A sync tool's ContextVar stays with its call, as under FastMCP 4 (anyio runs each in a copy).
        answers = [(await session.call_tool("remember", {"value": v})).content[0].text for v in ("a", "b", "c")]
        assert answers == ["None", "None", "None"]


FORMS = HERE / "servers" / "forms_server.py"


async def _form_walk(command: list[str]) -> dict[str, Any]:
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ), cwd=str(FORMS.parent))
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        seen["tools"] = [_plain(t) for t in (await session.list_tools()).tools]
        for name, args in [
            ("collect_contact", {"prompt": "Who?", "default": {"name": "Ada"}}),
            ("file_ticket", {"prompt": "What broke?", "title": "Bug", "submit_text": "File"}),
        ]:
            seen[f"call {name}"] = _plain(await session.call_tool(name, args))
        # Each form's UI calls its own submit_form by identity address (two providers list one name).
        addresses = {}
        for name in ("collect_contact", "file_ticket"):
            names = seen[f"call {name}"]["structuredContent"]["_meta"]["fastmcp"]["toolNames"]
            (addresses[name],) = names.values()
        for label, tool, data in [
            ("contact", addresses["collect_contact"], {"name": "Ada", "email": "ada@example.com"}),
            ("contact unchecked", addresses["collect_contact"], {"name": "Bo", "email": "b@x", "subscribe": False}),
            ("contact invalid", addresses["collect_contact"], {"name": "Cy"}),
            ("ticket", addresses["file_ticket"], {"title": "Down", "severity": "high"}),
            ("ticket empty", addresses["file_ticket"], None),
            ("by name", "submit_form", {"name": "Di", "email": "d@x", "urgent": True}),
        ]:
            result = _plain(await session.call_tool(tool, {} if data is None else {"data": data}))
            seen[f"submit {label}"] = result
    return seen


@pytest.mark.anyio
async def test_form_inputs_answer_as_fastmcp4s() -> None:
    """``FormInput`` (fastmcp.apps.form) as FastMCP 4 serves it: the entry tools, the forms (defaults, titles,
    send_message), and submissions made as the UI makes them, by each provider's identity address, validated
    against its own model (a missing boolean is its default, or false), through ``on_submit`` or as JSON."""
    theirs = await _form_walk([sys.executable, str(REF_SERVE), str(FORMS)])
    ours = await _form_walk([*CLI, "run", str(FORMS)])
    assert ours == theirs
    assert ours["submit contact"]["content"][0]["text"] == "saved Ada <ada@example.com> subscribe=True urgent=False"
    assert ours["submit ticket"]["content"][0]["text"] == '{"title": "Down", "severity": "high"}'
    assert ours["submit contact invalid"]["isError"] is True


UPLOADS = HERE / "servers" / "uploads_server.py"
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


async def _upload_walk(command: list[str]) -> dict[str, Any]:
    import base64

    def file(name: str, kind: str, content: bytes) -> dict[str, Any]:
        return {"name": name, "type": kind, "size": len(content), "data": base64.b64encode(content).decode()}

    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ), cwd=str(UPLOADS.parent))
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        seen["tools"] = [_plain(t) for t in (await session.list_tools()).tools]
        for label, tool, args in [
            ("empty manager", "file_manager", {}),
            ("empty list", "list_files", {}),
            (
                "store",
                "store_files",
                {
                    "files": [
                        file("notes.md", "text/markdown", b"# hi\n"),
                        file("a.bin", "application/octet-stream", bytes(range(40))),
                    ]
                },
            ),
            ("too large", "store_files", {"files": [file("big.txt", "text/plain", b"x" * 65)]}),
            ("over the total", "store_files", {"files": [file("c.txt", "text/plain", b"y" * 60)]}),
            ("replace", "store_files", {"files": [file("notes.md", "text/plain", b"second")]}),
            ("list", "list_files", {}),
            ("read text", "read_file", {"name": "notes.md"}),
            ("read binary", "read_file", {"name": "a.bin"}),
            ("read missing", "read_file", {"name": "nope.txt"}),
            ("manager", "file_manager", {}),
        ]:
            seen[label] = _plain(await session.call_tool(tool, args))
    return json.loads(_STAMP.sub("<stamp>", json.dumps(seen)))


@pytest.mark.anyio
async def test_file_uploads_answer_as_fastmcp4s() -> None:
    """``FileUpload`` (fastmcp.apps.file_upload) as FastMCP 4 serves it: the drop zone and its state, files
    stored as the UI sends them, the per-file and total limits (counted on the decoded data), a replaced file,
    listing, and reading text and binary files back, compared with FastMCP 4.2.3 over stdio."""
    theirs = await _upload_walk([sys.executable, str(REF_SERVE), str(UPLOADS)])
    ours = await _upload_walk([*CLI, "run", str(UPLOADS)])
    assert ours == theirs
    assert ours["read text"]["structuredContent"]["content"] == "second"
    assert ours["too large"]["isError"] is True and ours["over the total"]["isError"] is True
    assert [f["name"] for f in ours["list"]["structuredContent"]["result"]] == ["notes.md", "a.bin"]
