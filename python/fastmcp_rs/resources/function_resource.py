"""``FunctionResource``: a static resource whose reads call a function (what ``@mcp.resource`` builds for a
URI without parameters; with parameters it builds a ``FunctionResourceTemplate``), and the standalone
``@resource`` decorator that marks a function for a later ``mcp.add_resource(fn)``."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pydantic_core
from pydantic.experimental.arguments_schema import generate_arguments_schema
from pydantic.json_schema import GenerateJsonSchema

from .. import _core, _schema
from .._components import decorator_options, find_context_param, inspect_callable, mark, resolved_hints
from .._context import Context
from .._dependencies import with_dependencies
from .base import Resource, _default_mime, _render
from .security import ResourceSecurity
from .template import FunctionResourceTemplate, _is_list, _query_params

if TYPE_CHECKING:
    from .._core import RequestHandle
    from ..server import FastMCP

__all__ = ["FunctionResource", "resource"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(kw_only=True, eq=False)
class FunctionResource(Resource):
    """A static resource whose reads call ``fn`` (which takes no parameters but, optionally, the ``Context``)."""

    fn: Callable[..., Any]
    is_async: bool = False
    context_param: str | None = None

    @classmethod
    def from_function(cls, fn: Callable[..., Any], uri: str, **options: Any) -> Any:  # type: ignore[override]
        return _from_function(fn, str(uri), **options)

    def _kwargs(self, handle: RequestHandle | None) -> dict[str, Any]:
        if self.context_param is None:
            return {}
        if handle is None:
            from .._context import get_context

            return {self.context_param: get_context()}
        return {self.context_param: Context(handle, self.server)}

    async def read(self) -> Any:
        value = self.fn(**self._kwargs(None))
        return await value if self.is_async else value

    @property
    def _serves_async(self) -> bool:
        return self.is_async

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        kwargs = self._kwargs(handle)
        uri = handle.tool_name
        if self.is_async:
            return self._serve_fn_async(kwargs, uri)
        return _render(self.fn(**kwargs), uri, self.mime_type or _default_mime(uri), self.meta)

    async def _serve_fn_async(self, kwargs: dict[str, Any], uri: str) -> dict[str, Any]:
        value = await self.fn(**kwargs)
        return _render(value, uri, self.mime_type or _default_mime(uri), self.meta)


def _from_function(
    fn: Callable[..., Any],
    uri: str | None = None,
    *,
    name: str | None = None,
    version: str | int | None = None,
    title: str | None = None,
    description: str | None = None,
    icons: list[Any] | None = None,
    mime_type: str | None = None,
    tags: set[str] | None = None,
    annotations: Any = None,
    meta: dict[str, Any] | None = None,
    auth: Any = None,
    enabled: bool = True,
    security: ResourceSecurity | Literal["inherit"] | None = "inherit",
    server: FastMCP | None = None,
) -> FunctionResource | FunctionResourceTemplate:
    """A ``FunctionResource``, or a ``FunctionResourceTemplate`` when the URI has parameters."""
    stored = decorator_options(fn, "resource")
    if stored is not None and uri is None:
        uri = stored.pop("uri")
        name, version, title, description = (stored.get(k) for k in ("name", "version", "title", "description"))
        icons, mime_type, tags, annotations, meta = (
            stored.get(k) for k in ("icons", "mime_type", "tags", "annotations", "meta")
        )
        enabled = stored.get("enabled", enabled)
    if uri is None:
        raise TypeError("A resource needs a URI: use @mcp.resource('scheme://path')")
    call, fn_name, is_async = inspect_callable(fn, "resource", name)
    hints = resolved_hints(call)
    context_param = find_context_param(call, hints)
    injected = with_dependencies(call, context_param, hints=hints)
    if injected is not call:  # dependencies resolved for each call, and left out of the arguments
        call = fn = injected
        is_async = True
        hints = dict(call.__annotations__)
    params = {n: p for n, p in inspect.signature(call).parameters.items() if n != context_param}
    for p in params.values():
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ValueError("Functions with *args are not supported as resources")
        if p.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise ValueError("Functions with positional-only parameters are not supported as resources")
    common: dict[str, Any] = dict(
        fn=fn,
        name=name or fn_name,
        version=version,
        title=title,
        description=description if description is not None else inspect.getdoc(fn),
        icons=icons,
        mime_type=mime_type,
        tags=set(tags or ()),
        annotations=annotations,
        meta=meta,
        auth=auth,
        enabled=enabled,
        is_async=is_async,
        context_param=context_param,
        server=server,
    )
    has_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    if "{" not in uri:
        if [p for p in params.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]:
            raise ValueError("URI template must contain at least one parameter")
        return FunctionResource(uri=uri, **common)
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
    parameters: dict[str, Any] = {"properties": {}, "type": "object"}
    if not has_kwargs:
        core_schema = generate_arguments_schema(call, schema_type="arguments", parameters_callback=skip_context)
        validator = pydantic_core.SchemaValidator(core_schema)
        parameters = _schema.input_schema(GenerateJsonSchema().generate(core_schema, mode="validation"), call)
    if security == "inherit" and server is not None:
        security = server.resource_security
    return FunctionResourceTemplate(
        uri_template=uri,
        parameters=parameters,
        list_params=[q for q in query if q in params and _is_list(hints.get(q, params[q].annotation))],
        security=security,
        _hints=hints,
        _validator=validator,
        **common,
    )


def resource(uri: str, **options: Any) -> Callable[[F], F]:
    """Marks a function as a resource without a server: ``mcp.add_resource(fn)`` registers it later with
    this URI and these options. Returns ``fn``."""
    if callable(uri):
        raise TypeError("The @resource decorator needs a URI: use @resource('scheme://path')")

    def decorator(fn: F) -> F:
        return mark(fn, "resource", {"uri": uri, **options})

    return decorator
