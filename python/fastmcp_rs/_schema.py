"""JSON Schema post-processing and docstring parsing, producing the schemas FastMCP 4 lists.

pydantic generates the raw schema; these functions prune titles and unused definitions, add docstring
descriptions and inline references, so ``tools/list`` matches FastMCP for the same function.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Callable
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

_STRUCTURAL = {"type", "properties", "$ref", "items", "allOf", "oneOf", "anyOf", "required"}
_METADATA = {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"}


def prune_titles(node: Any) -> Any:
    """Drops ``title`` from schema nodes, keeping it where FastMCP keeps it (nodes with neither a
    structural key nor only metadata, e.g. ``{"enum": [...], "title": ...}``)."""
    if isinstance(node, dict):
        out = {k: prune_titles(v) if k not in ("properties", "$defs") else _prune_map(v) for k, v in node.items()}
        if "title" in out and isinstance(out["title"], str):
            keys = set(out)
            if keys & _STRUCTURAL or keys <= _METADATA:
                del out["title"]
        return out
    if isinstance(node, list):
        return [prune_titles(v) for v in node]
    return node


def _prune_map(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        return mapping
    return {name: prune_titles(sub) for name, sub in mapping.items()}


def _refs_in(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.add(ref[len("#/$defs/") :])
        for key, value in node.items():
            if key != "$defs":
                _refs_in(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs_in(value, found)


def drop_unused_defs(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    used: set[str] = set()
    _refs_in(schema, used)
    frontier = list(used)
    while frontier:
        name = frontier.pop()
        inner: set[str] = set()
        _refs_in(defs.get(name), inner)
        for n in inner - used:
            used.add(n)
            frontier.append(n)
    kept = {k: v for k, v in defs.items() if k in used}
    out = {k: v for k, v in schema.items() if k != "$defs"}
    if kept:
        out["$defs"] = kept
    return out


def _is_recursive(defs: dict[str, Any]) -> bool:
    def reaches(start: str) -> bool:
        seen: set[str] = set()
        stack = [start]
        while stack:
            refs: set[str] = set()
            _refs_in(defs.get(stack.pop()), refs)
            if start in refs:
                return True
            for r in refs - seen:
                seen.add(r)
                stack.append(r)
        return False

    return any(reaches(name) for name in defs)


def dereference(schema: dict[str, Any]) -> dict[str, Any]:
    """Inlines ``#/$defs/...`` references (sibling keys are kept after the inlined ones) and drops
    ``$defs``; recursive schemas are returned unchanged."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict) or not defs:
        return schema
    if _is_recursive(defs):
        return schema

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                target = resolve(copy.deepcopy(defs[ref[len("#/$defs/") :]]))
                for key, value in node.items():
                    if key != "$ref":
                        target[key] = resolve(value)
                return target
            return {k: resolve(v) for k, v in node.items() if k != "discriminator"}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return {k: resolve(v) for k, v in schema.items() if k != "$defs"}


_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters|Returns?|Yields?|"
    r"Raises|Exceptions?|Warns|Warnings?|Examples?|Notes?|References|Attributes|Methods|See Also|Todo)\s*:\s*$"
)
_ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")


def parse_docstring(fn: Any) -> tuple[str | None, dict[str, str]]:
    """Google-style docstrings: the description is the text before the first section; ``Args:`` entries
    become parameter descriptions. Without any recognised section the whole docstring is the description."""
    doc = inspect.getdoc(fn)
    if not doc:
        return None, {}
    lines = doc.splitlines()
    sections: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        # A section counts only when its body is indented (as griffe requires).
        if match and i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
            sections.append((i, match.group(1)))
    if not sections:
        return doc.strip(), {}
    description = "\n".join(lines[: sections[0][0]]).strip() or None
    params: dict[str, str] = {}
    for index, (start, name) in enumerate(sections):
        if name not in ("Args", "Arguments", "Parameters", "Params", "Keyword Args", "Keyword Arguments"):
            continue
        end = sections[index + 1][0] if index + 1 < len(sections) else len(lines)
        body = lines[start + 1 : end]
        indents = [len(b) - len(b.lstrip()) for b in body if b.strip()]
        if not indents:
            continue
        base = min(indents)
        # As griffe reads an item: its continuation lines keep what they are indented beyond twice the
        # item's indent (less than that, none), blank lines within are kept, and the lines join with "\n".
        items: dict[str, list[str]] = {}
        current: list[str] | None = None
        for raw in body:
            if not raw.strip():
                if current is not None:
                    current.append("")
                continue
            indent = len(raw) - len(raw.lstrip())
            match = _ARG_LINE.match(raw.strip()) if indent == base else None
            if match:
                current = items[match.group(1).lstrip("*")] = [match.group(3)]
            elif current is not None:
                current.append(raw[2 * base :] if indent >= 2 * base else raw.lstrip())
        for arg, parts in items.items():
            params[arg] = "\n".join(parts).rstrip("\n")
    return description, params


def _order_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """FastMCP lists ``properties, required, type`` first, then the other keys in their original order."""
    head = {k: schema[k] for k in ("properties", "required", "type") if k in schema}
    head.update({k: v for k, v in schema.items() if k not in head})
    return head


def _annotated_descriptions(fn: Callable[..., Any]) -> dict[str, str]:
    """``Annotated[T, "text"]``: a plain string beside the type is the parameter's description (FastMCP's
    shorthand for ``Field(description="text")``)."""
    import typing

    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:
        return {}
    found = {}
    for name, hint in hints.items():
        if name != "return" and typing.get_origin(hint) is typing.Annotated:
            text = next((m for m in typing.get_args(hint)[1:] if isinstance(m, str)), None)
            if text:
                found[name] = text
    return found


def input_schema(raw: dict[str, Any], fn: Callable[..., Any]) -> dict[str, Any]:
    """FastMCP's input schema: titles pruned (explicit Field titles restored on parameters), docstring
    descriptions added, references inlined."""
    raw_props = raw.get("properties", {})
    explicit_titles = {
        name: prop["title"]
        for name, prop in raw_props.items()
        if isinstance(prop, dict)
        and isinstance(prop.get("title"), str)
        and prop["title"] != GenerateJsonSchema.get_title_from_name(GenerateJsonSchema(), name)
    }
    schema = drop_unused_defs(prune_titles(raw))
    props = schema.get("properties", {})
    for name, title in explicit_titles.items():
        if name in props:
            props[name].pop("title", None)
            props[name]["title"] = title
    for name, text in _annotated_descriptions(fn).items():
        if name in props and "description" not in props[name]:
            props[name]["description"] = text
    _, param_docs = parse_docstring(fn)
    for name, text in param_docs.items():
        if name in props and "description" not in props[name] and text:
            props[name]["description"] = text
    schema.setdefault("properties", {})
    schema = dereference(schema)
    return _order_schema(schema)
