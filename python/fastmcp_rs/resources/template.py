"""Resource templates (RFC 6570: ``{name}``, ``{path*}``, ``{?q,limit}``): matched and screened by the native
core, which hands the read its parameters. ``FunctionResourceTemplate`` is what ``@mcp.resource`` builds for a
URI with parameters."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

import pydantic_core

from .._context import Context
from .base import _default_mime, _Listed, _render
from .security import ResourceSecurity

if TYPE_CHECKING:
    from .._core import RequestHandle

__all__ = ["FunctionResourceTemplate", "ResourceTemplate", "extract_query_params"]


def extract_query_params(uri_template: str) -> set[str]:
    """The names in a template's ``{?a,b}`` part."""
    return set(_query_params(uri_template))


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


def _to_bool(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(f"Invalid boolean value for {name}: {value!r}")


@dataclasses.dataclass(kw_only=True, eq=False)
class ResourceTemplate(_Listed):
    """A resource template. Subclass it and implement ``async def read(self, arguments)`` (the URI's
    parameters, as strings) returning ``str``, ``bytes`` or a ``ResourceResult``."""

    uri_template: str
    parameters: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: ``"inherit"`` takes the server's ``resource_security``; ``None`` turns screening off.
    security: ResourceSecurity | Literal["inherit"] | None = "inherit"
    list_params: list[str] = dataclasses.field(default_factory=list)

    kind: Literal["resource", "template"] = dataclasses.field(default="template", init=False, repr=False)

    @property
    def key(self) -> str:
        return self.uri_template

    @property
    def uri(self) -> str:
        return self.uri_template

    @classmethod
    def from_function(cls, fn: Callable[..., Any], uri_template: str, **options: Any) -> Any:
        """A ``FunctionResourceTemplate`` for ``fn``."""
        from .function_resource import _from_function

        return _from_function(fn, uri_template, **options)

    def resolve_security(self, server_default: ResourceSecurity | None) -> ResourceSecurity | None:
        return server_default if self.security == "inherit" else self.security  # type: ignore[return-value]

    def to_mcp_template(self) -> dict[str, Any]:
        """The ``resources/templates/list`` entry, as FastMCP 4 lists it."""
        return {**self._listing_head(self.uri_template), "uriTemplate": self.uri_template}

    # -- reads -------------------------------------------------------------------------------------------

    async def read(self, arguments: dict[str, Any]) -> Any:
        raise NotImplementedError("Subclasses must implement read()")

    @property
    def _serves_async(self) -> bool:
        return True

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        """Called by the core with the matched parameters: the rendered result, or a coroutine."""
        return self._serve_async(arguments, handle.tool_name)

    async def _serve_async(self, arguments: dict[str, Any], uri: str) -> dict[str, Any]:
        return _render(await self.read(arguments), uri, self.mime_type or _default_mime(uri), self.meta)


@dataclasses.dataclass(kw_only=True, eq=False)
class FunctionResourceTemplate(ResourceTemplate):
    """A template whose reads call ``fn`` with the URI's parameters, converted to the annotated types."""

    fn: Callable[..., Any]
    is_async: bool = False
    context_param: str | None = None
    _hints: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    _validator: pydantic_core.SchemaValidator | None = dataclasses.field(default=None, repr=False)

    def _kwargs(self, arguments: dict[str, Any], handle: RequestHandle | None) -> dict[str, Any]:
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
            if handle is None:
                from .._context import get_context

                kwargs[self.context_param] = get_context()
            else:
                kwargs[self.context_param] = Context(handle, self.server)
        return kwargs

    async def read(self, arguments: dict[str, Any]) -> Any:
        value = self.fn(**self._kwargs(arguments, None))
        return await value if self.is_async else value

    @property
    def _serves_async(self) -> bool:
        return self.is_async

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        kwargs = self._kwargs(arguments, handle)
        uri = handle.tool_name
        if self.is_async:
            return self._serve_fn_async(kwargs, uri)
        return _render(self.fn(**kwargs), uri, self.mime_type or _default_mime(uri), self.meta)

    async def _serve_fn_async(self, kwargs: dict[str, Any], uri: str) -> dict[str, Any]:
        value = await self.fn(**kwargs)
        return _render(value, uri, self.mime_type or _default_mime(uri), self.meta)
