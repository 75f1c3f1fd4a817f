"""Resources: ``ResourceContent`` / ``ResourceResult`` (what a read returns) and ``Resource`` (subclass it with
``read``; ``FunctionResource`` is what ``@mcp.resource`` builds). Results are rendered as FastMCP 4 renders
them."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import pydantic_core

from .. import _mrtr
from .._components import annotations_dict, dump_icons, listing_meta

if TYPE_CHECKING:
    from .._core import RequestHandle
    from ..server import FastMCP

__all__ = ["Resource", "ResourceContent", "ResourceResult"]


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


def _render(value: Any, uri: str, mime_type: str, meta: dict[str, Any] | None) -> dict[str, Any]:
    """A read's value → the ``resources/read`` result, as FastMCP 4 renders it."""
    if _mrtr.is_input_required(value):
        return _mrtr.to_wire(value)
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


@dataclasses.dataclass(kw_only=True, eq=False)
class _Listed:
    """What resources and templates list."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from .._components import auto_dataclass

        auto_dataclass(cls)

    name: str = ""
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    tags: set[str] = dataclasses.field(default_factory=set)
    annotations: Any = None
    meta: dict[str, Any] | None = None
    icons: list[Any] | None = None
    version: str | int | None = None
    enabled: bool = True
    auth: Any = None
    server: FastMCP | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.key
        self.tags = set(self.tags or ())
        self.annotations = annotations_dict(self.annotations)
        self.meta = dict(self.meta) if self.meta else None

    @property
    def key(self) -> str:
        raise NotImplementedError

    def _listing_head(self, uri: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"_meta": listing_meta(self.meta, self.tags, self)}
        if self.annotations:
            entry["annotations"] = self.annotations
        if self.description is not None:
            entry["description"] = self.description
        icons = dump_icons(self.icons)
        if icons:
            entry["icons"] = icons
        entry["mimeType"] = self.mime_type or _default_mime(uri)
        entry["name"] = self.name
        if self.title is not None:
            entry["title"] = self.title
        return entry

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with some fields replaced (pydantic's spelling, as FastMCP components are models)."""
        import copy

        made = copy.deepcopy(self) if deep else copy.copy(self)
        for field, value in (update or {}).items():
            setattr(made, field, value)
        return made


@dataclasses.dataclass(kw_only=True, eq=False)
class Resource(_Listed):
    """A static resource, read by its exact URI. Subclass it and implement ``async def read(self)`` returning
    ``str``, ``bytes`` or a ``ResourceResult``."""

    uri: str

    kind: Literal["resource", "template"] = dataclasses.field(default="resource", init=False, repr=False)

    def __post_init__(self) -> None:
        self.uri = str(self.uri)
        super().__post_init__()

    @property
    def key(self) -> str:
        return self.uri

    @classmethod
    def from_function(cls, fn: Callable[..., Any], uri: str, **options: Any) -> Any:
        """A ``FunctionResource`` for ``fn`` (a ``FunctionResourceTemplate`` when ``uri`` has parameters)."""
        from .function_resource import _from_function

        return _from_function(fn, str(uri), **options)

    def to_mcp_resource(self) -> dict[str, Any]:
        """The ``resources/list`` entry, as FastMCP 4 lists it."""
        return {**self._listing_head(self.uri), "uri": self.uri}

    # -- reads -------------------------------------------------------------------------------------------

    async def read(self) -> Any:
        """The resource's contents: ``str``, ``bytes`` or a ``ResourceResult``."""
        raise NotImplementedError("Subclasses must implement read()")

    def convert_result(self, value: Any) -> ResourceResult:
        if isinstance(value, ResourceResult):
            return value
        return ResourceResult._from_wire(_render(value, self.uri, self.mime_type or _default_mime(self.uri), self.meta))

    @property
    def _serves_async(self) -> bool:
        return True

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        """Called by the core: the rendered result, or a coroutine that renders it."""
        return self._serve_async(handle.tool_name)

    async def _serve_async(self, uri: str) -> dict[str, Any]:
        return _render(await self.read(), uri, self.mime_type or _default_mime(uri), self.meta)
