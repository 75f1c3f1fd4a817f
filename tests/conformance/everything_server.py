"""The server the official conformance suite (``@modelcontextprotocol/conformance``) tests, written with
fastmcp_rs's public FastMCP-style API: the tool, resource and prompt names and behaviours the suite's scenarios
describe (its reference is ``examples/servers/typescript/everything-server.ts`` in modelcontextprotocol/conformance).

    python tests/conformance/everything_server.py PORT      # Streamable HTTP on 127.0.0.1:PORT/mcp

Both eras are served on the one endpoint. The 2026-07-28 fixtures use both ways a FastMCP user asks the
client for input there: the transparent one (``ctx.elicit`` / ``ctx.sample`` / ``ctx.list_roots`` unchanged,
answered through input-required rounds) and FastMCP 4's explicit ``InputRequiredResult``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from typing import Annotated

from fastmcp_rs import Context, FastMCP, InputRequiredResult, McpError, ToolError
from fastmcp_rs.prompts import Message
from fastmcp_rs.tools import FunctionTool
from fastmcp_rs.utilities.tasks import TaskConfig
from mcp.types import (
    AudioContent,
    EmbeddedResource,
    ImageContent,
    TextContent,
    TextResourceContents,
)
from pydantic import BaseModel, Field

# A 1x1 PNG and a tiny WAV, as the suite's fixtures use.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WAV = base64.b64encode(
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00D\xac\x00\x00\x88X\x01\x00"
    b"\x02\x00\x10\x00data\x00\x00\x00\x00"
).decode()

# dereference_schemas=False: FastMCP 4 (and fastmcp-rs, by default) inline a listed schema's ``$ref``s; the suite's
# json-schema-2020-12 scenario wants ``$defs`` served as written.
mcp = FastMCP("conformance-everything-server", version="1.0.0", dereference_schemas=False)


# -- tools ------------------------------------------------------------------------------------------------


@mcp.tool
def test_simple_text() -> str:
    """Returns a simple text response."""
    return "This is a simple text response for testing."


@mcp.tool
def test_image_content() -> ImageContent:
    """Returns an image."""
    return ImageContent(type="image", data=PNG, mimeType="image/png")


@mcp.tool
def test_audio_content() -> AudioContent:
    """Returns audio."""
    return AudioContent(type="audio", data=WAV, mimeType="audio/wav")


@mcp.tool
def test_embedded_resource() -> EmbeddedResource:
    """Returns an embedded resource."""
    return EmbeddedResource(
        type="resource",
        resource=TextResourceContents(
            uri="test://embedded-resource", mimeType="text/plain", text="This is an embedded resource content."
        ),
    )


@mcp.tool
def test_multiple_content_types() -> list[object]:
    """Returns text, an image and an embedded resource."""
    return [
        TextContent(type="text", text="Multiple content types test:"),
        ImageContent(type="image", data=PNG, mimeType="image/png"),
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri="test://mixed-content-resource",
                mimeType="application/json",
                text=json.dumps({"test": "data", "value": 123}),
            ),
        ),
    ]


@mcp.tool
async def test_tool_with_logging(ctx: Context) -> str:
    """Sends three log messages while it runs."""
    await ctx.info("Tool execution started")
    await asyncio.sleep(0.05)
    await ctx.info("Tool processing data")
    await asyncio.sleep(0.05)
    await ctx.info("Tool execution completed")
    return "Tool with logging executed successfully"


@mcp.tool
async def test_tool_with_progress(ctx: Context) -> str:
    """Reports progress 0, 50 and 100 out of 100."""
    for step, value in enumerate((0, 50, 100)):
        if step:
            await asyncio.sleep(0.05)
        await ctx.report_progress(value, 100)
    return "Tool with progress executed successfully"


@mcp.tool
async def test_reconnection(ctx: Context) -> str:
    """Closes its SSE stream mid-call (SEP-1699 polling); the client reconnects with Last-Event-ID."""
    await asyncio.sleep(0.05)
    await ctx.close_sse_stream()
    await asyncio.sleep(0.1)
    return "Reconnection test completed successfully"


@mcp.tool
def test_error_handling() -> str:
    """Always fails."""
    raise RuntimeError("This tool intentionally returns an error for testing")


@mcp.tool
async def test_sampling(prompt: str, ctx: Context) -> str:
    """Asks the client's LLM."""
    from mcp.types import SamplingMessage

    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))], max_tokens=100
    )
    text = getattr(result.content, "text", str(result.content))
    return f"LLM response: {text}"


