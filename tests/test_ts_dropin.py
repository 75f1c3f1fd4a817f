"""The drop-in surface driven by the official TypeScript client (``tests/ts/walk.mjs``,
``@modelcontextprotocol/sdk``): unedited SDK v1 and FastMCP files under ``fastmcp-rs run`` over stdio, an SDK
v1-style server over Streamable HTTP, the FastAPI app with the server mounted behind a Starlette middleware
(served natively and under uvicorn), and the native legacy HTTP+SSE transport."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HERE, start_http_server, stop
from test_asgi import Served, _native, _serve, _uvicorn
from test_ts_client import ts_client  # noqa: F401  (the fixture: tests/ts with its npm packages)

WALK = HERE / "ts" / "walk.mjs"
CORPUS = HERE / "dropin" / "corpus"
CLI = [sys.executable, "-m", "fastmcp_rs.cli", "run"]


def walk(
    mode: str,
    calls: list[dict[str, Any]] | str,
    *target: str,
    headers: dict[str, str] | None = None,
    tmp: Path | None = None,
    cwd: Path | None = None,
) -> dict[str, Any]:
    if isinstance(calls, list):
        assert tmp is not None
        spec = tmp / "calls.json"
        spec.write_text(json.dumps(calls))
        calls = str(spec)
    env = {**os.environ, "WALK_HEADERS": json.dumps(headers or {})}
    done = subprocess.run(
        [shutil.which("node") or "node", str(WALK), mode, calls, *target],
        cwd=cwd or HERE / "ts",
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    assert done.returncode == 0, f"walk.mjs exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def text(result: dict[str, Any]) -> str:
    assert "content" in result, result
    return result["content"][0]["text"]


def test_unedited_sdk_v1_files_over_stdio(ts_client: Path, tmp_path: Path) -> None:  # noqa: F811
    servers = CORPUS / "sdk_v1" / "snippets" / "servers"
    progress = walk(
        "stdio",
        [{"name": "long_running_task", "arguments": {"task_name": "index", "steps": 3}}],
        *CLI,
        str(servers / "tool_progress.py"),
        tmp=tmp_path,
    )
    assert progress["serverInfo"]["name"] == "Progress Example"
    assert text(progress["calls"]["long_running_task"]) == "Task 'index' completed"
    # The TS client hands notifications to their handlers a microtask later but settles the response at once,
    # so progress that arrives in the same read as the result is dropped by the client ("unknown token"):
    # what reaches the progress callback is a prefix of what the server sent (possibly none of it). The log
    # messages go to a handler that outlives the request, so all of them arrive.
    steps = [n["params"] for n in progress["notifications"] if n["method"] == "progress"]
    expected = [(1 / 3, "Step 1/3"), (2 / 3, "Step 2/3"), (1.0, "Step 3/3")]
    assert [(pytest.approx(s["progress"]), s["message"]) for s in steps] == expected[: len(steps)]
    logs = [n["params"] for n in progress["notifications"] if n.get("method") == "notifications/message"]
    assert [(log["level"], log["data"]["msg"]) for log in logs] == [
        ("info", "Starting: index"),
        ("debug", "Completed step 1"),
        ("debug", "Completed step 2"),
        ("debug", "Completed step 3"),
    ]

    sampled = walk(
        "stdio",
        [{"name": "generate_poem", "arguments": {"topic": "tides"}}],
        *CLI,
        str(servers / "sampling.py"),
        tmp=tmp_path,
    )
    assert text(sampled["calls"]["generate_poem"]) == "sampled by ts"
    assert sampled["serverRequests"][0]["method"] == "sampling/createMessage"

    structured = walk("stdio", "all", *CLI, str(servers / "structured_output.py"))
    assert structured["calls"]["get_weather"]["structuredContent"]["condition"] == "sunny"
    # SDK v1's "ordinary classes with type hints work for structured output" (FastMCP 4 cannot load this file).
    assert structured["calls"]["get_user"]["structuredContent"] == {
        "name": "Alice",
        "age": 30,
        "email": "alice@example.com",
    }
    user_tool = next(t for t in structured["tools"] if t["name"] == "get_user")
    assert user_tool["outputSchema"]["required"] == ["name", "age"]
    assert {t["name"] for t in structured["tools"]} >= {"get_weather", "get_location", "list_cities"}
    assert all("error" not in c for c in structured["calls"].values()), structured["calls"]


def test_unedited_fastmcp_example_over_stdio(ts_client: Path) -> None:  # noqa: F811
    demo = CORPUS / "fastmcp" / "testing_demo" / "server.py"
    out = walk("stdio", "all", *CLI, str(demo))
    assert out["serverInfo"]["name"] == "Testing Demo"
    assert out["calls"]["add"]["structuredContent"] == {"result": 4}
    assert out["reads"]["demo://info"]["contents"][0]["text"] == "This is the FastMCP Testing Demo server"
    assert [m["content"]["text"] for m in out["gets"]["hello"]["messages"]] == ["Say hello to World in a friendly way."]


@pytest.fixture(scope="module")
def sdk_v1_http() -> Iterator[Any]:
    server = start_http_server(script=HERE / "servers" / "sdk_v1.py")
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


def test_sdk_v1_spellings_over_http(ts_client: Path, sdk_v1_http: Any, tmp_path: Path) -> None:  # noqa: F811
    out = walk(
        "http",
        [{"name": "sample", "arguments": {"topic": "tides"}}, {"name": "needs_authorization", "arguments": {}}],
        sdk_v1_http.url,
        tmp=tmp_path,
    )
    assert out["protocolVersion"] == "2025-11-25"
    assert text(out["calls"]["sample"]).startswith("CreateMessageResult|ts-walk|assistant|")
    refused = out["calls"]["needs_authorization"]
    assert refused.get("code") == -32042, refused


@pytest.fixture(scope="module", params=["native", "uvicorn"])
def mounted(request: pytest.FixtureRequest) -> Iterator[Served]:
    served = (_native if request.param == "native" else _uvicorn)("servers.asgi_app:app")
    yield served
    stop(served.proc)


def test_fastapi_mount_behind_middleware(ts_client: Path, mounted: Served, tmp_path: Path) -> None:  # noqa: F811
    calls = [{"name": "restock", "arguments": {"items": [{"name": "bolt", "qty": 3}, {"name": "nut", "qty": 5}]}}]
    out = walk(
        "http", calls, f"{mounted.base}/analytics/mcp", headers={"Authorization": "Bearer dev-token"}, tmp=tmp_path
    )
    assert [t["name"] for t in out["tools"]] == ["add", "restock"]
    assert out["calls"]["restock"]["structuredContent"] == {
        "result": [{"name": "bolt", "qty": 6}, {"name": "nut", "qty": 10}]
    }
    assert [n["params"]["progress"] for n in out["notifications"] if n["method"] == "progress"] == [1, 2]
    refused = subprocess.run(
        [shutil.which("node") or "node", str(WALK), "http", "all", f"{mounted.base}/analytics/mcp"],
        cwd=HERE / "ts",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 1 and "connectError" in refused.stdout, refused.stdout  # the middleware's 401


@pytest.fixture(scope="module")
def native_sse() -> Iterator[Served]:
    served = _serve(
        [sys.executable, str(HERE / "servers" / "features.py"), "sse", "0"], r"serving .* on (http://[^/\s]+)"
    )
    yield served
    assert stop(served.proc) == 0, "".join(served.lines)


def test_native_legacy_sse(ts_client: Path, native_sse: Served, tmp_path: Path) -> None:  # noqa: F811
    out = walk("sse", [{"name": "read_config", "arguments": {}}], f"{native_sse.base}/sse", tmp=tmp_path)
    assert out["serverInfo"] == {"name": "features", "version": "2.0.0"}
    assert "read_config" in [t["name"] for t in out["tools"]]
    assert out["calls"]["read_config"]["isError"] is False
    assert out["reads"], "resources read over SSE"
