"""Server extensions (SEP-2133, ``fastmcp_rs.server.extensions``): the same server file
(``tests/servers/extended.py``) walked over real stdio pipes in both protocol eras on FastMCP 4.2.3 and here,
with and without a middleware in the chain, and over Streamable HTTP here; plus ``experimental_capabilities``
and the registration rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).parent
SERVER = HERE / "servers" / "extended.py"
ID = "com.example/call-counter"
OPT_IN = {"io.modelcontextprotocol/clientCapabilities": {"extensions": {ID: {"v": 1}}}}
MODERN = "2026-07-28"


def envelope(**extra: Any) -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
        **extra,
    }


def opted_in_envelope() -> dict[str, Any]:
    return envelope(**{"io.modelcontextprotocol/clientCapabilities": {"extensions": {ID: {"modern": True}}}})


HANDSHAKE = [
    ("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    ("callCounter/get", {}),
    ("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}),
    ("tools/call", {"name": "add", "arguments": {"a": 2, "b": 2}, "_meta": OPT_IN}),
    ("callCounter/get", {"_meta": OPT_IN}),
    ("callCounter/double", {"n": 21}),
    ("callCounter/double", {}),
    ("callCounter/double", {"n": "many"}),
    ("callCounter/fail", {}),
    ("callCounter/refuse", {}),
    ("callCounter/modern", {}),
    ("tools/call", {"name": "secret", "arguments": {}}),
    ("tools/call", {"name": "opted", "arguments": {}, "_meta": OPT_IN}),
    ("tools/call", {"name": "opted", "arguments": {}}),
    ("tools/call", {"name": "nope", "arguments": {}}),
    ("callCounter/seen", {}),
    ("callCounter/reset", {}),
    ("callCounter/get", {}),
    ("nope/never", {}),
]

ENVELOPED = [
    ("server/discover", {}),
    ("callCounter/modern", {}),
    ("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}),
    ("callCounter/get", {}),
    ("tools/call", {"name": "secret", "arguments": {}}),
    ("callCounter/refuse", {}),
    ("callCounter/double", {"n": 4}),
    ("callCounter/seen", {}),
]


def walk(impl: str, middleware: bool, modern: bool) -> list[tuple[str, dict[str, Any]]]:
    """Each request of one era over one stdio process, with its answer."""
    requests = ENVELOPED if modern else HANDSHAKE
    env = {**os.environ, "EXT_IMPL": impl, "EXT_MIDDLEWARE": "1" if middleware else "0"}
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    answers = []
    try:
        for rid, (method, params) in enumerate(requests, start=1):
            if modern:
                params = {**params, "_meta": opted_in_envelope() if method == "tools/call" else envelope()}
            proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}) + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert answer["id"] == rid
            answers.append((method, answer))
            if method == "initialize":
                proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
                proc.stdin.flush()
    finally:
        proc.stdin.close()
        stderr = proc.stderr.read() if proc.stderr else ""
        proc.wait(timeout=20)
    assert "call-counter stopped" in stderr  # the extension's lifespan was left on shutdown
    return answers


def comparable(method: str, answer: dict[str, Any]) -> Any:
    """An answer with what differs by implementation and not by behaviour left out: the server's own version
    (FastMCP writes its own), discovery's caching hints and the listChanged/subscribe flags (the core serves
    list changes and subscriptions, FastMCP 4 says it does not), the tasks extension (built in here) and an
    error's free-form ``data``."""
    if "error" in answer:
        error = answer["error"]
        return {"code": error["code"], "message": error["message"]}
    result = dict(answer["result"])
    meta = dict(result.get("_meta") or {})
    meta.pop("io.modelcontextprotocol/serverInfo", None)
    if meta:
        result["_meta"] = meta
    else:
        result.pop("_meta", None)
    if method in ("initialize", "server/discover"):
        capabilities = result["capabilities"]
        capabilities.get("extensions", {}).pop("io.modelcontextprotocol/tasks", None)
        return {"capabilities": {k: v for k, v in capabilities.items() if k in ("extensions", "experimental")}}
    return result