async def _elicit(ctx: Context, message: str, schema: dict[str, object]) -> tuple[str, object]:
    answer = await ctx.session.elicit(message=message, requested_schema=schema)
    return answer.action, answer.content


@mcp.tool
async def test_elicitation(message: str, ctx: Context) -> str:
    """Asks the user for a username and an email."""
    action, content = await _elicit(
        ctx,
        message,
        {
            "type": "object",
            "properties": {
                "username": {"type": "string", "description": "User's response"},
                "email": {"type": "string", "description": "User's email address"},
            },
            "required": ["username", "email"],
        },
    )
    return f"User response: action={action}, content={json.dumps(content)}"


@mcp.tool
async def test_elicitation_sep1034_defaults(ctx: Context) -> str:
    """Elicitation with a default for every primitive type (SEP-1034)."""
    action, content = await _elicit(
        ctx,
        "Please review and update the form fields with defaults",
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "User name", "default": "John Doe"},
                "age": {"type": "integer", "description": "User age", "default": 30},
                "score": {"type": "number", "description": "User score", "default": 95.5},
                "status": {
                    "type": "string",
                    "description": "User status",
                    "enum": ["active", "inactive", "pending"],
                    "default": "active",
                },
                "verified": {"type": "boolean", "description": "Verification status", "default": True},
            },
            "required": [],
        },
    )
    return f"Elicitation completed: action={action}, content={json.dumps(content)}"


@mcp.tool
async def test_elicitation_sep1330_enums(ctx: Context) -> str:
    """Elicitation with the five enum schema variants (SEP-1330)."""
    action, content = await _elicit(
        ctx,
        "Please select options from the enum fields",
        {
            "type": "object",
            "properties": {
                "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
                "titledSingle": {
                    "type": "string",
                    "oneOf": [
                        {"const": "value1", "title": "First Option"},
                        {"const": "value2", "title": "Second Option"},
                        {"const": "value3", "title": "Third Option"},
                    ],
                },
                "legacyEnum": {
                    "type": "string",
                    "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"],
                },
                "untitledMulti": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["option1", "option2", "option3"]},
                },
                "titledMulti": {
                    "type": "array",
                    "items": {
                        "anyOf": [
                            {"const": "value1", "title": "First Choice"},
                            {"const": "value2", "title": "Second Choice"},
                            {"const": "value3", "title": "Third Choice"},
                        ]
                    },
                },
            },
            "required": [],
        },
    )
    return f"Elicitation completed: action={action}, content={json.dumps(content)}"


def json_schema_2020_12_tool(**arguments: object) -> str:
    return f"Received: {json.dumps(arguments, sort_keys=True)}"


# Its input schema is served verbatim (2020-12 keywords and $defs kept).
mcp.add_tool(
    FunctionTool(
        fn=json_schema_2020_12_tool,
        name="json_schema_2020_12_tool",
        description="Tool with a JSON Schema 2020-12 input schema",
        parameters={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {
                "address": {
                    "$anchor": "addressDef",
                    "type": "object",
                    "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
                }
            },
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"},
                "email": {"type": "string"},
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "additionalProperties": False,
        },
    )
)


# -- resources --------------------------------------------------------------------------------------------


@mcp.resource("test://static-text", mime_type="text/plain", description="A static text resource")
def static_text() -> str:
    return "This is the content of the static text resource."


@mcp.resource("test://static-binary", mime_type="image/png", description="A static binary resource")
def static_binary() -> bytes:
    return base64.b64decode(PNG)


@mcp.resource("test://template/{id}/data", mime_type="application/json", description="A resource template")
def template_data(id: str) -> str:
    return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})


@mcp.resource("test://watched-resource", mime_type="text/plain", description="A resource clients subscribe to")
def watched() -> str:
    return "Watched resource content"


# -- prompts ----------------------------------------------------------------------------------------------


@mcp.prompt
def test_simple_prompt() -> str:
    """A simple prompt without arguments."""
    return "This is a simple prompt for testing."


@mcp.prompt
def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
    """A prompt with two required arguments."""
    return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"


@mcp.prompt
def test_prompt_with_embedded_resource(resourceUri: str) -> list[Message]:
    """A prompt that embeds a resource."""
    return [
        Message(
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri=resourceUri, mimeType="text/plain", text="Embedded resource content for testing."
                ),
            ),
            role="user",
        ),
        Message("Please process the embedded resource above.", role="user"),
    ]


