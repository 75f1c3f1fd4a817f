"""The `fastmcp-rs` command line, as real subprocesses: `run` of unedited FastMCP and SDK files (over stdio and
HTTP, driven by the official `mcp` client), the import aliasing and `--no-alias`, factories, fastmcp.json,
arguments after `--`, the banner, `--reload`, `inspect`, `dev`, `install` and `version`."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import URL_LINE, HttpServer, stop

mcp = pytest.importorskip("mcp")
from fastmcp_rs.cli._dev import INSPECTOR_PACKAGE, inspector_command  # noqa: E402
from fastmcp_rs.cli._reload import PollingWatcher  # noqa: E402
from fastmcp_rs.cli._run import banner_line, should_show_banner  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

SERVERS = Path(__file__).parent / "servers"
FASTMCP_FILE = SERVERS / "cli_fastmcp.py"
SDK_FILE = SERVERS / "cli_sdk.py"
FACTORY_FILE = SERVERS / "cli_factory.py"
SCRIPT = Path(sys.executable).parent / "fastmcp-rs"
CLI = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "fastmcp_rs.cli"]
TIMEOUT = 60

HAVE_REAL_FASTMCP = (Path(sys.executable).parent / "fastmcp").is_file()

pytestmark = pytest.mark.anyio


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str = "") -> Any:
    return subprocess.run(
        [*CLI, *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=TIMEOUT,
    )


def stdio_params(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> StdioServerParameters:
    return StdioServerParameters(command=CLI[0], args=[*CLI[1:], *args], env={**os.environ, **(env or {})}, cwd=cwd)


@asynccontextmanager
async def connect(server: Any, **kwargs: Any) -> AsyncIterator[Client]:
    with anyio.fail_after(TIMEOUT):
        async with Client(server, read_timeout_seconds=20, **kwargs) as client:
            yield client


@contextmanager
def http_server(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Iterator[HttpServer]:
    """`fastmcp-rs run ...` on an ephemeral 127.0.0.1 port; its URL read from the line it prints."""
    proc = subprocess.Popen(
        [*CLI, "run", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    server = HttpServer(url="", proc=proc)
    urls: list[str] = []
    ready = threading.Condition()

    def pump() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode(errors="replace")
            with ready:
                server.stderr_lines.append(line)
                m = URL_LINE.search(line)
                if m:
                    urls.append(m.group(1))
                ready.notify_all()
        with ready:
            server.stderr_lines.append("<eof>")
            ready.notify_all()

    threading.Thread(target=pump, daemon=True).start()

    def wait_url(n: int) -> str:
        with ready:
            ok = ready.wait_for(lambda: len(urls) >= n or "<eof>" in server.stderr_lines, timeout=TIMEOUT)
        if not ok or len(urls) < n:
            proc.kill()
            raise RuntimeError("server did not start:\n" + "".join(server.stderr_lines))
        return urls[n - 1]

    server.url = wait_url(1)
    server.wait_url = wait_url  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        stop(proc)


def text(result: Any) -> str:
    return result.content[0].text


# -- run: unedited FastMCP and SDK files ---------------------------------------------------------------------


async def check_fastmcp_file(client: Client) -> None:
    assert client.server_info.name == "cli-fastmcp" and client.server_info.version == "3.1.0"
    assert client.instructions == "A FastMCP file served by fastmcp-rs."
    tools = [t.name for t in (await client.list_tools()).tools]
    assert tools == ["add", "whoami", "argv", "env", "refuse"]
    assert (await client.call_tool("add", {"a": 2, "b": "40"})).structured_content == {"result": 42}
    who = (await client.call_tool("whoami", {})).structured_content
    assert who["fastmcp_module"].startswith("fastmcp_rs.")
    assert Path(who["fastmcp_file"]).parent.name == "fastmcp_rs"
    assert who["context_is_server_context"] is True and who["image"].startswith("fastmcp_rs.")
    refused = await client.call_tool("refuse", {})
    assert refused.is_error and text(refused) == "not today"
    assert (await client.read_resource("data://greeting")).contents[0].text == "hello"
    assert json.loads((await client.read_resource("users://7/profile")).contents[0].text) == {"id": 7}
    prompt = await client.get_prompt("review", {"code": "x = 1", "strict": "true"})
    assert prompt.messages[0].content.text == "Review this strictly: x = 1"


async def test_run_fastmcp_file_over_stdio() -> None:
    logs: list[Any] = []

    async def on_log(params: Any) -> None:
        logs.append(params.data)

    # The client negotiates the 2026 era, where a request asks for its log messages (log_level=).
    async with connect(stdio_params("run", str(FASTMCP_FILE)), logging_callback=on_log, log_level="debug") as client:
        assert client.protocol_version == "2026-07-28"
        await check_fastmcp_file(client)
        assert any("whoami called" in str(entry) for entry in logs)


async def test_run_sdk_file_over_stdio() -> None:
    async with connect(stdio_params("run", str(SDK_FILE))) as client:
        assert client.server_info.name == "cli-sdk"
        assert [t.name for t in (await client.list_tools()).tools] == ["multiply", "describe"]
        assert (await client.call_tool("multiply", {"a": 1.5, "b": 4})).structured_content == {"result": 6.0}
        described = (await client.call_tool("describe", {})).structured_content
        assert described["fastmcp_module"].startswith("fastmcp_rs.")
        assert described["types_module"] == "mcp.types"  # the rest of the SDK stays the SDK
        assert described["image"].startswith("fastmcp_rs.")
        prompt = await client.get_prompt("ask", {"topic": "owls"})
        assert prompt.messages[0].role == "user" and prompt.messages[0].content.text == "Tell me about owls"


@pytest.mark.parametrize("transport", ["http", "streamable-http"])
async def test_run_fastmcp_file_over_http(transport: str) -> None:
    with http_server(str(FASTMCP_FILE), "-t", transport, "--host", "127.0.0.1", "--port", "0") as server:
        assert server.url.endswith("/mcp")
        async with connect(server.url) as client:
            await check_fastmcp_file(client)


async def test_run_sdk_file_over_http_stateless_json() -> None:
    import httpx

    args = (str(SDK_FILE), "-t", "http", "--host", "127.0.0.1", "--port", "0", "--path", "/api/mcp")
    with http_server(*args, "--stateless", "--json-response") as server:
        assert server.url.endswith("/api/mcp")
        async with connect(server.url) as client:
            assert (await client.call_tool("multiply", {"a": 2, "b": 3})).structured_content == {"result": 6.0}
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        headers = {"accept": "application/json, text/event-stream"}
        async with httpx.AsyncClient(timeout=20) as http:
            r = await http.post(server.url, json=body, headers=headers)
        assert r.headers["content-type"].startswith("application/json") and "mcp-session-id" not in r.headers
        assert [t["name"] for t in r.json()["result"]["tools"]] == ["multiply", "describe"]


async def test_args_after_double_dash_reach_the_file() -> None:
    async with connect(stdio_params("run", str(FASTMCP_FILE), "--", "--config", "x.json", "-v")) as client:
        result = await client.call_tool("argv", {})
        assert result.structured_content == {"result": ["--config", "x.json", "-v"]}


@pytest.mark.skipif(not HAVE_REAL_FASTMCP, reason="the real fastmcp is not installed")
def test_no_alias_imports_the_real_fastmcp() -> None:
    r = cli("run", str(FASTMCP_FILE), "--no-alias")
    assert r.returncode == 1 and r.stdout == ""
    # The real package was imported: its FastMCP class, from its own files.
    assert "'mcp' in cli_fastmcp.py is a fastmcp.server.server.FastMCP" in r.stderr
    assert re.search(r"imported from \S*site-packages/fastmcp/__init__\.py", r.stderr), r.stderr
    assert "--no-alias" in r.stderr


def test_no_alias_sdk_file_gets_the_real_sdk() -> None:
    r = cli("run", str(SDK_FILE), "--no-alias")
    assert r.returncode == 1 and r.stdout == ""
    assert "mcp.server.fastmcp" in r.stderr  # mcp 2's own "FastMCP was renamed" error


def test_missing_file_and_missing_aliased_module(tmp_path: Path) -> None:
    r = cli("run", str(SERVERS / "nonexistent.py"))
    assert r.returncode == 1 and "no such file" in r.stderr
    (tmp_path / "mixin.py").write_text("from fastmcp import FastMCP\nfrom fastmcp.contrib.mcp_mixin import MCPMixin\n")
    r = cli("run", str(tmp_path / "mixin.py"))
    assert r.returncode == 1
    assert "No module named 'fastmcp.contrib'" in r.stderr and "fastmcp_rs.contrib" in r.stderr


def test_alias_hook_maps_names_generically(tmp_path: Path) -> None:
    """In a fresh interpreter: which fastmcp_rs module serves each name, and that they are the same objects."""
    script = textwrap.dedent(
        """
        import json, sys
        from fastmcp_rs.cli import _alias
        _alias.install()
        import fastmcp, fastmcp_rs
        from fastmcp import FastMCP, Context
        from fastmcp.server.context import Context as C2
        from fastmcp.tools import Tool
        from mcp.server.fastmcp import FastMCP as F2
        from mcp.server.fastmcp.server import FastMCP as F3
        from mcp.server.fastmcp.prompts.base import UserMessage
        from mcp.server.fastmcp.utilities.types import Image
        import mcp.types
        out = {
            "same": [FastMCP is fastmcp_rs.FastMCP, F2 is FastMCP, F3 is FastMCP, C2 is Context,
                     Tool is fastmcp_rs.Tool, UserMessage is fastmcp_rs.UserMessage, Image is fastmcp_rs.Image],
            "served": {n: _alias.resolve(n) for n in ["fastmcp", "fastmcp.server.context", "mcp.server.fastmcp",
                                                       "mcp.server.fastmcp.prompts.base", "mcp.types"]},
            "sdk_types": mcp.types.__file__,
        }
        try:
            import fastmcp.contrib.mcp_mixin
        except ModuleNotFoundError as exc:
            out["missing"] = [exc.name, str(exc)]
        _alias.uninstall()
        out["after"] = "fastmcp" in sys.modules
        print(json.dumps(out))
        """
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert all(out["same"]), out
    served = out["served"]
    assert served["fastmcp"] == "fastmcp_rs" and served["mcp.server.fastmcp"] == "fastmcp_rs"
    assert served["fastmcp.server.context"].startswith("fastmcp_rs.")
    assert served["mcp.server.fastmcp.prompts.base"].startswith("fastmcp_rs.prompts")
    assert served["mcp.types"] is None and "fastmcp_rs" not in out["sdk_types"]
    name, message = out["missing"]
    assert name == "fastmcp.contrib"
    assert "fastmcp_rs.contrib" in message and "--no-alias" in message
    assert out["after"] is False


def test_alias_without_the_sdk_installed(tmp_path: Path) -> None:
    """`from mcp.server.fastmcp import FastMCP` works even where the SDK is absent (simulated by hiding it)."""
    script = textwrap.dedent(
        """
        import importlib.machinery, sys
        import fastmcp_rs, fastmcp_rs.utilities.types
        class NoSdk:  # PathFinder, blind to the installed SDK
            @staticmethod
            def find_spec(name, path=None, target=None):
                spec = importlib.machinery.PathFinder.find_spec(name, path, target)
                if spec is not None and name.split(".")[0] == "mcp" and "site-packages" in (spec.origin or ""):
                    return None
                return spec
        sys.meta_path[sys.meta_path.index(importlib.machinery.PathFinder)] = NoSdk
        from fastmcp_rs.cli import _alias
        _alias.install()
        from mcp.server.fastmcp import FastMCP
        from mcp.server.fastmcp.utilities.types import Image
        assert FastMCP is fastmcp_rs.FastMCP and Image is fastmcp_rs.Image
        try:
            import mcp.types
        except ModuleNotFoundError:
            print("ok")
        """
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


# -- run: object discovery and factories ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "name", "origin"),
    [
        ("cli_factory.py", "sync-factory", "sync"),
        ("cli_factory.py:create_server", "sync-factory", "sync"),
        ("cli_factory.py:make_async", "async-factory", "async same-loop=True"),
    ],
)
async def test_factories(spec: str, name: str, origin: str) -> None:
    async with connect(stdio_params("run", str(SERVERS / spec))) as client:
        assert client.server_info.name == name
        assert (await client.call_tool("origin", {})).structured_content == {"result": origin}


@pytest.mark.parametrize(
    ("spec", "args", "message"),
    [
        ("cli_factory.py:not_a_server", [], "factory not_a_server() in cli_factory.py must return a FastMCP"),
        ("cli_factory.py:nope", [], "no object named 'nope' in cli_factory.py"),
        ("cli_factory.py", ["--", "--fail"], "importing"),
    ],
)
def test_discovery_errors(spec: str, args: list[str], message: str) -> None:
    r = cli("run", str(SERVERS / spec), *args)
    assert r.returncode == 1 and message in r.stderr and r.stdout == ""


def test_discovery_rules(tmp_path: Path) -> None:
    (tmp_path / "two.py").write_text("from fastmcp import FastMCP\na = FastMCP('a')\nb = FastMCP('b')\n")
    r = cli("run", str(tmp_path / "two.py"))
    assert r.returncode == 1 and "several FastMCP servers (a, b)" in r.stderr
    (tmp_path / "none.py").write_text("x = 1\n")
    r = cli("run", str(tmp_path / "none.py"))
    assert r.returncode == 1 and "no server found" in r.stderr
    (tmp_path / "other.py").write_text("from fastmcp import FastMCP\nthe_one = FastMCP('only')\n")
    r = cli("inspect", str(tmp_path / "other.py"))
    assert r.returncode == 0 and "Name:         only" in r.stdout


# -- run: fastmcp.json ---------------------------------------------------------------------------------------


def write_config(directory: Path, **deployment: Any) -> Path:
    (directory / "src").mkdir(exist_ok=True)
    shutil.copy(FASTMCP_FILE, directory / "src" / "server.py")
    config = {
        "$schema": "https://gofastmcp.com/public/schemas/fastmcp.json/v1.json",
        "source": {"path": "src/server.py", "entrypoint": "mcp"},
        "environment": {},
        "deployment": deployment,
    }
    path = directory / "fastmcp.json"
    path.write_text(json.dumps(config))
    return path


async def test_fastmcp_json_deployment(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        transport="http",
        host="127.0.0.1",
        port=0,
        path="/cfg/mcp",
        env={"GREETING": "hi ${CLI_TEST_WHO}"},
        args=["--from-config"],
    )
    with http_server(cwd=tmp_path, env={"CLI_TEST_WHO": "there"}) as server:  # no file: ./fastmcp.json
        assert server.url.endswith("/cfg/mcp")
        async with connect(server.url) as client:
            assert client.server_info.name == "cli-fastmcp"
            assert (await client.call_tool("env", {"name": "GREETING"})).structured_content == {"result": "hi there"}
            assert (await client.call_tool("argv", {})).structured_content == {"result": ["--from-config"]}


async def test_fastmcp_json_cli_overrides(tmp_path: Path) -> None:
    config = write_config(tmp_path, transport="http", port=0, args=["--from-config"])
    async with connect(stdio_params("run", str(config), "-t", "stdio", "--", "from-cli")) as client:
        assert (await client.call_tool("argv", {})).structured_content == {"result": ["from-cli"]}


def test_fastmcp_json_errors(tmp_path: Path) -> None:
    r = cli("run", cwd=tmp_path)
    assert r.returncode == 1 and "no fastmcp.json" in r.stderr
    (tmp_path / "mcp.json").write_text(json.dumps({"mcpServers": {"x": {"command": "y"}}}))
    r = cli("run", str(tmp_path / "mcp.json"))
    assert r.returncode == 1 and "MCPConfig" in r.stderr
    (tmp_path / "bad.json").write_text(json.dumps({"source": {"path": "s.py"}, "deployment": {"transport": "tcp"}}))
    r = cli("run", str(tmp_path / "bad.json"))
    assert r.returncode == 1 and "invalid bad.json" in r.stderr and "transport" in r.stderr


# -- run: the banner -----------------------------------------------------------------------------------------


class _Stream:
    def __init__(self, tty: bool) -> None:
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_banner_decision() -> None:
    assert should_show_banner("stdio", False, _Stream(True))
    assert not should_show_banner("stdio", False, _Stream(False))
    assert not should_show_banner("stdio", True, _Stream(True))
    assert not should_show_banner("http", False, _Stream(True))


def _stdio_with_pty_stderr(*args: str) -> tuple[str, str]:
    """Serves over stdio with stderr on a pseudo-terminal; one initialize. Returns (stdout, terminal output)."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen([*CLI, "run", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    watchdog = threading.Timer(TIMEOUT, proc.kill)
    watchdog.start()
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}}
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(init).encode() + b"\n")
    proc.stdin.flush()
    answer = proc.stdout.readline().decode()
    proc.stdin.close()
    rest = proc.stdout.read().decode()
    proc.wait(TIMEOUT)
    watchdog.cancel()
    chunks = []
    while select.select([master], [], [], 0.5)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return answer + rest, b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_banner_only_on_a_terminal() -> None:
    stdout, terminal = _stdio_with_pty_stderr(str(FASTMCP_FILE))
    assert json.loads(stdout.splitlines()[0])["result"]["serverInfo"]["name"] == "cli-fastmcp"
    assert all(json.loads(line) for line in stdout.splitlines())  # stdout is only the protocol
    lines = [line for line in terminal.splitlines() if "serving" in line]
    assert len(lines) == 1 and "'cli-fastmcp'" in lines[0] and "stdio" in lines[0]
    _, terminal = _stdio_with_pty_stderr(str(FASTMCP_FILE), "--no-banner")
    assert "serving" not in terminal
    r = cli("run", str(FASTMCP_FILE), input="")  # stderr is a pipe here
    assert r.returncode == 0 and r.stdout == "" and "serving" not in r.stderr