@pytest.mark.parametrize("middleware", [False, True], ids=["alone", "with-middleware"])
@pytest.mark.parametrize("modern", [False, True], ids=["handshake", "modern"])
def test_extensions_answer_as_in_fastmcp(middleware: bool, modern: bool) -> None:
    theirs = walk("fastmcp", middleware, modern)
    ours = walk("fastmcp_rs", middleware, modern)
    mine = {f"{i}:{m}": comparable(m, a) for i, (m, a) in enumerate(ours)}
    reference = {f"{i}:{m}": comparable(m, a) for i, (m, a) in enumerate(theirs)}
    if not modern:
        # A handler's plain exception: FastMCP 4 answers JSON-RPC code 0, which no client can tell from a
        # success-less answer; we answer -32603 with the same message.
        refused = next(k for k in reference if k.endswith("callCounter/refuse"))
        assert reference[refused] == {"code": 0, "message": "the counter broke"}
        assert mine[refused] == {"code": -32603, "message": "the counter broke"}
        reference[refused] = mine[refused]
    assert mine == reference
    by_method = [(m, a) for m, a in ours]
    if modern:
        discover = by_method[0][1]["result"]["capabilities"]["extensions"]
        assert discover[ID] == {"maxCount": 100, "resettable": True}
        assert discover["com.example/auditor"] == {}
        seen = by_method[-1][1]["result"]
        assert seen["order"] == ["counter:add", "auditor:add", "auditor-done:ToolResult", "counter:secret"]
        assert by_method[3][1]["result"]["count"] == 1  # the enveloped add opted in
    else:
        assert "extensions" not in by_method[0][1]["result"]["capabilities"]
        first, opted = by_method[1][1]["result"], by_method[4][1]["result"]
        assert first["count"] == 0 and first["optedIn"] is None and first["state"] == "running"
        assert first["protocolVersion"] == "2025-11-25" and first["sameServer"] is True
        assert opted["count"] == 1 and opted["optedIn"] == {"v": 1}
        assert by_method[5][1]["result"] == {"doubled": 42}
        assert by_method[8][1]["error"] == {"code": -32001, "message": "counter is sealed", "data": {"why": "test"}}
        assert by_method[10][1]["error"]["code"] == -32601
        assert by_method[11][1]["result"]["structuredContent"] == {"by": "counter"}
        assert by_method[12][1]["result"]["structuredContent"] == {"result": {"settings": {"v": 1}}}
        seen = by_method[15][1]["result"]
        if middleware:  # the extension's methods pass through the middleware, as FastMCP 4's do
            assert "callCounter/double" in seen["middleware"] and "tools/call" in seen["middleware"]
        else:
            assert seen["middleware"] == []


def test_extensions_over_streamable_http() -> None:
    """Over HTTP, in both eras: a handshake session's extension methods, and the modern era's discovery and
    methods with their routing headers."""
    from test_auth import free_port, wait_listening

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "EXT_HTTP": str(port)},
    )
    try:
        wait_listening(port, proc, SERVER.name)
        url = f"http://127.0.0.1:{port}/mcp"
        accept = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
        with httpx.Client(timeout=10) as http:
            init = http.post(
                url,
                headers=accept,
                json={"jsonrpc": "2.0", "id": 1, "method": HANDSHAKE[0][0], "params": HANDSHAKE[0][1]},
            )
            session = {**accept, "mcp-session-id": init.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}
            http.post(url, headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
            doubled = http.post(
                url,
                headers=session,
                json={"jsonrpc": "2.0", "id": 2, "method": "callCounter/double", "params": {"n": 5}},
            )
            assert _last(doubled)["result"] == {"doubled": 10}
            modern = {**accept, "mcp-protocol-version": MODERN}
            found = http.post(
                url,
                headers={**modern, "mcp-method": "server/discover"},
                json={"jsonrpc": "2.0", "id": 3, "method": "server/discover", "params": {"_meta": envelope()}},
            )
            assert _last(found)["result"]["capabilities"]["extensions"][ID] == {"maxCount": 100, "resettable": True}
            era = http.post(
                url,
                headers={**modern, "mcp-method": "callCounter/modern"},
                json={"jsonrpc": "2.0", "id": 4, "method": "callCounter/modern", "params": {"_meta": envelope()}},
            )
            assert _last(era)["result"]["era"] == "modern" and _last(era)["result"]["resultType"] == "complete"
            bad = http.post(
                url,
                headers={**modern, "mcp-method": "callCounter/double"},
                json={"jsonrpc": "2.0", "id": 5, "method": "callCounter/double", "params": {"_meta": envelope()}},
            )
            assert bad.status_code == 400 and bad.json()["error"]["code"] == -32602
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _last(response: httpx.Response) -> dict[str, Any]:
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()]
        return json.loads(data[-1])
    return response.json()


