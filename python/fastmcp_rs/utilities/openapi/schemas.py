"""``fastmcp.utilities.openapi.schemas``: from an operation's OpenAPI schemas to the JSON Schemas a tool lists,
with FastMCP 4's rules.

- **Input**: the parameters and the request body side by side in one object. A JSON object body is spread
  into its fields; any other body (an array, a primitive, a free-form object, a reference the spread would
  lose constraints of) is one argument, named after its title (``body`` for a reference). A name used in
  two places gets its location as a suffix (``id__path``, ``id__query``) and says so in its description.
- **Output**: the first success response's JSON schema, its top-level reference inlined, wrapped as
  ``{"result": ...}`` (``x-fastmcp-wrap-result``) when it is not an object; no output schema when a success
  response can come without a body.
- **OpenAPI to JSON Schema**: ``nullable`` (3.0) becomes a ``null`` type, 3.0's boolean exclusive bounds
  numeric ones, ``oneOf`` ``anyOf``; ``readOnly`` fields leave inputs and ``writeOnly`` fields outputs;
  OpenAPI's own keywords (``discriminator``, ``xml``, ``externalDocs``, ``deprecated``...) are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .models import HTTPRoute, JsonSchema, ResponseInfo

__all__ = [
    "combine_schemas_and_map_params",
    "convert_openapi_schema_to_json_schema",
    "extract_output_schema_from_responses",
    "replace_ref_with_defs",
]

_COMPONENTS = "#/components/schemas/"
_DEFS = "#/$defs/"
_JSON_TYPES = (
    "application/json",
    "application/vnd.api+json",
    "application/hal+json",
    "application/ld+json",
    "text/json",
)

# Keywords holding one subschema, a list of them, or a map of them.
_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_ONE += ("unevaluatedItems", "unevaluatedProperties", "contentSchema")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


def decode_pointer_part(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def component_name(ref: str) -> str | None:
    """The component schema a local reference points into (``#/$defs/Pet/properties/x`` → ``Pet``)."""
    for prefix in (_DEFS, _COMPONENTS):
        if ref.startswith(prefix):
            head = ref[len(prefix) :].split("/", 1)[0]
            return decode_pointer_part(head) or None
    return None


def replace_ref_with_defs(schema: Any) -> Any:
    """``#/components/schemas/...`` references become ``#/$defs/...``, everywhere in ``schema``; a reference
    outside the document is refused."""
    if isinstance(schema, list):
        return [replace_ref_with_defs(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    ref = out.get("$ref")
    if isinstance(ref, str):
        if ref.startswith(_COMPONENTS):
            out["$ref"] = _DEFS + ref[len(_COMPONENTS) :]
        elif not ref.startswith("#/"):
            raise ValueError(
                f"External or non-local reference not supported: {ref}. FastMCP only supports local schema "
                "references starting with '#/'. Please include all schema definitions within the OpenAPI document."
            )
    for key in _ONE:
        if isinstance(out.get(key), dict):
            out[key] = replace_ref_with_defs(out[key])
    for key in _MANY:
        if isinstance(out.get(key), list):
            out[key] = [replace_ref_with_defs(item) for item in out[key]]
    for key in _MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: replace_ref_with_defs(sub) for name, sub in out[key].items()}
    return out


def resolve_pointer(definitions: dict[str, Any] | None, pointer: str) -> Any:
    """The node at ``pointer`` (what follows ``#/$defs/``) in ``definitions``, or ``None``."""
    node: Any = definitions or {}
    for part in pointer.split("/"):
        key = decode_pointer_part(part)
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _target(schema: dict[str, Any], definitions: dict[str, Any] | None) -> Any:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS):
        return resolve_pointer(definitions, ref[len(_DEFS) :])
    return None


# -- OpenAPI schema → JSON Schema --------------------------------------------------------------------------

_OPENAPI_ONLY = ("nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "deprecated")
_CONVERTED_ONE = ("items", "additionalProperties", "not")
_CONVERTED_MANY = ("allOf", "anyOf", "oneOf")
_CONVERTED_MAPS = ("properties", "$defs", "$definitions")


def _same_instance(schema: dict[str, Any], definitions: dict[str, Any] | None, seen: set[str]) -> Iterator[dict]:
    """``schema`` and what describes the same instance through a ``$ref`` or an ``allOf`` member."""
    yield schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS) and ref not in seen:
        seen.add(ref)
        target = resolve_pointer(definitions, ref[len(_DEFS) :])
        if isinstance(target, dict):
            yield from _same_instance(target, definitions, seen)
    members = schema.get("allOf")
    for member in members if isinstance(members, list) else ():
        if isinstance(member, dict):
            yield from _same_instance(member, definitions, seen)


def _restricted(schema: dict[str, Any], keys: tuple[str, ...], definitions: dict[str, Any] | None) -> set[str]:
    names: set[str] = set()
    for scope in _same_instance(schema, definitions, set()):
        properties = scope.get("properties")
        if not isinstance(properties, dict):
            continue
        for name, prop in properties.items():
            if isinstance(prop, dict) and any(
                member.get(key) for member in _same_instance(prop, definitions, set()) for key in keys
            ):
                names.add(name)
    return names


def _without(schema: dict[str, Any], names: set[str]) -> dict[str, Any]:
    out = dict(schema)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: v for k, v in out["properties"].items() if k not in names}
    if isinstance(out.get("required"), list):
        kept = [n for n in out["required"] if n not in names]
        if kept:
            out["required"] = kept
        else:
            del out["required"]
    for key in _CONVERTED_MANY:
        if isinstance(out.get(key), list):
            out[key] = [_without(m, names) if isinstance(m, dict) else m for m in out[key]]
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "nullable" not in schema:
        return schema
    out = dict(schema)
    if not out.pop("nullable"):
        return out
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list):
        if "null" not in kind:
            out["type"] = [*kind, "null"]
    elif "oneOf" in out:
        out["anyOf"] = [*out.pop("oneOf"), {"type": "null"}]
    elif "anyOf" in out:
        if not any(isinstance(m, dict) and m.get("type") == "null" for m in out["anyOf"]):
            out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    elif "allOf" in out:
        out["anyOf"] = [{"allOf": out.pop("allOf")}, {"type": "null"}]
    if isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def _exclusive_bounds(schema: dict[str, Any]) -> dict[str, Any]:
    out = dict(schema)
    for keyword, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.get(keyword)
        if isinstance(flag, bool):
            del out[keyword]
            if flag and bound in out:
                out[keyword] = out.pop(bound)
    return out


