"""Python types built from JSON Schemas, so a tool's structured result comes back as objects.

A tool's ``outputSchema`` (and an elicitation's ``requestedSchema``) is turned into a type that pydantic can
validate into: objects with properties become dataclasses (attribute access, ``==`` by value), objects with
extra keys allowed become pydantic models that keep them, maps become ``dict``, arrays ``list`` (or ``tuple``
for fixed positional arrays), ``enum``/``const`` become ``Literal``, and string formats become their Python
types (``date-time`` → ``datetime``, ``uuid`` → ``UUID``, ...). Local ``$ref``s (``#/$defs/...``) are followed;
a reference back into a definition that is still being built becomes ``Any`` rather than recursing.
"""

from __future__ import annotations

import json
import keyword
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import field, make_dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, Union
from uuid import UUID

import pydantic
from pydantic import AnyUrl, ConfigDict, Field, TypeAdapter

__all__ = ["schema_adapter", "schema_to_type"]

_FORMATS: dict[str, Any] = {
    "date-time": datetime,
    "date": date,
    "time": time,
    "duration": timedelta,
    "uuid": UUID,
    "uri": AnyUrl,
}
try:  # EmailStr needs the optional email-validator package
    import email_validator  # noqa: F401

    _FORMATS["email"] = pydantic.EmailStr
except ImportError:  # pragma: no cover - depends on the environment
    pass

_MAX_DEPTH = 64
_ADAPTERS: OrderedDict[str, TypeAdapter[Any]] = OrderedDict()
_ADAPTER_CACHE_SIZE = 256
_NAME_CHARS = re.compile(r"[^0-9A-Za-z_]")


def schema_adapter(schema: Mapping[str, Any] | bool) -> TypeAdapter[Any]:
    """A (cached) ``TypeAdapter`` for the type ``schema`` describes."""
    key = json.dumps(schema, sort_keys=True, default=str)
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        adapter = TypeAdapter(schema_to_type(schema))
        _ADAPTERS[key] = adapter
        if len(_ADAPTERS) > _ADAPTER_CACHE_SIZE:
            _ADAPTERS.popitem(last=False)
    else:
        _ADAPTERS.move_to_end(key)
    return adapter


def schema_to_type(schema: Mapping[str, Any] | bool, name: str | None = None) -> Any:
    """The Python type ``schema`` describes (a dataclass for an object with properties)."""
    root = schema if isinstance(schema, Mapping) else {}
    return _Builder(root).build(schema, name=name, depth=0)


