"""The official TypeScript MCP client (`@modelcontextprotocol/sdk`, pinned in tests/ts/package.json) against the
features server, over real stdio pipes and real Streamable HTTP on 127.0.0.1.

tests/ts/client.mjs runs one fixed scenario (listing, resources, prompts, completion, elicitation, sampling,
roots, state, subscriptions, visibility and runtime tool changes) and prints every result as one JSON object;
the tests here check that object. The scenario runs once per transport. Needs `node` and `npm` (skipped
without them); the npm packages are installed into tests/ts/node_modules on first use.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HERE, start_http_server, stop

TS_DIR = HERE / "ts"
CLIENT = TS_DIR / "client.mjs"
FEATURES = HERE / "servers" / "features.py"
CLIENT_TIMEOUT = 60

CONFIG_TEXT = json.dumps({"theme": "dark", "version": "1.2.0", "features": ["search", "export"]})
BASE_TOOLS = [
    "read_config",
    "ask_name",
    "ask_person",
    "remember",
    "recall",
    "forget",
    "lifespan_info",
    "client_info",
    "sample_haiku",
    "roots",
    "deep_sync",
    "deep_async",
    "headers",
    "touch",
    "hide",
    "show",
    "add_greeter",
    "drop_greeter",
    "secret_tool",
]


def text_result(value: Any) -> dict[str, Any]:
    """A tool result as FastMCP 4 puts a wrapped (non-object) return value on the wire."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return {
        "_meta": {"fastmcp": {"wrap_result": True}},
        "content": [{"type": "text", "text": text}],
        "structuredContent": {"result": value},
        "isError": False,
    }


def tool_error(text: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "isError": True}


