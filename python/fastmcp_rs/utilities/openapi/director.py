"""``fastmcp.utilities.openapi.director``: a tool call's arguments → the HTTP request the operation describes.

Each argument goes where the route's ``parameter_map`` says. Parameters are serialized by their OpenAPI
``style``/``explode`` (query: ``form`` by default, repeated keys for arrays, ``deepObject``,
``pipeDelimited``, ``spaceDelimited``; path and header: ``simple``), booleans as ``true``/``false``. A path
value cannot contain a dot segment, under any number of percent-encodings. The body is JSON, a form
(urlencoded or multipart) or raw content, by the first media type the operation declares. ``None`` means
"not sent", except for a JSON body field whose schema takes ``null``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import quote, unquote

from .models import HTTPRoute
from .schemas import combine_schemas_and_map_params, resolve_pointer, spread_body

__all__ = ["DirectedRequest", "RequestDirector", "missing_path_arguments", "parameter_map_of"]

_PATH_PARAM = re.compile(r"\{([^{}]+)\}")
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
_MAX_DECODINGS = 32


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_json_media_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def parameter_map_of(route: HTTPRoute) -> dict[str, dict[str, str]]:
    """The route's argument map; a route made by hand without one gets the parser's (and ``name__location``
    for each parameter)."""
    if route.parameter_map or not (route.parameters or route.request_body):
        return route.parameter_map
    prepared = route.model_copy(deep=True)
    _, mapping = combine_schemas_and_map_params(prepared)
    for param in route.parameters:
        mapping.setdefault(f"{param.name}__{param.location}", {"location": param.location, "openapi_name": param.name})
    return mapping


def missing_path_arguments(route: HTTPRoute, mapping: dict[str, dict[str, str]], arguments: dict[str, Any]) -> list:
    """The arguments of path parameters that have no value (``None`` counts as none)."""
    in_template = set(_PATH_PARAM.findall(route.path))
    aliases: dict[str, list[str]] = {}
    for name, where in mapping.items():
        if where["location"] == "path":
            aliases.setdefault(where["openapi_name"], []).append(name)
    missing = []
    for param in route.parameters:
        if param.location == "path" and param.name in in_template:
            names = aliases.get(param.name)
            if names and all(arguments.get(n) is None for n in names):
                missing.append(names[0])
    return missing


def _accepts_null(schema: Any, definitions: dict[str, Any], depth: int = 0) -> bool:
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict) or depth > 32:
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        if not _accepts_null(resolve_pointer(definitions, ref[len("#/$defs/") :]), definitions, depth + 1):
            return False
    if "const" in schema:
        return schema["const"] is None
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        return False
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "null":
        return False
    if isinstance(kind, list) and "null" not in kind:
        return False
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and not any(_accepts_null(m, definitions, depth + 1) for m in schema[key]):
            return False
    if isinstance(schema.get("allOf"), list):
        return all(_accepts_null(m, definitions, depth + 1) for m in schema["allOf"])
    return True


def _path_item(name: str, value: Any) -> str:
    text = scalar(value)
    decoded = text
    for _ in range(_MAX_DECODINGS):
        if any(part in (".", "..") for part in decoded.replace("\\", "/").split("/")):
            raise ValueError(f"Path parameter '{name}' cannot contain dot segments")
        expanded = unquote(decoded)
        if expanded == decoded:
            break
        decoded = expanded
    else:
        raise ValueError(f"Path parameter '{name}' has too many encoding layers")
    return quote(text, safe="").replace(".", "%2E")


def _simple(value: Any, explode: bool, item: Any = scalar) -> str:
    """The ``simple`` style: arrays comma-joined, objects ``k,v,...`` (``k=v,...`` exploded)."""
    if isinstance(value, dict):
        return ",".join(f"{item(k)}={item(v)}" if explode else f"{item(k)},{item(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        parts: list[str] = []
        for v in value:
            parts.extend(item(i) for i in v) if isinstance(v, (list, tuple)) else parts.append(item(v))
        return ",".join(parts)
    return item(value)


@dataclass
class DirectedRequest:
    """What ``client.build_request(...)`` takes for the operation."""

    method: str
    url: str
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | str | None = None
    data: dict[str, Any] | None = None
    files: list[tuple[str, Any]] | None = None

    def build_with(self, client: Any) -> Any:
        """The request, made by ``client`` (an ``httpx``/``httpx2`` ``AsyncClient``), so its base URL, default
        headers, auth and cookies apply; the operation's own headers win."""
        options: dict[str, Any] = {"params": self.params or None, "headers": self.headers or None}
        for name in ("json", "content", "data", "files"):
            value = getattr(self, name)
            if value is not None:
                options[name] = value
        return client.build_request(self.method, self.url, **options)