def _require_tag(schema: dict[str, Any]) -> dict[str, Any]:
    """A discriminator's property stays required in each variant once the keyword is gone."""
    discriminator = schema.get("discriminator")
    name = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
    if not isinstance(name, str):
        return schema
    out = dict(schema)
    for key in ("anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_with_required(v, name) if isinstance(v, dict) else v for v in out[key]]
    return out


def _with_required(variant: dict[str, Any], name: str) -> dict[str, Any]:
    required = variant.get("required")
    if isinstance(required, list) and name in required:
        return variant
    return {**variant, "required": [*(required if isinstance(required, list) else []), name]}


def convert_openapi_schema_to_json_schema(
    schema: Any,
    openapi_version: str | None = None,
    remove_read_only: bool = False,
    remove_write_only: bool = False,
    convert_one_of_to_any_of: bool = True,
    definitions: dict[str, Any] | None = None,
) -> Any:
    """An OpenAPI schema as JSON Schema (see the module docstring). ``definitions``: what ``#/$defs/...``
    references resolve to when deciding which fields are read-only or write-only (default: the schema's own
    ``$defs``)."""
    if not isinstance(schema, dict):
        return schema
    if definitions is None and isinstance(schema.get("$defs"), dict):
        definitions = schema["$defs"]
    out = dict(schema)
    keys = (("readOnly",) if remove_read_only else ()) + (("writeOnly",) if remove_write_only else ())
    if keys:
        excluded = _restricted(out, keys, definitions)
        if excluded:
            out = _without(out, excluded)
    if openapi_version and openapi_version.startswith("3.0"):
        out = _exclusive_bounds(_nullable(out))
    if convert_one_of_to_any_of and "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    out = _require_tag(out)
    for keyword in _OPENAPI_ONLY:
        out.pop(keyword, None)

    def convert(sub: Any) -> Any:
        return convert_openapi_schema_to_json_schema(
            sub, openapi_version, remove_read_only, remove_write_only, convert_one_of_to_any_of, definitions
        )

    for key in _CONVERTED_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: convert(sub) for name, sub in out[key].items()}
    for key in _CONVERTED_ONE:
        if isinstance(out.get(key), dict):
            out[key] = convert(out[key])
    for key in _CONVERTED_MANY:
        if isinstance(out.get(key), list):
            out[key] = [convert(item) for item in out[key]]
    return out


