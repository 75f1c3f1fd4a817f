"""The FastMCP 2/3 import paths (``server.proxy``, ``tools.tool``, ``prompts.prompt``, ``resources.resource``) and
FastMCP 4's ``utilities.logging``, ``utilities.lifespan`` and ``utilities.tests``, used as their users use them:
servers built from the old paths' objects and driven by real clients, servers run by ``run_server_async`` (called
by the official client over Streamable HTTP and SSE) and ``run_server_in_process``, and the logging, lifespan
and settings helpers observed side by side with FastMCP 4.2.3's in fresh interpreters."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import FastMCPDeprecationWarning
from fastmcp_rs.utilities.lifespan import combine_lifespans
from fastmcp_rs.utilities.tests import (
    find_available_port,
    run_server_async,
    run_server_in_process,
    temporary_settings,
)

mcp_sdk = pytest.importorskip("mcp")

from fastmcp_rs.client import Client  # noqa: E402

HAVE_FASTMCP = importlib.util.find_spec("fastmcp") is not None


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


# -- fastmcp.server.proxy --------------------------------------------------------------------------------------


def test_server_proxy_warns_and_gives_the_providers_objects() -> None:
    import fastmcp_rs.server as server_package
    import fastmcp_rs.server.providers.proxy as current

    sys.modules.pop("fastmcp_rs.server.proxy", None)
    if hasattr(server_package, "proxy"):
        delattr(server_package, "proxy")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import fastmcp_rs.server.proxy as legacy
    [warning] = [w for w in caught if issubclass(w.category, FastMCPDeprecationWarning)]
    assert str(warning.message) == "fastmcp.server.proxy is deprecated. Use fastmcp.server.providers.proxy instead."
    assert warning.filename == __file__  # stacklevel=2: the importing line
    assert legacy.__all__ == [
        "ClientFactoryT",
        "FastMCPProxy",
        "ProxyClient",
        "ProxyPrompt",
        "ProxyProvider",
        "ProxyResource",
        "ProxyTemplate",
        "ProxyTool",
        "StatefulProxyClient",
    ]
    assert "ClientFactoryT" in current.__all__
    assert all(getattr(legacy, name) is getattr(current, name) for name in legacy.__all__)


@pytest.mark.anyio
async def test_server_proxy_fronts_an_upstream_served_by_run_server_async() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastMCPDeprecationWarning)
        from fastmcp_rs.server.proxy import FastMCPProxy, ProxyClient

    upstream = FastMCP("upstream")

    @upstream.tool
    def add(a: int, b: int) -> int:
        return a + b

    async with run_server_async(upstream) as url:
        proxy = FastMCPProxy(client_factory=lambda: ProxyClient(url), name="front")
        async with Client(proxy) as client:
            assert [t.name for t in await client.list_tools()] == ["add"]
            assert (await client.call_tool("add", {"a": 2, "b": 3})).data == 5


# -- fastmcp.tools.tool / prompts.prompt / resources.resource -----------------------------------------------------


def test_old_component_paths_give_the_current_objects() -> None:
    import fastmcp_rs.prompts as prompts
    import fastmcp_rs.resources as resources
    import fastmcp_rs.tools as tools
    from fastmcp_rs.tools.function_parsing import ParsedFunction

    tool_module = importlib.import_module("fastmcp_rs.tools.tool")
    prompt_module = importlib.import_module("fastmcp_rs.prompts.prompt")
    resource_module = importlib.import_module("fastmcp_rs.resources.resource")

    for old, new in ((tool_module, tools), (prompt_module, prompts), (resource_module, resources)):
        shared = [name for name in old.__all__ if hasattr(new, name)]
        assert shared and all(getattr(old, name) is getattr(new, name) for name in shared)
    assert tool_module.ParsedFunction is ParsedFunction
    assert prompt_module.TextContent is mcp_sdk.types.TextContent  # as FastMCP 2 re-exported it
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastMCP 2's paths, not deprecated there
        for name in ("fastmcp_rs.tools.tool", "fastmcp_rs.prompts.prompt", "fastmcp_rs.resources.resource"):
            sys.modules.pop(name)
            importlib.import_module(name)


@pytest.mark.anyio
async def test_the_decorators_of_the_same_name_still_decorate_once_the_modules_are_imported() -> None:
    """Importing ``fastmcp_rs.tools.tool`` makes it the package's ``tool`` in place of FastMCP 4's decorator (as
    Python's import does); called, the module decorates."""
    import fastmcp_rs.prompts.prompt
    import fastmcp_rs.resources.resource
    import fastmcp_rs.tools.tool  # noqa: F401
    from fastmcp_rs.prompts import prompt
    from fastmcp_rs.resources import resource
    from fastmcp_rs.tools import tool

    @tool
    def plain() -> str:
        return "plain"

    @tool("renamed", description="Named.")
    def named() -> str:
        return "named"

    @prompt
    def hello() -> str:
        return "hello"

    @resource("data://static")
    def static() -> str:
        return "static"

    mcp = FastMCP("decorated")
    mcp.add_tool(plain)
    mcp.add_tool(named)
    mcp.add_prompt(hello)
    mcp.add_resource(static)
    async with Client(mcp) as client:
        assert {t.name: t.description for t in await client.list_tools()} == {"plain": None, "renamed": "Named."}
        assert (await client.call_tool("renamed", {})).data == "named"
        assert (await client.get_prompt("hello")).messages[0].content.text == "hello"
        assert [c.text for c in await client.read_resource("data://static")] == ["static"]


@pytest.mark.anyio
async def test_a_server_built_from_fastmcp2_tool_objects() -> None:
    from fastmcp_rs.tools.tool import FunctionTool, ParsedFunction, Tool, ToolResult, default_serializer

    class Echo(Tool):
        async def run(self, arguments: dict[str, Any]) -> ToolResult:
            return ToolResult(content=f"echo {arguments['text']}", structured_content={"echoed": arguments["text"]})

    def multiply(a: int, b: int = 2) -> int:
        """Multiplies."""
        return a * b

    mcp = FastMCP("tools")
    mcp.add_tool(Echo(name="echo", parameters={"type": "object", "properties": {"text": {"type": "string"}}}))
    mcp.add_tool(FunctionTool.from_function(multiply, name="times"))
    assert ParsedFunction.from_function(multiply).fn is multiply
    async with Client(mcp) as client:
        listed = {t.name: t for t in await client.list_tools()}
        assert set(listed) == {"echo", "times"}
        assert listed["times"].description == "Multiplies."
        echoed = await client.call_tool("echo", {"text": "hi"})
        assert echoed.content[0].text == "echo hi"
        assert echoed.structured_content == {"echoed": "hi"}
        assert (await client.call_tool("times", {"a": 4})).data == 8
    assert default_serializer({"a": [1, None], "b": "é"}) == '{"a":[1,null],"b":"é"}'


@pytest.mark.anyio
async def test_a_server_built_from_fastmcp2_prompt_objects() -> None:
    from fastmcp_rs.prompts.prompt import (
        FunctionPrompt,
        Message,
        Prompt,
        PromptArgument,
        PromptMessage,
        PromptResult,
        TextContent,
    )

    def ask(topic: str) -> list[Message]:
        return [
            Message(f"Tell me about {topic}"),
            PromptMessage(role="assistant", content=TextContent(type="text", text=f"{topic} is...")),
        ]

    class Fixed(Prompt):
        async def render(self, arguments: dict[str, Any] | None = None) -> PromptResult:
            return PromptResult([Message(f"fixed {arguments['word']}")], description="rendered")

    mcp = FastMCP("prompts")
    mcp.add_prompt(FunctionPrompt.from_function(ask))
    mcp.add_prompt(Fixed(name="fixed", arguments=[PromptArgument(name="word", required=True)]))
    async with Client(mcp) as client:
        listed = {p.name: p for p in await client.list_prompts()}
        assert [(a.name, a.required) for a in listed["fixed"].arguments] == [("word", True)]
        asked = await client.get_prompt("ask", {"topic": "rust"})
        assert [(m.role, m.content.text) for m in asked.messages] == [
            ("user", "Tell me about rust"),
            ("assistant", "rust is..."),
        ]
        fixed = await client.get_prompt("fixed", {"word": "w"})
        assert fixed.description == "rendered"
        assert fixed.messages[0].content.text == "fixed w"


@pytest.mark.anyio
async def test_a_server_built_from_fastmcp2_resource_objects() -> None:
    from fastmcp_rs.resources.resource import FunctionResource, Resource, ResourceContent, ResourceResult

    class Pair(Resource):
        async def read(self) -> ResourceResult:
            return ResourceResult([ResourceContent("one"), ResourceContent({"two": 2})])

    mcp = FastMCP("resources")
    mcp.add_resource(FunctionResource.from_function(lambda: "hello", uri="data://hello", name="hello"))
    mcp.add_resource(Pair(uri="data://pair", name="pair"))
    async with Client(mcp) as client:
        assert {str(r.uri) for r in await client.list_resources()} == {"data://hello", "data://pair"}
        assert [c.text for c in await client.read_resource("data://hello")] == ["hello"]
        pair = await client.read_resource("data://pair")
        assert [(c.text, c.mime_type) for c in pair] == [("one", "text/plain"), ('{"two":2}', "application/json")]


# -- fastmcp.utilities.tests: run_server_async -------------------------------------------------------------------


def _greeter(name: str = "greeter", **options: Any) -> FastMCP:
    mcp = FastMCP(name, **options)

    @mcp.tool
    def greet(who: str) -> str:
        return f"Hello, {who}!"

    return mcp


@pytest.mark.anyio
async def test_run_server_async_serves_the_official_client_over_streamable_http() -> None:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    port = find_available_port()
    async with run_server_async(_greeter(), port=port, path="/tools/mcp") as url:
        assert url == f"http://127.0.0.1:{port}/tools/mcp"
        async with streamable_http_client(url) as (read, write, *_), ClientSession(read, write) as session:
            initialized = await session.initialize()
            assert initialized.server_info.name == "greeter"
            called = await session.call_tool("greet", {"who": "World"})
            assert called.content[0].text == "Hello, World!"
        async with Client(url) as client:  # fastmcp_rs's own client, by URL
            assert (await client.call_tool("greet", {"who": "again"})).data == "Hello, again!"
    assert not _accepts(port)  # the run ends with the block


@pytest.mark.anyio
async def test_run_server_async_serves_the_legacy_sse_transport() -> None:
    from mcp import ClientSession
    from mcp.client.sse import sse_client

    async with run_server_async(_greeter(), transport="sse", path="/sse") as url:
        assert url.endswith("/sse")
        async with sse_client(url) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            assert (await session.call_tool("greet", {"who": "SSE"})).content[0].text == "Hello, SSE!"


@pytest.mark.anyio
async def test_run_server_async_raises_a_failed_start_up() -> None:
    @contextlib.asynccontextmanager
    async def broken(server: FastMCP) -> AsyncIterator[None]:
        raise ValueError("no database")
        yield

    with pytest.raises(RuntimeError, match="no database"):
        async with run_server_async(_greeter(lifespan=broken)):
            pytest.fail("the block never runs")


# -- fastmcp.utilities.lifespan ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_combine_lifespans_enters_in_order_exits_in_reverse_and_merges() -> None:
    events: list[str] = []

    def recording(name: str, value: dict[str, Any] | None) -> Any:
        @contextlib.asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[dict[str, Any] | None]:
            events.append(f"enter {name}")
            try:
                yield value
            finally:
                events.append(f"exit {name}")

        return lifespan

    combined = combine_lifespans(recording("db", {"db": "conn", "shared": 1}), recording("fastapi", None))
    mcp = _greeter("lifespans", lifespan=combine_lifespans(combined, recording("cache", {"shared": 2})))

    @mcp.tool
    def state(ctx: Context) -> dict[str, Any]:
        return dict(ctx.lifespan_context)

    async with run_server_async(mcp) as url:
        assert events == ["enter db", "enter fastapi", "enter cache"]
        async with Client(url) as client:
            assert (await client.call_tool("state", {})).data == {"db": "conn", "shared": 2}
    assert events[3:] == ["exit cache", "exit fastapi", "exit db"]


# -- fastmcp.utilities.tests: run_server_in_process and temporary_settings --------------------------------------


def serve_greeter(host: str, port: int, greeting: str) -> None:
    """Runs in a separate process (module-level, so the process can import it)."""
    mcp = FastMCP("in-process")

    @mcp.tool
    def greet(who: str) -> str:
        return f"{greeting}, {who}!"

    mcp.run(transport="http", host=host, port=port)


def exit_at_once(host: str, port: int) -> None:
    raise SystemExit(3)


@pytest.mark.anyio
async def test_run_server_in_process_yields_its_url_and_ends_it() -> None:
    with run_server_in_process(serve_greeter, greeting="Howdy") as url:
        port = int(url.rsplit(":", 1)[1])
        assert url == f"http://127.0.0.1:{port}"
        async with Client(f"{url}/mcp") as client:
            assert (await client.call_tool("greet", {"who": "there"})).data == "Howdy, there!"
    assert not _accepts(port)


def test_run_server_in_process_reports_a_process_that_exits() -> None:
    with pytest.raises(RuntimeError, match=r"exited \(code 3\)"), run_server_in_process(exit_at_once):
        pytest.fail("the block never runs")


def test_temporary_settings_restores_values_and_what_the_environment_set() -> None:
    import fastmcp_rs.settings as settings

    current = settings.current()
    explicit = set(current.model_fields_set)
    before = (settings.log_level, settings.port, settings.stateless_http)
    with temporary_settings(log_level="debug", port=9123, stateless_http=not settings.stateless_http):
        assert settings.log_level == "DEBUG"  # validated as FastMCP 4's settings are
        assert settings.from_environment(current)["port"] == 9123
    assert (settings.log_level, settings.port, settings.stateless_http) == before
    assert current.model_fields_set == explicit
    with pytest.raises(AttributeError), temporary_settings(no_such_setting=1):
        pass


def test_find_available_port_can_be_bound() -> None:
    port = find_available_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


# -- fastmcp.utilities.logging, side by side with FastMCP 4.2.3 ---------------------------------------------------

#: Run with ``fastmcp`` and with ``fastmcp_rs`` in fresh interpreters; prints what it observes as JSON.
_OBSERVE = r"""
import asyncio, contextlib, importlib, io, json, logging, sys

pkg = sys.argv[1]
log_mod = importlib.import_module(pkg + ".utilities.logging")
life_mod = importlib.import_module(pkg + ".utilities.lifespan")
tests_mod = importlib.import_module(pkg + ".utilities.tests")
settings = importlib.import_module(pkg).settings if pkg == "fastmcp" else importlib.import_module(pkg + ".settings")
serializer = importlib.import_module(pkg + (".tools.base" if pkg == "fastmcp" else ".tools.tool")).default_serializer
out = {}

def state(logger):
    handlers = [
        [type(h).__name__, getattr(getattr(h, "stream", None), "name", None), h.formatter and h.formatter._fmt]
        for h in logger.handlers
    ]
    return {"name": logger.name, "level": logger.level, "propagate": logger.propagate, "handlers": handlers}

top = logging.getLogger("fastmcp")
for h in list(top.handlers):  # FastMCP 4 configures it when imported; both start from Python's defaults
    top.removeHandler(h)
top.propagate, top.level = True, logging.NOTSET
names = ["x", "server.y", "fastmcp.x", "fastmcp", "FastMCP.z", "fastmcp_rs.a"]
out["names"] = {n: log_mod.get_logger(n).name for n in names}
log_mod.configure_logging("DEBUG")
out["configured"] = state(top)
out["child_parent"] = log_mod.get_logger("x").parent.name
buffer = io.StringIO()
if type(top.handlers[0]).__name__ == "StreamHandler":
    top.handlers[0].setStream(buffer)
    log_mod.get_logger("x").warning("hello %s", "there")
    log_mod.get_logger("x").debug("quiet")
out["emitted"] = buffer.getvalue()
log_mod.configure_logging(logging.ERROR)
out["reconfigured"] = state(top)
with log_mod.temporary_log_level("debug"):
    out["temporary"] = state(top)
out["after_temporary"] = state(top)
with log_mod.temporary_log_level(None):
    out["temporary_none"] = state(top)
custom = logging.getLogger("custom.one")
log_mod.configure_logging("WARNING", logger=custom)
out["custom"] = state(custom)
out["root_untouched"] = state(logging.getLogger())
if type(top.handlers[0]).__name__ == "RichHandler":
    plain, with_traceback = top.handlers
    record = logging.LogRecord("fastmcp.x", 40, "f", 1, "m", None, None)
    try:
        1 / 0
    except ZeroDivisionError:
        failed = logging.LogRecord("fastmcp.x", 40, "f", 1, "m", None, sys.exc_info())
    out["rich_split"] = [f.filter(r) for f in (plain, with_traceback) for r in (record, failed)]
    render = with_traceback._log_render
    out["rich_tracebacks"] = [
        with_traceback.rich_tracebacks, with_traceback.tracebacks_max_frames, render.show_path, render.show_level
    ]

with tests_mod.temporary_settings(log_level="debug", log_enabled=False):
    out["settings_inside"] = [settings.log_level, settings.log_enabled]
    before = state(top)
    log_mod.configure_logging("INFO")
    out["disabled_is_a_no_op"] = state(top) == before
out["settings_after"] = [settings.log_level, settings.log_enabled]
try:
    with tests_mod.temporary_settings(no_such_setting=1):
        pass
except Exception as e:
    out["unknown_setting"] = type(e).__name__

events = []
def recording(name, value):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append(f"enter {name} {app}")
        try:
            yield value
        finally:
            events.append(f"exit {name}")
    return lifespan

@contextlib.asynccontextmanager
async def broken(app):
    raise ValueError("no")
    yield

async def lifespans():
    combined = life_mod.combine_lifespans(
        recording("a", {"k": 1, "a": 1}), recording("b", None), recording("c", {"k": 3})
    )
    async with combined("app") as merged:
        events.append(f"inside {sorted(merged.items())}")
    try:
        async with life_mod.combine_lifespans(recording("d", {}), broken)("app2"):
            events.append("never")
    except ValueError as e:
        events.append(f"raised {e}")
    async with life_mod.combine_lifespans()("none") as merged:
        events.append(f"none {merged}")
asyncio.run(lifespans())
out["lifespans"] = events

class Shown:
    def __str__(self):
        return "shown"
out["serialized"] = serializer({"a": [1, 2.5, None, True], "s": "\u00e9", "o": Shown(), "t": (1, 2), "set": {1}})
print(json.dumps(out, sort_keys=True))
"""


def _observe(package: str, rich: bool) -> dict[str, Any]:
    env = {**os.environ, "FASTMCP_ENABLE_RICH_LOGGING": str(rich).lower()}
    for name in ("FASTMCP_LOG_LEVEL", "FASTMCP_LOG_ENABLED", "FASTMCP_ENABLE_RICH_TRACEBACKS"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", _OBSERVE, package], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.skipif(not HAVE_FASTMCP, reason="FastMCP 4 (the reference) is not installed")
@pytest.mark.parametrize("rich", [False, True], ids=["plain", "rich"])
def test_logging_lifespan_and_settings_helpers_behave_as_fastmcps(rich: bool) -> None:
    ours, theirs = _observe("fastmcp_rs", rich), _observe("fastmcp", rich)
    assert ours == theirs
    # What the comparison covered, so an observation both sides lost cannot pass silently.
    assert ours["names"]["x"] == "fastmcp.x" and ours["names"]["fastmcp.x"] == "fastmcp.x"
    assert ours["configured"]["level"] == logging.DEBUG and ours["configured"]["propagate"] is False
    assert ours["after_temporary"]["level"] == logging.INFO  # back to the settings' level
    assert ours["lifespans"][:7] == [
        "enter a app",
        "enter b app",
        "enter c app",
        "inside [('a', 1), ('k', 3)]",
        "exit c",
        "exit b",
        "exit a",
    ]
    if rich:
        assert ours["rich_split"] == [True, False, False, True]
    else:
        assert ours["configured"]["handlers"] == [["StreamHandler", "<stderr>", "%(levelname)s: %(message)s"]]
        assert ours["emitted"] == "WARNING: hello there\nDEBUG: quiet\n"


def test_configure_logging_without_rich_uses_a_plain_stderr_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastmcp_rs.utilities.logging import configure_logging, get_logger

    monkeypatch.setitem(sys.modules, "rich.logging", None)  # as if rich were not installed
    monkeypatch.setitem(sys.modules, "rich.console", None)
    logger = logging.getLogger("compat-paths.plain")
    configure_logging("WARNING", logger=logger)
    try:
        [handler] = logger.handlers
        assert type(handler) is logging.StreamHandler and handler.stream is sys.stderr
        assert (logger.level, logger.propagate) == (logging.WARNING, False)
    finally:
        logger.removeHandler(handler)
    assert get_logger("compat").name == "fastmcp.compat"
