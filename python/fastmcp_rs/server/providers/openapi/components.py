"""``fastmcp.server.providers.openapi.components``: the tools, resources and templates an OpenAPI provider
makes, each answering by sending its operation's request with the provider's HTTP client.

As in FastMCP 4: a JSON answer is a tool's structured content (wrapped as ``{"result": ...}`` when it is not an
object), anything else its text; a status outside 2xx fails the call with ``HTTP error <code>: <reason> -
<body>`` (the body cut at 1,000 characters, HTML left out); a 429 or a timeout tells the model to retry. The
MCP request's HTTP headers (``get_http_headers()``) go along where the request does not set them itself.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from ....exceptions import ValidationError
from ....resources.base import Resource, ResourceContent, ResourceResult
from ....resources.template import ResourceTemplate
from ....tools.base import Tool, ToolResult
from ....utilities.openapi.director import DirectedRequest, RequestDirector, missing_path_arguments, parameter_map_of
from ....utilities.openapi.models import HTTPRoute

if TYPE_CHECKING:
    from ...context import Context

__all__ = ["OpenAPIResource", "OpenAPIResourceTemplate", "OpenAPITool"]

_log = logging.getLogger("fastmcp.server.providers.openapi.components")
_DEFAULT_MIME = "application/json"
_JSON_TYPES = (
    "application/json",
    "application/vnd.api+json",
    "application/hal+json",
    "application/ld+json",
    "text/json",
)
_ERROR_BODY_LIMIT = 1000
_SAFE_HEADERS = frozenset(
    {"accept", "accept-encoding", "accept-language", "cache-control", "connection", "content-length"}
    | {"content-type", "host", "user-agent"}
)


def mime_type_of(route: HTTPRoute) -> str:
    """The media type the operation's success response declares (JSON-like ones first)."""
    info = next((route.responses[c] for c in ("200", "201", "202", "204") if c in route.responses), None)
    if info is None:
        info = next((r for c, r in route.responses.items() if c.startswith("2")), None)
    if info is None or not info.content_schema:
        return _DEFAULT_MIME
    types = list(info.content_schema)
    if len(types) == 1:
        return types[0]
    return next((t for t in _JSON_TYPES if t in info.content_schema), types[0])


def slugify(text: str) -> str:
    """Letters, digits and single underscores (spaces, dashes and dots become underscores)."""
    slug = re.sub(r"[\s\-\.]+", "_", text or "")
    slug = re.sub(r"[^a-zA-Z0-9_]", "", slug)
    return re.sub(r"_+", "_", slug).strip("_")


def _redacted(headers: Any) -> dict[str, str]:
    return {k: v if k.lower() in _SAFE_HEADERS else "***" for k, v in headers.items()}


# RFC 9110's names, which httpx2 (FastMCP 4's client) gives where httpx still has RFC 7231's.
_REASONS = {413: "Content Too Large", 414: "URI Too Long", 416: "Range Not Satisfiable", 422: "Unprocessable Content"}


def _reason(response: Any) -> str:
    """The status line's reason phrase; for an answer without one (an ASGI app called in process), the
    status code's name as FastMCP 4 words it."""
    extensions = getattr(response, "extensions", None) or {}
    if "reason_phrase" not in extensions and response.status_code in _REASONS:
        return _REASONS[response.status_code]
    return str(response.reason_phrase)


def _http_status_error(response: Any) -> Exception:
    """The client library's own ``HTTPStatusError`` (so callers and the error mapping recognise it)."""
    message = f"HTTP error {response.status_code}: {_reason(response)}"
    headers = response.headers
    if 300 <= response.status_code < 400 and headers.get("location"):
        message += f" - Location: {headers['location']}"
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = response.text
    if body and media not in ("text/html", "application/xhtml+xml"):
        try:
            detail = json.dumps(response.json(), ensure_ascii=False)
        except ValueError:
            detail = None if body.lstrip().lower().startswith(("<!doctype html", "<html")) else body
        if detail is not None:
            message += " - " + (
                detail if len(detail) <= _ERROR_BODY_LIMIT else detail[:_ERROR_BODY_LIMIT] + "… (truncated)"
            )
    module = __import__(type(response).__module__.split(".", 1)[0])
    error_type = getattr(module, "HTTPStatusError", RuntimeError)
    try:
        return error_type(message, request=response.request, response=response)
    except TypeError:
        return RuntimeError(message)


class _Operation:
    """What the three component kinds share: the operation, the client, and sending the request."""

    _client: Any
    _route: HTTPRoute
    _director: RequestDirector

    def _base_url(self) -> str:
        base = str(getattr(self._client, "base_url", "") or "") or "http://localhost"
        return base.rstrip("/") + "/"

    async def _send(self, arguments: dict[str, Any], *, building_errors: bool) -> Any:
        try:
            directed: DirectedRequest = self._director.direct(self._route, arguments, self._base_url())
            request = directed.build_with(self._client)
            from ...dependencies import get_http_headers

            for key, value in get_http_headers().items():
                if key not in request.headers:
                    request.headers[key] = value
        except Exception as e:
            if not building_errors:
                raise
            raise ValueError(
                f"Error building request for {self._route.method.upper()} {self._route.path}: {type(e).__name__}: {e}"
            ) from e
        _log.debug("sending %s %s; headers: %s", request.method, request.url, _redacted(request.headers))
        response = await self._client.send(request)
        if not 200 <= response.status_code < 300:
            raise _http_status_error(response)
        return response


