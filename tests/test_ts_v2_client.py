"""The official TypeScript MCP **v2** client (``@modelcontextprotocol/client@2.4.0``, pinned in
tests/ts_v2/package.json) against tests/servers/modern_app.py over real stdio pipes, in the client's three
version-negotiation modes:

- ``legacy`` (the client's default): the 2025 ``initialize`` handshake; elicitation, sampling and roots are
  server→client requests;
- ``modern`` (``versionNegotiation: {mode: {pin: '2026-07-28'}}``): ``server/discover`` must offer 2026-07-28;
  every request carries the ``_meta`` envelope, and elicitation, sampling and roots come back as
  input-required results that the client fulfils through its handlers and retries;
- ``auto``: the client probes with ``server/discover`` (on a throwaway sibling process it spawns from the same
  command) and must pick the modern era, because our server answers the probe.

tests/ts_v2/drive.mjs runs a JSON plan (server command, mode, operations, canned answers) and prints what it
saw, including a condensed log of the session pipe's JSON-RPC traffic. Each plan runs once per mode (module
fixtures); the tests check that output. Needs ``node`` >= 20 and ``npm`` (skipped without them); the npm
packages are installed into tests/ts_v2/node_modules on first use.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import HERE

TS_DIR = HERE / "ts_v2"
DRIVER = TS_DIR / "drive.mjs"
MODERN_APP = HERE / "servers" / "modern_app.py"
MODES = ["modern", "legacy", "auto"]
DRIVER_TIMEOUT = 60

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
SERVER_INFO = {"name": "modern-app", "version": "3.1.4"}
SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"

ELICITED_NAME = "Ada Lovelace"
SAMPLED_TEXT = "Crabs walk sideways, and proudly."
ROOTS = [{"uri": "file:///work/alpha", "name": "alpha"}, {"uri": "file:///work/beta"}]

OPERATIONS: list[dict[str, Any]] = [
    {"label": "tools", "op": "listTools"},
    {"label": "add", "op": "callTool", "name": "add", "arguments": {"a": 2, "b": 3}},
    {"label": "interview", "op": "callTool", "name": "interview", "arguments": {"topic": "crabs"}},
    {"label": "weather", "op": "callTool", "name": "weather", "arguments": {"city": "Oslo"}},
    {"label": "explode", "op": "callTool", "name": "explode", "arguments": {"reason": "on purpose"}},
    {"label": "unknown_tool", "op": "callTool", "name": "nope", "arguments": {}},
    {"label": "resources", "op": "listResources"},
    {"label": "templates", "op": "listResourceTemplates"},
    {"label": "motd", "op": "readResource", "uri": "data://motd"},
    {"label": "card", "op": "readResource", "uri": "users://42/card"},
    {"label": "greeting", "op": "readResource", "uri": "greeting://me"},
    {"label": "missing", "op": "readResource", "uri": "data://missing"},
    {"label": "prompts", "op": "listPrompts"},
    {"label": "review", "op": "getPrompt", "name": "review", "arguments": {"code": "x = 1"}},
    {"label": "polish", "op": "getPrompt", "name": "polish", "arguments": {"topic": "the sea"}},
]


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        path = TS_DIR / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def ts_v2() -> Path:
    """tests/ts_v2 with its npm packages installed; skips the module without node >= 20 or npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the TypeScript MCP v2 client")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    major = re.match(r"v(\d+)\.", version)
    if major is None or int(major.group(1)) < 20:
        pytest.skip(f"@modelcontextprotocol/client needs Node >= 20, found {version!r}")
    # npm ci replaces node_modules, stamp and all: the stamp says it holds what package(-lock).json ask for.
    stamp = TS_DIR / "node_modules" / ".fastmcp-rs-installed"
    if not stamp.exists() or stamp.read_text() != _lock_digest():
        done = subprocess.run(
            [npm, "ci", "--silent", "--no-audit", "--no-fund"],
            cwd=TS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            pytest.skip(f"`npm ci` failed in {TS_DIR} (offline?):\n{done.stdout}{done.stderr}")
        stamp.write_text(_lock_digest())
    return TS_DIR


def drive(plan: dict[str, Any], *, connects: bool = True) -> dict[str, Any]:
    """Runs drive.mjs on `plan` against modern_app.py; returns what it printed, after checking it connected
    (or, with ``connects=False``, that it did not)."""
    plan = {"server": {"command": sys.executable, "args": [str(MODERN_APP)]}, "timeoutMs": 20000, **plan}
    done = subprocess.run(
        [shutil.which("node") or "node", str(DRIVER), "-"],
        cwd=TS_DIR,
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=DRIVER_TIMEOUT,
    )
    assert done.returncode == 0, f"drive.mjs exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"drive.mjs printed nothing:\n{done.stderr}"
    out = json.loads(lines[-1])
    if connects:
        assert "connectError" not in out, f"{out['connectError']}\nserver stderr:\n{out.get('serverStderr')}"
    else:
        assert "connectError" in out, out
    assert out["clientErrors"] == [], out["clientErrors"]
    return out


def by_label(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["label"]: entry for entry in out["operations"]}


def ok(out: dict[str, Any], label: str) -> dict[str, Any]:
    entry = by_label(out)[label]
    assert entry["ok"], f"{label}: {entry.get('error')}\nserver stderr:\n{out.get('serverStderr')}"
    return entry["result"]


def failed(out: dict[str, Any], label: str) -> dict[str, Any]:
    entry = by_label(out)[label]
    assert not entry["ok"], f"{label} should have failed: {entry.get('result')}"
    return entry["error"]


def texts(result: dict[str, Any]) -> list[str]:
    return [block["text"] for block in result["content"]]


def is_modern(out: dict[str, Any]) -> bool:
    return out["mode"] in ("modern", "auto")


def outbound_requests(out: dict[str, Any], method: str | None = None) -> list[dict[str, Any]]:
    return [
        w
        for w in out["wire"]
        if w["dir"] == "out" and "method" in w and "id" in w and (method is None or w["method"] == method)
    ]


def inbound_requests(out: dict[str, Any]) -> list[dict[str, Any]]:
    """Requests the server sent the client (the handshake era's way to elicit, sample and list roots)."""
    return [w for w in out["wire"] if w["dir"] == "in" and "method" in w and "id" in w]


def responses_to(out: dict[str, Any], requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    inbound = {w["id"]: w for w in out["wire"] if w["dir"] == "in" and "method" not in w}
    return [inbound[request["id"]] for request in requests]


@pytest.fixture(scope="module", params=MODES)
def session(request: pytest.FixtureRequest, ts_v2: Path) -> dict[str, Any]:
    """The full plan, with every answer the server may ask for, run once per mode."""
    return drive(
        {
            "mode": request.param,
            "elicit": {"action": "accept", "content": {"name": ELICITED_NAME}},
            "sampling": {"text": SAMPLED_TEXT, "model": "canned-model"},
            "roots": ROOTS,
            "operations": OPERATIONS,
        }
    )


@pytest.fixture(scope="module", params=MODES)
def declining(request: pytest.FixtureRequest, ts_v2: Path) -> dict[str, Any]:
    """A client that declines every elicitation and declares neither sampling nor roots."""
    return drive(
        {
            "mode": request.param,
            "elicit": {"action": "decline"},
            "operations": [
                {"label": "interview", "op": "callTool", "name": "interview", "arguments": {"topic": "crabs"}},
                {"label": "greeting", "op": "readResource", "uri": "greeting://me"},
                {"label": "polish", "op": "getPrompt", "name": "polish", "arguments": {"topic": "the sea"}},
                {"label": "add", "op": "callTool", "name": "add", "arguments": {"a": -7, "b": 4}},
            ],
        }
    )


# -- negotiation -------------------------------------------------------------------------------------------


def test_negotiated_era(session: dict[str, Any]) -> None:
    assert session["serverInfo"] == SERVER_INFO
    assert session["instructions"] == "Adds numbers, reports weather and interviews users."
    capabilities = session["serverCapabilities"]
    assert capabilities["tools"] == {"listChanged": True}
    assert capabilities["prompts"] == {"listChanged": True}
    assert capabilities["resources"] == {"subscribe": True, "listChanged": True}
    if is_modern(session):
        # `auto` must land here too: the server answers server/discover, so the probe is modern evidence.
        assert session["era"] == "modern"
        assert session["protocolVersion"] == MODERN
        assert MODERN in session["discover"]["supportedVersions"]
        assert capabilities["extensions"] == {"io.modelcontextprotocol/ui": {}, "io.modelcontextprotocol/tasks": {}}
    else:
        assert session["era"] == "legacy"
        assert session["protocolVersion"] == LEGACY
        assert session["discover"] is None
        assert "extensions" not in capabilities


def test_wire_era(session: dict[str, Any]) -> None:
    """What went over the session pipe matches the era: the envelope and resultType, or the handshake."""
    requests = outbound_requests(session)
    methods = [r["method"] for r in requests]
    inbound_results = [w for w in session["wire"] if w["dir"] == "in" and "method" not in w and "error" not in w]
    if is_modern(session):
        # The probe ran before (pinned and auto alike, on a sibling process): no handshake on this pipe.
        assert "initialize" not in methods and "server/discover" not in methods
        assert all(r.get("metaProtocolVersion") == MODERN for r in requests), requests
        assert {w.get("resultType") for w in inbound_results} == {"complete", "input_required"}
        assert inbound_requests(session) == []  # the 2026 era has no server→client requests
    else:
        assert methods[0] == "initialize" and requests[0]["initializeProtocolVersion"] == LEGACY
        assert inbound_results[0] == {"dir": "in", "id": requests[0]["id"], "protocolVersion": LEGACY}
        assert "server/discover" not in methods
        assert not any("metaProtocolVersion" in r for r in requests)
        assert not any("resultType" in w for w in inbound_results)


def test_pinned_version_the_server_does_not_offer(ts_v2: Path) -> None:
    """A pin the server does not speak: server/discover answers -32022 with what it supports, and the client,
    which has no fallback in pin mode, gives up before opening the session."""
    out = drive({"mode": "modern", "pin": "2026-12-01", "operations": [{"op": "ping"}]}, connects=False)
    assert out["connectError"] == {
        "name": "UnsupportedProtocolVersionError",
        "code": -32022,
        "message": "Unsupported protocol version: 2026-12-01",
        "data": {"supported": [MODERN], "requested": "2026-12-01"},
    }
    assert out["wire"] == [] and out["operations"] == []


# -- tools -------------------------------------------------------------------------------------------------


def test_list_tools(session: dict[str, Any]) -> None:
    tools = {tool["name"]: tool for tool in ok(session, "tools")["tools"]}
    assert list(tools) == ["add", "interview", "weather", "explode"]
    assert tools["add"]["description"] == "Adds two integers."
    assert tools["add"]["inputSchema"]["properties"] == {"a": {"type": "integer"}, "b": {"type": "integer"}}
    assert tools["add"]["inputSchema"]["required"] == ["a", "b"]
    assert tools["interview"]["inputSchema"]["required"] == ["topic"]
    weather_out = tools["weather"]["outputSchema"]
    assert weather_out["required"] == ["city", "celsius", "conditions"]
    assert weather_out["properties"]["conditions"] == {"items": {"type": "string"}, "type": "array"}


def test_call_add(session: dict[str, Any]) -> None:
    result = ok(session, "add")
    assert result["structuredContent"] == {"result": 5}
    assert texts(result) == ["5"]
    assert result["isError"] is False
    # On the 2026 era every result names the server in its _meta; the handshake era said so once, in initialize.
    assert (SERVER_INFO_KEY in result["_meta"]) is is_modern(session)
    if is_modern(session):
        assert result["_meta"][SERVER_INFO_KEY] == SERVER_INFO


def test_call_interview(session: dict[str, Any]) -> None:
    """ctx.elicit, then ctx.sample, then ctx.list_roots in one tool, answered by the client's handlers."""
    expected = f"name={ELICITED_NAME}; sampled={SAMPLED_TEXT}; roots=2 [file:///work/alpha,file:///work/beta]"
    result = ok(session, "interview")
    assert texts(result) == [expected]
    assert result["structuredContent"] == {"result": expected}
    assert result["isError"] is False


def test_interview_rounds(session: dict[str, Any]) -> None:
    """How the three questions travelled: three input-required rounds, or three server→client requests."""
    calls = [r for r in outbound_requests(session, "tools/call") if r["name"] == "interview"]
    if is_modern(session):
        # The TS client drove the rounds itself: four tools/call, each retry answering the previous round's
        # request and echoing the request state; the fourth completes.
        assert [c.get("inputResponses") for c in calls] == [None, ["elicit-0"], ["sample-1"], ["roots-2"]]
        assert [c.get("hasRequestState", False) for c in calls] == [False, True, True, True]
        answers = responses_to(session, calls)
        assert [a.get("inputRequests") for a in answers] == [
            {"elicit-0": "elicitation/create"},
            {"sample-1": "sampling/createMessage"},
            {"roots-2": "roots/list"},
            None,
        ]
        assert [a["resultType"] for a in answers] == ["input_required"] * 3 + ["complete"]
    else:
        assert len(calls) == 1 and "inputResponses" not in calls[0]
        assert [r["method"] for r in inbound_requests(session)] == [
            "elicitation/create",  # interview
            "sampling/createMessage",
            "roots/list",
            "elicitation/create",  # greeting://me
            "sampling/createMessage",  # polish
        ]


def test_handlers_saw_the_questions(session: dict[str, Any]) -> None:
    handlers = session["handlers"]
    assert [e["message"] for e in handlers["elicitation"]] == ["What is your name?", "What is your name?"]
    schema = handlers["elicitation"][0]["requestedSchema"]
    assert schema["type"] == "object" and schema["required"] == ["name"]
    assert schema["properties"]["name"]["type"] == "string"
    assert [s["messages"] for s in handlers["sampling"]] == [
        [{"role": "user", "content": {"type": "text", "text": f"Write one line about crabs for {ELICITED_NAME}"}}],
        [{"role": "user", "content": {"type": "text", "text": "Draft one line about the sea"}}],
    ]
    assert [s["maxTokens"] for s in handlers["sampling"]] == [50, 50]
    assert handlers["roots"] == 1


def test_call_structured_model(session: dict[str, Any]) -> None:
    result = ok(session, "weather")
    weather = {"city": "Oslo", "celsius": 21.5, "conditions": ["sunny", "breezy"]}
    assert result["structuredContent"] == weather
    assert [json.loads(text) for text in texts(result)] == [weather]
    assert result["isError"] is False


def test_tool_errors(session: dict[str, Any]) -> None:
    exploded = ok(session, "explode")
    assert exploded["isError"] is True
    assert texts(exploded) == ["Error calling tool 'explode': exploded: on purpose"]
    unknown = ok(session, "unknown_tool")
    assert unknown["isError"] is True and texts(unknown) == ["Unknown tool: 'nope'"]


# -- resources ---------------------------------------------------------------------------------------------


def test_list_resources(session: dict[str, Any]) -> None:
    resources = {r["uri"]: r for r in ok(session, "resources")["resources"]}
    assert sorted(resources) == ["data://motd", "greeting://me"]
    assert resources["data://motd"]["name"] == "motd"
    assert resources["data://motd"]["mimeType"] == "text/plain"
    assert resources["data://motd"]["description"] == "The message of the day."
    templates = ok(session, "templates")["resourceTemplates"]
    assert [(t["name"], t["uriTemplate"]) for t in templates] == [("user_card", "users://{user_id}/card")]
    assert templates[0]["description"] == "A user's card by numeric id."


def test_read_resource(session: dict[str, Any]) -> None:
    assert ok(session, "motd")["contents"] == [
        {"uri": "data://motd", "mimeType": "text/plain", "text": "Stay curious."}
    ]


def test_read_resource_template(session: dict[str, Any]) -> None:
    (content,) = ok(session, "card")["contents"]
    assert content["uri"] == "users://42/card"
    assert json.loads(content["text"]) == {"id": 42, "name": "user-42", "even": True}


def test_read_resource_that_elicits(session: dict[str, Any]) -> None:
    (content,) = ok(session, "greeting")["contents"]
    assert content == {"uri": "greeting://me", "mimeType": "text/plain", "text": f"Welcome, {ELICITED_NAME}!"}
    reads = [r for r in outbound_requests(session, "resources/read") if r["uri"] == "greeting://me"]
    expected = [None, ["elicit-0"]] if is_modern(session) else [None]
    assert [r.get("inputResponses") for r in reads] == expected


def test_read_missing_resource(session: dict[str, Any]) -> None:
    error = failed(session, "missing")
    assert error["code"] == -32602  # SEP-2164, in both eras
    assert error["name"] == "ResourceNotFoundError"  # the client recognised it: code and data.uri
    assert error["data"] == {"uri": "data://missing"}
    assert "Resource not found: 'data://missing'" in error["message"]


# -- prompts -----------------------------------------------------------------------------------------------


def test_list_prompts(session: dict[str, Any]) -> None:
    prompts = {p["name"]: p for p in ok(session, "prompts")["prompts"]}
    assert sorted(prompts) == ["polish", "review"]
    assert prompts["review"]["arguments"] == [
        {"name": "code", "required": True},
        {"name": "language", "required": False},
    ]
    assert prompts["polish"]["arguments"] == [{"name": "topic", "required": True}]


def test_get_prompt(session: dict[str, Any]) -> None:
    result = ok(session, "review")
    assert result["description"] == "Asks for a code review."
    assert result["messages"] == [
        {"role": "user", "content": {"type": "text", "text": "Please review this python code:\nx = 1"}}
    ]


def test_get_prompt_that_samples(session: dict[str, Any]) -> None:
    result = ok(session, "polish")
    assert result["messages"] == [
        {"role": "user", "content": {"type": "text", "text": f"Polish this line about the sea: {SAMPLED_TEXT}"}}
    ]
    gets = [r for r in outbound_requests(session, "prompts/get") if r["name"] == "polish"]
    expected = [None, ["sample-0"]] if is_modern(session) else [None]
    assert [r.get("inputResponses") for r in gets] == expected


# -- a client that declines, and declares less -------------------------------------------------------------


def test_declined_elicitation(declining: dict[str, Any]) -> None:
    interview = ok(declining, "interview")
    assert texts(interview) == ["no name (decline)"]
    assert interview["isError"] is False
    assert ok(declining, "greeting")["contents"][0]["text"] == "Welcome, stranger (decline)."
    assert len(declining["handlers"]["elicitation"]) == 2
    assert declining["handlers"]["sampling"] == [] and declining["handlers"]["roots"] == 0
    assert ok(declining, "add")["structuredContent"] == {"result": -3}


def test_undeclared_sampling_capability(declining: dict[str, Any]) -> None:
    """The client did not declare sampling (on the 2026 era: in the request's clientCapabilities envelope)."""
    error = failed(declining, "polish")
    if is_modern(declining):
        assert error["name"] == "MissingRequiredClientCapabilityError"
        assert error["code"] == -32021
        assert error["data"] == {"requiredCapabilities": {"sampling": {}}}
    else:
        assert error["name"] == "ProtocolError"
        assert isinstance(error["code"], int) and error["code"] < 0
        assert "sampling capability" in error["message"]
    # Nothing reached the client for it: no input request, no server→client request.
    assert declining["handlers"]["sampling"] == []
    assert all(r["method"] != "sampling/createMessage" for r in inbound_requests(declining))