def text_message(role: str, text: str) -> dict[str, Any]:
    return {"role": role, "content": {"type": "text", "text": text}}


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        path = TS_DIR / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def ts_client() -> Path:
    """tests/ts with its npm packages installed; skips the module without node or npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the TypeScript MCP client")
    # npm ci replaces node_modules, stamp and all: the stamp says it holds what package(-lock).json ask for.
    stamp = TS_DIR / "node_modules" / ".fastmcp-rs-installed"
    if not stamp.exists() or stamp.read_text() != _lock_digest():
        command = "ci" if (TS_DIR / "package-lock.json").exists() else "install"
        done = subprocess.run(
            [npm, command, "--silent", "--no-audit", "--no-fund"],
            cwd=TS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            pytest.skip(f"`npm {command}` failed in {TS_DIR} (offline?):\n{done.stdout}{done.stderr}")
        stamp.write_text(_lock_digest())
    return TS_DIR


def run_client(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [shutil.which("node") or "node", str(CLIENT), *args],
        cwd=TS_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
    )
    assert done.returncode == 0, f"client.mjs exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"client.mjs printed nothing:\n{done.stderr}"
    return json.loads(lines[-1])


@pytest.fixture(scope="module", params=["stdio", "http"])
def scenario(request: pytest.FixtureRequest, ts_client: Path) -> Iterator[dict[str, Any]]:
    """What client.mjs saw, run once per transport against the native features server."""
    if request.param == "stdio":
        out = run_client("stdio", sys.executable, str(FEATURES), "stdio")
        assert out["transport"] == "stdio"
        yield out
        return
    server = start_http_server(script=FEATURES)
    try:
        out = run_client("http", server.url)
    finally:
        code = stop(server.proc)
    assert code == 0, "".join(server.stderr_lines)
    assert out["transport"] == "http"
    yield out


def test_handshake(scenario: dict[str, Any]) -> None:
    assert scenario["protocolVersion"] == "2025-11-25"
    assert scenario["serverInfo"] == {"name": "features", "version": "2.0.0"}
    assert scenario["serverCapabilities"] == {
        "logging": {},
        "completions": {},
        "prompts": {"listChanged": True},
        "resources": {"subscribe": True, "listChanged": True},
        "tools": {"listChanged": True},
    }
    assert scenario["clientErrors"] == []
    if scenario["transport"] == "http":
        assert re.fullmatch(r"[\x21-\x7e]+", scenario["sessionId"]), scenario["sessionId"]
        assert scenario["terminateSession"] == {"ok": True, "sessionId": None}  # the DELETE was accepted
    else:
        assert "sessionId" not in scenario


def test_listings(scenario: dict[str, Any]) -> None:
    assert scenario["tools"] == BASE_TOOLS
    assert scenario["resources"] == [
        "data://config",
        "data://readme",
        "data://logo",
        "data://async",
        "data://both",
        "data://broken",
        "data://refused",
        "ctx://whoami",
    ]
    assert scenario["templates"] == ["users://{user_id}/profile", "files://{path*}", "search://items{?q,limit}"]
    assert scenario["prompts"] == [
        "ask_about",
        "conversation",
        "typed_prompt",
        "with_result",
        "failing_prompt",
        "crashing_prompt",
    ]


def test_resources(scenario: dict[str, Any]) -> None:
    assert scenario["readConfig"] == {
        "contents": [{"uri": "data://config", "mimeType": "text/plain", "text": CONFIG_TEXT}]
    }
    assert scenario["readProfile"] == {
        "contents": [
            {
                "uri": "users://101/profile",
                "mimeType": "text/plain",
                "text": json.dumps({"name": "Alice", "status": "active"}),
            }
        ]
    }
    # The query parameters arrive typed: limit is the int 3.
    assert scenario["readSearch"] == {
        "contents": [
            {"uri": "search://items?q=red&limit=3", "mimeType": "text/plain", "text": '{"q": "red", "limit": 3}'}
        ]
    }
    # A path that climbs out of the template is not found; the function never runs.
    traversal = scenario["readTraversal"]
    assert traversal["code"] == -32602
    assert traversal["message"] == "MCP error -32602: Resource not found: 'files://../etc/passwd'"
    assert traversal["data"] == {"uri": "files://../etc/passwd"}


def test_prompts(scenario: dict[str, Any]) -> None:
    assert scenario["getAskAbout"] == {
        "description": "Ask about a topic.",
        "messages": [text_message("user", "Tell me about rust")],
    }
    assert scenario["getConversation"] == {
        "_meta": {"v": 1},
        "description": "A short exchange",
        "messages": [
            text_message("user", "Hello Ada"),
            text_message("assistant", "You seem sad"),
            text_message("user", "plain follow-up"),
        ],
    }
    # Prompt arguments are strings on the wire; the function gets them converted to its annotated types.
    assert scenario["getTyped"] == {
        "description": "Arguments of several types.",
        "messages": [text_message("user", "n=5 nums=[1, 2] point=Point(x=1, y=0) flag=False")],
    }


def test_completion(scenario: dict[str, Any]) -> None:
    topic = scenario["completeTopic"]["completion"]
    assert topic["values"] == ["nature", "night", "news", "numbers"]
    assert not topic.get("hasMore")
    user = scenario["completeUser"]["completion"]
    assert user["values"] == ["101", "102"]
    assert not user.get("hasMore")


def test_elicitation(scenario: dict[str, Any]) -> None:
    assert scenario["callAskName"] == text_result("Hello Ada")
    assert scenario["callAskPerson"] == text_result("Ada is 36")
    assert scenario["elicitations"] == [
        {
            "message": "What is your name?",
            "requestedSchema": {
                "type": "object",
                "properties": {"value": {"type": "string", "title": "Value"}},
                "required": ["value"],
            },
        },
        {
            "message": "Who are you?",
            "requestedSchema": {
                "type": "object",
                "properties": {"name": {"type": "string", "title": "Name"}, "age": {"type": "integer", "title": "Age"}},
                "required": ["name", "age"],
            },
        },
    ]


def test_sampling_and_roots(scenario: dict[str, Any]) -> None:
    assert scenario["callSample"] == text_result("haiku: Write a haiku about rust")
    assert scenario["samplings"] == [
        {
            "messages": [text_message("user", "Write a haiku about rust")],
            "systemPrompt": "Be brief",
            "maxTokens": 60,
        }
    ]
    assert scenario["callRoots"] == text_result(["file:///tmp/a", "file:///tmp/b"])
    assert scenario["rootsRequests"] == 1


def test_context_tools(scenario: dict[str, Any]) -> None:
    assert scenario["callReadConfig"] == text_result(CONFIG_TEXT)
    assert scenario["callRemember"] == text_result("ok")
    assert scenario["callRecall"] == text_result("blue")
    assert scenario["callLifespan"] == {
        "content": [{"type": "text", "text": '{"db":"connected","runs":1}'}],
        "structuredContent": {"db": "connected", "runs": 1},
        "isError": False,
    }
    # get_context() from a plain helper sees the request being served (the SDK numbers requests 0, 1, ...).
    for key, prefix in (("callDeepSync", "sync"), ("callDeepAsync", "async")):
        result = scenario[key]
        assert result["isError"] is False, result
        text = result["content"][0]["text"]
        assert re.fullmatch(rf"{prefix} \d+", text), text
        assert result == text_result(text)
    # get_http_headers() sees the client's own header over HTTP, and nothing over stdio.
    headers = {"x-ts-client": "fastmcp-rs-tests"} if scenario["transport"] == "http" else {}
    assert scenario["callHeaders"] == {
        "content": [{"type": "text", "text": json.dumps(headers, separators=(",", ":"))}],
        "structuredContent": headers,
        "isError": False,
    }


def test_resource_subscription(scenario: dict[str, Any]) -> None:
    assert scenario["subscribe"] == {}
    assert scenario["callTouch"] == text_result(1)  # one subscriber: this client
    assert scenario["resourceUpdated"] is True
    updates = [n for n in scenario["notifications"] if n["method"] == "notifications/resources/updated"]
    assert updates == [{"method": "notifications/resources/updated", "params": {"uri": "data://config"}}]
    assert scenario["unsubscribe"] == {}


def test_visibility(scenario: dict[str, Any]) -> None:
    assert scenario["callHide"] == text_result("hidden")
    assert scenario["hideListChanged"] is True
    assert scenario["toolsAfterHide"] == [t for t in BASE_TOOLS if t != "secret_tool"]
    assert scenario["callSecretWhileHidden"] == tool_error("Unknown tool: 'secret_tool'")

    assert scenario["callShow"] == text_result("shown")
    assert scenario["showListChanged"] is True
    assert scenario["toolsAfterShow"] == BASE_TOOLS
    assert scenario["callSecret"] == text_result("classified")


def test_runtime_tools(scenario: dict[str, Any]) -> None:
    assert scenario["callAddGreeter"] == text_result("added")
    assert scenario["addListChanged"] is True
    assert scenario["toolsAfterAdd"] == [*BASE_TOOLS, "greet"]
    assert scenario["callGreet"] == text_result("Hi Ada")

    assert scenario["callDropGreeter"] == text_result("removed")
    assert scenario["dropListChanged"] is True
    assert scenario["toolsAfterDrop"] == BASE_TOOLS
    assert scenario["callGreetAfterDrop"] == tool_error("Unknown tool: 'greet'")


def test_notifications(scenario: dict[str, Any]) -> None:
    """Only what the scenario caused: one resource update, and list changes for hide, show, add and drop
    (hiding by tag may announce every kind of list; adding and removing tools announces the tool list)."""
    methods = [n["method"] for n in scenario["notifications"] if n["method"] != "notifications/message"]
    assert methods.count("notifications/resources/updated") == 1
    assert methods.count("notifications/tools/list_changed") >= 4
    assert set(methods) <= {
        "notifications/resources/updated",
        "notifications/tools/list_changed",
        "notifications/resources/list_changed",
        "notifications/prompts/list_changed",
    }
    assert all(n["params"] in (None, {}) for n in scenario["notifications"] if n["method"].endswith("/list_changed"))