class OpenAPITool(_Operation, Tool):
    """A tool that calls one operation of the API."""

    def __init__(
        self,
        client: Any,
        route: HTTPRoute,
        director: RequestDirector,
        name: str,
        description: str,
        parameters: dict[str, Any],
        output_schema: dict[str, Any] | None = None,
        tags: set[str] | None = None,
        annotations: Any = None,
        **options: Any,
    ) -> None:
        super().__init__(
            name=name,
            description=description,
            parameters=parameters,
            output_schema=output_schema,
            tags=tags or set(),
            annotations=annotations,
            **options,
        )
        self._client = client
        self._route = route
        self._director = director

    def __repr__(self) -> str:
        return f"OpenAPITool(name={self.name!r}, method={self._route.method}, path={self._route.path})"

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        mapping = parameter_map_of(self._route)
        missing = missing_path_arguments(self._route, mapping, arguments)
        if missing:
            raise ValidationError(f"Missing required arguments: {', '.join(missing)}")
        response = await self._send(arguments, building_errors=True)
        try:
            result = response.json()
        except ValueError:
            return ToolResult(content=response.text)
        wrapped = False
        if self.output_schema is not None:
            structured = {"result": result} if self.output_schema.get("x-fastmcp-wrap-result") else result
        elif not isinstance(result, dict):
            structured, wrapped = {"result": result}, True
        else:
            structured = result
        if not isinstance(structured, dict):
            structured = {"result": structured}
        return ToolResult(structured_content=structured, meta={"fastmcp": {"wrap_result": True}} if wrapped else None)


class OpenAPIResource(_Operation, Resource):
    """A resource read by calling one operation of the API (``GET``, usually)."""

    def __init__(
        self,
        client: Any,
        route: HTTPRoute,
        director: RequestDirector,
        uri: str,
        name: str,
        description: str,
        mime_type: str = _DEFAULT_MIME,
        tags: set[str] | None = None,
        arguments: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            uri=str(uri), name=name, description=description, mime_type=mime_type, tags=tags or set(), **options
        )
        self._client = client
        self._route = route
        self._director = director
        self._arguments = dict(arguments or {})

    def __repr__(self) -> str:
        return f"OpenAPIResource(name={self.name!r}, uri={self.uri!r}, path={self._route.path})"

    async def read(self) -> ResourceResult:
        return await self._read(self._arguments)

    async def _read(self, arguments: dict[str, Any]) -> ResourceResult:
        response = await self._send(arguments, building_errors=False)
        content_type = response.headers.get("content-type", "").lower()
        media = content_type.split(";")[0].strip()
        if media == "application/json" or media.endswith("+json"):
            return ResourceResult([ResourceContent(json.dumps(response.json()), mime_type=media)])
        if any(t in content_type for t in ("text/", "application/xml")):
            return ResourceResult([ResourceContent(response.text, mime_type=self.mime_type)])
        return ResourceResult([ResourceContent(response.content, mime_type=self.mime_type)])


def _template_key(name: str) -> str:
    """How a URI template's parameter is keyed once matched (names Python cannot spell, sanitized)."""
    return re.sub(r"\W", "_", name)


class OpenAPIResourceTemplate(_Operation, ResourceTemplate):
    """A resource template whose reads call one operation with the URI's parameters as its path parameters."""

    def __init__(
        self,
        client: Any,
        route: HTTPRoute,
        director: RequestDirector,
        uri_template: str,
        name: str,
        description: str,
        parameters: dict[str, Any],
        tags: set[str] | None = None,
        mime_type: str = _DEFAULT_MIME,
        **options: Any,
    ) -> None:
        super().__init__(
            uri_template=uri_template,
            name=name,
            description=description,
            parameters=parameters,
            tags=tags or set(),
            mime_type=mime_type,
            **options,
        )
        self._client = client
        self._route = route
        self._director = director

    def __repr__(self) -> str:
        return (
            f"OpenAPIResourceTemplate(name={self.name!r}, uri_template={self.uri_template!r}, path={self._route.path})"
        )

    def _arguments(self, params: dict[str, Any]) -> dict[str, Any]:
        mapping = self._route.parameter_map
        arguments: dict[str, Any] = {}
        for param in self._route.parameters:
            if param.location != "path":
                continue
            name = next(
                (a for a, m in mapping.items() if m["location"] == "path" and m["openapi_name"] == param.name),
                param.name,
            )
            if param.name in params:
                arguments[name] = params[param.name]
            elif _template_key(param.name) in params:
                arguments[name] = params[_template_key(param.name)]
        return arguments

    async def read(self, arguments: dict[str, Any]) -> ResourceResult:
        return await OpenAPIResource._read(self, self._arguments(arguments))  # type: ignore[arg-type]

    async def create_resource(self, uri: str, params: dict[str, Any], context: Context | None = None) -> Resource:
        """The resource ``uri`` names (FastMCP's way to read a template; reads here go through ``read``)."""
        return OpenAPIResource(
            client=self._client,
            route=self._route,
            director=self._director,
            uri=uri,
            name=f"{self.name}-{'-'.join(f'{k}={v}' for k, v in params.items())}",
            description=self.description or f"Resource for {self._route.path}",
            mime_type=self.mime_type or _DEFAULT_MIME,
            tags=set(self._route.tags or ()),
            arguments=self._arguments(params),
        )
