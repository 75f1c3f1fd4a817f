"""SDK v1 files where SDK v1 users have them: in an environment with the official SDK v1.29 installed (``mcp``
1.x, whose ``mcp.types``, ``mcp.shared.exceptions`` and ``mcp.server.session`` these files also import), served
by ``fastmcp-rs run`` unchanged and answered like the SDK v1.29 serving the same file: the same components,
the same calls succeeding and failing, the same structured results and the same JSON-RPC error codes.

The environment is ``.venv-sdk1`` (``scripts/test.sh`` makes it: ``mcp==1.29.0`` plus this checkout's
``python/`` on the path); the test is skipped when ``FASTMCP_RS_SDK1_PYTHON`` does not name its Python.
Wire details where fastmcp-rs follows FastMCP 4 rather than the SDK (tags in ``_meta``, schema titles, log
data shape, error texts) are not compared here; ``tests/test_dropin_corpus.py`` holds them to FastMCP 4.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "dropin"))
from manifest import ENTRIES, Entry

DROPIN = Path(__file__).parent / "dropin"
SDK1_PYTHON = os.environ.get("FASTMCP_RS_SDK1_PYTHON")

pytestmark = pytest.mark.skipif(
    not SDK1_PYTHON or not Path(SDK1_PYTHON).exists(), reason="no SDK v1.29 environment (FASTMCP_RS_SDK1_PYTHON)"
)

# Tools whose outcome depends on this machine, not on the server (no display, no such file).
MACHINE_DEPENDENT = {"take_screenshot", "get_audio_from_file", "read_config", "read_binary_file"}


def probe(python: str, command: list[str], cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(DROPIN / "probe.py"), "--timeout", "15", "--", python, *command],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def names(doc: dict[str, Any], method: str, key: str, field: str) -> list[str]:
    return [item[field] for page in doc[method] for item in page["result"][key]]


_NOW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?")


def outcome(answer: dict[str, Any]) -> Any:
    """What a call came to: a JSON-RPC error code, or the result's error flag and structured content."""
    if "error" in answer:
        return ("error", answer["error"]["code"])
    result = answer["result"]
    structured = json.loads(_NOW.sub("<now>", json.dumps(result.get("structuredContent"))))  # timestamps
    return ("result", bool(result.get("isError")), structured)


def _sdk_entries() -> list[Any]:
    chosen = []
    for entry in ENTRIES:
        if not entry.path.startswith("sdk_v1/") or entry.later or "PIL" in entry.needs:
            continue
        chosen.append(pytest.param(entry, id=entry.spec))
    return chosen


@pytest.mark.parametrize("entry", _sdk_entries())
def test_answers_like_sdk_v1(entry: Entry) -> None:
    assert SDK1_PYTHON is not None
    path = DROPIN / "corpus" / entry.path
    spec = f"{path}" + (f":{entry.obj}" if entry.obj else "")
    with ThreadPoolExecutor(2) as pool:
        sdk, ours = pool.map(
            lambda command: probe(SDK1_PYTHON, command, path.parent),
            ([str(DROPIN / "ref_serve.py"), spec], ["-m", "fastmcp_rs.cli", "run", spec]),
        )
    assert "result" in sdk["initialize"], sdk.get("stderr")
    assert "result" in ours["initialize"], ours.get("stderr")
    assert ours["exit"] == 0, ours.get("stderr")
    assert ours["initialize"]["result"]["serverInfo"]["name"] == sdk["initialize"]["result"]["serverInfo"]["name"] or (
        sdk["initialize"]["result"]["serverInfo"]["name"] == "FastMCP"  # SDK v1's default name; FastMCP's is random
    )
    for method, key, field in (
        ("tools/list", "tools", "name"),
        ("resources/list", "resources", "uri"),
        ("resources/templates/list", "resourceTemplates", "uriTemplate"),
        ("prompts/list", "prompts", "name"),
    ):
        assert names(ours, method, key, field) == names(sdk, method, key, field), method
    for name, answer in sdk["tools/call"].items():
        if name in MACHINE_DEPENDENT:
            continue
        assert outcome(ours["tools/call"][name]) == outcome(answer), (name, ours["tools/call"][name], answer)
    for uri, answer in sdk["resources/read"].items():
        mine = ours["resources/read"][uri]
        assert ("error" in mine) == ("error" in answer), (uri, mine, answer)
        if "result" in answer:
            assert mine["result"]["contents"] == answer["result"]["contents"], uri
    for name, answer in sdk["prompts/get"].items():
        mine = ours["prompts/get"][name]
        assert ("error" in mine) == ("error" in answer), (name, mine, answer)
        if "result" in answer:
            assert mine["result"]["messages"] == answer["result"]["messages"], name


def _swapped(tmp_path: Path, relative: str) -> Path:
    source = (DROPIN / "corpus" / relative).read_text(encoding="utf-8")
    copy = tmp_path / Path(relative).name
    copy.write_text(re.sub(r"^from mcp\.server\.fastmcp import", "from fastmcp_rs import", source, flags=re.M))
    return copy


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SDK1_PYTHON is not None
    return subprocess.run(
        [SDK1_PYTHON, str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=script.parent,
        stdin=subprocess.DEVNULL,
    )


def test_weather_structured_self_test_runs_to_the_end(tmp_path: Path) -> None:
    """Its ``__main__`` drives the server with ``mcp.shared.memory.create_connected_server_and_client_session(
    mcp._mcp_server)``, as SDK v1 test suites do: with the import changed it runs on fastmcp-rs's in-memory
    connection and prints the same structured results as on the SDK v1.29."""
    relative = "sdk_v1/fastmcp/weather_structured.py"
    ours = _run(_swapped(tmp_path, relative))
    sdk = _run(DROPIN / "corpus" / relative)
    assert ours.returncode == 0, ours.stderr[-3000:]
    assert sdk.returncode == 0, sdk.stderr[-3000:]
    marker = "Text content for last result:"
    mine, theirs = (_NOW.sub("<now>", out.stdout).split(marker) for out in (ours, sdk))
    assert mine[0] == theirs[0]  # every structured result, pretty-printed by the file itself
    # The text content is the same JSON: compact, as FastMCP 4 writes it, where the SDK indents it.
    assert json.loads(mine[1]) == json.loads(theirs[1])
    schemas = _run(_swapped(tmp_path, relative), "--schemas")
    assert schemas.returncode == 0, schemas.stderr[-3000:]
    listed = re.findall(r"^Tool: (\w+)$", schemas.stdout, flags=re.M)
    assert listed == re.findall(r"^Tool: (\w+)$", _run(DROPIN / "corpus" / relative, "--schemas").stdout, flags=re.M)
    assert len(listed) == 6