EXPERIMENTAL = """
import os, sys
if os.environ.get("EXT_IMPL") == "fastmcp":
    from fastmcp import FastMCP
else:
    from fastmcp_rs import FastMCP
FastMCP("x", experimental_capabilities={"com.example/beta": {"level": 2}}).run(show_banner=False)
"""


@pytest.mark.parametrize("modern", [False, True], ids=["initialize", "discover"])
def test_experimental_capabilities_are_advertised_as_in_fastmcp(tmp_path: Path, modern: bool) -> None:
    script = tmp_path / "experimental.py"
    script.write_text(EXPERIMENTAL)
    if modern:
        request = {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": envelope()}}
    else:
        request = {"jsonrpc": "2.0", "id": 1, "method": HANDSHAKE[0][0], "params": HANDSHAKE[0][1]}
    seen = {}
    for impl in ("fastmcp", "fastmcp_rs"):
        done = subprocess.run(
            [sys.executable, str(script)],
            input=json.dumps(request) + "\n",
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "EXT_IMPL": impl},
        )
        seen[impl] = comparable(request["method"], json.loads(done.stdout.splitlines()[0]))
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    assert seen["fastmcp_rs"]["capabilities"]["experimental"] == {"com.example/beta": {"level": 2}}


def test_registration_rules(tmp_path: Path) -> None:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.extensions import MethodBinding, ServerExtension

    with pytest.raises(TypeError, match="vendor-prefix/name"):

        class Bad(ServerExtension):
            identifier = "no-prefix"

    with pytest.raises(ValueError, match="cannot bind spec method 'tools/call'"):
        MethodBinding(method="tools/call", params_type=dict, handler=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty protocol_versions"):
        MethodBinding(method="x/y", params_type=dict, handler=None, protocol_versions=frozenset())  # type: ignore[arg-type]

    class Thing(ServerExtension):
        identifier = "com.example/thing"

        def methods(self) -> list[MethodBinding]:
            return [MethodBinding(method="thing/get", params_type=dict, handler=self.get)]  # type: ignore[arg-type]

        async def get(self, ctx: Any, params: Any) -> None:
            return None

    class Other(Thing):
        identifier = "com.example/other"

    mcp = FastMCP("rules")
    thing = Thing()
    with pytest.raises(RuntimeError, match="not bound"):
        _ = thing.server
    mcp.add_extension(thing)
    assert thing.server is mcp
    with pytest.raises(ValueError, match="already registered"):
        mcp.add_extension(Thing())
    with pytest.raises(ValueError, match="method 'thing/get' is already registered"):
        mcp.add_extension(Other())
    with pytest.raises(ValueError, match="already bound to another server"):
        FastMCP("another").add_extension(thing)
    copy = thing.clone()
    assert copy is not thing and copy._server_ref is None
    with pytest.raises(TypeError, match="takes a ServerExtension"):
        mcp.add_extension(object())

    # A provider that needs an extension brings it (SkillsDirectoryProvider, the skills extension); one
    # registered explicitly replaces it.
    from fastmcp_rs.skills.extension import SkillsExtension
    from fastmcp_rs.skills.provider import SkillsDirectoryProvider

    provider = SkillsDirectoryProvider(tmp_path)
    skilled = FastMCP("skilled", providers=[provider])
    bundled = skilled._server_extensions["io.modelcontextprotocol/skills"]
    assert isinstance(bundled, SkillsExtension) and bundled.server is skilled
    explicit = SkillsExtension(providers=[provider])
    skilled.add_extension(explicit)
    assert skilled._server_extensions["io.modelcontextprotocol/skills"] is explicit
    assert skilled._extension_methods["skills/list"].handler.__self__ is explicit
    with pytest.raises(ValueError, match="already registered"):
        skilled.add_extension(SkillsExtension())