@mcp.prompt
def test_prompt_with_image() -> list[Message]:
    """A prompt with an image."""
    return [
        Message(ImageContent(type="image", data=PNG, mimeType="image/png"), role="user"),
        Message("Please analyze the image above.", role="user"),
    ]


@mcp.completion()
async def complete(ref: object, argument: object, context: object = None) -> list[str]:
    return ["test-completion-1", "test-completion-2"]


# -- the 2026-07-28 era ------------------------------------------------------------------------------------


class Name(BaseModel):
    name: str


class Color(BaseModel):
    color: str


class Context_(BaseModel):
    context: str


def _elicit_request(message: str, properties: dict[str, object], required: list[str]) -> dict[str, object]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"method": "elicitation/create", "params": {"mode": "form", "message": message, "requestedSchema": schema}}


def _sampling_request(text: str, max_tokens: int) -> dict[str, object]:
    message = {"role": "user", "content": {"type": "text", "text": text}}
    return {"method": "sampling/createMessage", "params": {"messages": [message], "maxTokens": max_tokens}}


def _answered(ctx: Context, key: str) -> object:
    """The client's answer under ``key``, when it is a usable one."""
    answer = (ctx.input_responses or {}).get(key)
    return answer if getattr(answer, "action", None) == "accept" or hasattr(answer, "roots") else None


@mcp.tool
async def test_missing_capability(ctx: Context) -> str:
    """Needs the client's sampling capability (-32021 when the request does not declare it)."""
    reply = await ctx.sample("Say hello", max_tokens=20)
    return f"Sampled: {getattr(reply, 'text', reply)}"


@mcp.tool
async def test_streaming_elicitation(ctx: Context) -> str:
    """Reports progress, then asks the user for their name (an input-required round on this era)."""
    await ctx.report_progress(0, 1)
    answer = await ctx.elicit("What is your name?", Name)
    return f"Hello, {answer.data.name}!" if answer.action == "accept" else "No name given"


@mcp.tool
async def test_logging_tool(ctx: Context) -> str:
    """Logs at info level; a client sees it only when its request asked for a log level."""
    await ctx.info("test_logging_tool ran")
    return "Logged"


@mcp.tool
async def test_trigger_tool_change(ctx: Context) -> str:
    """Tells listening clients that the tool list changed."""
    await ctx.send_tool_list_changed()
    return "Tool list change sent"


@mcp.tool
async def test_trigger_prompt_change(ctx: Context) -> str:
    """Tells listening clients that the prompt list changed."""
    await ctx.send_prompt_list_changed()
    return "Prompt list change sent"


@mcp.tool
def test_input_required_result_elicitation(ctx: Context) -> str | InputRequiredResult:
    """FastMCP 4's explicit form under the key the suite expects: asks the user's name."""
    answer = _answered(ctx, "user_name")
    name = (getattr(answer, "content", None) or {}).get("name")
    if isinstance(name, str):
        return f"Hello, {name}!"
    return InputRequiredResult(
        input_requests={"user_name": _elicit_request("What is your name?", {"name": {"type": "string"}}, ["name"])}
    )


@mcp.tool
async def test_input_required_result_sampling(ctx: Context) -> str:
    """Asks the client's model with ``ctx.sample`` (transparent rounds)."""
    reply = await ctx.sample("What is the capital of France?", max_tokens=100)
    return f"The model said: {getattr(reply, 'text', reply)}"


@mcp.tool
async def test_input_required_result_list_roots(ctx: Context) -> str:
    """Reads the client's roots with ``ctx.list_roots`` (transparent rounds)."""
    roots = await ctx.list_roots()
    return f"Found {len(roots)} root(s)"


@mcp.tool
def test_input_required_result_request_state(ctx: Context) -> str | InputRequiredResult:
    """FastMCP 4's explicit form: a confirmation and a request state, checked on the retry."""
    if _answered(ctx, "confirm") and ctx.request_state == "confirm-pending":
        return "Confirmed: state-ok"
    return InputRequiredResult(
        input_requests={"confirm": _elicit_request("Please confirm", {"ok": {"type": "boolean"}}, ["ok"])},
        request_state="confirm-pending",
    )


