"""``fastmcp.server.middleware.caching``: ``ResponseCachingMiddleware`` keeps the answers to ``tools/list``,
``resources/list``, ``prompts/list`` (5 minutes), ``tools/call``, ``resources/read`` and ``prompts/get`` (an
hour), as FastMCP 4 does.

Keys are SHA-256 digests of the caller's token (unauthenticated callers, stdio included, share one anonymous
partition), the component version asked for in ``_meta.fastmcp.version``, the name or URI and the canonical
JSON of the arguments; a tool's key also carries the protocol era. Error results, input-required results and
the continuation legs of a multi-round-trip request are never cached. Entries larger than ``max_item_size``
bytes of JSON are not kept.

The store is in memory unless ``cache_storage=`` names another: any object with FastMCP's key-value
interface (``await get(key, collection=...)`` and ``await put(key, value, collection=..., ttl=...)``, such as
a ``py-key-value-aio`` store) holds JSON-compatible dicts under the collections ``tools/list``, ... .
Values read back are rebuilt from that JSON, so they are plain results rather than the original objects."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypedDict

import pydantic_core
from typing_extensions import NotRequired

from fastmcp_rs.prompts.base import PromptResult
from fastmcp_rs.resources.base import ResourceResult
from fastmcp_rs.tools.base import ToolResult

from .._kv import MemoryStore
from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = [
    "CallToolSettings",
    "GetPromptSettings",
    "ListPromptsSettings",
    "ListResourcesSettings",
    "ListToolsSettings",
    "ReadResourceSettings",
    "ResponseCachingMiddleware",
    "ResponseCachingStatistics",
    "SharedMethodSettings",
]

ONE_HOUR_IN_SECONDS = 3600
FIVE_MINUTES_IN_SECONDS = 300
ONE_MB_IN_BYTES = 1024 * 1024
ANONYMOUS_AUTH_KEY = "__anonymous__"
DEFAULT_VERSION_CACHE_KEY = "__default__"
#: Entries the in-memory store keeps at most (the least recently used go first).
_MEMORY_ENTRIES = 10_000


class SharedMethodSettings(TypedDict):
    """Settings every cached method has: ``ttl`` in seconds and ``enabled``."""

    ttl: NotRequired[int]
    enabled: NotRequired[bool]


class ListToolsSettings(SharedMethodSettings):
    """Settings for ``tools/list``."""


class ListResourcesSettings(SharedMethodSettings):
    """Settings for ``resources/list``."""


class ListPromptsSettings(SharedMethodSettings):
    """Settings for ``prompts/list``."""


class CallToolSettings(SharedMethodSettings):
    """Settings for ``tools/call``; ``included_tools`` / ``excluded_tools`` pick the tools cached."""

    included_tools: NotRequired[list[str]]
    excluded_tools: NotRequired[list[str]]


class ReadResourceSettings(SharedMethodSettings):
    """Settings for ``resources/read``."""


class GetPromptSettings(SharedMethodSettings):
    """Settings for ``prompts/get``."""


@dataclasses.dataclass
class _HitMiss:
    count: int = 0
    hit: int = 0
    miss: int = 0


@dataclasses.dataclass
class _Count:
    count: int = 0


@dataclasses.dataclass
class CollectionStatistics:
    """One collection's operations, shaped as ``py-key-value-aio``'s ``KVStoreCollectionStatistics``."""

    count: int = 0
    get: _HitMiss = dataclasses.field(default_factory=_HitMiss)
    put: _Count = dataclasses.field(default_factory=_Count)


@dataclasses.dataclass
class ResponseCachingStatistics:
    """What ``ResponseCachingMiddleware.statistics()`` reports, per method (``None`` until first used)."""

    list_tools: CollectionStatistics | None = None
    list_resources: CollectionStatistics | None = None
    list_prompts: CollectionStatistics | None = None
    read_resource: CollectionStatistics | None = None
    get_prompt: CollectionStatistics | None = None
    call_tool: CollectionStatistics | None = None


def _canonical(arguments: Any) -> str:
    if arguments is None:
        return "null"
    try:
        return json.dumps(
            pydantic_core.to_jsonable_python(arguments, fallback=str),
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
            default=str,
        )
    except TypeError:
        return repr(arguments)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _auth_partition() -> str:
    from fastmcp_rs.server.dependencies import get_access_token

    token = get_access_token()
    return ANONYMOUS_AUTH_KEY if token is None else _digest(token.token)


def _version_partition(message: Any) -> str:
    meta = getattr(message, "meta", None)
    if not isinstance(meta, Mapping):
        return DEFAULT_VERSION_CACHE_KEY
    fastmcp_meta = meta.get("fastmcp")
    if not isinstance(fastmcp_meta, Mapping) or fastmcp_meta.get("version") is None:
        return DEFAULT_VERSION_CACHE_KEY
    return f"__version__:{_canonical({'version': fastmcp_meta['version']})}"


def _continuation(context: MiddlewareContext[Any]) -> bool:
    ctx = context.fastmcp_context
    if ctx is None:
        return False
    return ctx.input_responses is not None or ctx.request_state is not None


def _modern(context: MiddlewareContext[Any]) -> bool:
    ctx = context.fastmcp_context
    version = getattr(ctx, "protocol_version", None) if ctx is not None else None
    return bool(version) and str(version) >= "2026-07-28"


# What goes into the store and comes back out: JSON-compatible dicts, whatever the backend.


def _tool_result_to_json(result: ToolResult) -> dict[str, Any]:
    from fastmcp_rs.server._middleware import _dumped

    wire = result.to_mcp_result()
    wire["content"] = [_dumped(block) for block in wire["content"]]
    return wire


def _tool_result_from_json(value: Mapping[str, Any]) -> ToolResult:
    from fastmcp_rs.server._middleware import _sdk_blocks

    result = ToolResult.from_mcp_result(dict(value))
    result.content = _sdk_blocks(result.content)
    return result


def _prompt_from_json(value: Mapping[str, Any]) -> PromptResult:
    from fastmcp_rs.server._middleware import _WireMessage

    return PromptResult(
        [_WireMessage(m) for m in value.get("messages", [])],
        description=value.get("description"),
        meta=value.get("_meta"),
    )


class ResponseCachingMiddleware(Middleware):
    """Caches the answers to the list, call, read and get methods (see the module's documentation).

    Args:
        cache_storage: The backend; in memory if ``None``.
        list_tools_settings, list_resources_settings, list_prompts_settings: ``ttl`` (default 300 s) and
            ``enabled`` of each listing.
        read_resource_settings, get_prompt_settings: ``ttl`` (default 3600 s) and ``enabled``.
        call_tool_settings: ``ttl`` (default 3600 s), ``enabled``, ``included_tools``, ``excluded_tools``.
        max_item_size: Entries whose JSON is larger than this many bytes are not kept (default 1 MiB).
    """

    def __init__(
        self,
        cache_storage: Any = None,
        list_tools_settings: ListToolsSettings | None = None,
        list_resources_settings: ListResourcesSettings | None = None,
        list_prompts_settings: ListPromptsSettings | None = None,
        read_resource_settings: ReadResourceSettings | None = None,
        get_prompt_settings: GetPromptSettings | None = None,
        call_tool_settings: CallToolSettings | None = None,
        max_item_size: int = ONE_MB_IN_BYTES,
    ) -> None:
        self._backend = cache_storage if cache_storage is not None else MemoryStore(_MEMORY_ENTRIES)
        self._max_item_size = max_item_size
        self._list_tools_settings = list_tools_settings or ListToolsSettings()
        self._list_resources_settings = list_resources_settings or ListResourcesSettings()
        self._list_prompts_settings = list_prompts_settings or ListPromptsSettings()
        self._read_resource_settings = read_resource_settings or ReadResourceSettings()
        self._get_prompt_settings = get_prompt_settings or GetPromptSettings()
        self._call_tool_settings = call_tool_settings or CallToolSettings()
        self._stats: dict[str, CollectionStatistics] = {}

    # -- the store, with statistics and the size bound --------------------------------------------------

    async def _get(self, collection: str, key: str) -> dict[str, Any] | None:
        stats = self._stats.setdefault(collection, CollectionStatistics())
        value = await self._backend.get(key, collection=collection)
        stats.get.count += 1
        if value is None:
            stats.get.miss += 1
        else:
            stats.get.hit += 1
        return value

    async def _put(self, collection: str, key: str, value: dict[str, Any], ttl: float) -> None:
        self._stats.setdefault(collection, CollectionStatistics()).put.count += 1
        if len(pydantic_core.to_json(value, fallback=str)) > self._max_item_size:
            return  # too large: counted as FastMCP 4 counts it, and not kept
        await self._backend.put(key, value, collection=collection, ttl=ttl)

    # -- listings -----------------------------------------------------------------------------------------

    async def _listing(
        self, method: str, settings: SharedMethodSettings, context: MiddlewareContext[Any], call_next: CallNext
    ) -> Any:
        if settings.get("enabled") is False:
            return await call_next(context)
        from fastmcp_rs.server._middleware import _LISTS

        _, table, name, dump = _LISTS[method]
        key = _auth_partition()
        cached = await self._get(method, key)
        if cached is not None:  # an empty listing is a cached answer too
            server = getattr(context.fastmcp_context, "fastmcp", None)
            registry = getattr(server, table, None) or {}
            return [registry.get(entry.get(name), entry) for entry in cached.get("items", [])]
        items = await call_next(context)
        dumped = [item if isinstance(item, dict) else getattr(item, dump)() for item in items]
        await self._put(method, key, {"items": dumped}, settings.get("ttl", FIVE_MINUTES_IN_SECONDS))
        return items

    async def on_list_tools(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._listing("tools/list", self._list_tools_settings, context, call_next)

    async def on_list_resources(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._listing("resources/list", self._list_resources_settings, context, call_next)

    async def on_list_prompts(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        return await self._listing("prompts/list", self._list_prompts_settings, context, call_next)

    # -- calls, reads and prompts ------------------------------------------------------------------------

    def _caches_tool(self, name: str) -> bool:
        included = self._call_tool_settings.get("included_tools")
        if included and name not in included:
            return False
        excluded = self._call_tool_settings.get("excluded_tools")
        return not (excluded and name in excluded)

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        message = context.message
        if (
            self._call_tool_settings.get("enabled") is False
            or not self._caches_tool(message.name)
            or _continuation(context)
        ):
            return await call_next(context)
        key = _digest(
            f"{_auth_partition()}:{_modern(context)}:{_version_partition(message)}:{message.name}:"
            f"{_canonical(message.arguments)}"
        )
        cached = await self._get("tools/call", key)
        if cached is not None:
            return _tool_result_from_json(cached)
        result = await call_next(context)
        if not isinstance(result, ToolResult) or result.is_error:
            return result
        await self._put(
            "tools/call", key, _tool_result_to_json(result), self._call_tool_settings.get("ttl", ONE_HOUR_IN_SECONDS)
        )
        return result

    async def on_read_resource(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if self._read_resource_settings.get("enabled") is False or _continuation(context):
            return await call_next(context)
        uri = str(context.message.uri)
        key = _digest(f"{_auth_partition()}:{_version_partition(context.message)}:{uri}")
        cached = await self._get("resources/read", key)
        if cached is not None:
            return ResourceResult._from_wire(cached)
        result = await call_next(context)
        if not isinstance(result, ResourceResult):
            return result
        ttl = self._read_resource_settings.get("ttl", ONE_HOUR_IN_SECONDS)
        await self._put("resources/read", key, result._to_wire(uri), ttl)
        return result

    async def on_get_prompt(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if self._get_prompt_settings.get("enabled") is False or _continuation(context):
            return await call_next(context)
        message = context.message
        key = _digest(
            f"{_auth_partition()}:{_version_partition(message)}:{message.name}:{_canonical(message.arguments)}"
        )
        cached = await self._get("prompts/get", key)
        if cached is not None:
            return _prompt_from_json(cached)
        result = await call_next(context)
        if not isinstance(result, PromptResult):
            return result
        await self._put("prompts/get", key, result.to_wire(), self._get_prompt_settings.get("ttl", ONE_HOUR_IN_SECONDS))
        return result

    def statistics(self) -> ResponseCachingStatistics:
        """Gets, hits, misses and puts of each method's collection."""
        return ResponseCachingStatistics(
            list_tools=self._stats.get("tools/list"),
            list_resources=self._stats.get("resources/list"),
            list_prompts=self._stats.get("prompts/list"),
            read_resource=self._stats.get("resources/read"),
            get_prompt=self._stats.get("prompts/get"),
            call_tool=self._stats.get("tools/call"),
        )
