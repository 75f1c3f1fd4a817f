"""Proxies (issue 13): ``create_proxy(url)`` in front of one upstream server over Streamable HTTP
(tests/servers/upstream.py, served by fastmcp-rs), with FastMCP 4.2.3's proxy and fastmcp-rs's each serving the
same file (tests/servers/proxied.py) over stdio and driven by the official client. What the client sees must
be the same: the initialize result, every listing, every call (structured results, error results, upstream
failures), the log messages the upstream sends during a call (and its progress, which only fastmcp-rs
relays), sampling, elicitation and roots
asked by the upstream and answered by the client, a list change made upstream, reads (text, JSON, binary,
templates, failures) and prompts. Beyond that, fastmcp-rs opens one upstream connection per client session,
where FastMCP 4 opens one per request; the upstream's own count of ``initialize`` requests shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import mcp.types as mt
import pytest
from conftest import HERE, serving_on_a_port
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from test_auth import free_port, wait_listening

UPSTREAM = HERE / "servers" / "upstream.py"
PROXY = HERE / "servers" / "proxied.py"
IMPLS = ("fastmcp", "fastmcp_rs")
#: How each proxy under test is run: FastMCP 4's; ours, its calls forwarded by the core (the proxy's Python
#: forwarding refuses to run: tests/servers/proxied.py); ours with the core's upstream turned off, every
#: request forwarded from Python (the path a stdio upstream or a custom client takes).
RUNS = {
    "fastmcp": {"MW_IMPL": "fastmcp"},
    "fastmcp_rs": {"MW_IMPL": "fastmcp_rs", "PROXY_NATIVE_ONLY": "1"},
    "fastmcp_rs_python": {"MW_IMPL": "fastmcp_rs", "FASTMCP_RS_NATIVE_PROXY": "0"},
}
# Differences chosen for every server (see tests/dropin/manifest.py): our version, and resources/subscribe.
IGNORED_CAPABILITIES = ("resources",)


class Upstream:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc = subprocess.Popen(
            [sys.executable, str(UPSTREAM), str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "FASTMCP_LOG_LEVEL": "WARNING"},
        )
        wait_listening(self.port, self.proc, "upstream")
        self.url = f"http://127.0.0.1:{self.port}/mcp"

    def initializes(self) -> int:
        """How many ``initialize`` requests the upstream has served (its Prometheus metrics)."""
        text = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text
        for line in text.splitlines():
            if line.startswith("mcp_requests_total") and 'method="initialize"' in line:
                return int(float(line.rsplit(" ", 1)[1]))
        return 0

    def gauge(self, name: str) -> float:
        text = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text
        for line in text.splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _plain(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(model, "model_dump") else model


async def walk(impl: str, upstream: Upstream) -> dict[str, Any]:
    env = {**os.environ, **RUNS[impl], "UPSTREAM_URL": upstream.url, "FASTMCP_LOG_LEVEL": "WARNING"}
    params = StdioServerParameters(command=sys.executable, args=[str(PROXY)], env=env)
    seen: dict[str, Any] = {}
    heard: list[Any] = []

    async def on_log(p: mt.LoggingMessageNotificationParams) -> None:
        heard.append(["log", p.level, p.logger, p.data])

    async def on_message(message: Any) -> None:
        method = getattr(getattr(message, "root", message), "method", None)
        if isinstance(method, str) and method.endswith("list_changed"):
            heard.append(["note", method])

    async def sampling(context: Any, p: mt.CreateMessageRequestParams) -> mt.CreateMessageResult:
        heard.append(["sampling", _plain(p)])
        return mt.CreateMessageResult(role="assistant", content=mt.TextContent(type="text", text="4"), model="m")

    async def elicitation(context: Any, p: Any) -> mt.ElicitResult:
        heard.append(["elicitation", p.message])
        return mt.ElicitResult(action="accept", content={"value": "Ada"})

    async def roots(context: Any) -> mt.ListRootsResult:
        return mt.ListRootsResult(roots=[mt.Root(uri="file:///work/project", name="project")])

    async def call(name: str, args: dict[str, Any]) -> None:
        progress: list[Any] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append([value, total, message])

        r = await session.call_tool(name, args, progress_callback=on_progress)
        await anyio.sleep(0.05)
        if name == "grow":  # the upstream's list change: told on its own, maybe after the call's answer
            with anyio.move_on_after(3):
                while not heard:
                    await anyio.sleep(0.02)
        seen[f"call {name} {args}"] = {"result": _plain(r), "progress": progress, "heard": list(heard)}
        heard.clear()

    async with (
        stdio_client(params) as (read, write),
        ClientSession(
            read,
            write,
            logging_callback=on_log,
            message_handler=on_message,
            sampling_callback=sampling,
            elicitation_callback=elicitation,
            list_roots_callback=roots,
        ) as session,
    ):
        init = _plain(await session.initialize())
        init["serverInfo"].pop("version", None)
        for key in IGNORED_CAPABILITIES:
            init["capabilities"].pop(key, None)
        seen["initialize"] = init
        seen["tools"] = [_plain(t) for t in (await session.list_tools()).tools]
        seen["resources"] = [_plain(r) for r in (await session.list_resources()).resources]
        seen["templates"] = [_plain(t) for t in (await session.list_resource_templates()).resource_templates]
        seen["prompts"] = [_plain(p) for p in (await session.list_prompts()).prompts]
        for name, args in [
            ("add", {"a": 2, "b": 3}),
            ("add", {"a": "x", "b": 3}),
            ("profile", {"uid": 7}),
            ("untyped", {"x": "hi"}),
            ("fail", {}),
            ("boom", {}),
            ("chatty", {}),
            ("ask", {}),
            ("think", {}),
            ("where", {}),
            ("nope", {}),
            ("grow", {}),
        ]:
            await call(name, args)
        seen["tools after grow"] = [t.name for t in (await session.list_tools()).tools]
        await call("later", {})
        reads: dict[str, Any] = {}
        for uri in ["config://app", "text://motd", "data://logo", "users://42/card", "broken://thing", "nope://x"]:
            try:
                reads[uri] = _plain(await session.read_resource(uri))
            except Exception as e:
                reads[uri] = f"error: {getattr(getattr(e, 'error', None), 'code', None)} {e}"
        seen["reads"] = reads
        gets: dict[str, Any] = {}
        for name, args in [
            ("greet", {"name": "Ada"}),
            ("greet", {"name": "Ada", "style": "warm"}),
            ("review", {"code": "x=1"}),
            ("nope", {}),
        ]:
            try:
                gets[f"{name} {args}"] = _plain(await session.get_prompt(name, args))
            except Exception as e:
                gets[f"{name} {args}"] = f"error: {getattr(getattr(e, 'error', None), 'code', None)} {e}"
        seen["prompts/get"] = gets
        seen["ping"] = _plain(await session.send_ping())
    return seen


@pytest.mark.anyio
async def test_proxy_answers_as_fastmcp4s() -> None:
    seen: dict[str, dict[str, Any]] = {}
    handshakes: dict[str, int] = {}
    for impl in RUNS:
        upstream = Upstream()
        try:
            seen[impl] = await walk(impl, upstream)
            handshakes[impl] = upstream.initializes()
        finally:
            upstream.stop()
    for ours_run in ("fastmcp_rs", "fastmcp_rs_python"):
        compare_walks(seen[ours_run], seen["fastmcp"])
    # FastMCP 4 shakes hands with the upstream for every request; fastmcp-rs once for the session (and once
    # for the listing it fetches at start).
    assert handshakes["fastmcp"] > 20
    assert handshakes["fastmcp_rs"] <= 2, handshakes
    assert handshakes["fastmcp_rs_python"] <= 2, handshakes


def compare_walks(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    ours, theirs = json.loads(json.dumps(ours)), json.loads(json.dumps(theirs))
    # The upstream's progress during a call reaches the client through fastmcp-rs's proxy, all of it; through
    # FastMCP 4's, over Streamable HTTP, usually none arrives, sometimes the first (a race in its handler).
    progress = {k: (theirs[k].pop("progress"), ours[k].pop("progress")) for k in ours if k.startswith("call ")}
    theirs_progress, our_progress = progress["call chatty {}"]
    assert our_progress == [[1.0, 2.0, "half"], [2.0, 2.0, "done"]]
    assert theirs_progress == our_progress[: len(theirs_progress)]
    assert all(p == ([], []) for k, p in progress.items() if k != "call chatty {}")
    # FastMCP 4 closes its upstream connection as the call ends, so a log message sent just before the result
    # is sometimes lost; fastmcp-rs's connection stays open, and relays every one.
    theirs_logs, our_logs = theirs["call chatty {}"].pop("heard"), ours["call chatty {}"].pop("heard")
    assert our_logs == [
        ["log", "info", None, {"msg": "starting", "extra": {"step": 1}}],
        ["log", "warning", None, {"msg": "careful", "extra": None}],
    ]
    assert our_logs[: len(theirs_logs)] == theirs_logs
    # The upstream's list change reaches the client whether or not the call is still open when it arrives
    # (FastMCP 4 relays it only during the call).
    grown = theirs["call grow {}"].pop("heard"), ours["call grow {}"].pop("heard")
    assert grown[1] == [["note", "notifications/tools/list_changed"]]
    assert grown[0] in ([], grown[1])
    differing = {k: (theirs.get(k), v) for k, v in ours.items() if theirs.get(k) != v}
    assert differing == {}, json.dumps(differing, indent=1)
    assert ours["initialize"]["instructions"] == "Ask the upstream."
    assert ours["call add {'a': 2, 'b': 3}"]["result"]["structuredContent"] == {"result": 5}
    assert "later" in ours["tools after grow"]
    assert ours["call think {}"]["result"]["content"][0]["text"] == "sampled:4"


async def shaped_walk(impl: str, shape: str, upstream: Upstream) -> dict[str, Any]:
    env = {
        **os.environ,
        **RUNS[impl],
        "UPSTREAM_URL": upstream.url,
        "PROXY_SHAPE": shape,
        "FASTMCP_LOG_LEVEL": "WARNING",
    }
    params = StdioServerParameters(command=sys.executable, args=[str(PROXY)], env=env)
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [_plain(t) for t in tools]
        seen["resources"] = [str(r.uri) for r in (await session.list_resources()).resources]
        seen["templates"] = [t.uri_template for t in (await session.list_resource_templates()).resource_templates]
        seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
        for tool in tools:
            if tool.name.endswith(("add", "local", "profile")):
                args = {"a": 1, "b": 2} if tool.name.endswith("add") else {"x": 4, "uid": 4}
                if tool.name.endswith("profile"):
                    args = {"uid": 4}
                if tool.name.endswith("local"):
                    args = {"x": 4}
                seen[f"call {tool.name}"] = _plain(await session.call_tool(tool.name, args))
        for uri in [u for u in seen["resources"] if "motd" in u or "app" in u]:
            seen[f"read {uri}"] = _plain(await session.read_resource(uri))
        for template in seen["templates"]:
            uri = template.replace("{uid}", "42")
            seen[f"read {uri}"] = _plain(await session.read_resource(uri))
        for name in seen["prompts"]:
            if name.endswith("greet"):
                seen[f"get {name}"] = _plain(await session.get_prompt(name, {"name": "Ada"}))
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("shape", ["mounted", "config", "routed"])
async def test_mounted_and_configured_proxies_answer_as_fastmcp4s(shape: str) -> None:
    """A proxy mounted under a namespace (names, URIs and templates rewritten, reads forwarded to the
    upstream's own URIs), and MCPConfig targets (one server; two, each under its name)."""
    seen: dict[str, dict[str, Any]] = {}
    for impl in IMPLS:
        upstream = Upstream()
        try:
            seen[impl] = await shaped_walk(impl, shape, upstream)
        finally:
            upstream.stop()
    ours, theirs = seen["fastmcp_rs"], seen["fastmcp"]
    differing = {k: (theirs.get(k), v) for k, v in ours.items() if theirs.get(k) != v}
    assert differing == {}, json.dumps(differing, indent=1)
    assert set(theirs) == set(ours)
    names = [t["name"] for t in ours["tools"]]
    expected = {"mounted": ["local", "up_add"], "config": ["add"], "routed": ["east_add", "west_add"]}[shape]
    assert all(n in names for n in expected), names
    assert any(k.startswith("read ") and "42" in k for k in ours)


@pytest.mark.anyio
async def test_one_upstream_connection_per_client_session() -> None:
    """fastmcp-rs's proxy over HTTP: each client session gets its own upstream session, reused for all its
    calls (and one more is kept for what the proxy fetches for itself); when a session ends, its upstream
    connection is closed."""
    from mcp.client.streamable_http import streamable_http_client

    upstream = Upstream()

    async def session_calls(url: str, n: int) -> list[Any]:
        async with (
            httpx.AsyncClient(timeout=20) as http,
            streamable_http_client(url, http_client=http) as (r, w, *_),
            ClientSession(r, w) as s,
        ):
            await s.initialize()
            return [(await s.call_tool("add", {"a": i, "b": 1})).structured_content for i in range(n)]

    try:
        env = {"MW_IMPL": "fastmcp_rs", "UPSTREAM_URL": upstream.url}
        with serving_on_a_port(PROXY, "http", "{port}", env=env) as port:
            url = f"http://127.0.0.1:{port}/mcp"
            async with anyio.create_task_group() as tg:
                for _ in range(2):
                    tg.start_soon(session_calls, url, 5)
            assert upstream.initializes() == 3  # the proxy's own, then one per client session
            results = await session_calls(url, 3)
            assert results == [{"result": 1}, {"result": 2}, {"result": 3}]
            assert upstream.initializes() == 4
            sessions = upstream.gauge("mcp_sessions")
            # The two ended sessions' upstream connections were closed when the third one opened.
            assert sessions <= 2, sessions
    finally:
        upstream.stop()


@pytest.mark.anyio
async def test_a_cancelled_call_is_cancelled_upstream(tmp_path: Path) -> None:
    """The client gives up on a call through fastmcp-rs's proxy: the upstream's coroutine is cancelled (no
    task is left running there), and the session goes on serving."""
    from conftest import wait_for

    upstream = Upstream()
    marker = tmp_path / "cancelled"
    try:
        env = {**os.environ, "MW_IMPL": "fastmcp_rs", "UPSTREAM_URL": upstream.url}
        params = StdioServerParameters(command=sys.executable, args=[str(PROXY)], env=env)
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            with anyio.move_on_after(1.0):
                await session.call_tool("wait_forever", {"marker": str(marker)})

            def marked() -> bool:
                return marker.exists() and marker.read_text() != ""

            assert await anyio.to_thread.run_sync(lambda: wait_for(marked, 10.0)), "not cancelled upstream"
            r = await session.call_tool("add", {"a": 1, "b": 1})
            assert r.structured_content == {"result": 2}
    finally:
        upstream.stop()


@pytest.mark.anyio
async def test_the_clients_headers_reach_the_upstream_as_through_fastmcp4s_proxy() -> None:
    """Over HTTP, the client's ``Authorization`` and its own headers are carried to the upstream (the
    proxy's own transport headers and the MCP session's are not)."""
    from mcp.client.streamable_http import streamable_http_client

    seen = {}
    for impl in IMPLS:
        upstream = Upstream()
        env = {"MW_IMPL": impl, "UPSTREAM_URL": upstream.url, "FASTMCP_LOG_LEVEL": "WARNING"}
        try:
            with serving_on_a_port(PROXY, "http", "{port}", env=env) as port:
                headers = {"authorization": "Bearer client-token", "x-tenant": "acme"}
                async with (
                    httpx.AsyncClient(timeout=20, headers=headers) as http,
                    streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (r, w, *_),
                    ClientSession(r, w) as s,
                ):
                    await s.initialize()
                    seen[impl] = [(await s.call_tool("whoami", {})).structured_content for _ in range(2)]
        finally:
            upstream.stop()
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    assert seen["fastmcp_rs"][0] == {"authorization": "Bearer client-token", "tenant": "acme"}


@pytest.mark.anyio
async def test_an_upstream_that_goes_away_and_comes_back() -> None:
    """The upstream stops: a call through fastmcp-rs's proxy is the failed call FastMCP 4's proxy answers
    (naming the tool), and the session goes on. The upstream comes back on its port, a new process that knows
    none of the old sessions: the proxy opens a new upstream session, and the next call is served."""
    upstream = Upstream()
    env = {**os.environ, **RUNS["fastmcp_rs"], "UPSTREAM_URL": upstream.url, "FASTMCP_LOG_LEVEL": "WARNING"}
    params = StdioServerParameters(command=sys.executable, args=[str(PROXY)], env=env)
    try:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            assert (await session.call_tool("add", {"a": 1, "b": 2})).structured_content == {"result": 3}
            upstream.stop()
            down = await session.call_tool("add", {"a": 1, "b": 2})
            assert down.is_error
            assert isinstance(down.content[0], mt.TextContent)
            assert down.content[0].text.startswith("Error calling tool 'add': Client failed to connect: "), down
            upstream = Upstream(upstream.port)
            back = await session.call_tool("add", {"a": 2, "b": 2})
            assert back.structured_content == {"result": 4}, back
            assert upstream.initializes() == 1  # one new upstream session, on the new process
    finally:
        upstream.stop()


@pytest.mark.anyio
async def test_a_proxy_can_answer_as_its_upstream() -> None:
    """``create_proxy(url, identity="upstream")``: ``initialize`` names the upstream (its ``serverInfo``) and
    so does ``server/discover``'s ``_meta`` in the 2026-07-28 era, over stdio and HTTP, on each of our paths
    as on FastMCP 4.2.3's proxy; the default identity stays the proxy's own."""
    from test_modern import post, result

    seen: dict[str, Any] = {}
    upstream = Upstream()
    try:
        for impl in RUNS:
            env = {**os.environ, **RUNS[impl], "UPSTREAM_URL": upstream.url, "FASTMCP_LOG_LEVEL": "WARNING"}
            shaped = {**env, "PROXY_SHAPE": "upstream_identity"}
            params = StdioServerParameters(command=sys.executable, args=[str(PROXY)], env=shaped)
            async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
                init = await session.initialize()
                call = await session.call_tool("add", {"a": 2, "b": 5})
            plain = StdioServerParameters(command=sys.executable, args=[str(PROXY)], env=env)
            async with stdio_client(plain) as (read, write), ClientSession(read, write) as session:
                own = await session.initialize()
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, str(PROXY), "http", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=shaped,
            )
            try:
                wait_listening(port, proc, "proxy")
                with httpx.Client(timeout=30) as http:
                    found = result(post(http, f"http://127.0.0.1:{port}/mcp", "server/discover"))
            finally:
                proc.terminate()
                proc.wait(10)
            seen[impl] = {
                "serverInfo": init.server_info.model_dump(mode="json", exclude_none=True),
                "own": own.server_info.name,
                "call": call.structured_content,
                "discover": found["_meta"]["io.modelcontextprotocol/serverInfo"],
            }
    finally:
        upstream.stop()
    theirs = seen.pop("fastmcp")
    for impl, ours in seen.items():
        assert ours == theirs, impl
    assert theirs["own"] == "front"
    assert theirs["serverInfo"]["name"] != "front"
    assert theirs["discover"]["name"] == theirs["serverInfo"]["name"]
    assert theirs["call"] == {"result": 7}