def _class_name(raw: str | None, default: str) -> str:
    text = _NAME_CHARS.sub("_", raw or "") or default
    if text[0].isdigit():
        text = f"_{text}"
    return text


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _Builder:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.root_name = _class_name(root.get("title"), "Root") if root.get("properties") else None
        self.refs: dict[str, Any] = {}
        self.building: set[str] = set()

    def build(self, schema: Any, *, name: str | None = None, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("JSON schema is too deeply nested to convert")
        if schema is True or schema is None:
            return Any
        if schema is False or not isinstance(schema, Mapping):
            return Any
        if not schema:
            return Any
        if "$ref" in schema:
            return self._ref(schema["$ref"], depth)
        if "const" in schema:
            return Literal[schema["const"]] if _hashable(schema["const"]) else Any  # type: ignore[valid-type]
        if "enum" in schema:
            values = tuple(schema["enum"])
            if values and all(_hashable(v) for v in values):
                return Literal[values]  # type: ignore[valid-type]
            return Any
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                members = [self.build(s, depth=depth + 1) for s in schema[combinator]]
                return _union(members)
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.build(schema["allOf"][0], name=name, depth=depth + 1)
        kind = schema.get("type")
        if kind is None and "properties" in schema:
            kind = "object"
        if isinstance(kind, list):
            return _union([self.build({**schema, "type": k}, name=name, depth=depth + 1) for k in kind])
        if kind == "string":
            return _FORMATS.get(schema.get("format", ""), str)
        if kind == "integer":
            return int
        if kind == "number":
            return float
        if kind == "boolean":
            return bool
        if kind == "null":
            return type(None)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "object":
            return self._object(schema, name, depth)
        return Any

    def _ref(self, ref: str, depth: int) -> Any:
        if ref in self.refs:
            return self.refs[ref]
        if ref in self.building or not ref.startswith("#"):
            return Any  # a cycle (or a remote document): accept whatever arrives
        target: Any = self.root
        for part in ref[1:].split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                return Any
            target = target[part]
        self.building.add(ref)
        try:
            built = self.build(target, name=ref.rsplit("/", 1)[-1], depth=depth + 1)
        finally:
            self.building.discard(ref)
        self.refs[ref] = built
        return built

    def _array(self, schema: Mapping[str, Any], depth: int) -> Any:
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list) and prefix:
            positions = tuple(self.build(s, depth=depth + 1) for s in prefix)
            if schema.get("minItems") == len(prefix) == schema.get("maxItems") or schema.get("items") is False:
                return tuple[positions]  # type: ignore[valid-type]
            rest = self.build(schema.get("items", True), depth=depth + 1)
            return list[_union([*positions, rest])]  # type: ignore[misc]
        items = schema.get("items", True)
        if isinstance(items, list):
            return list[_union([self.build(s, depth=depth + 1) for s in items])]  # type: ignore[misc]
        return list[self.build(items, depth=depth + 1)]  # type: ignore[misc]

    def _object(self, schema: Mapping[str, Any], name: str | None, depth: int) -> Any:
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        if not properties:
            if isinstance(extra, Mapping):
                return dict[str, self.build(extra, depth=depth + 1)]  # type: ignore[misc]
            return dict[str, Any]
        class_name = _class_name(schema.get("title") or name, "Root")
        if schema is not self.root and class_name == self.root_name:
            class_name = f"{class_name}_2"  # as FastMCP names a nested class that shares the root's name
        required = set(schema.get("required") or ())
        fields: list[tuple[str, str, Any, bool, Any]] = []  # (attribute, key, type, required, default)
        for key, sub in properties.items():
            kind = self.build(sub, depth=depth + 1)
            default = sub.get("default") if isinstance(sub, Mapping) else None
            if key not in required:
                kind = kind | None
            fields.append((key, key, kind, key in required, default))
        plain = all(k.isidentifier() and not keyword.iskeyword(k) and not k.startswith("_") for _, k, *_ in fields)
        if plain and not extra:
            spec = []
            for attribute, _, kind, is_required, default in fields:
                if is_required:
                    spec.append((attribute, kind))
                elif isinstance(default, (dict, list)):
                    spec.append((attribute, kind, field(default_factory=lambda d=default: json.loads(json.dumps(d)))))
                else:
                    spec.append((attribute, kind, field(default=default)))
            return make_dataclass(class_name, spec, kw_only=True)
        # Keys that are not Python names, or extra keys to keep: a pydantic model with aliases.
        definitions: dict[str, Any] = {}
        for index, (_, key, kind, is_required, default) in enumerate(fields):
            attribute = key if plain else _attribute_name(key, index, definitions)
            info = Field(alias=key) if is_required else Field(default=default, alias=key)
            definitions[attribute] = (kind, info)
        config = ConfigDict(extra="allow" if extra else "ignore", populate_by_name=True)
        return pydantic.create_model(class_name, __config__=config, **definitions)


def _attribute_name(key: str, index: int, taken: Mapping[str, Any]) -> str:
    name = _NAME_CHARS.sub("_", key).lstrip("_") or f"field_{index}"
    if name[0].isdigit() or keyword.iskeyword(name) or name.startswith("model_"):
        name = f"field_{name}"
    while name in taken:
        name = f"{name}_"
    return name


def _union(members: list[Any]) -> Any:
    unique: list[Any] = []
    for member in members:
        if member is Any:
            return Any
        if member not in unique:
            unique.append(member)
    if not unique:
        return Any
    if len(unique) == 1:
        return unique[0]
    return Union[tuple(unique)]  # noqa: UP007
