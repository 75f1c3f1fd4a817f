"""``fastmcp.utilities.openapi.parser``: an OpenAPI 3.0 or 3.1 document → one ``HTTPRoute`` per operation.

References are resolved within the document (one pointing outside it is refused, as FastMCP 4 refuses it).
Each route carries the component schemas its input and its output need (``request_schemas`` and
``response_schemas``, under ``#/$defs/``), and its input schema and argument map worked out once
(``flat_param_schema``, ``parameter_map``).
"""

from __future__ import annotations

import logging
from typing import Any

from .models import HTTPRoute, ParameterInfo, RequestBodyInfo, ResponseInfo
from .schemas import (
    combine_schemas_and_map_params,
    component_name,
    decode_pointer_part,
    replace_ref_with_defs,
)

__all__ = ["parse_openapi_to_http_routes"]

_log = logging.getLogger("fastmcp.utilities.openapi.parser")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATIONS = ("path", "query", "header", "cookie")
_NON_LOCAL = "External or non-local reference not supported"
# Keywords whose values are data, not schemas: ``None`` inside them is a value.
_DATA = frozenset({"default", "example", "examples", "enum", "const"})
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"})


def _drop_nones(schema: Any) -> Any:
    """A schema without its ``null``-valued keywords (an OpenAPI model dumped without unset fields)."""
    if isinstance(schema, list):
        return [_drop_nones(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if value is None:
            continue
        if key in _DATA:
            out[key] = value
        elif key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _drop_nones(sub) for name, sub in value.items()}
        elif isinstance(value, (dict, list)):
            out[key] = _drop_nones(value)
        else:
            out[key] = value
    return out


class _Document:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def resolve(self, node: Any) -> Any:
        """``node``, or what its ``$ref`` points to (followed until it is not a reference)."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"{_NON_LOCAL}: {ref}")
            if ref in seen:
                raise ValueError(f"Failed to resolve reference '{ref}': it refers to itself")
            seen.add(ref)
            target: Any = self.doc
            for part in ref[2:].split("/"):
                key = decode_pointer_part(part)
                if isinstance(target, dict) and key in target:
                    target = target[key]
                elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
                    target = target[int(key)]
                else:
                    raise ValueError(f"Failed to resolve reference '{ref}': part '{part}' not found")
            node = target
        return node

    def schema(self, node: Any) -> dict[str, Any]:
        """A schema object as a JSON Schema dict: a top-level reference inlined, inner references under
        ``#/$defs/``."""
        try:
            resolved = self.resolve(node)
            if not isinstance(resolved, dict):
                return {}
            return replace_ref_with_defs(_drop_nones(resolved))
        except ValueError as e:
            if _NON_LOCAL in str(e):
                raise
            _log.error("Failed to extract schema as dict: %s", e)
            return {}


def _dependencies(schema: Any, definitions: dict[str, Any], found: set[str], discriminators: bool = False) -> None:
    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                take(component_name(ref))
            if discriminators and isinstance(node.get("discriminator"), dict):
                mapping = node["discriminator"].get("mapping")
                for target in mapping.values() if isinstance(mapping, dict) else ():
                    if isinstance(target, str):
                        take(_mapping_target(target))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    def take(name: str | None) -> None:
        if name and name not in found and name in definitions:
            found.add(name)
            visit(definitions[name])

    visit(schema)


def _mapping_target(target: str) -> str | None:
    for prefix in ("#/$defs/", "#/components/schemas/"):
        if target.startswith(prefix):
            return target[len(prefix) :] or None
    if target.startswith("#") or "/" in target:
        return None
    return target or None


def _success_code(code: str) -> bool:
    try:
        return 200 <= int(code) < 300
    except ValueError:
        return code.lower() in ("default", "2xx")


class _Parser:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = _Document(doc)
        self.version = str(doc.get("openapi", ""))
        self.definitions: dict[str, Any] = {}
        components = doc.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        for name, schema in (schemas or {}).items():
            try:
                self.definitions[name] = self.doc.schema(schema)
            except Exception as e:  # one bad definition spoils only the routes that need it
                _log.warning("Failed to extract schema definition '%s': %s", name, e)

    def parameters(self, operation: list[Any], path_level: list[Any]) -> list[ParameterInfo]:
        found: list[ParameterInfo] = []
        seen: set[tuple[str, str]] = set()
        for raw in [*operation, *path_level]:
            try:
                param = self.doc.resolve(raw)
                if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                    _log.warning("Expected a parameter, got %r. Skipping.", raw)
                    continue
                where = param.get("in")
                if (param["name"], where) in seen:
                    continue
                seen.add((param["name"], where))
                location = where if where in _LOCATIONS else "query"
                if where not in _LOCATIONS:
                    _log.warning("Unknown parameter location: %s, defaulting to 'query'", where)
                schema: dict[str, Any] = {}
                if param.get("schema") is not None:
                    schema = self.doc.schema(param["schema"])
                elif isinstance(param.get("content"), dict) and param["content"]:
                    media = next(iter(param["content"].values()))
                    if isinstance(media, dict) and media.get("schema") is not None:
                        schema = self.doc.schema(media["schema"])
                if param.get("example") is not None:
                    schema.pop("example", None)
                    schema.pop("examples", None)
                    schema["example"] = param["example"]
                found.append(
                    ParameterInfo(
                        name=param["name"],
                        location=location,
                        required=bool(param.get("required", False)),
                        schema=schema,
                        description=param.get("description"),
                        explode=param.get("explode"),
                        style=param.get("style"),
                    )
                )
            except ValueError as e:
                if _NON_LOCAL in str(e):
                    raise
                _log.error("Failed to extract parameter: %s", e)
        return found

    def request_body(self, raw: Any) -> RequestBodyInfo | None:
        if not raw:
            return None
        body = self.doc.resolve(raw)
        if not isinstance(body, dict):
            return None
        info = RequestBodyInfo(required=bool(body.get("required", False)), description=body.get("description"))
        for media_type, media in (body.get("content") or {}).items():
            if not isinstance(media, dict):
                continue
            if isinstance(media.get("encoding"), dict) and media["encoding"]:
                info.encoding[media_type] = dict(media["encoding"])
            if media.get("schema") is not None:
                info.content_schema[media_type] = self.doc.schema(media["schema"])
        return info

    def responses(self, raw: Any) -> dict[str, ResponseInfo]:
        if not isinstance(raw, dict) or not raw:
            return {}
        codes = {str(code): value for code, value in raw.items()}
        primary = next((c for c in ("200", "201", "202", "204", "207") if c in codes), None)
        if primary is None:
            primary = next((c for c in codes if _success_code(c)), None)
        if primary is None:
            return {}
        found: dict[str, ResponseInfo] = {}
        response = self.doc.resolve(codes[primary])
        if isinstance(response, dict):
            info = ResponseInfo(description=response.get("description"))
            for media_type, media in (response.get("content") or {}).items():
                schema = media.get("schema") if isinstance(media, dict) else None
                if schema is None:
                    info.content_schema.setdefault(media_type, {})
                    continue
                top = None
                ref = schema.get("$ref") if isinstance(schema, dict) else None
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    pointer = ref[len("#/components/schemas/") :]
                    if "/" not in pointer:
                        top = pointer
                converted = self.doc.schema(schema)
                if top:
                    converted["x-fastmcp-top-level-schema"] = top
                info.content_schema[media_type] = converted
            found[primary] = info
        for code, value in codes.items():
            if code == primary or not code.startswith("2"):
                continue
            try:
                other = self.doc.resolve(value)
            except ValueError:
                continue
            if isinstance(other, dict) and not other.get("content"):
                found[code] = ResponseInfo(description=other.get("description"))
        return found

    def route(self, path: str, method: str, operation: dict[str, Any], path_level: list[Any]) -> HTTPRoute:
        parameters = self.parameters(list(operation.get("parameters") or ()), path_level)
        body = self.request_body(operation.get("requestBody"))
        responses = self.responses(operation.get("responses"))
        inputs: set[str] = set()
        for param in parameters:
            _dependencies(param.schema_, self.definitions, inputs)
        for schema in body.content_schema.values() if body else ():
            _dependencies(schema, self.definitions, inputs, discriminators=True)
        outputs: set[str] = set()
        for info in responses.values():
            for schema in info.content_schema.values():
                _dependencies(schema, self.definitions, outputs)
                top = schema.get("x-fastmcp-top-level-schema")
                if isinstance(top, str) and top in self.definitions:
                    outputs.add(top)
                    _dependencies(self.definitions[top], self.definitions, outputs)
        route = HTTPRoute(
            path=path,
            method=method.upper(),  # type: ignore[arg-type]
            operation_id=operation.get("operationId"),
            summary=operation.get("summary"),
            description=operation.get("description"),
            tags=list(operation.get("tags") or ()),
            parameters=parameters,
            request_body=body,
            responses=responses,
            request_schemas={n: d for n, d in self.definitions.items() if n in inputs},
            response_schemas={n: d for n, d in self.definitions.items() if n in outputs},
            extensions={k: v for k, v in operation.items() if k.startswith("x-")},
            openapi_version=self.version,
        )
        try:
            route.flat_param_schema, route.parameter_map = combine_schemas_and_map_params(route)
        except Exception as e:
            _log.warning("Failed to pre-calculate schema for route %s %s: %s", method.upper(), path, e)
            route.flat_param_schema, route.parameter_map = {"type": "object", "properties": {}}, {}
        return route

    def parse(self, paths: dict[str, Any]) -> list[HTTPRoute]:
        routes: list[HTTPRoute] = []
        for path, item in paths.items():
            item = self.doc.resolve(item)
            if not isinstance(item, dict):
                _log.warning("Skipping invalid path item for path '%s'", path)
                continue
            path_level = list(item.get("parameters") or ())
            for method in _METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                try:
                    routes.append(self.route(path, method, operation, path_level))
                except ValueError as e:
                    if _NON_LOCAL in str(e):
                        raise
                    _log.error("Failed to process operation %s %s: %s", method.upper(), path, e)
        return routes


def _check(doc: Any) -> None:
    problems = []
    if not isinstance(doc, dict):
        raise ValueError(f"Invalid OpenAPI schema: expected a JSON object, got {type(doc).__name__}")
    if not isinstance(doc.get("openapi"), str):
        problems.append("'openapi' (the version, a string) is required")
    if not isinstance(doc.get("info"), dict):
        problems.append("'info' (an object) is required")
    if "paths" in doc and not isinstance(doc["paths"], dict):
        problems.append("'paths' must be an object")
    if problems:
        raise ValueError(f"Invalid OpenAPI schema: {'; '.join(problems)}")


def parse_openapi_to_http_routes(openapi_dict: dict[str, Any]) -> list[HTTPRoute]:
    """The operations of an OpenAPI 3.0/3.1 document, in its order (paths, then methods in FastMCP's order)."""
    _check(openapi_dict)
    paths = openapi_dict.get("paths") or {}
    if not paths:
        _log.warning("OpenAPI schema has no paths defined.")
        return []
    return _Parser(openapi_dict).parse(paths)