class RequestDirector:
    """Builds an operation's request from a tool call's flat arguments."""

    def __init__(self, spec: Any = None) -> None:
        self._spec = spec

    def build(self, route: HTTPRoute, flat_args: dict[str, Any], base_url: str = "http://localhost") -> Any:
        """An ``httpx.Request`` for ``route`` with ``flat_args``, against ``base_url``."""
        import httpx

        directed = self.direct(route, flat_args, base_url.rstrip("/") + "/")
        with httpx.Client() as client:
            return directed.build_with(client)

    def direct(self, route: HTTPRoute, flat_args: dict[str, Any], base: str = "") -> DirectedRequest:
        """The request's parts; its URL is ``base`` (``""``: relative to the client's base URL) + the path."""
        path, query, headers, cookies, body = self._unflatten(route, flat_args)
        directed = DirectedRequest(method=route.method.upper(), url=base + self._path(route, path).lstrip("/"))
        directed.params = self._query(route, query)
        explode = {p.name: bool(p.explode) for p in route.parameters if p.location == "header"}
        directed.headers = {k: _simple(v, explode.get(k, False)) for k, v in headers.items()}
        if cookies:
            directed.headers["Cookie"] = "; ".join(f"{k}={scalar(v)}" for k, v in cookies.items())
        if body is not None:
            self._body(route, body, directed)
        return directed

    # -- arguments → locations ---------------------------------------------------------------------------

    def _unflatten(self, route: HTTPRoute, flat_args: dict[str, Any]) -> tuple[dict, dict, dict, dict, Any]:
        mapping = parameter_map_of(route)
        places: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}, "body": {}}
        body = route.request_body
        media = next(iter(body.content_schema), "") if body and body.content_schema else ""
        schema = route.flat_param_schema or {}
        for name, value in flat_args.items():
            where = mapping.get(name)
            if where is None:
                continue
            location = where["location"]
            if value is None:
                if location != "body" or not is_json_media_type(media):
                    continue
                if not _accepts_null((schema.get("properties") or {}).get(name, False), schema.get("$defs") or {}):
                    continue
            if location in places:
                places[location][where["openapi_name"]] = value
        fields = places["body"]
        sent: Any = None
        if fields:
            if spread_body(route) or len(fields) != 1:
                sent = fields
            else:
                sent = next(iter(fields.values()))
        elif (
            body is not None
            and body.required
            and body.content_schema
            and is_json_media_type(media)
            and spread_body(route)
        ):
            sent = {}
        return places["path"], places["query"], places["header"], places["cookie"], sent

    def _path(self, route: HTTPRoute, values: dict[str, Any]) -> str:
        missing = [n for n in dict.fromkeys(_PATH_PARAM.findall(route.path)) if n not in values]
        if missing:
            raise ValueError(f"Missing required path parameters: {{{', '.join(repr(n) for n in missing)}}}")
        explode = {p.name: bool(p.explode) for p in route.parameters if p.location == "path"}
        path = route.path
        for name, value in values.items():
            placeholder = "{" + name + "}"
            if placeholder in path:
                path = path.replace(
                    placeholder, _simple(value, explode.get(name, False), lambda v, n=name: _path_item(n, v))
                )
        return path

    def _query(self, route: HTTPRoute, values: dict[str, Any]) -> list[tuple[str, str]]:
        params = {p.name: p for p in route.parameters if p.location == "query"}
        out: list[tuple[str, str]] = []
        for key, value in values.items():
            param = params.get(key)
            style = (param.style if param else None) or "form"
            explode = param.explode if param and param.explode is not None else True
            if (
                param
                and param.explode is None
                and isinstance(value, list)
                and style in ("pipeDelimited", "spaceDelimited")
            ):
                explode = False
            if isinstance(value, dict):
                if explode:
                    for k, v in value.items():
                        name = f"{key}[{scalar(k)}]" if style == "deepObject" else scalar(k)
                        out.append((name, scalar(v)))
                elif value:
                    parts = [p for k, v in value.items() for p in (scalar(k), scalar(v))]
                    out.append((key, _DELIMITERS.get(style, ",").join(parts)))
                continue
            if isinstance(value, (list, tuple)):
                if not explode:
                    if value:
                        out.append((key, _DELIMITERS.get(style, ",").join(scalar(v) for v in value)))
                else:
                    out.extend((key, _query_item(v)) for v in value)
                continue
            out.append((key, scalar(value)))
        return out

    def _body(self, route: HTTPRoute, body: Any, directed: DirectedRequest) -> None:
        info = route.request_body
        raw_type = next(iter(info.content_schema)) if info and info.content_schema else None
        media = (raw_type or "").split(";")[0].strip().lower() or None
        if media == "multipart/form-data" and isinstance(body, dict):
            files: list[tuple[str, Any]] = []
            for k, v in body.items():
                if isinstance(v, list) and v and all(isinstance(i, str) for i in v):
                    files.extend((k, (None, i)) for i in v)
                elif isinstance(v, tuple):
                    files.append((k, v))
                elif isinstance(v, bytes):
                    files.append((k, (None, v)))
                else:
                    files.append((k, (None, scalar(v))))
            directed.files = files
        elif media == "application/x-www-form-urlencoded" and isinstance(body, dict):
            encoding = info.encoding.get(raw_type or "", {}) if info else {}
            data: dict[str, Any] = {}
            for k, v in body.items():
                declared = (encoding.get(k) or {}).get("contentType")
                as_json = (
                    is_json_media_type(declared)
                    if declared
                    else isinstance(v, dict) or (isinstance(v, list) and any(isinstance(i, dict) for i in v))
                )
                data[k] = json.dumps(v, allow_nan=False) if as_json else (scalar(v) if isinstance(v, bool) else v)
            directed.data = data
        elif isinstance(body, (dict, list)) or is_json_media_type(media):
            if raw_type and raw_type != "application/json" and "json" in (media or ""):
                directed.content = json.dumps(body, allow_nan=False).encode()
                directed.headers["Content-Type"] = raw_type
            else:
                directed.json = body
        else:
            content = scalar(body) if isinstance(body, (bool, int, float)) else body
            if raw_type is not None:
                directed.headers["Content-Type"] = raw_type
                if isinstance(content, str):
                    message = Message()
                    message["Content-Type"] = raw_type
                    content = content.encode(message.get_content_charset() or "utf-8")
            directed.content = content


def _query_item(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (dict, list)) else scalar(value)
