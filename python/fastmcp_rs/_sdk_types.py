"""The SDK result types that SDK v1 spellings return (``ctx.session.create_message(...)`` gives a
``CreateMessageResult``): ``mcp.types`` when the ``mcp`` package is installed, else look-alike pydantic models
with the same fields. Imported only when such a call is made."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

import pydantic

__all__: list[str] = []


class _Model(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow", populate_by_name=True)

    meta: dict[str, Any] | None = pydantic.Field(default=None, alias="_meta")


class TextContent(_Model):
    type: Literal["text"] = "text"
    text: str


class ImageContent(_Model):
    type: Literal["image"] = "image"
    data: str
    mime_type: str = pydantic.Field(alias="mimeType")


class AudioContent(_Model):
    type: Literal["audio"] = "audio"
    data: str
    mime_type: str = pydantic.Field(alias="mimeType")


class CreateMessageResult(_Model):
    role: Literal["user", "assistant"]
    content: TextContent | ImageContent | AudioContent
    model: str
    stop_reason: str | None = pydantic.Field(default=None, alias="stopReason")


class ElicitResult(_Model):
    action: Literal["accept", "decline", "cancel"]
    content: dict[str, Any] | None = None


class Icon(_Model):
    src: str
    mime_type: str | None = pydantic.Field(default=None, alias="mimeType")
    sizes: list[str] | None = None
    theme: Literal["light", "dark"] | None = None


class Root(_Model):
    uri: str
    name: str | None = None


class ListRootsResult(_Model):
    roots: list[Root]


_FALLBACKS: dict[str, type[pydantic.BaseModel]] = {
    "TextContent": TextContent,
    "CreateMessageResult": CreateMessageResult,
    "ElicitResult": ElicitResult,
    "ListRootsResult": ListRootsResult,
    "Icon": Icon,
}


@cache
def sdk_type(name: str) -> Any:
    try:
        from mcp import types  # type: ignore[import-not-found]

        return getattr(types, name)
    except (ImportError, AttributeError):
        return _FALLBACKS[name]


def _input_response(value: Any) -> Any:
    """One answer of a modern retry as the SDK type its shape says it is (a dict when none fits)."""
    if not isinstance(value, dict):
        return value
    if "action" in value:
        name = "ElicitResult"
    elif "roots" in value:
        name = "ListRootsResult"
    elif "role" in value and "content" in value:
        name = "CreateMessageResult"
    else:
        return value
    try:
        return sdk_type(name).model_validate(value)
    except pydantic.ValidationError:
        return value


def input_responses(responses: dict[str, Any]) -> dict[str, Any]:
    """``ctx.input_responses``: every answer as its SDK type, by key."""
    return {key: _input_response(value) for key, value in responses.items()}