def test_banner_line() -> None:
    from fastmcp_rs import FastMCP

    line = banner_line(FastMCP("demo", version="2.0"), "stdio")
    assert "'demo'" in line and "2.0" in line and "stdio" in line and "\n" not in line


# -- run --reload --------------------------------------------------------------------------------------------


def test_polling_watcher(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("x")
    watcher = PollingWatcher([tmp_path], interval=0.05)
    assert watcher.wait(0) == set()
    (tmp_path / "notes.txt").write_text("changed")
    assert watcher.wait(0.2) == set()
    (tmp_path / "a.py").write_text("x = 22\n")
    assert watcher.wait(10) == {str(tmp_path / "a.py")}
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text("")
    assert watcher.wait(10) == {str(tmp_path / "pkg" / "b.py")}


@pytest.mark.parametrize("watcher", ["default", "polling"])
async def test_reload_restarts_on_change(tmp_path: Path, watcher: str) -> None:
    server_file = tmp_path / "server.py"
    shutil.copy(FACTORY_FILE, server_file)
    env = {"FASTMCP_RS_RELOAD_POLL": "1"} if watcher == "polling" else {}
    with http_server(str(server_file), "-t", "http", "--port", "0", "--reload", env=env) as server:
        async with connect(server.url) as client:
            assert (await client.call_tool("origin", {})).structured_content == {"result": "sync"}
        server_file.write_text(server_file.read_text().replace('return "sync"', 'return "edited"'))
        url = server.wait_url(2)  # type: ignore[attr-defined]
        async with connect(url) as client:
            assert (await client.call_tool("origin", {})).structured_content == {"result": "edited"}
        assert any("changed; restarting" in line for line in server.stderr_lines)
        parent = server.proc
    assert parent.returncode == 0


# -- inspect -------------------------------------------------------------------------------------------------


def test_inspect_summary() -> None:
    r = cli("inspect", str(FASTMCP_FILE))
    assert r.returncode == 0, r.stderr
    for expected in ("Name:         cli-fastmcp", "Version:      3.1.0", "Tools:        5", "Templates:    1"):
        assert expected in r.stdout


async def test_inspect_mcp_format_is_the_wire() -> None:
    r = cli("inspect", str(FASTMCP_FILE), "--format", "mcp")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert list(report) == [
        "environment",
        "serverInfo",
        "instructions",
        "capabilities",
        "tools",
        "prompts",
        "resources",
        "resourceTemplates",
    ]

    def dump(items: list[Any]) -> list[dict[str, Any]]:
        return [i.model_dump(by_alias=True, exclude_none=True, mode="json") for i in items]

    async with connect(stdio_params("run", str(FASTMCP_FILE)), mode="legacy") as client:
        assert report["tools"] == dump((await client.list_tools()).tools)
        assert report["prompts"] == dump((await client.list_prompts()).prompts)
        assert report["resources"] == dump((await client.list_resources()).resources)
        assert report["resourceTemplates"] == dump((await client.list_resource_templates()).resource_templates)
        assert report["serverInfo"] == client.server_info.model_dump(by_alias=True, exclude_none=True)
        assert report["instructions"] == client.instructions
    fastmcp_report = json.loads(cli("inspect", str(FASTMCP_FILE), "--format", "fastmcp").stdout)
    assert fastmcp_report["server"]["capabilities"] == report["capabilities"]


@pytest.mark.skipif(not HAVE_REAL_FASTMCP, reason="the real fastmcp is not installed")
@pytest.mark.parametrize("server_file", [FASTMCP_FILE, SERVERS / "features.py"])
def test_inspect_fastmcp_format_matches_fastmcp(server_file: Path) -> None:
    ours = cli("inspect", str(server_file), "--format", "fastmcp")
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run(
        [str(Path(sys.executable).parent / "fastmcp"), "inspect", str(server_file), "--format", "fastmcp"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "FEATURES_IMPL": "fastmcp"},
    )
    assert theirs.returncode == 0, theirs.stderr
    a, b = json.loads(ours.stdout), json.loads(theirs.stdout)
    assert list(a) == list(b) and list(a["server"]) == list(b["server"])
    for key in ("name", "instructions", "version", "website_url", "icons", "generation"):
        assert a["server"][key] == b["server"][key]
    names = {b_item["name"] for kind in ("tools", "prompts", "resources", "templates") for b_item in b[kind]}
    for kind in ("tools", "prompts", "resources", "templates"):
        theirs_by_key = {item["key"]: item for item in b[kind]}
        ours_items = [item for item in a[kind] if item["name"] in names]  # features.py has native-only extras
        assert [item["key"] for item in ours_items] == list(theirs_by_key)
        for item in ours_items:
            expected = dict(theirs_by_key[item["key"]])
            expected["tags"] = sorted(expected["tags"]) if expected["tags"] else None
            assert item == expected


def test_inspect_output_file(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "manifest.json"
    r = cli("inspect", str(SDK_FILE), "--format", "mcp", "-o", str(out))
    assert r.returncode == 0 and "saved to" in r.stdout and "cli-sdk" in r.stdout
    assert [t["name"] for t in json.loads(out.read_text())["tools"]] == ["multiply", "describe"]
    r = cli("inspect", str(SDK_FILE), "-o", str(out))
    assert r.returncode == 1 and "--format is required" in r.stderr


def test_inspect_fastmcp_json_and_args(tmp_path: Path) -> None:
    write_config(tmp_path, transport="http", port=0)
    r = cli("inspect", "--format", "mcp", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["serverInfo"]["name"] == "cli-fastmcp"


# -- dev -----------------------------------------------------------------------------------------------------


def test_dev_command_construction() -> None:
    cmd = inspector_command(
        "/usr/bin/npx", "/srv/server.py:app", inspector_version="0.17.0", reload=False, server_args=["--x"]
    )
    assert cmd == [
        "/usr/bin/npx",
        f"{INSPECTOR_PACKAGE}@0.17.0",
        sys.executable,
        "-m",
        "fastmcp_rs.cli",
        "run",
        "/srv/server.py:app",
        "--transport",
        "stdio",
        "--no-banner",
        "--no-reload",
        "--",
        "--x",
    ]
    cmd = inspector_command("npx", "s.py", reload_dirs=[Path("/a")], no_alias=True)
    assert cmd[1] == INSPECTOR_PACKAGE and cmd[-4:] == ["--reload", "--reload-dir", "/a", "--no-alias"]


def test_dev_without_node(tmp_path: Path) -> None:
    r = cli("dev", str(FASTMCP_FILE), env={"PATH": str(tmp_path)})
    assert r.returncode == 1 and "npx" in r.stderr and "Node.js" in r.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script npx")
def test_dev_runs_the_inspector(tmp_path: Path) -> None:
    record = tmp_path / "npx-args.txt"
    npx = tmp_path / "npx"
    npx.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(record))}\necho "port=$CLIENT_PORT" >> {record}\n'
    )
    npx.chmod(0o755)
    r = cli(
        "dev",
        "inspector",
        str(FASTMCP_FILE),
        "--ui-port",
        "6280",
        "--",
        "a",
        env={"PATH": f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert r.returncode == 0, r.stderr
    lines = record.read_text().splitlines()
    assert lines[0] == INSPECTOR_PACKAGE
    assert lines[1:6] == [sys.executable, "-m", "fastmcp_rs.cli", "run", str(FASTMCP_FILE)]
    assert "--reload" in lines and lines[-3:] == ["--", "a", "port=6280"]


# -- install -------------------------------------------------------------------------------------------------


async def test_install_mcp_json_is_a_working_command(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nexport FROM_FILE='one two'\nBOTH=file\n")
    r = cli("install", "mcp-json", str(FASTMCP_FILE), "--env", "BOTH=cli", "--env-file", str(env_file))
    assert r.returncode == 0, r.stderr
    config = json.loads(r.stdout)
    assert list(config) == ["cli-fastmcp"]  # the server's own name
    entry = config["cli-fastmcp"]
    assert Path(entry["command"]).is_absolute() and entry["args"][-2:] == ["run", str(FASTMCP_FILE)]
    assert entry["env"] == {"FROM_FILE": "one two", "BOTH": "cli"}
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env={**os.environ, **entry["env"]})
    async with connect(params) as client:
        assert (await client.call_tool("env", {"name": "FROM_FILE"})).structured_content == {"result": "one two"}
    r = cli("install", "mcp-json", f"{FACTORY_FILE}:make_async", "--name", "mine", "--no-alias")
    entry = json.loads(r.stdout)["mine"]
    assert entry["args"][-3:] == ["run", f"{FACTORY_FILE}:make_async", "--no-alias"] and "env" not in entry


def test_install_with_uv_environment() -> None:
    r = cli("install", "mcp-json", str(SDK_FILE), "--with", "httpx", "--python", "3.12")
    entry = json.loads(r.stdout)["cli-sdk"]
    assert entry["command"] == "uv"
    assert entry["args"] == [
        "run",
        "--python",
        "3.12",
        "--with",
        "fastmcp-rs",
        "--with",
        "httpx",
        "fastmcp-rs",
        "run",
        str(SDK_FILE),
    ]
    r = cli("install", "stdio", str(SDK_FILE))
    assert r.returncode == 0 and shlex.split(r.stdout)[-2:] == ["run", str(SDK_FILE)]


def test_install_claude_desktop(tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps({"theme": "dark", "mcpServers": {"other": {"command": "x", "args": []}}}))
    r = cli("install", "claude-desktop", str(FASTMCP_FILE), "--config-path", str(tmp_path), "--env", "A=1")
    assert r.returncode == 0, r.stderr
    data = json.loads(config.read_text())
    assert data["theme"] == "dark" and data["mcpServers"]["other"] == {"command": "x", "args": []}
    entry = data["mcpServers"]["cli-fastmcp"]
    assert entry["args"][-2:] == ["run", str(FASTMCP_FILE)] and entry["env"] == {"A": "1"}
    # Again, through the environment variable: env merged, new values win.
    r = cli(
        "install",
        "claude-desktop",
        str(FASTMCP_FILE),
        "--env",
        "B=2",
        env={"FASTMCP_RS_CLAUDE_DESKTOP_CONFIG": str(config)},
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(config.read_text())["mcpServers"]["cli-fastmcp"]["env"] == {"A": "1", "B": "2"}
    r = cli("install", "claude-desktop", str(FASTMCP_FILE), "--config-path", str(tmp_path / "missing"))
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_install_cursor(tmp_path: Path) -> None:
    r = cli("install", "cursor", str(SDK_FILE), "--workspace", str(tmp_path), "--name", "calc")
    assert r.returncode == 0, r.stderr
    entry = json.loads((tmp_path / ".cursor" / "mcp.json").read_text())["mcpServers"]["calc"]
    assert entry["args"][-2:] == ["run", str(SDK_FILE)]
    target = tmp_path / "global" / "mcp.json"
    r = cli("install", "cursor", str(SDK_FILE), env={"FASTMCP_RS_CURSOR_CONFIG": str(target)})
    assert r.returncode == 0 and "cli-sdk" in json.loads(target.read_text())["mcpServers"]
    r = cli("install", "cursor", str(SDK_FILE), "--deeplink")
    assert r.stdout.startswith("cursor://anysphere.cursor-deeplink/mcp/install?name=cli-sdk&config=")


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script claude")
def test_install_claude_code(tmp_path: Path) -> None:
    record = tmp_path / "claude-args.txt"
    fake = tmp_path / "bin" / "claude"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "1.0.0 (Claude Code)"; exit 0; fi\n'
        f'printf "%s\\n" "$@" > {shlex.quote(str(record))}\n'
    )
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(tmp_path)}
    r = cli("install", "claude-code", str(FASTMCP_FILE), "--env", "K=V", env=env)
    assert r.returncode == 0, r.stderr
    lines = record.read_text().splitlines()
    assert lines[:6] == ["mcp", "add", "cli-fastmcp", "-e", "K=V", "--"]
    assert lines[-2:] == ["run", str(FASTMCP_FILE)]
    # Without the CLI: the command is printed instead.
    r = cli("install", "claude-code", str(FASTMCP_FILE), env={"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path)})
    assert r.returncode == 0 and "not found" in r.stderr
    assert shlex.split(r.stdout)[:4] == ["claude", "mcp", "add", "cli-fastmcp"]
    r = cli("install", "claude-code", str(FASTMCP_FILE), "--name", "bad;name", env=env)
    assert r.returncode == 1 and "invalid server name" in r.stderr


# -- version -------------------------------------------------------------------------------------------------


def test_version_lists_what_is_served() -> None:
    import fastmcp_rs

    r = cli("version")
    assert r.returncode == 0
    info = dict(line.split(":", 1) for line in r.stdout.splitlines())
    info = {k.strip(): v.strip() for k, v in info.items()}
    assert info["fastmcp-rs version"] == fastmcp_rs.__version__
    assert info["Python version"] == ".".join(map(str, sys.version_info[:3]))
    versions = info["MCP protocol versions"].split(", ")
    assert versions == sorted(versions, reverse=True) and "2025-06-18" in versions
    assert cli("--version").stdout.strip() == f"fastmcp-rs {fastmcp_rs.__version__}"
    # Each listed version is the one the server negotiates when asked for it.
    lines = [
        json.dumps({"jsonrpc": "2.0", "id": i, "method": "initialize", "params": {"protocolVersion": v}})
        for i, v in enumerate(versions)
    ]
    for i, version in enumerate(versions):
        r = cli("run", str(SDK_FILE), input=lines[i] + "\n")
        assert json.loads(r.stdout.splitlines()[0])["result"]["protocolVersion"] == version


def test_help_and_usage_errors() -> None:
    r = cli("--help")
    assert r.returncode == 0 and all(c in r.stdout for c in ("run", "inspect", "dev", "install", "version"))
    r = cli("version", "--", "x")
    assert r.returncode == 2 and "only for run" in r.stderr
    r = cli("run", str(FASTMCP_FILE), "-t", "tcp")
    assert r.returncode == 2


def test_sse_is_passed_through() -> None:
    """`-t sse` reaches `server.run("sse", ...)`: it serves, or (before the SSE transport lands) the server's
    NotImplementedError is reported cleanly."""
    proc = subprocess.Popen(
        [*CLI, "run", str(SDK_FILE), "-t", "sse", "--port", "0", "--host", "127.0.0.1", "--path", "/events"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        if "http://" in first:
            assert first.rstrip().endswith("/events"), first
            return
        rest = proc.stderr.read()
        assert proc.wait(TIMEOUT) == 1
        assert "sse" in (first + rest).lower() and "Traceback" not in first + rest
    finally:
        stop(proc)  # type: ignore[arg-type]