# -- the input schema ----------------------------------------------------------------------------------------

_MERGEABLE = frozenset(
    {"type", "properties", "required", "title", "description", "example", "examples", "deprecated"}
    | {"discriminator", "oneOf"}
)


def _members(schema: dict[str, Any], definitions: dict[str, Any], active: frozenset[str] = frozenset()) -> list:
    """The schemas an object is the conjunction of: ``allOf`` members and ``$ref`` targets, in order, the
    schema's own keywords last."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref[len(_DEFS) :] if ref.startswith(_DEFS) else ref[len(_COMPONENTS) :]
        if ref.startswith((_DEFS, _COMPONENTS)) and name not in active:
            target = resolve_pointer(definitions, name)
            if isinstance(target, dict):
                found = _members(target, definitions, active | {name})
                siblings = {k: v for k, v in schema.items() if k != "$ref"}
                return _dedupe(found + (_members(siblings, definitions, active) if siblings else []))
        return [schema]
    if isinstance(schema.get("allOf"), list):
        found = []
        for member in schema["allOf"]:
            if isinstance(member, dict):
                found += _members(member, definitions, active)
        siblings = {k: v for k, v in schema.items() if k != "allOf"}
        return _dedupe(found + ([siblings] if siblings else []))
    return [schema]


def _dedupe(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same schema reached twice counts once, at its last place."""
    last = {id(m): i for i, m in enumerate(members)}
    return [m for i, m in enumerate(members) if last[id(m)] == i]


def _mergeable(schema: dict[str, Any]) -> bool:
    if schema.get("type", "object") != "object" or not set(schema) <= _MERGEABLE:
        return False
    if "oneOf" in schema:
        discriminator = schema.get("discriminator")
        return (
            isinstance(discriminator, dict)
            and isinstance(discriminator.get("propertyName"), str)
            and isinstance(discriminator.get("mapping"), dict)
        )
    return True


def _ref_is_mergeable(schema: dict[str, Any], definitions: dict[str, Any]) -> bool:
    """Whether a body's ``$ref`` (if any) can be spread into fields without losing a constraint."""
    if "$ref" not in schema:
        return True
    return all(_mergeable(m) for m in _members({"$ref": schema["$ref"]}, definitions))


def spread_body(route: HTTPRoute) -> bool:
    """Whether the route's body is sent as the object of its fields (the arguments are those fields)."""
    body = route.request_body
    if body is None or not body.content_schema:
        return False
    schema = next(iter(body.content_schema.values()))
    return (
        isinstance(schema, dict) and bool(schema.get("properties")) and _ref_is_mergeable(schema, route.request_schemas)
    )


def _variant_name(target: str) -> str | None:
    """A ``discriminator.mapping`` value as a component name (``"Cat"`` or a local reference to it)."""
    for prefix in (_DEFS, _COMPONENTS):
        if target.startswith(prefix):
            return target[len(prefix) :] or None
    if target.startswith("#") or "/" in target:
        return None
    return target or None