@mcp.tool
def test_input_required_result_multiple_inputs(ctx: Context) -> str | InputRequiredResult:
    """Three input requests of three kinds in one round."""
    responses = ctx.input_responses or {}
    if ctx.request_state == "multi" and all(k in responses for k in ("user_name", "greeting", "client_roots")):
        name = responses["user_name"].content or {}
        return f"Hello {name.get('name')}, with {len(responses['client_roots'].roots)} root(s)"
    return InputRequiredResult(
        input_requests={
            "user_name": _elicit_request("What is your name?", {"name": {"type": "string"}}, ["name"]),
            "greeting": _sampling_request("Write a greeting", 50),
            "client_roots": {"method": "roots/list", "params": {}},
        },
        request_state="multi",
    )


@mcp.tool
async def test_input_required_result_multi_round(ctx: Context) -> str:
    """Two questions one after the other: two rounds, each with its own state, then the result."""
    name = await ctx.elicit("Step 1: What is your name?", Name)
    color = await ctx.elicit("Step 2: What is your favorite color?", Color)
    return f"{name.data.name} likes {color.data.color}"


@mcp.tool
async def test_input_required_result_tampered_state(ctx: Context) -> str:
    """A confirmation whose round's state is sealed: a tampered state is refused."""
    answer = await ctx.elicit("Please confirm", bool)
    return f"Confirmed: {answer.action}"


@mcp.tool
def test_input_required_result_capabilities(ctx: Context) -> str | InputRequiredResult:
    """Asks for an elicitation and a sampling at once; the server keeps only what the request's client
    declared it can answer."""
    if ctx.input_responses:
        return "Thanks"
    return InputRequiredResult(
        input_requests={
            "user_name": _elicit_request("What is your name?", {"name": {"type": "string"}}, ["name"]),
            "capital_question": _sampling_request("What is the capital of France?", 100),
        }
    )


@mcp.tool
def test_custom_header(region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})] = "") -> str:
    """A parameter mirrored into the Mcp-Param-Region header (SEP-2243)."""
    return f"Region: {region}"


# -- tasks (the io.modelcontextprotocol/tasks extension) ------------------------------------------------------


class Confirm(BaseModel):
    confirm: bool


@mcp.tool
def greet(name: str) -> str:
    """Greets synchronously (never a task)."""
    return f"Hello, {name}!"


@mcp.tool(task=True)
async def slow_compute(seconds: float, label: str = "") -> str:
    """Sleeps, then reports; long enough and it runs as a task (cancellable)."""
    await asyncio.sleep(seconds)
    return f"Computed {label!r} after {seconds}s"


@mcp.tool(task=TaskConfig(mode="required"))
async def failing_job() -> str:
    """Only runs as a task; fails (a tool error) after a second."""
    await asyncio.sleep(1)
    raise ToolError("The job failed")


@mcp.tool(task=True)
async def protocol_error_job() -> str:
    """A task that ends with a protocol error."""
    await asyncio.sleep(0.3)
    raise McpError("The job hit an internal error", -32603)


@mcp.tool(task=True)
async def confirm_delete(filename: str, ctx: Context) -> str:
    """Asks the user to confirm (the task waits in input_required), then deletes."""
    answer = await ctx.elicit(f"Delete {filename}?", Confirm)
    if answer.action == "accept" and answer.data.confirm:
        return f"Deleted {filename}"
    return f"Kept {filename}"


@mcp.tool(task=True)
async def multi_input(ctx: Context) -> str:
    """Two questions pending at once."""
    first, second = await asyncio.gather(
        ctx.elicit("First: your name and confirmation", Confirm),
        ctx.elicit("Second: your name and confirmation", Confirm),
    )
    return f"Answers: {first.action}, {second.action}"


@mcp.tool(task=TaskConfig(mode="required"))
async def test_tool_with_task(ctx: Context) -> str | InputRequiredResult:
    """Asks the user's name first (a synchronous round), then works on as a task."""
    answer = _answered(ctx, "user_name")
    name = (getattr(answer, "content", None) or {}).get("name")
    if not isinstance(name, str):
        return InputRequiredResult(
            input_requests={"user_name": _elicit_request("What is your name?", {"name": {"type": "string"}}, ["name"])}
        )
    await asyncio.sleep(0.3)
    return f"Task done for {name}"


@mcp.prompt
async def test_input_required_result_prompt(ctx: Context) -> str:
    """A prompt that asks the user for context first."""
    answer = await ctx.elicit("What context should the prompt use?", Context_)
    return f"Prompt with context: {answer.data.context}"


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
