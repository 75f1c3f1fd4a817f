"""`fastmcp_rs.Client`, FastMCP 4's client, tested the way the guides test servers: async tests that open
`async with Client(mcp) as client:` on a server defined right here (in memory, no sockets), pydantic models
in and out, errors, progress, logs, sampling, elicitation, roots and timeouts; then the same client over real
stdio pipes and real HTTP against tests/servers/client_app.py."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from contextlib import asynccontextmanager
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import pytest
from conftest import start_http_server, stop

mcp_sdk = pytest.importorskip("mcp")

import mcp.types as mt  # noqa: E402
from fastmcp_rs import Context, FastMCP  # noqa: E402
from fastmcp_rs.client import (  # noqa: E402
    Client,
    FastMCPTransport,
    NodeStdioTransport,
    PythonStdioTransport,
    SSETransport,
    StdioTransport,
    StreamableHttpTransport,
    infer_transport,
    test_client,
)
from fastmcp_rs.client._hydrate import schema_to_type  # noqa: E402
from fastmcp_rs.client.elicitation import ElicitResult  # noqa: E402
from fastmcp_rs.client.messages import MessageHandler  # noqa: E402
from fastmcp_rs.exceptions import McpError, ToolError  # noqa: E402
from pydantic import BaseModel  # noqa: E402

pytestmark = pytest.mark.anyio

HERE = Path(__file__).parent
CLIENT_APP = HERE / "servers" / "client_app.py"

# -- the server under test ------------------------------------------------------------------------------------

LIFESPAN = {"entered": 0, "exited": 0}


@asynccontextmanager
async def lifespan(server: FastMCP):
    LIFESPAN["entered"] += 1
    try:
        yield {"db": "open"}
    finally:
        LIFESPAN["exited"] += 1


mcp = FastMCP("deploy-tools", instructions="Deployment tools.", version="1.4.0", lifespan=lifespan)


class Item(BaseModel):
    sku: str
    quantity: int = 1


class Order(BaseModel):
    customer: str
    items: list[Item]
    deliver_on: datetime.date


class Receipt(BaseModel):
    order_id: UUID
    customer: str
    total_items: int
    deliver_on: datetime.date
    status: Literal["accepted", "backordered"]


class Person(BaseModel):
    name: str
    age: int


@mcp.tool
async def get_deploy_status(service_name: str, environment: str) -> dict:
    """Get the current deployment status for a service."""
    if service_name == "nonexistent":
        return {"error": "Service not found", "retryable": False}
    return {"service": service_name, "environment": environment, "status": "running", "version": "1.2.3"}


@mcp.tool
def place_order(order: Order) -> Receipt:
    """Places an order."""
    return Receipt(
        order_id=UUID(int=7),
        customer=order.customer,
        total_items=sum(i.quantity for i in order.items),
        deliver_on=order.deliver_on,
        status="accepted",
    )


@mcp.tool
def pick_list(order: Order) -> list[Item]:
    return sorted(order.items, key=lambda i: i.sku)


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool
def greet(name: str) -> str:
    return f"Hello {name}"


@mcp.tool
def rollback(service: str) -> str:
    raise ToolError(f"{service} has no previous release")


@mcp.tool
def crash() -> str:
    raise ValueError("disk on fire")


@mcp.tool
async def deploy(service: str, steps: int, ctx: Context) -> str:
    await ctx.info(f"deploying {service}", logger_name="deploy")
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step}/{steps}")
    await ctx.warning("done, with warnings")
    return f"{service} deployed"


@mcp.tool
async def wait(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "waited"


@mcp.tool
async def lifespan_db(ctx: Context) -> str:
    return ctx.lifespan_context["db"]


@mcp.tool
async def ask_person(ctx: Context) -> str:
    answer = await ctx.elicit("Who are you?", Person)
    if answer.action == "accept":
        return f"{answer.data.name} is {answer.data.age}"
    return answer.action


@mcp.tool
async def ask_region(ctx: Context) -> str:
    answer = await ctx.elicit("Which region?", str)
    return answer.data if answer.action == "accept" else answer.action


@mcp.tool
async def haiku(topic: str, ctx: Context) -> str:
    reply = await ctx.sample(f"Write a haiku about {topic}", system_prompt="Be brief", max_tokens=40)
    return reply.text


@mcp.tool
async def list_roots(ctx: Context) -> list[str]:
    return [str(root.uri) for root in await ctx.list_roots()]


@mcp.tool
def add_tool_now() -> str:
    mcp.add_tool(greet, name="greet_again")
    return "added"


@mcp.resource("data://config")
def config() -> dict:
    """The configuration."""
    return {"theme": "dark", "retries": 3}


@mcp.resource("users://{user_id}/profile")
def profile(user_id: int) -> dict:
    return {"id": user_id, "name": f"user {user_id}"}


@mcp.prompt
def review(code: str, strict: bool = False) -> str:
    """Review some code."""
    return f"Review {'strictly' if strict else 'kindly'}: {code}"


@mcp.completion
def complete_everything(ref, argument, context):
    if argument.name == "code":
        return [v for v in ("print", "pass", "raise") if v.startswith(argument.value)]
    return []


# -- calling tools --------------------------------------------------------------------------------------------


async def test_list_and_call_tools():
    async with Client(mcp) as client:
        tools = await client.list_tools()
        assert "get_deploy_status" in [t.name for t in tools]
        by_name = {t.name: t for t in tools}
        assert by_name["get_deploy_status"].description == "Get the current deployment status for a service."

        result = await client.call_tool("get_deploy_status", {"service_name": "api-gateway", "environment": "staging"})
        assert result.data == {
            "service": "api-gateway",
            "environment": "staging",
            "status": "running",
            "version": "1.2.3",
        }
        assert result.structured_content == result.data
        assert json.loads(result.content[0].text)["status"] == "running"
        assert result.is_error is False

        # Non-object results are wrapped on the wire and unwrapped in `.data`.
        total = await client.call_tool("add", {"a": 2, "b": 40})
        assert total.data == 42
        assert total.structured_content == {"result": 42}
        # A 2026-era result names the server in its _meta (as FastMCP 4 stamps it).
        server_info = {"name": "deploy-tools", "version": "1.4.0"}
        assert total.meta == {"fastmcp": {"wrap_result": True}, "io.modelcontextprotocol/serverInfo": server_info}
        greeting = await client.call_tool("greet", {"name": "Ann"})
        assert greeting.data == "Hello Ann" and greeting.content[0].text == "Hello Ann"


async def test_pydantic_models_in_and_out():
    order = Order(customer="ada", items=[Item(sku="b-2", quantity=2), Item(sku="a-1")], deliver_on="2026-03-01")
    async with Client(mcp) as client:
        receipt = (await client.call_tool("place_order", {"order": order})).data
        # Objects come back as dataclasses built from the output schema, with typed fields.
        assert is_dataclass(receipt)
        assert receipt.order_id == UUID(int=7)
        assert receipt.deliver_on == datetime.date(2026, 3, 1)
        assert (receipt.customer, receipt.total_items, receipt.status) == ("ada", 3, "accepted")
        # Models validate straight from `.data`, and dicts work as arguments too.
        assert Receipt.model_validate(receipt, from_attributes=True).total_items == 3

        picked = (await client.call_tool("pick_list", {"order": order.model_dump(mode="json")})).data
        assert [(i.sku, i.quantity) for i in picked] == [("a-1", 1), ("b-2", 2)]

        raw = await client.call_tool_mcp("place_order", {"order": order})
        assert isinstance(raw, mt.CallToolResult)
        assert raw.structured_content["order_id"] == str(UUID(int=7))


async def test_tool_errors_raise_tool_error():
    async with Client(mcp) as client:
        with pytest.raises(ToolError, match=r"^checkout has no previous release$"):
            await client.call_tool("rollback", {"service": "checkout"})
        with pytest.raises(ToolError) as info:
            await client.call_tool("crash", {})
        assert str(info.value) == "Error calling tool 'crash': disk on fire"
        with pytest.raises(ToolError, match="Unknown tool: 'nope'"):
            await client.call_tool("nope", {})
        with pytest.raises(ToolError, match="validation error"):
            await client.call_tool("add", {"a": "two", "b": 1})

        result = await client.call_tool("rollback", {"service": "checkout"}, raise_on_error=False)
        assert result.is_error is True and result.data is None
        assert result.content[0].text == "checkout has no previous release"
        raw = await client.call_tool_mcp("crash", {})
        assert raw.is_error and raw.content[0].text.startswith("Error calling tool 'crash'")
        # The session is unharmed.
        assert (await client.call_tool("add", {"a": 1, "b": 1})).data == 2


async def test_protocol_errors_raise_mcp_error():
    async with Client(mcp) as client:
        with pytest.raises(McpError) as info:
            await client.read_resource("data://missing")
        # Caught as fastmcp_rs's McpError and as mcp's MCPError, with mcp's fields.
        assert isinstance(info.value, mcp_sdk.MCPError)
        assert info.value.code == -32602 and "Resource not found" in info.value.message
        with pytest.raises(mcp_sdk.MCPError):
            await client.get_prompt("missing")
        with pytest.raises(ValueError, match="invalid"):
            await client.read_resource("not a uri")


async def test_progress_and_log_handlers():
    logs: list[Any] = []
    progress: list[tuple[float, float | None, str | None]] = []
    per_call: list[float] = []

    async def on_log(message):
        logs.append(message)

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async def on_call_progress(value, total, message):
        per_call.append(value)

    async with Client(mcp, log_handler=on_log, progress_handler=on_progress) as client:
        assert (await client.call_tool("deploy", {"service": "api", "steps": 3})).data == "api deployed"
        assert progress == [(1, 3, "step 1/3"), (2, 3, "step 2/3"), (3, 3, "step 3/3")]
        assert [(m.level, m.logger) for m in logs] == [("info", "deploy"), ("warning", None)]
        assert logs[0].data["msg"] == "deploying api"

        await client.call_tool("deploy", {"service": "web", "steps": 2}, progress_handler=on_call_progress)
        assert per_call == [1, 2] and len(progress) == 3

        await client.set_logging_level("error")
        logs.clear()
        await client.call_tool("deploy", {"service": "db", "steps": 1})
        assert logs == []


async def test_sampling_handler():
    seen: list[Any] = []

    def sample(messages, params, context):  # sync handlers work too
        seen.append(params)
        return f"[{params.system_prompt}] {messages[0].content.text}"

    async with Client(mcp, sampling_handler=sample) as client:
        assert (await client.call_tool("haiku", {"topic": "rust"})).data == "[Be brief] Write a haiku about rust"
        assert seen[0].max_tokens == 40

    async def full(messages, params, context):
        return mt.CreateMessageResult(
            role="assistant", model="m", content=mt.TextContent(type="text", text="autumn rust")
        )

    async with Client(mcp, sampling_handler=full) as client:
        assert (await client.call_tool("haiku", {"topic": "x"})).data == "autumn rust"

    # Without a handler the client declares no sampling capability: on the handshake era the tool says so;
    # on the 2026 era the request is refused with -32021, naming the capability.
    async with Client(mcp, mode="legacy") as client:
        result = await client.call_tool("haiku", {"topic": "x"}, raise_on_error=False)
        assert result.is_error and "sampling" in result.content[0].text
    async with Client(mcp) as client:
        with pytest.raises(McpError) as refused:
            await client.call_tool("haiku", {"topic": "x"})
        assert refused.value.code == -32021 and refused.value.data == {"requiredCapabilities": {"sampling": {}}}


async def test_elicitation_handler():
    async def answer(message, response_type, params, context):
        if message == "Who are you?":
            assert is_dataclass(response_type)
            return response_type(name="Ada", age=36)
        return "eu-west"  # a bare value answers a one-field form

    async with Client(mcp, elicitation_handler=answer) as client:
        assert (await client.call_tool("ask_person", {})).data == "Ada is 36"
        assert (await client.call_tool("ask_region", {})).data == "eu-west"

    async def decline(message, response_type, params, context):
        return ElicitResult(action="decline")

    async with Client(mcp, elicitation_handler=decline) as client:
        assert (await client.call_tool("ask_person", {})).data == "decline"

    async def wrong(message, response_type, params, context):
        return {"name": "Ada", "age": "old"}  # checked against the requested schema before it is sent

    # On the handshake era the server gets the client's refusal and the tool fails with it; on the 2026 era
    # the client refuses to send the answer at all.
    async with Client(mcp, elicitation_handler=wrong, mode="legacy") as client:
        result = await client.call_tool("ask_person", {}, raise_on_error=False)
        assert result.is_error and "'old' is not of type 'integer'" in result.content[0].text
    async with Client(mcp, elicitation_handler=wrong) as client:
        with pytest.raises(McpError, match="'old' is not of type 'integer'"):
            await client.call_tool("ask_person", {})


async def test_roots():
    async with Client(mcp, roots=["file:///srv/app", mt.Root(uri="file:///tmp", name="tmp")]) as client:
        assert (await client.call_tool("list_roots", {})).data == ["file:///srv/app", "file:///tmp"]

    async def dynamic(context):
        return ["file:///from/handler"]

    client = Client(mcp)
    client.set_roots(dynamic)
    async with client:
        assert (await client.call_tool("list_roots", {})).data == ["file:///from/handler"]


async def test_timeouts():
    async with Client(mcp, timeout=5) as client:
        with pytest.raises(McpError) as info:
            await client.call_tool("wait", {"seconds": 3}, timeout=0.1)
        assert info.value.code == mt.REQUEST_TIMEOUT
        # The timed-out call is cancelled on the server; the session goes on.
        assert (await client.call_tool("wait", {"seconds": 0}, timeout=datetime.timedelta(seconds=2))).data == "waited"
    async with Client(mcp, timeout=0.1) as client:
        with pytest.raises(mcp_sdk.MCPError):
            await client.call_tool("wait", {"seconds": 3})


# -- resources, prompts, completion ---------------------------------------------------------------------------


async def test_resources_prompts_and_completion():
    async with Client(mcp) as client:
        resources = await client.list_resources()
        assert [str(r.uri) for r in resources] == ["data://config"]
        assert resources[0].description == "The configuration."
        templates = await client.list_resource_templates()
        assert [t.uri_template for t in templates] == ["users://{user_id}/profile"]
        (content,) = await client.read_resource("data://config")
        assert json.loads(content.text) == {"theme": "dark", "retries": 3}
        (profile,) = await client.read_resource("users://7/profile")
        assert json.loads(profile.text) == {"id": 7, "name": "user 7"}
        assert isinstance(await client.read_resource_mcp("data://config"), mt.ReadResourceResult)

        prompts = await client.list_prompts()
        assert [p.name for p in prompts] == ["review"]
        # Non-string prompt arguments are sent as JSON text.
        prompt = await client.get_prompt("review", {"code": "x = 1", "strict": True})
        assert prompt.messages[0].content.text == "Review strictly: x = 1"
        assert isinstance(await client.get_prompt_mcp("review", {"code": "y"}), mt.GetPromptResult)

        ref = mt.PromptReference(type="ref/prompt", name="review")
        assert (await client.complete(ref, {"name": "code", "value": "p"})).values == ["print", "pass"]
        assert isinstance(await client.complete_mcp(ref, {"name": "code", "value": ""}), mt.CompleteResult)


# -- the connection -------------------------------------------------------------------------------------------


async def test_connection_reentrant_concurrent_and_lifespan():
    before = dict(LIFESPAN)
    client = Client(mcp, mode="legacy")
    assert not client.is_connected()
    with pytest.raises(RuntimeError, match="not connected"):
        await client.ping()
    async with client:
        assert client.is_connected() and await client.ping()
        assert client.initialize_result.server_info.name == "deploy-tools"
        assert client.server_info.version == "1.4.0" and client.instructions == "Deployment tools."
        assert client.protocol_version == "2025-11-25"
        assert client.server_capabilities.tools is not None
        async with client:  # nested: the same connection
            assert (await client.call_tool("lifespan_db", {})).data == "open"
        assert client.is_connected()

        async def one(n: int) -> int:
            async with client:
                return (await client.call_tool("add", {"a": n, "b": n})).data

        assert await asyncio.gather(*(one(n) for n in range(8))) == [n * 2 for n in range(8)]
        # Two clients at once share one run of the server (one lifespan).
        async with Client(mcp) as other:
            assert await other.ping()
        assert LIFESPAN["entered"] == before["entered"] + 1
    assert not client.is_connected()
    assert LIFESPAN == {"entered": before["entered"] + 1, "exited": before["exited"] + 1}
    # Sequential connections are each a run of their own.
    async with client:
        assert await client.ping()
    assert LIFESPAN["exited"] == before["exited"] + 2

    copy = client.new()
    assert copy.name != client.name and not copy.is_connected()
    async with copy:
        assert await copy.ping()


async def test_manual_initialize_and_modes():
    client = Client(mcp, auto_initialize=False, mode="legacy")
    async with client:
        assert client.initialize_result is None
        result = await client.initialize()
        assert result.server_info.name == "deploy-tools"
        assert await client.initialize() is result
    # The default "auto" mode probes server/discover first (and would fall back to the handshake): the server
    # serves the 2026 era, which has no InitializeResult (as with FastMCP 4).
    async with Client(mcp) as client:
        assert client.protocol_version == "2026-07-28"
        assert client.server_info.name == "deploy-tools"
        assert client.initialize_result is None
        with pytest.raises(RuntimeError, match="2026-era connection"):
            await client.initialize()
    async with Client(mcp, mode="legacy") as client:
        assert client.initialize_result is not None and client.protocol_version == "2025-11-25"
    with pytest.raises(ValueError, match="handshake-era version"):
        Client(mcp, mode="2025-06-18")


async def test_failing_lifespan_and_sdk_servers():
    @asynccontextmanager
    async def broken(server):
        raise OSError("database unreachable")
        yield

    with pytest.raises(RuntimeError, match="database unreachable"):
        async with Client(FastMCP("broken", lifespan=broken)):
            pass

    # The official SDK's own server objects work in memory too.
    from mcp.server.mcpserver import MCPServer

    sdk = MCPServer("sdk")

    @sdk.tool()
    def double(n: int) -> int:
        return 2 * n

    async with Client(sdk, mode="legacy") as client:
        assert (await client.call_tool("double", {"n": 21})).structured_content == {"result": 42}


async def test_message_handler_sees_notifications():
    seen: list[str] = []

    class Recorder(MessageHandler):
        async def on_tool_list_changed(self, message):
            seen.append("tools changed")

        async def on_logging_message(self, message):
            seen.append(f"log {message.params.level}")

    try:
        # List changes reach a handshake-era session on its own stream; on the 2026 era only a
        # subscriptions/listen request hears them (tests/test_modern.py).
        async with Client(mcp, message_handler=Recorder(), mode="legacy") as client:
            await client.call_tool("add_tool_now", {})
            await client.call_tool("deploy", {"service": "api", "steps": 1})
            assert "greet_again" in [t.name for t in await client.list_tools()]
            for _ in range(200):  # notifications are handled as they arrive, beside the answers
                if "tools changed" in seen and len(seen) >= 3:
                    break
                await asyncio.sleep(0.01)
    finally:
        mcp.remove_tool("greet_again")
    assert seen.count("tools changed") == 1 and "log info" in seen and "log warning" in seen


async def test_test_client_the_way_the_guides_use_it():
    async with test_client(mcp) as client:
        result = await client.call_tool("get_deploy_status", {"service_name": "nonexistent", "environment": "staging"})
        data = json.loads(result[0].text)
        assert "error" in data and data["retryable"] is False
        tools = await client.list_tools()
        assert "get_deploy_status" in [t.name for t in tools]


def test_infer_transport(tmp_path: Path):
    assert isinstance(infer_transport(mcp), FastMCPTransport)
    assert isinstance(infer_transport("http://127.0.0.1:8000/mcp"), StreamableHttpTransport)
    assert isinstance(infer_transport("https://example.com/sse"), SSETransport)
    assert isinstance(infer_transport(CLIENT_APP), PythonStdioTransport)
    assert isinstance(infer_transport(str(CLIENT_APP)), PythonStdioTransport)
    script = tmp_path / "server.js"
    script.write_text("")
    assert isinstance(infer_transport(script), NodeStdioTransport)
    stdio = StdioTransport("python", ["x.py"])
    assert infer_transport(stdio) is stdio
    params = mcp_sdk.StdioServerParameters(command="python", args=["x.py"])
    assert infer_transport(params).args == ["x.py"]
    with pytest.raises(ValueError):
        infer_transport(42)
    with pytest.raises(FileNotFoundError):
        PythonStdioTransport(tmp_path / "missing.py")
    with pytest.raises(ValueError, match="only supported for HTTP"):
        Client(mcp, verify=False)


def test_schema_hydration_types():
    schema = {
        "type": "object",
        "title": "Event",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "kind": {"enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "point": {"type": "array", "prefixItems": [{"type": "integer"}] * 2, "minItems": 2, "maxItems": 2},
            "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
            "child": {"$ref": "#/$defs/Child"},
            "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
        "required": ["when", "kind", "child"],
        "$defs": {"Child": {"type": "object", "properties": {"not-a-name": {"type": "boolean"}}}},
    }
    from pydantic import TypeAdapter

    value = TypeAdapter(schema_to_type(schema)).validate_python(
        {"when": "2026-01-02T03:04:05Z", "kind": "b", "point": [1, 2], "extra": {"x": 1}, "child": {"not-a-name": 1}}
    )
    assert type(value).__name__ == "Event"
    assert value.when == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert (value.kind, value.tags, value.point, value.extra, value.maybe) == ("b", None, (1, 2), {"x": 1}, None)
    assert value.child.not_a_name is True


# -- over stdio and HTTP --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_http() -> Any:
    server = start_http_server(script=CLIENT_APP)
    yield server
    code = stop(server.proc)
    server.proc.stdout.close()
    assert code == 0, "".join(server.stderr_lines)


@pytest.fixture(scope="module")
def app_sse() -> Any:
    server = start_http_server("--sse", script=CLIENT_APP)
    yield server
    code = stop(server.proc)
    server.proc.stdout.close()
    assert code == 0, "".join(server.stderr_lines)


@pytest.fixture(params=["script", "stdio", "http", "sse"])
def target(request: pytest.FixtureRequest) -> Any:
    if request.param == "script":
        return CLIENT_APP  # Client(Path("server.py")) runs `python server.py`
    if request.param == "stdio":
        return StdioTransport(sys.executable, [str(CLIENT_APP)])
    if request.param == "sse":
        url = request.getfixturevalue("app_sse").url
        assert url.endswith("/sse")
        return url  # a URL ending in /sse means the legacy SSE transport
    return request.getfixturevalue("app_http").url


async def test_over_real_transports(target: Any):
    logs: list[Any] = []
    progress: list[float] = []

    async def on_log(message):
        logs.append(message)

    async def on_progress(value, total, message):
        progress.append(value)

    async def elicit(message, response_type, params, context):
        return response_type(name="Grace", age=45)

    def sample(messages, params, context):
        return f"{params.system_prompt}: {messages[0].content.text}"

    client = Client(
        target,
        log_handler=on_log,
        progress_handler=on_progress,
        elicitation_handler=elicit,
        sampling_handler=sample,
        roots=["file:///work"],
        timeout=20,
    )
    async with client:
        assert client.server_info.name == "client-app"
        booking = await client.call_tool(
            "book", {"guest": Person(name="Ann", age=30), "nights": 2, "arrival": datetime.date(2026, 5, 1)}
        )
        assert booking.data.guest.name == "Ann" and booking.data.arrival == datetime.date(2026, 5, 1)
        with pytest.raises(ToolError, match=r"^at least one night$"):
            await client.call_tool("book", {"guest": {"name": "A", "age": 1}, "nights": 0, "arrival": "2026-05-01"})
        assert (await client.call_tool("divide", {"a": 1, "b": 4})).data == 0.25
        with pytest.raises(ToolError, match="division by zero"):
            await client.call_tool("divide", {"a": 1, "b": 0})

        assert (await client.call_tool("work", {"steps": 3})).data == "3 steps"
        assert progress == [1, 2, 3]
        assert [m.data["msg"] for m in logs] == ["did step 1", "did step 2", "did step 3"]
        assert logs[0].logger == "worker"

        assert (await client.call_tool("ask_person", {})).data == "Grace is 45"
        assert (await client.call_tool("haiku", {"topic": "tea"})).data == "Be brief: Write a haiku about tea"
        assert (await client.call_tool("roots", {})).data == ["file:///work"]

        with pytest.raises(McpError):
            await client.call_tool("nap", {"seconds": 3}, timeout=0.2)
        assert (await client.call_tool("nap", {"seconds": 0})).data == "rested"

        (motd,) = await client.read_resource("data://motd")
        assert motd.text == "hello from client-app"
        prompt = await client.get_prompt("greet", {"name": "Bo", "times": 2})
        assert prompt.messages[0].content.text == "Hello Bo! Hello Bo!"
        assert await client.ping()
    assert not client.is_connected()


async def test_http_session_id_and_auth(app_http: Any):
    transport = StreamableHttpTransport(app_http.url, headers={"X-Trace": "1"}, auth="secret-token")
    assert transport.auth is not None
    # Session ids belong to the handshake era (a 2026-era client has none).
    async with Client(transport, mode="legacy") as client:
        assert await client.ping()
        session_id = transport.get_session_id()
        assert session_id and len(session_id) == 32


async def test_connect_failures():
    # A server that exits at once: the handshake finds the connection closed.
    with pytest.raises(McpError) as info:
        async with Client(StdioTransport(sys.executable, ["-c", "import sys; sys.exit(3)"])):
            pass
    assert info.value.code == mt.CONNECTION_CLOSED
    with pytest.raises(RuntimeError, match="Client failed to connect"):
        async with Client(StdioTransport(str(HERE / "no-such-command"), [])):
            pass
    with pytest.raises(RuntimeError, match="Client failed to connect"):  # nothing listens there
        async with Client("http://127.0.0.1:9/mcp", init_timeout=5):
            pass