def _spread_variants(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any] | None:
    """A discriminated body's variants spread into one object, as FastMCP 4 does: each variant's own fields
    optional (a field the variants disagree on is their ``anyOf``), the accepted tag values and which fields
    each variant uses told in the tag's description. ``None`` without a usable ``discriminator.mapping``."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict):
        return None
    tag, mapping = discriminator.get("propertyName"), discriminator.get("mapping")
    if not isinstance(tag, str) or not isinstance(mapping, dict):
        return None
    own = schema.get("properties") or {}
    alternatives: dict[str, list[Any]] = {}
    values: list[str] = []
    uses: list[str] = []
    for value, target in mapping.items():
        name = _variant_name(target) if isinstance(target, str) else None
        variant = definitions.get(name) if name else None
        if not isinstance(variant, dict):
            continue
        fields: list[str] = []
        for member in _members(variant, definitions):
            for field, field_schema in (member.get("properties") or {}).items():
                if field in own:
                    continue
                if field not in fields:
                    fields.append(field)
                seen = alternatives.setdefault(field, [])
                if field_schema not in seen:
                    seen.append(field_schema)
        values.append(repr(value))
        if fields:
            uses.append(f"{value!r} uses {', '.join(fields)}")
    if not values:
        return None
    properties = {**own, **{f: s[0] if len(s) == 1 else {"anyOf": s} for f, s in alternatives.items()}}
    note = f"Selects the variant. Accepted values: {', '.join(values)}."
    if uses:
        note += f" {'; '.join(uses)}. Send only the fields belonging to the selected variant."
    tag_schema = properties.get(tag) if isinstance(properties.get(tag), dict) else {"type": "string"}
    existing = tag_schema.get("description")
    properties[tag] = {**tag_schema, "description": f"{existing} {note}" if existing else note}
    return properties


def combine_schemas_and_map_params(route: HTTPRoute) -> tuple[JsonSchema, dict[str, dict[str, str]]]:
    """The tool's input schema and where each argument goes (``{"location": ..., "openapi_name": ...}``)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    parameter_map: dict[str, dict[str, str]] = {}
    body_schema: dict[str, Any] = {}
    body_props: dict[str, Any] = {}
    body_defs: dict[str, Any] = {}
    body = route.request_body
    has_body = bool(body and body.content_schema)

    if body and body.content_schema:
        media_type = next(iter(body.content_schema))
        body_schema = body.content_schema[media_type]
        body_defs = {name: replace_ref_with_defs(d) for name, d in (body_schema.get("$defs") or {}).items()}
        if body.description and not body_schema.get("description"):
            body_schema["description"] = body.description
        has_all_of = isinstance(body_schema.get("allOf"), list)
        ref_is_object = _ref_is_mergeable(body_schema, route.request_schemas)
        ref_with_properties = (
            "$ref" in body_schema and isinstance(body_schema.get("properties"), dict) and ref_is_object
        )
        if has_all_of or ref_with_properties:
            merged: dict[str, Any] = {}
            merged_required: list[str] = []
            for member in _members(body_schema, route.request_schemas):
                for name, prop in (member.get("properties") or {}).items():
                    if not has_all_of and name in merged and merged[name] != prop:
                        prop = {"allOf": [merged[name], prop]}
                    merged[name] = prop
                merged_required.extend(member.get("required") or ())
                if not has_all_of and isinstance(member.get("discriminator"), dict):
                    body_schema["discriminator"] = member["discriminator"]
            body_schema["properties"] = merged
            if merged_required:
                body_schema["required"] = list(dict.fromkeys(merged_required))
            body_schema.pop("allOf", None)
            if ref_is_object:
                body_schema.pop("$ref", None)
        if not ref_is_object:
            siblings = {k: v for k, v in body_schema.items() if k != "$ref"}
            if not siblings.get("properties"):
                siblings.pop("properties", None)
            ref = {"$ref": body_schema["$ref"]}
            body_schema = {"allOf": [ref, siblings]} if siblings else ref
        spread = _spread_variants(body_schema, route.request_schemas)
        if spread is not None:
            body_schema["properties"] = spread
            body_schema.pop("discriminator", None)
        if ref_is_object:
            body_props = body_schema.get("properties") or {}

    body_names = set(body_props)
    body_name = "body"
    if has_body and not body_props:
        if "$ref" not in body_schema:
            body_name = re.sub(r"[^a-zA-Z0-9_]", "_", str(body_schema.get("title", "body")).lower())
            if not body_name or body_name[0].isdigit():
                body_name = "body_data"
        body_names.add(body_name)
    counts = Counter(p.name for p in route.parameters)
    colliding = ({p.name for p in route.parameters} & body_names) | {n for n, c in counts.items() if c > 1}

    for param in route.parameters:
        schema = dict(param.schema_)
        if param.description and not schema.get("description"):
            schema["description"] = param.description
        name = param.name
        if name in colliding:
            name = f"{param.name}__{param.location}"
            where = f"({param.location.capitalize()} parameter)"
            schema["description"] = f"{schema['description']} {where}" if schema.get("description") else where
        if param.required:
            required.append(name)
        parameter_map[name] = {"location": param.location, "openapi_name": param.name}
        properties[name] = schema

    if has_body and body is not None:
        if body_props:
            for name, prop in body_props.items():
                properties[name] = prop
                parameter_map[name] = {"location": "body", "openapi_name": name}
            if body.required:
                required.extend(body_schema.get("required") or ())
        else:
            properties[body_name] = body_schema
            if body.required:
                required.append(body_name)
            parameter_map[body_name] = {"location": "body", "openapi_name": body_name}

    result: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    definitions = {**route.request_schemas, **body_defs}
    if definitions:
        result["$defs"] = definitions
    if route.openapi_version and route.openapi_version.startswith("3"):
        result = _convert_input(result, set(body_props), route.openapi_version)
    return result, parameter_map


