"""The server the official conformance suite (``@modelcontextprotocol/conformance``) tests, written with
fastmcp_rs's public FastMCP-style API: the tool, resource and prompt names and behaviours the suite's scenarios
describe (its reference is ``examples/servers/typescript/everything-server.ts`` in modelcontextprotocol/conformance).

    python tests/conformance/everything_server.py PORT      # Streamable HTTP on 127.0.0.1:PORT/mcp

Handshake era (2025-11-25) for now; the 2026-07-28 era's fixtures come with issue 10.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys

from fastmcp_rs import Context, FastMCP
from fastmcp_rs.prompts import Message
from fastmcp_rs.tools import FunctionTool
from mcp.types import (
    AudioContent,
    EmbeddedResource,
    ImageContent,
    TextContent,
    TextResourceContents,
)

# A 1x1 PNG and a tiny WAV, as the suite's fixtures use.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WAV = base64.b64encode(
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00D\xac\x00\x00\x88X\x01\x00"
    b"\x02\x00\x10\x00data\x00\x00\x00\x00"
).decode()

mcp = FastMCP("conformance-everything-server", version="1.0.0")


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


# Its input schema is served verbatim (2020-12 keywords kept).
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


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
