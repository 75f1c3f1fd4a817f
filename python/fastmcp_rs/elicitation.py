"""Elicitation: the schema sent in ``elicitation/create`` for a response type, and the typed answer."""

from __future__ import annotations

import dataclasses
import enum
import inspect
from typing import Any, Generic, Literal, TypeVar, get_args, get_origin

import pydantic

__all__ = [
    "AcceptedElicitation",
    "AcceptedUrlElicitation",
    "CancelledElicitation",
    "DeclinedElicitation",
    "ElicitConfig",
    "ElicitationResult",
    "ScalarElicitationType",
    "UrlElicitationResult",
    "get_elicitation_schema",
    "handle_elicit_accept",
    "parse_elicit_response_type",
]

T = TypeVar("T")


class AcceptedElicitation(pydantic.BaseModel, Generic[T]):
    """The user answered; ``data`` is the value, typed as asked."""

    action: Literal["accept"] = "accept"
    data: T


class DeclinedElicitation(pydantic.BaseModel):
    action: Literal["decline"] = "decline"


class CancelledElicitation(pydantic.BaseModel):
    action: Literal["cancel"] = "cancel"


class AcceptedUrlElicitation(pydantic.BaseModel):
    """The user agreed to open the URL (what happens there is out of band)."""

    action: Literal["accept"] = "accept"


ElicitationResult = AcceptedElicitation[Any] | DeclinedElicitation | CancelledElicitation
UrlElicitationResult = AcceptedUrlElicitation | DeclinedElicitation | CancelledElicitation


@dataclasses.dataclass
class ScalarElicitationType(Generic[T]):
    """The object a scalar response type is wrapped in: ``{"value": ...}``."""

    value: T


_PRIMITIVES = {"string", "number", "integer", "boolean"}


def _check_flat(schema: dict[str, Any]) -> None:
    for name, prop in schema.get("properties", {}).items():
        kinds = [prop.get("type")] + [s.get("type") for s in prop.get("anyOf", [])]
        ok = any(k in _PRIMITIVES for k in kinds) or "enum" in prop or "oneOf" in prop
        if prop.get("type") == "array" and "enum" in prop.get("items", {}):
            ok = True
        if not ok:
            raise TypeError(
                f"Elicitation schema field {name!r} must be a primitive type (string, number, integer, boolean) "
                "or an enum; nested objects and arrays are not allowed"
            )


@dataclasses.dataclass
class _Shape:
    """A response type: the ``requestedSchema`` to send and how to read the answer's ``content``."""

    schema: dict[str, Any]
    adapter: pydantic.TypeAdapter[Any]
    wrapped: bool

    @classmethod
    def of(cls, response_type: Any, title: str | None = None, description: str | None = None) -> _Shape:
        if response_type is None:
            raise TypeError(
                "ctx.elicit() requires a response_type. Pass a type describing the data you expect back — use "
                "`bool` for a confirmation."
            )
        structured = inspect.isclass(response_type) and (
            issubclass(response_type, pydantic.BaseModel) or dataclasses.is_dataclass(response_type)
        )
        if structured:
            if title or description:
                raise TypeError("response_title/response_description apply to scalar response types only")
            adapter = pydantic.TypeAdapter(response_type)
            schema = adapter.json_schema()
            _check_flat(schema)
            return cls(schema, adapter, wrapped=False)
        if isinstance(response_type, list) and response_type and isinstance(response_type[0], list):
            choices = [str(c) for c in response_type[0]]
            prop: dict[str, Any] = {"type": "array", "items": {"enum": choices}}
            return cls._wrap(prop, pydantic.TypeAdapter(list[str]), title, description)
        if isinstance(response_type, list):
            prop = {"enum": [str(c) for c in response_type], "title": "Value", "type": "string"}
            return cls._wrap(prop, pydantic.TypeAdapter(Literal[tuple(prop["enum"])]), title, description)
        if isinstance(response_type, dict):
            one_of = [{"const": k, "title": (v or {}).get("title", k)} for k, v in response_type.items()]
            prop = {"oneOf": one_of, "type": "string"}
            return cls._wrap(prop, pydantic.TypeAdapter(Literal[tuple(response_type)]), title, description)
        adapter = pydantic.TypeAdapter(response_type)
        prop = adapter.json_schema()
        prop.setdefault(
            "title",
            response_type.__name__
            if inspect.isclass(response_type) and issubclass(response_type, enum.Enum)
            else "Value",
        )
        if get_origin(response_type) is Literal:
            prop = {"enum": list(get_args(response_type)), "title": "Value", "type": "string"}
        _check_flat({"properties": {"value": prop}})
        return cls._wrap(prop, adapter, title, description)

    @classmethod
    def _wrap(
        cls, prop: dict[str, Any], adapter: pydantic.TypeAdapter[Any], title: str | None, description: str | None
    ) -> _Shape:
        if title is not None:
            prop["title"] = title
        if description is not None:
            prop["description"] = description
        schema = {"properties": {"value": prop}, "required": ["value"], "type": "object"}
        return cls(schema, adapter, wrapped=True)

    def parse(self, answer: Any) -> AcceptedElicitation[Any] | DeclinedElicitation | CancelledElicitation:
        action = answer.get("action") if isinstance(answer, dict) else None
        if action == "decline":
            return DeclinedElicitation()
        if action == "cancel":
            return CancelledElicitation()
        if action != "accept":
            raise ValueError(f"the client answered the elicitation with an unknown action {action!r}")
        content = answer.get("content") or {}
        if self.wrapped:
            if "value" not in content:
                raise ValueError("the client's answer has no value")
            data = self.adapter.validate_python(content["value"])
        else:
            data = self.adapter.validate_python(content)
        return AcceptedElicitation[Any](data=data)


def _parse_url_answer(answer: Any) -> AcceptedUrlElicitation | DeclinedElicitation | CancelledElicitation:
    action = answer.get("action") if isinstance(answer, dict) else None
    if action == "accept":
        return AcceptedUrlElicitation()
    if action == "decline":
        return DeclinedElicitation()
    if action == "cancel":
        return CancelledElicitation()
    raise ValueError(f"the client answered the elicitation with an unknown action {action!r}")


@dataclasses.dataclass
class ElicitConfig:
    """What ``parse_elicit_response_type`` gives: the ``requestedSchema`` and how answers are read."""

    schema: dict[str, Any]
    response_type: Any
    is_raw: bool
    _shape: _Shape | None = dataclasses.field(default=None, repr=False)


def parse_elicit_response_type(
    response_type: Any, response_title: str | None = None, response_description: str | None = None
) -> ElicitConfig:
    shape = _Shape.of(response_type, response_title, response_description)
    return ElicitConfig(schema=shape.schema, response_type=response_type, is_raw=False, _shape=shape)


def get_elicitation_schema(response_type: Any) -> dict[str, Any]:
    """The ``requestedSchema`` sent for ``response_type``."""
    return _Shape.of(response_type).schema


def handle_elicit_accept(config: ElicitConfig, content: Any) -> AcceptedElicitation[Any]:
    """The typed answer for an accepted elicitation's ``content``."""
    shape = config._shape or _Shape.of(config.response_type)
    parsed = shape.parse({"action": "accept", "content": content})
    assert isinstance(parsed, AcceptedElicitation)
    return parsed