def _convert_input(schema: dict[str, Any], body_fields: set[str], version: str) -> dict[str, Any]:
    """Read-only body fields leave the arguments; everything is converted to JSON Schema."""
    definitions = schema.get("$defs")

    def convert(sub: Any) -> Any:
        return convert_openapi_schema_to_json_schema(sub, version, remove_read_only=True, definitions=definitions)

    body = convert(
        {
            "properties": {k: v for k, v in schema["properties"].items() if k in body_fields},
            "required": [n for n in schema["required"] if n in body_fields],
        }
    )
    converted = {
        name: body["properties"][name] if name in body_fields else convert(sub)
        for name, sub in schema["properties"].items()
        if name not in body_fields or name in body["properties"]
    }
    out: dict[str, Any] = {
        "type": "object",
        "properties": converted,
        "required": [n for n in schema["required"] if n not in body_fields or n in body.get("required", [])],
    }
    if definitions is not None:
        out["$defs"] = {name: convert(d) for name, d in definitions.items()}
    return out


# -- the output schema ---------------------------------------------------------------------------------------


def _success(responses: dict[str, ResponseInfo]) -> ResponseInfo | None:
    for code in ("200", "201", "202", "204"):
        if code in responses:
            return responses[code]
    return next((info for code, info in responses.items() if code.startswith("2")), None)


def extract_output_schema_from_responses(
    responses: dict[str, ResponseInfo],
    schema_definitions: dict[str, Any] | None = None,
    openapi_version: str | None = None,
) -> JsonSchema | None:
    """The tool's output schema (see the module docstring), or ``None``."""
    if not responses:
        return None
    if any(code.startswith("2") and not info.content_schema for code, info in responses.items()):
        return None
    info = _success(responses)
    if info is None or not info.content_schema:
        return None
    schema = next((info.content_schema[t] for t in _JSON_TYPES if t in info.content_schema), None)
    if schema is None:
        schema = next(iter(info.content_schema.values()))
    if not schema or not isinstance(schema, dict):
        return None
    output = replace_ref_with_defs(schema)
    ref = output.get("$ref")
    if isinstance(ref, str) and schema_definitions and ref.startswith(_DEFS):
        name = ref[len(_DEFS) :]
        if name in schema_definitions:
            output = replace_ref_with_defs(schema_definitions[name])
    definitions = {name: replace_ref_with_defs(d) for name, d in (schema_definitions or {}).items()}
    converting = bool(openapi_version and openapi_version.startswith("3"))
    if converting:
        output = convert_openapi_schema_to_json_schema(
            output, openapi_version, remove_write_only=True, definitions=definitions
        )
    inline_defs = {name: replace_ref_with_defs(d) for name, d in (output.get("$defs") or {}).items()}
    if output.get("type") != "object":
        output = {
            "type": "object",
            "properties": {"result": output},
            "required": ["result"],
            "x-fastmcp-wrap-result": True,
        }
    processed: dict[str, Any] = {}
    if schema_definitions:
        processed = dict(definitions)
        if converting:
            processed = {
                name: convert_openapi_schema_to_json_schema(
                    d, openapi_version, remove_write_only=True, definitions=definitions
                )
                for name, d in processed.items()
            }
    if processed or inline_defs:
        output["$defs"] = {**processed, **inline_defs}
    return output
