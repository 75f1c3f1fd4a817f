"""Resources: what ``@mcp.resource`` builds from a function. Static resources are read by their exact URI;
templates (RFC 6570: ``{name}``, ``{path*}``, ``{?q,limit}``) are matched and screened by the native core,
which hands the function its parameters. Results are rendered as FastMCP 4 renders them."""

from __future__ import annotations

import base64
import dataclasses
import inspect
import json
import types
from collections.abc import Callable, Set
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

import pydantic_core
from pydantic.experimental.arguments_schema import generate_arguments_schema

from . import _core
from .context import Context
from .tools import _annotations_dict, _find_context_param, _inspect_callable, _listing_meta, _resolved_hints

if TYPE_CHECKING:
    from ._core import RequestHandle
    from .server import FastMCP

__all__ = ["Resource", "ResourceContent", "ResourceResult", "ResourceSecurity", "ResourceTemplate"]


@dataclasses.dataclass(frozen=True)
class ResourceSecurity:
    """What is screened out of template parameters before the function runs (all on by default): ``..``
    segments that climb above their start, absolute paths (``/x``, ``\\x``, ``C:``) and NUL bytes. Checked
    natively on the decoded values, however they were encoded in the URI."""

    reject_path_traversal: bool = True
    reject_absolute_paths: bool = True
    reject_null_bytes: bool = True
    exempt_params: Set[str] = frozenset()


DEFAULT_RESOURCE_SECURITY = ResourceSecurity()


class ResourceContent:
    """One item of a resource's contents. ``str`` is text, ``bytes`` a blob, anything else JSON text."""

    def __init__(self, content: Any, mime_type: str | None = None, meta: dict[str, Any] | None = None) -> None:
        if isinstance(content, str):
            default = "text/plain"
        elif isinstance(content, bytes):
            default = "application/octet-stream"
        else:
            content = pydantic_core.to_json(content, fallback=str).decode()
            default = "application/json"
        self.content: str | bytes = content
        self.mime_type = mime_type or default
        self.meta = meta

    def __repr__(self) -> str:
        return f"ResourceContent(content={self.content!r}, mime_type={self.mime_type!r}, meta={self.meta!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceContent) and (self.content, self.mime_type, self.meta) == (
            other.content,
            other.mime_type,
            other.meta,
        )

    def _to_wire(self, uri: str, extra_meta: dict[str, Any] | None = None) -> dict[str, Any]:
        item: dict[str, Any] = {}
        meta = {**(extra_meta or {}), **(self.meta or {})}
        if meta:
            item["_meta"] = meta
        if isinstance(self.content, bytes):
            item["blob"] = base64.b64encode(self.content).decode()
            item["mimeType"] = self.mime_type
        else:
            item["mimeType"] = self.mime_type
            item["text"] = self.content
        item["uri"] = uri
        return item


class ResourceResult:
    """A full ``resources/read`` result: several contents and a result-level ``_meta``. Iterating it yields
    its contents (so SDK v1 code that loops over ``ctx.read_resource(...)`` works)."""

    def __init__(
        self, contents: str | bytes | list[ResourceContent] | ResourceContent, meta: dict[str, Any] | None = None
    ) -> None:
        if isinstance(contents, (str, bytes)):
            contents = [ResourceContent(contents)]
        elif isinstance(contents, ResourceContent):
            contents = [contents]
        self.contents: list[ResourceContent] = list(contents)
        self.meta = meta

    def __iter__(self) -> Any:
        return iter(self.contents)

    def __len__(self) -> int:
        return len(self.contents)

    def __repr__(self) -> str:
        return f"ResourceResult(contents={self.contents!r}, meta={self.meta!r})"

    def _to_wire(self, uri: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.meta:
            result["_meta"] = self.meta
        result["contents"] = [c._to_wire(uri) for c in self.contents]
        return result

    @classmethod
    def _from_wire(cls, result: dict[str, Any]) -> ResourceResult:
        contents = []
        for item in result.get("contents", []):
            body = base64.b64decode(item["blob"]) if "blob" in item else item.get("text", "")
            contents.append(ResourceContent(body, mime_type=item.get("mimeType"), meta=item.get("_meta")))
        return cls(contents, meta=result.get("_meta"))


def render(value: Any, uri: str, mime_type: str, meta: dict[str, Any] | None) -> dict[str, Any]:
    """A function's return value → the ``resources/read`` result, as FastMCP 4 renders it."""
    if isinstance(value, ResourceResult):
        return value._to_wire(uri)
    if isinstance(value, ResourceContent):
        value = [value]
    if isinstance(value, list) and value and all(isinstance(v, ResourceContent) for v in value):
        return {"contents": [c._to_wire(uri, meta) for c in value]}
    item: dict[str, Any] = {"_meta": meta} if meta else {}
    if isinstance(value, bytes):
        item.update(blob=base64.b64encode(value).decode(), mimeType=mime_type)
    elif isinstance(value, str):
        item.update(mimeType=mime_type, text=value)
    elif value is None or isinstance(value, (dict, list, tuple, int, float, bool)):
        item.update(mimeType=mime_type, text=json.dumps(value))
    else:
        raise TypeError(f"contents must be str, bytes, or list[ResourceContent], got {type(value).__name__}")
    item["uri"] = uri
    return {"contents": [item]}


def _default_mime(uri: str) -> str:
    return "text/html;profile=mcp-app" if uri.startswith("ui://") else "text/plain"


def _to_bool(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(f"Invalid boolean value for {name}: {value!r}")


@dataclasses.dataclass
class Resource:
    """A static resource (or, with ``uri_template`` set, a template): the function plus its listing."""

    fn: Callable[..., Any]
    uri: str
    name: str
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    tags: set[str] = dataclasses.field(default_factory=set)
    annotations: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    enabled: bool = True
    is_async: bool = False
    context_param: str | None = None
    server: FastMCP | None = None
    _hints: dict[str, Any] = dataclasses.field(default_factory=dict)
    _validator: pydantic_core.SchemaValidator | None = None

    kind: Literal["resource", "template"] = "resource"

    @property
    def key(self) -> str:
        return self.uri

    def _listing_head(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"_meta": _listing_meta(self.meta, self.tags)}
        if self.annotations:
            entry["annotations"] = self.annotations
        if self.description is not None:
            entry["description"] = self.description
        entry["mimeType"] = self.mime_type or _default_mime(self.uri)
        entry["name"] = self.name
        if self.title is not None:
            entry["title"] = self.title
        return entry

    def to_mcp_resource(self) -> dict[str, Any]:
        """The ``resources/list`` entry, as FastMCP 4 lists it."""
        return {**self._listing_head(), "uri": self.uri}

    # -- reads (invoked by the native core) ----------------------------------------------------------

    def _kwargs(self, arguments: dict[str, Any], handle: RequestHandle) -> dict[str, Any]:
        kwargs = dict(arguments)
        for name, value in arguments.items():
            annotation = self._hints.get(name)
            if not isinstance(value, str):
                continue
            if annotation is int:
                kwargs[name] = int(value)
            elif annotation is float:
                kwargs[name] = float(value)
            elif annotation is bool:
                kwargs[name] = _to_bool(name, value)
        if self._validator is not None and kwargs:
            try:
                _, kwargs = self._validator.validate_python(kwargs)
            except pydantic_core.ValidationError as exc:
                raise ValueError(str(exc)) from None
        if self.context_param is not None:
            kwargs[self.context_param] = Context(handle, self.server)
        return kwargs

    def read(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        """Called by the core: the rendered result, or (async functions) a coroutine that renders it."""
        kwargs = self._kwargs(arguments, handle)
        uri = handle.tool_name
        if self.is_async:
            return self._read_async(kwargs, uri)
        return render(self.fn(**kwargs), uri, self.mime_type or _default_mime(uri), self.meta)

    async def _read_async(self, kwargs: dict[str, Any], uri: str) -> dict[str, Any]:
        value = await self.fn(**kwargs)
        return render(value, uri, self.mime_type or _default_mime(uri), self.meta)

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        uri: str,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        tags: set[str] | None = None,
        annotations: Any = None,
        meta: dict[str, Any] | None = None,
        enabled: bool = True,
        security: ResourceSecurity | Literal["inherit"] | None = "inherit",
        server: FastMCP | None = None,
    ) -> Resource:
        """A ``Resource``, or a ``ResourceTemplate`` when the URI has parameters (or the function does)."""
        call, fn_name, is_async = _inspect_callable(fn, "resource", name)
        context_param = _find_context_param(call)
        signature = inspect.signature(call)
        params = {n: p for n, p in signature.parameters.items() if n != context_param}
        for p in params.values():
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                raise ValueError("Functions with *args are not supported as resources")
            if p.kind is inspect.Parameter.POSITIONAL_ONLY:
                raise ValueError("Functions with positional-only parameters are not supported as resources")
        hints = _resolved_hints(call)
        common: dict[str, Any] = dict(
            fn=fn,
            uri=uri,
            name=name or fn_name,
            title=title,
            description=description if description is not None else inspect.getdoc(fn),
            mime_type=mime_type,
            tags=set(tags or ()),
            annotations=_annotations_dict(annotations),
            meta=dict(meta) if meta else None,
            enabled=enabled,
            is_async=is_async,
            context_param=context_param,
            server=server,
            _hints=hints,
        )
        has_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        if "{" not in uri:
            if [p for p in params.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]:
                raise ValueError("URI template must contain at least one parameter")
            return cls(**common)
        uri_params = _core.NativeServer.template_parameters(uri)
        query = _query_params(uri)
        for p in uri_params:
            if p not in params and not has_kwargs:
                raise ValueError(
                    f"URI parameters {sorted(set(uri_params) - set(params))} must be a subset of the function "
                    f"arguments: {sorted(params)}"
                )
        for p in params.values():
            required = p.default is inspect.Parameter.empty and p.kind is not inspect.Parameter.VAR_KEYWORD
            if required and (p.name not in uri_params or p.name in query):
                raise ValueError(
                    f"Required function arguments {[p.name]} must be path parameters of the URI template {uri!r}"
                )
        for q in query:
            if q in params and params[q].default is inspect.Parameter.empty:
                raise ValueError(f"Query parameter {q!r} must have a default value")

        def skip_context(_index: int, param_name: str, _annotation: Any) -> Literal["skip"] | None:
            return "skip" if param_name == context_param else None

        validator = None
        if not has_kwargs:
            core_schema = generate_arguments_schema(call, schema_type="arguments", parameters_callback=skip_context)
            validator = pydantic_core.SchemaValidator(core_schema)
        if security == "inherit":
            security = server.resource_security if server is not None else DEFAULT_RESOURCE_SECURITY
        list_params = [q for q in query if q in params and _is_list(hints.get(q, params[q].annotation))]
        return ResourceTemplate(
            **{**common, "uri": uri},
            uri_template=uri,
            parameters=list(uri_params),
            list_params=list_params,
            security=security,
            _validator=validator,
        )


def _query_params(uri_template: str) -> list[str]:
    start = uri_template.find("{?")
    if start < 0:
        return []
    end = uri_template.find("}", start)
    return [p.strip().removesuffix("*").replace("-", "_") for p in uri_template[start + 2 : end].split(",")]


def _is_list(annotation: Any) -> bool:
    """A plain ``{?name}`` parameter annotated as a list takes comma-separated items."""
    origin = get_origin(annotation)
    if annotation is list or origin is list:
        return True
    if origin is Annotated:
        return _is_list(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return bool(members) and all(_is_list(a) for a in members)
    return False


@dataclasses.dataclass
class ResourceTemplate(Resource):
    """A resource template: its URIs are matched natively and their parameters passed to the function."""

    uri_template: str = ""
    parameters: list[str] = dataclasses.field(default_factory=list)
    list_params: list[str] = dataclasses.field(default_factory=list)
    security: ResourceSecurity | None = DEFAULT_RESOURCE_SECURITY
    kind: Literal["resource", "template"] = "template"

    @property
    def key(self) -> str:
        return self.uri_template

    def to_mcp_template(self) -> dict[str, Any]:
        """The ``resources/templates/list`` entry, as FastMCP 4 lists it."""
        return {**self._listing_head(), "uriTemplate": self.uri_template}


__all__ += ["DEFAULT_RESOURCE_SECURITY"]
