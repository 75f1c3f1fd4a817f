"""``FastMCP``: the server object users build, decorate and run. Python keeps the registry of user
functions; the native core (``_core.NativeServer``) serves the protocol."""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from typing_extensions import Self

from .. import _core
from .._components import dump_icons
from .._context import Context, _serving, current_request
from ..exceptions import FastMCPDeprecationWarning, FastMCPError, McpError, NotFoundError
from ..prompts.base import Prompt
from ..prompts.function_prompt import FunctionPrompt
from ..resources import function_resource
from ..resources.base import Resource
from ..resources.security import DEFAULT_RESOURCE_SECURITY, ResourceSecurity
from ..resources.template import ResourceTemplate
from ..tools.base import Tool
from ..tools.function_tool import FunctionTool
from ..utilities.types import NotSet
from .event_store import native_options
from .http import HttpAppsMixin

if TYPE_CHECKING:
    import asyncio

__all__ = ["FastMCP", "create_proxy"]

#: Set while a proxy brings its components in line with its upstream's for a client that is listing: that
#: client is about to see the result, so no list-changed notification goes out for it.
quiet_lists: contextvars.ContextVar[bool] = contextvars.ContextVar("fastmcp_rs_quiet_lists", default=False)

F = TypeVar("F", bound=Callable[..., Any])

Transport = Literal["stdio", "http", "streamable-http", "sse"]

Kind = Literal["tool", "resource", "template", "prompt"]
_LIST_OF = {"tool": "tools", "resource": "resources", "template": "resources", "prompt": "prompts"}


class _Rule:
    """One ``enable``/``disable`` call: later rules win."""

    __slots__ = ("components", "enable", "keys", "match_all", "names", "tags", "version")

    def __init__(
        self,
        enable: bool,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        tags: set[str] | None = None,
        components: set[str] | None = None,
        match_all: bool = False,
        version: Any = None,
    ) -> None:
        self.enable = enable
        self.version = version
        self.names = set(names or ())
        self.keys = set(keys or ())
        self.tags = set(tags or ())
        self.components = set(components or ())
        self.match_all = match_all

    def matches(self, kind: Kind, key: str, name: str, tags: set[str], version: str | None = None) -> bool:
        if self.match_all:
            return True
        if not (self.names or self.keys or self.tags or self.components or self.version is not None):
            return False
        if self.components and kind not in self.components:
            return False
        if self.names and not ({key, name} & self.names):
            return False
        if self.keys and f"{kind}:{key}@{version or ''}" not in self.keys:
            return False
        # An unversioned component never matches a version criterion.
        if self.version is not None and not self.version.matches(version, match_none=False):
            return False
        return not self.tags or bool(self.tags & tags)


class _LocalProvider:
    """``mcp.local_provider``: FastMCP 4's spelling for removing components (``KeyError`` when missing)."""

    def __init__(self, server: FastMCP) -> None:
        self._server = server

    def remove_tool(self, name: str, version: Any = None) -> None:
        if name not in self._server._tools:
            raise KeyError(f"Tool {name!r} not found")
        self._server.remove_tool(name)

    def remove_resource(self, uri: str, version: Any = None) -> None:
        if uri not in self._server._resources:
            raise KeyError(f"Resource {uri!r} not found")
        self._server.remove_resource(uri)

    def remove_template(self, uri_template: str, version: Any = None) -> None:
        if uri_template not in self._server._templates:
            raise KeyError(f"Template {uri_template!r} not found")
        self._server.remove_template(uri_template)

    def remove_prompt(self, name: str, version: Any = None) -> None:
        if name not in self._server._prompts:
            raise KeyError(f"Prompt {name!r} not found")
        self._server.remove_prompt(name)


_PACKAGE_VERSION = _core.__version__

DuplicateBehavior = Literal["warn", "error", "replace", "ignore"]

#: Constructor arguments FastMCP 4 moved to ``run()`` / ``run_http_async()`` (FastMCP 2/3 and SDK v1 took
#: them here). They still work: they become the defaults of the HTTP run.
_RUN_SETTINGS = {
    "host": "host",
    "port": "port",
    "streamable_http_path": "streamable_http_path",
    "json_response": "json_response",
    "stateless_http": "stateless_http",
    "log_level": "log_level",
    "debug": "debug",
    "sse_path": "sse_path",
    "message_path": "message_path",
    "mount_path": "mount_path",
}

#: FastMCP 4 arguments whose features fastmcp-rs does not implement yet (refused when set).
_LIST_METHOD = {
    "tool": "list_tools",
    "resource": "list_resources",
    "template": "list_resource_templates",
    "prompt": "list_prompts",
}
_GET_METHOD = {
    "tool": "get_tool",
    "resource": "get_resource",
    "template": "get_resource_template",
    "prompt": "get_prompt",
}

_LIST_HOOKS = ("on_list_tools", "on_list_resources", "on_list_resource_templates", "on_list_prompts")
_LIST_REQUEST = {
    "tool": "tools/list",
    "resource": "resources/list",
    "template": "resources/templates/list",
    "prompt": "prompts/list",
}

_UNSUPPORTED_OPTIONS = {
    "auth_server_provider": "authentication (auth_server_provider=)",
}

#: Accepted and ignored: they change nothing a client sees here.
_IGNORED_OPTIONS = frozenset(
    {
        "client_log_level",
        "dependencies",
    }
)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def _environment_transport() -> Transport | None:
    """``FASTMCP_TRANSPORT`` (from the environment or ``.env``), as FastMCP 4 reads it for ``run()``."""
    from .. import settings as env

    if not env.environment_may_set("transport"):
        return None
    current = env.current()
    return current.transport if "transport" in current.model_fields_set else None


class _Settings(dict):  # type: ignore[type-arg]
    """``mcp.settings``: the defaults of the HTTP run. A dict that also reads and writes as attributes, so
    the SDK v1 spelling ``mcp.settings.port = 8001`` works."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(**defaults)
        #: The keys set after construction (by ``FastMCP(...)`` options or the user): the environment's
        #: ``FASTMCP_*`` settings do not override them.
        object.__setattr__(self, "explicit", set())

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.explicit.add(key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value


def _component_cache(options: dict[str, Any]) -> tuple[Any, Any] | None:
    """A component's own ``cache_ttl=`` / ``cache_scope=`` (beyond FastMCP 4, which sets them per server);
    a scope left out is the server's."""
    from .caching import cache_hint

    ttl, scope = options.pop("cache_ttl", None), options.pop("cache_scope", None)
    cache_hint(ttl, scope)  # checked now, at the decorator
    return None if ttl is None else (ttl, scope)


def _with_cache(component: Any, hint: tuple[Any, Any] | None) -> Any:
    if hint is not None:
        component._cache_hint = hint
    return component


def _deprecated(message: str, stacklevel: int = 3) -> None:
    """Warns at the user's line (``stacklevel`` counts from the public method that was called)."""
    import warnings

    warnings.warn(message, FastMCPDeprecationWarning, stacklevel=stacklevel)


class FastMCP(HttpAppsMixin):
    """An MCP server. Drop-in for ``fastmcp.FastMCP`` and ``mcp.server.fastmcp.FastMCP``."""

    def __init__(
        self,
        name: str | None = None,
        instructions: str | None = None,
        *,
        version: str | int | float | None = None,
        website_url: str | None = None,
        icons: list[Any] | None = None,
        title: str | None = None,
        mask_error_details: bool | None = None,
        list_page_size: int | None = None,
        tools: list[Callable[..., Any] | Tool] | None = None,
        lifespan: Callable[[Any], Any] | None = None,
        on_duplicate: DuplicateBehavior | None = None,
        resource_security: ResourceSecurity | None = DEFAULT_RESOURCE_SECURITY,
        strict_input_validation: bool | None = None,
        tasks: bool | None = None,
        max_body_bytes: int = 4 * 1024 * 1024,
        max_sessions: int = 100_000,
        max_app_sessions: int = 100_000,
        session_idle_timeout: float = 1800.0,
        max_concurrent_requests: int = 4096,
        max_threads: int | None = None,
        active_sync_calls: int | None = None,
        cache_ttl: int | None = None,
        cache_scope: Literal["public", "private"] | None = None,
        request_state_security: Any = None,
        auth: Any = None,
        **options: Any,
    ) -> None:
        self.name = name if name is not None else f"FastMCP-{os.urandom(2).hex()}"
        self.instructions = instructions
        self.version = str(version) if version is not None else _PACKAGE_VERSION
        self.website_url = website_url
        self.icons = icons
        self.title = title
        if mask_error_details is None:
            mask_error_details = os.environ.get("FASTMCP_MASK_ERROR_DETAILS", "").lower() in ("1", "true", "yes")
        self.mask_error_details = mask_error_details
        # The sync pool's bounds (fastmcp-rs's own): the argument, else FASTMCP_MAX_THREADS /
        # FASTMCP_ACTIVE_SYNC_CALLS, read directly (a server's construction never imports pydantic-settings).
        max_threads = _env_int("FASTMCP_MAX_THREADS", 40) if max_threads is None else max_threads
        active_sync_calls = _env_int("FASTMCP_ACTIVE_SYNC_CALLS", 2) if active_sync_calls is None else active_sync_calls
        if list_page_size is not None and list_page_size <= 0:
            raise ValueError("list_page_size must be a positive integer")
        self.list_page_size = list_page_size
        if strict_input_validation is None:
            strict_input_validation = os.environ.get("FASTMCP_STRICT_INPUT_VALIDATION", "").lower() in (
                "1",
                "true",
                "yes",
            )
        #: Tool arguments validated strictly (pydantic's strict mode on the JSON): ``"10"`` for an ``int`` is an
        #: error, not 10.
        self.strict_input_validation = bool(strict_input_validation)
        #: How many application sessions (``fastmcp_rs.server.sessions``) are kept in memory at most; the
        #: least recently used goes first.
        self.app_session_limit = int(max_app_sessions)
        #: ``FastMCP(tasks=True)``: async tools run as tasks unless they say otherwise (``task=False``).
        self._tasks_default = bool(tasks)
        self.settings: dict[str, Any] = _Settings(
            host="127.0.0.1",
            port=8000,
            streamable_http_path="/mcp",
            json_response=False,
            stateless_http=False,
            max_body_bytes=max_body_bytes,
            max_sessions=max_sessions,
            session_idle_timeout=session_idle_timeout,
            max_concurrent_requests=max_concurrent_requests,
            event_store=None,
            retry_interval=None,
            keep_alive_interval=None,
            header_read_timeout=None,
            body_read_timeout=None,
            drain_timeout=30.0,
            health_path="/healthz",
            ready_path="/readyz",
            metrics_path=None,
        )
        #: ``FastMCP(session_state_store=...)``: a py-key-value ``AsyncKeyValue`` store (``RedisStore`` ...) that
        #: ``ctx.set_state`` and application sessions keep their values in, as FastMCP 4 stores them; ``None``:
        #: in this process (session state in the core, application sessions in memory).
        self._state_storage: Any = None
        #: FastMCP 2/3's ``tool_serializer``: the text content of a tool's result that is not already content.
        self._tool_serializer: Callable[[Any], str] | None = None
        #: FastMCP 2/3's ``sampling_handler``: the server's own model for ``ctx.sample()`` when the client has
        #: none (``sampling_handler_behavior="fallback"``), or always.
        self._sampling_handler: Callable[..., Any] | None = None
        self._sampling_behavior = "fallback"
        on_duplicate = self._take_options(options, on_duplicate)
        self._on_duplicate: DuplicateBehavior = on_duplicate or "warn"
        self._tools: dict[str, Tool] = {}
        self._resources: dict[str, Resource] = {}
        self._templates: dict[str, ResourceTemplate] = {}
        self._prompts: dict[str, Prompt] = {}
        self._rules: list[_Rule] = []
        self._live: set[tuple[str, str]] = set()
        #: ``mount()``: the children this server mounts (in order), the parents mounting it, and the
        #: components it serves for its children, by (kind, parent-side key), with the link each came by.
        self._mounts: list[Any] = []
        self._parents: list[Any] = []
        self._derived: dict[tuple[str, str], tuple[Any, Any]] = {}
        #: App tools of children, by identity address (``__<hash>_<name>``): callable so, never listed.
        self._addressed: dict[str, Any] = {}
        #: Tools transforms make (``PromptsAsTools``, ``ResourcesAsTools``): listed after every other tool.
        self._generated: dict[str, Tool] = {}
        #: Components registered with ``version=``, by (kind, key): each version's component.
        self._versions: dict[tuple[str, str], dict[str, Any]] = {}
        #: The versions a mounted child's versioned component is served in here (after version filters).
        self._derived_versions: dict[tuple[str, str], dict[str, Any]] = {}
        self._transforms: list[Any] = []
        #: Transforms of the user's own (``Transform`` subclasses), applied in Python after the built-in ones.
        self._custom_transforms: list[Any] = []
        #: Server extensions (``add_extension``) by identifier, and the request methods they serve.
        self._server_extensions: dict[str, Any] = {}
        self._extension_methods: dict[str, Any] = {}
        self._method_owners: dict[str, str] = {}  # method → the identifier of the extension serving it
        self._auto_extensions: set[str] = set()  # registered for a provider (an explicit one replaces them)
        #: ``ToolTransform``: how named tools are changed as they are served, and the name each is served under.
        self._tool_transforms: dict[str, Any] = {}
        #: What a component is registered under in the core when that differs from its key (a tool
        #: transform's new name, a ``Namespace``'s prefix), by (kind, key).
        self._native_names: dict[tuple[str, str], str] = {}
        #: ``add_transform(Namespace(...))``: the prefixes, innermost first.
        self._namespaces: list[str] = []
        #: Per-session visibility (``ctx.enable_components``), once a client has rules of its own; the
        #: components hidden from everyone meanwhile stay in the core, parked, by (kind, key).
        self._session_views: Any = None
        self._parked: set[tuple[str, str]] = set()
        #: A mounted server's modern-era clients' rules, by scope (kept, applied nowhere: see _session_views).
        self._kept_rules: dict[str, list[dict[str, Any]]] = {}
        #: ``async hook(method, handle)`` run before each listing (a proxy fetches its upstream's there).
        self._list_hook: Any = None
        self._completion_handler: Callable[..., Any] | None = None
        self._lifespan = lifespan
        self._lifespan_result: Any = {}
        self.resource_security = resource_security
        self.local_provider = _LocalProvider(self)
        from .caching import cache_hint
        from .request_state import security_options

        self.cache_ttl, self.cache_scope = cache_ttl, cache_scope
        self._native = _core.NativeServer(
            self.name,
            self.version,
            tool_error=FastMCPError,
            mcp_error=McpError,
            current=current_request,
            context_factory=self._make_context,
            instructions=instructions,
            title=title,
            website_url=website_url,
            icons=dump_icons(icons),
            list_page_size=list_page_size,
            mask_error_details=mask_error_details,
            max_threads=max_threads,
            active_sync_calls=active_sync_calls,
            **cache_hint(cache_ttl, cache_scope),
            **security_options(request_state_security),
        )
        #: ``capabilities.experimental`` in both eras.
        self._experimental_capabilities = dict(options.get("experimental_capabilities") or {})
        self._advertise_extensions()
        from .auth.auth import AuthProvider
        from .auth.authorization import ComponentChecks

        if auth is not None and not isinstance(auth, AuthProvider) and hasattr(auth, "resource_server_url"):
            from .auth.auth import from_sdk_settings

            auth = from_sdk_settings(auth, getattr(self, "_sdk_token_verifier", None))
        if auth is not None and not isinstance(auth, AuthProvider):
            raise TypeError(
                f"FastMCP(auth=...) takes an auth provider (JWTVerifier, RemoteAuthProvider, ...), not "
                f"{type(auth).__name__}"
            )
        #: Authenticates every HTTP request to the MCP paths (``None``: open; stdio is always trusted).
        self.auth = auth
        self._checks = ComponentChecks()
        #: Components are served inside OpenTelemetry spans (an SDK was configured when the server started).
        self._tracing = False
        self._check_ids: dict[tuple[str, str], int | None] = {}
        self._native.set_authorizer(self._checks)
        #: The middleware in effect, in order; those that run in Python also in ``_python_middleware``.
        self.middleware: list[Any] = []
        self._python_middleware: list[Any] = []
        for item in getattr(self, "_pending_middleware", ()):
            self.add_middleware(item)
        for tool in tools or ():
            self.add_tool(tool)
        for provider in getattr(self, "_pending_providers", ()):
            self.add_provider(provider)
        for transform in getattr(self, "_pending_transforms", ()):
            self.add_transform(transform)
        for tags, enable in ((self._include_tags, True), (self._exclude_tags, False)):
            if tags:
                (self.enable(tags=set(tags), only=True) if enable else self.disable(tags=set(tags)))

    def _take_options(self, options: dict[str, Any], on_duplicate: DuplicateBehavior | None) -> Any:
        """The spellings other versions accept: SDK v1 and FastMCP 2/3 run settings, ``include_tags`` /
        ``exclude_tags``, ``on_duplicate_*`` (with a deprecation warning); FastMCP 4 options for features not
        implemented here are refused; anything else is a ``TypeError``, as in FastMCP 4."""
        self._include_tags: Any = None
        self._exclude_tags: Any = None
        for key, value in options.items():
            if key in _RUN_SETTINGS:
                if key != "mount_path":  # SDK v1 only: FastMCP never had it, so nothing to migrate from
                    _deprecated(f"FastMCP({key}=...) is deprecated: pass {key} to run() / run_http_async() instead", 4)
                self.settings[_RUN_SETTINGS[key]] = value
            elif key == "max_request_body_size":
                self.settings["max_body_bytes"] = int(value)
            elif key in (
                "event_store",
                "retry_interval",
                "keep_alive_interval",
                "header_read_timeout",
                "body_read_timeout",
                "drain_timeout",
                "health_path",
                "ready_path",
                "metrics_path",
            ):
                self.settings[key] = value
            elif key == "transport_security":
                self._take_transport_security(value)
            elif key in ("include_tags", "exclude_tags"):
                advice = "enable(tags=..., only=True)" if key == "include_tags" else "disable(tags=...)"
                _deprecated(f"FastMCP({key}=...) is deprecated: call server.{advice} after creating the server", 4)
                setattr(self, f"_{key}", value)
            elif key in ("on_duplicate_tools", "on_duplicate_resources", "on_duplicate_prompts"):
                _deprecated(f"FastMCP({key}=...) is deprecated: use on_duplicate=", 4)
                on_duplicate = on_duplicate or value
            elif key.startswith("warn_on_duplicate_"):
                if not value:
                    on_duplicate = on_duplicate or "replace"
            elif key == "dereference_schemas":
                self._dereference_schemas = bool(value)
            elif key == "experimental_capabilities":
                pass  # read as the native server is made
            elif key == "middleware":
                self._pending_middleware = list(value or ())
            elif key == "transforms":
                self._pending_transforms = list(value or ())
            elif key == "providers":
                self._pending_providers = list(value or ())
            elif key == "tool_transformations":  # FastMCP 2/3; FastMCP 4 refuses it
                _deprecated(
                    "FastMCP(tool_transformations=...) is deprecated: call "
                    "server.add_transform(ToolTransform(...)) after creating the server",
                    4,
                )
                if value:
                    from .transforms import ToolTransform

                    self._pending_transforms = [*getattr(self, "_pending_transforms", ()), ToolTransform(value)]
            elif key == "tool_serializer":  # FastMCP 2/3; FastMCP 4 refuses it
                _deprecated("FastMCP(tool_serializer=...) is deprecated: return a ToolResult from your tools", 4)
                if value is not None and not callable(value):
                    raise TypeError("FastMCP(tool_serializer=...) takes a function of a result to its text")
                self._tool_serializer = value
            elif key in ("sampling_handler", "sampling_handler_behavior"):  # FastMCP 2/3; FastMCP 4 refuses them
                if value is None:
                    continue
                _deprecated(
                    f"FastMCP({key}=...) is deprecated: server-initiated sampling is deprecated in MCP (SEP-2577); "
                    "call an LLM directly from your tool",
                    4,
                )
                if key == "sampling_handler":
                    if not callable(value):
                        raise TypeError("FastMCP(sampling_handler=...) takes a function (messages, params, context)")
                    self._sampling_handler = value
                elif value not in ("fallback", "always"):
                    raise ValueError("sampling_handler_behavior must be 'fallback' or 'always'")
                else:
                    self._sampling_behavior = value
            elif key == "session_state_store":
                if value is not None and not all(callable(getattr(value, m, None)) for m in ("get", "put", "delete")):
                    raise TypeError("FastMCP(session_state_store=...) takes an AsyncKeyValue store (get, put, delete)")
                self._state_storage = value
            elif key == "token_verifier":  # SDK v1: with auth=AuthSettings(...)
                self._sdk_token_verifier = value
            elif key in _UNSUPPORTED_OPTIONS:
                if value is not None and value != [] and value != ():
                    raise NotImplementedError(
                        f"FastMCP(): {_UNSUPPORTED_OPTIONS[key]} is not supported by fastmcp-rs yet"
                    )
            elif key not in _IGNORED_OPTIONS:
                raise TypeError(f"FastMCP() got an unexpected keyword argument {key!r}")
        return on_duplicate

    def _take_transport_security(self, security: Any) -> None:
        """SDK v1 ``TransportSecuritySettings``: the DNS-rebinding defaults of the HTTP run."""
        if security is None:
            return
        get = security.get if isinstance(security, dict) else lambda k, d=None: getattr(security, k, d)
        protect = get("enable_dns_rebinding_protection")
        if protect is not None:
            self.settings["dns_rebinding_protection"] = bool(protect)
        self.settings["allowed_hosts"] = list(get("allowed_hosts") or ())
        self.settings["allowed_origins"] = list(get("allowed_origins") or ())

    def __repr__(self) -> str:
        return f"FastMCP({self.name!r})"

    def _make_context(self, handle: _core.RequestHandle) -> Context:
        return Context(handle, self)

    def get_context(self) -> Context:
        """The ``Context`` of the request being served (SDK v1's ``mcp.get_context()``)."""
        from .._context import get_context

        return get_context()

    # -- tools ---------------------------------------------------------------------------------------

    @overload
    def tool(self, name_or_fn: F, **kwargs: Any) -> F: ...

    @overload
    def tool(self, name_or_fn: str | None = None, **kwargs: Any) -> Callable[[F], F]: ...

    def tool(
        self,
        name_or_fn: Any = None,
        *,
        name: str | None = None,
        version: str | int | None = None,
        title: str | None = None,
        description: str | None = None,
        icons: list[Any] | None = None,
        tags: set[str] | None = None,
        output_schema: Any = NotSet,
        annotations: Any = None,
        meta: dict[str, Any] | None = None,
        app: Any = None,
        task: Any = None,
        timeout: float | None = None,
        auth: Any = None,
        run_in_thread: bool = True,
        structured_output: bool | None = None,
        enabled: bool | None = None,
        **_ignored: Any,
    ) -> Any:
        """Registers a function as a tool. Works as ``@mcp.tool``, ``@mcp.tool()``, ``@mcp.tool("name")``
        and ``mcp.tool(fn, name=...)``; returns the function unchanged. ``structured_output=False`` (SDK v1)
        lists no output schema."""
        if app is not None and app is not False:
            from ..apps.config import app_config_to_meta_dict

            meta = dict(meta or {})
            meta["ui"] = True if app is True else app_config_to_meta_dict(app)
        if enabled is not None:
            _deprecated("@mcp.tool(enabled=...) is deprecated: call server.disable(names={...}) instead")
        if structured_output is False and output_schema is NotSet:
            output_schema = None
        options = dict(
            version=version,
            title=title,
            description=description,
            icons=icons,
            tags=tags,
            annotations=annotations,
            meta=meta,
            output_schema=output_schema,
            task=task,
            timeout=timeout,
            auth=auth,
            run_in_thread=run_in_thread,
            enabled=True if enabled is None else enabled,
        )
        if isinstance(name_or_fn, classmethod):
            raise ValueError("To decorate a classmethod, put @classmethod above @mcp.tool")
        hint = _component_cache(_ignored)
        if callable(name_or_fn) and not isinstance(name_or_fn, str):
            self.add_tool(_with_cache(FunctionTool.from_function(name_or_fn, name=name, **options), hint))
            return name_or_fn
        if isinstance(name_or_fn, str) and name is not None:
            raise TypeError("Pass the tool name either positionally or as name=, not both")
        tool_name = name_or_fn if isinstance(name_or_fn, str) else name

        def decorator(fn: F) -> F:
            self.add_tool(_with_cache(FunctionTool.from_function(fn, name=tool_name, **options), hint))
            return fn

        return decorator

    def add_tool(self, tool: Tool | Callable[..., Any], **kwargs: Any) -> Tool:
        """Adds a ``Tool`` (or a function, built into one) at any time, also while serving: connected clients
        are told (``notifications/tools/list_changed``)."""
        if not isinstance(tool, Tool):
            tool = FunctionTool.from_function(tool, **kwargs)
        if self._tasks_default and isinstance(tool, FunctionTool) and tool.task is None and tool.is_async:
            tool.task = True
        if tool.version is not None or ("tool", tool.name) in self._versions:
            return self._add_version("tool", tool.name, tool, self._tools)
        if not self._accept_duplicate("tool", tool.name, self._tools):
            return self._tools[tool.name]
        previous = self._tools.get(tool.name)
        self._tools[tool.name] = tool
        try:
            self._place("tool", tool.name, tool)
        except BaseException:  # e.g. an input schema the core cannot compile: leave things as they were
            if previous is None:
                del self._tools[tool.name]
            else:
                self._tools[tool.name] = previous
            raise
        return tool

    def _keeps_version(self, version: Any) -> bool:
        return all(t._keeps(version) for t in self._transforms if hasattr(t, "_keeps"))

    def _version_view(self, versions: dict[str, Any]) -> dict[str, Any]:
        """The versions this server serves of a component (its version filters applied)."""
        return {v: c for v, c in versions.items() if self._keeps_version(v)}

    def _refilter(self) -> None:
        """After a version filter is added: the server's own versioned components and its children's are
        placed again, and its unversioned ones hidden when the filter excludes them."""
        from ._versions import ordered, pick

        for (kind, key), versions in list(self._versions.items()):
            table = {
                "tool": self._tools,
                "resource": self._resources,
                "template": self._templates,
                "prompt": self._prompts,
            }[kind]
            view = self._version_view(versions)
            if not view:
                table.pop(key, None)
                self._unplace(kind, key)
                continue
            every = ordered(view)
            for each in view.values():
                each._versions = every
            table[key] = pick(view, None)
            self._place(kind, key, table[key])
        if not self._keeps_version(None):
            for kind, key, component in self._all():
                if getattr(component, "version", None) is None and (kind, key) in self._live:
                    self._hide(kind, key, component)
        for link in self._mounts:
            link.attach()

    def _add_version(self, kind: Kind, key: str, component: Any, table: dict[str, Any]) -> Any:
        """One more version of a component (see ``fastmcp_rs.server._versions``): the highest is listed."""
        from ._versions import check_mixing, ordered, pick

        versions = self._versions.get((kind, key))
        check_mixing(kind, key, None if component.version is None else str(component.version), versions, table.get(key))
        versions = self._versions.setdefault((kind, key), {})
        version = str(component.version)
        if version in versions and not self._accept_duplicate(kind, f"{key}@{version}", {f"{key}@{version}": 1}):
            return versions[version]
        versions[version] = component
        view = self._version_view(versions)
        if not view:
            return component
        every = ordered(view)
        for each in view.values():
            each._versions = every
        table[key] = pick(view, None)
        self._place(kind, key, table[key])
        return component

    def _accept_duplicate(self, kind: str, key: str, registry: dict[str, Any]) -> bool:
        """``on_duplicate``: whether a component registered under a taken key replaces the old one."""
        if key not in registry or self._on_duplicate == "replace":
            return True
        if self._on_duplicate == "error":
            raise ValueError(f"{kind.capitalize()} already exists: {key}")
        if self._on_duplicate == "ignore":
            return False
        import logging

        logging.getLogger("fastmcp_rs").warning("%s already exists: %s", kind.capitalize(), key)
        return True

    def remove_tool(self, name: str) -> None:
        """Removes a tool; raises ``NotFoundError`` if there is none by that name."""
        if self._tools.pop(name, None) is None:
            raise NotFoundError(f"Unknown tool: {name!r}")
        self._unplace("tool", name)

    def _register_tool(self, tool: Tool, key: str | None = None, *, addressed: bool = False) -> None:
        key = key or tool.name
        spec = tool._native_spec()
        if self.strict_input_validation and getattr(tool, "_parsed", None) is not None:
            spec["prepare"], spec["plain_arguments"], spec["prepare_json"] = tool.prepare_strict, False, None
        if self._tool_serializer is not None:
            target: Any = tool
            while target is not None:  # a transformed tool's result is its parent's
                target._text_serializer = self._tool_serializer
                target = getattr(target, "parent_tool", None)
            spec["result_shape"] = spec["result_json"] = None  # the result goes through convert()
        versions = self._versions.get(("tool", key)) or self._derived_versions.get(("tool", key))
        if versions is not None and len(versions) > 1:
            spec = self._versioned_tool_spec(tool, versions, spec)
        elif versions is not None:
            from ._versions import pin_checked

            spec["func"] = pin_checked(spec["func"], spec["is_async"], tool.name, str(tool.version))
        mounted = getattr(tool, "_mounted_from", None)
        # A proxied tool the core forwards itself, when nothing in Python has to run around its calls.
        forward_of = getattr(tool, "_native_forward", None)
        forward = forward_of() if forward_of is not None and versions is None and not self._tracing else None
        if forward is not None and mounted is not None and mounted[0]._python_middleware:
            forward = None
        if forward is not None:
            spec["forward"] = forward
        if mounted is not None:
            from ..tools.base import _run_arguments
            from ._mount import through_child_middleware, with_child_context

            child, inner = mounted
            if child._python_middleware:
                call = through_child_middleware(child._tools.get(inner) or tool, child, inner)

                async def run(**arguments: Any) -> Any:
                    return await call(arguments)

                spec = dict(
                    spec,
                    func=run,
                    is_async=True,
                    prepare=_run_arguments,
                    context_param=None,
                    plain_arguments=True,
                    result_shape=None,
                    result_json=None,
                )
            else:
                spec["func"] = with_child_context(spec["func"], spec["is_async"], child, spec.get("context_param"))
        if self._tracing:
            from .telemetry import traced

            spec["func"] = traced(spec["func"], spec["is_async"], "tool", tool.name, self.name)
        auth = self._component_auth("tool", key, tool)
        listing = tool.to_mcp_tool()
        if "ui" in (listing.get("_meta") or {}) and str(listing["_meta"]["ui"].get("resourceUri", "")).startswith(
            "ui://prefab/renderer/"
        ):
            self._ensure_renderer(tool.meta["ui"])  # type: ignore[index]
        if getattr(self, "_dereference_schemas", True):
            # FastMCP 4 inlines ``$ref``s of every listed schema (``dereference_schemas=True``, its default).
            from .._schema import dereference

            for field in ("inputSchema", "outputSchema"):
                if isinstance(listing.get(field), dict) and "$defs" in listing[field]:
                    listing[field] = dereference(listing[field])
        if addressed:
            spec["addressed"] = True
        self._native.add_tool(json.dumps(listing, ensure_ascii=False), spec.pop("func"), auth=auth, **spec)

    def _ensure_renderer(self, ui: dict[str, Any]) -> None:
        """The Prefab renderer resource a prefab tool's listing names, served here (once per configuration,
        listed after this server's other resources, as FastMCP 4 lists it)."""
        from ..apps._prefab import renderer_resource

        uri, meta, mode = renderer_resource(ui)
        renderers = self.__dict__.setdefault("_renderers", [])
        if uri in renderers or uri in self._resources:
            return
        from prefab_ui.renderer import get_renderer_html

        from ..apps.config import UI_MIME_TYPE

        def page() -> str:
            return get_renderer_html(mode=mode)  # type: ignore[arg-type]

        renderers.append(uri)
        self.add_resource(
            function_resource._from_function(page, uri, name="Prefab Renderer", mime_type=UI_MIME_TYPE, meta=meta)
        )

    def _tool_named_by_identity(self, identity: str) -> str | None:
        """The name this server lists the tool with identity hash ``identity`` under (``None`` unless exactly
        one listed tool has it, and nothing else that name)."""
        names: dict[str, set[Any]] = {}
        claimed: set[str] = set()
        for name, tool in [*self._tools.items(), *self._children("tool").items()]:
            if not self._visible("tool", name, tool):
                continue
            found = ((tool.meta or {}).get("fastmcp") or {}).get("tool_hash")
            names.setdefault(name, set()).add(found)
            if found == identity:
                claimed.add(name)
        # A name several mounts or providers claim is ambiguous, even where only one of them is served
        # under it (two ``FormInput``s, each with its ``submit_form``), as FastMCP 4 counts them.
        for link in self._mounts:
            for kind, inner, component in link.child._served():
                outer = link.outer_key(kind, inner) if kind == "tool" else None
                if outer in names:
                    names[outer].add(((component.meta or {}).get("fastmcp") or {}).get("tool_hash"))
        if len(claimed) != 1:
            return None
        (name,) = claimed
        return name if names[name] == {identity} else None

    def _versioned_tool_spec(self, tool: Tool, versions: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        """A tool with several versions: each call runs the version its ``_meta.fastmcp.version`` asks for
        (the highest by default), with that version's own validation; an unknown version is an unknown tool."""
        from .._context import _current_handle
        from ..exceptions import ToolError, ValidationError
        from ..tools.base import _run_arguments
        from ._mount import _run_as_child
        from ._versions import pick, requested_version

        server = self

        async def dispatch(**arguments: Any) -> Any:
            handle = _current_handle()
            chosen = pick(versions, requested_version(handle.meta if handle is not None else None))
            if chosen is None:
                raise ToolError(f"Unknown tool: {tool.name!r}")
            try:
                value = await _run_as_child(chosen, arguments, server)
            except ValidationError as e:
                raise ToolError(str(e)) from e
            return chosen.convert_result(value)

        return dict(
            spec,
            func=dispatch,
            is_async=True,
            prepare=_run_arguments,
            context_param=None,
            plain_arguments=True,
            result_shape=None,
            result_json=None,
        )

    def _component_auth(self, kind: str, key: str, component: Any) -> Any:
        """A component's ``auth=`` as the core takes it (its opaque checks registered under an id)."""
        self._checks.forget(self._check_ids.pop((kind, key), None))
        resolved = self._checks.resolve(component)
        if resolved is not None:
            self._check_ids[(kind, key)] = resolved[1]
        return resolved

    def _auth_routes(self, mcp_path: str) -> list[Any]:
        """The routes of an authorization server in this process (an ``OAuthProxy``'s), if any."""
        if self.auth is None:
            return []
        self.auth._server_name = self.name
        # The RFC 9728 document is answered by the core itself.
        prefix = "/.well-known/oauth-protected-resource"
        return [r for r in self.auth.get_routes(mcp_path) if not getattr(r, "path", "").startswith(prefix)]

    def _auth_spec(self, loop: Any, path: str) -> Any:
        """The ``auth`` option of an HTTP run: what the core checks on every request to the MCP paths."""
        self._checks.loop = loop
        return self.auth._native_spec(loop, path) if self.auth is not None else None

    def _children(self, kind: str) -> dict[str, Any]:
        found = {key: c for (k, key), (c, _) in self._derived.items() if k == kind}
        if kind == "tool":
            found.update(self._generated)
        return found

    async def get_tools(self) -> dict[str, Tool]:
        return {**self._tools, **{k: v for k, v in self._children("tool").items() if k not in self._tools}}

    async def get_tool(self, name: str) -> Tool:
        if self._custom_transforms or self._resolves("tool"):
            found = await self._resolved("tool", name)
            if found is None:
                raise NotFoundError(f"Unknown tool: {name!r}")
            return found  # type: ignore[no-any-return]
        tool = self._tools.get(name) or self._children("tool").get(name)
        if tool is None or not self._visible("tool", name, tool):
            raise NotFoundError(f"Unknown tool: {name!r}")
        return tool

    async def _refresh(self, method: str) -> None:
        """Fetch again what providers and proxies in this server serve, as a client's listing would."""
        for hook in self._list_hooks():
            await hook(method, None)

    async def list_tools(self, *, run_middleware: bool = True) -> list[Tool]:
        await self._refresh("tools/list")
        listed = [*self._tools.values(), *self._children("tool").values()]
        return await self._transformed("tool", [t for t in listed if self._visible("tool", t.name, t)])

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None, *, version: Any = None, run_middleware: bool = True
    ) -> Any:
        """Calls a tool as a client would (this server's middleware included), over an in-memory connection
        (run inside a serving server, its lifespan is not run again). Returns its ``ToolResult``; raises
        ``NotFoundError``, ``ValidationError`` or ``ToolError``, as FastMCP 4 does. The middleware always
        runs here (``run_middleware`` is accepted for FastMCP's signature)."""
        from ._direct import call_tool

        return await call_tool(self, name, arguments, version)

    async def read_resource(self, uri: Any, *, version: Any = None, run_middleware: bool = True) -> Any:
        """Reads a resource or template URI as a client would; a ``ResourceResult`` (``NotFoundError`` for
        an unknown URI)."""
        from ._direct import read_resource

        return await read_resource(self, str(uri), version)

    async def render_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, *, version: Any = None, run_middleware: bool = True
    ) -> Any:
        """Renders a prompt as a client would; a ``PromptResult`` (``NotFoundError`` for an unknown name)."""
        from ._direct import render_prompt

        return await render_prompt(self, name, arguments, version)

    # -- resources -----------------------------------------------------------------------------------

    def resource(
        self,
        uri: str,
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
        enabled: bool | None = None,
        security: Any = "inherit",
        task: Any = None,
        app: Any = None,
        **_ignored: Any,
    ) -> Callable[[F], F]:
        """Registers a function as a resource (``"data://config"``) or, when the URI has parameters, a
        resource template (``"users://{user_id}/profile"``, ``"files://{path*}"``, ``"search://x{?q,limit}"``).
        Returns the function unchanged. A ``ui://`` resource is an MCP Apps UI (``text/html;profile=mcp-app``
        unless ``mime_type`` says otherwise); ``app=AppConfig(csp=...)`` is its ``_meta.ui``."""
        if callable(uri):
            raise TypeError("The @resource decorator needs a URI: use @mcp.resource('scheme://path')")
        from ..apps.config import AppConfig, app_config_to_meta_dict, resolve_ui_mime_type

        mime_type = resolve_ui_mime_type(uri, mime_type)
        if isinstance(app, AppConfig):
            if app.resource_uri is not None:
                raise ValueError(
                    "resource_uri cannot be set on resources — the resource itself is the UI. "
                    "Use resource_uri on tools to point to a UI resource."
                )
            if app.visibility is not None:
                raise ValueError("visibility cannot be set on resources — it only applies to tools.")
        if app is not None and app is not False:
            meta = dict(meta or {})
            meta["ui"] = True if app is True else app_config_to_meta_dict(app)
        if task:
            raise NotImplementedError("@mcp.resource(task=...): only tools run as tasks (as in FastMCP 4)")
        if enabled is not None:
            _deprecated("@mcp.resource(enabled=...) is deprecated: call server.disable(keys={...}) instead")
        hint = _component_cache(_ignored)

        def decorator(fn: F) -> F:
            self.add_resource(
                _with_cache(
                    function_resource._from_function(
                        fn,
                        uri,
                        name=name,
                        version=version,
                        title=title,
                        description=description,
                        icons=icons,
                        mime_type=mime_type,
                        tags=tags,
                        annotations=annotations,
                        meta=meta,
                        auth=auth,
                        enabled=True if enabled is None else enabled,
                        security=security,
                        server=self,
                    ),
                    hint,
                )
            )
            return fn

        return decorator

    def add_resource(
        self, resource: Resource | ResourceTemplate | Callable[..., Any], uri: str | None = None, **kwargs: Any
    ) -> Resource | ResourceTemplate:
        """Adds a ``Resource`` or ``ResourceTemplate`` (or a function with its ``uri``, or one marked with the
        standalone ``@resource``), also while serving."""
        if not isinstance(resource, (Resource, ResourceTemplate)):
            resource = function_resource._from_function(resource, uri, server=self, **kwargs)
        resource.server = self
        kind, key = (
            ("template", resource.uri_template)
            if isinstance(resource, ResourceTemplate)
            else ("resource", resource.uri)
        )
        if resource.version is not None or (kind, key) in self._versions:
            table = self._templates if kind == "template" else self._resources
            return self._add_version(kind, key, resource, table)
        if isinstance(resource, ResourceTemplate):
            if self._accept_duplicate("template", resource.uri_template, self._templates):
                self._templates[resource.uri_template] = resource
                self._place("template", resource.uri_template, resource)
        elif self._accept_duplicate("resource", resource.uri, self._resources):
            self._resources[resource.uri] = resource
            self._place("resource", resource.uri, resource)
            renderers = self.__dict__.get("_renderers")
            if renderers and resource.uri not in renderers:
                self._reorder("resource", list(renderers))
        return resource

    add_template = add_resource

    def remove_resource(self, uri: str) -> None:
        if self._resources.pop(uri, None) is None:
            raise NotFoundError(f"Unknown resource: {uri!r}")
        self._unplace("resource", uri)

    def remove_template(self, uri_template: str) -> None:
        if self._templates.pop(uri_template, None) is None:
            raise NotFoundError(f"Unknown resource template: {uri_template!r}")
        self._unplace("template", uri_template)

    def notify_resource_updated(self, uri: str) -> int:
        """Sends ``notifications/resources/updated`` to the clients subscribed to ``uri``; returns how many."""
        return self._native.resource_updated(str(uri))

    async def get_resources(self) -> dict[str, Resource]:
        return {**self._children("resource"), **self._resources}

    async def get_resource_templates(self) -> dict[str, ResourceTemplate]:
        return {**self._children("template"), **self._templates}

    async def list_resources(self, *, run_middleware: bool = True) -> list[Resource]:
        await self._refresh("resources/list")
        listed = [*self._resources.values(), *self._children("resource").values()]
        return await self._transformed("resource", [r for r in listed if self._visible("resource", r.uri, r)])

    async def list_resource_templates(self, *, run_middleware: bool = True) -> list[ResourceTemplate]:
        await self._refresh("resources/templates/list")
        listed = [*self._templates.values(), *self._children("template").values()]
        kept = [t for t in listed if self._visible("template", t.uri_template, t)]
        return await self._transformed("template", kept)

    # -- prompts -------------------------------------------------------------------------------------

    def prompt(
        self,
        name_or_fn: Any = None,
        *,
        name: str | None = None,
        version: str | int | None = None,
        title: str | None = None,
        description: str | None = None,
        icons: list[Any] | None = None,
        tags: set[str] | None = None,
        meta: dict[str, Any] | None = None,
        auth: Any = None,
        enabled: bool | None = None,
        task: Any = None,
        **_ignored: Any,
    ) -> Any:
        """Registers a function as a prompt: ``@mcp.prompt``, ``@mcp.prompt()``, ``@mcp.prompt("name")``,
        ``mcp.prompt(fn, name=...)``. Returns the function unchanged."""
        if task:
            raise NotImplementedError("@mcp.prompt(task=...): only tools run as tasks (as in FastMCP 4)")
        hint = _component_cache(_ignored)
        if enabled is not None:
            _deprecated("@mcp.prompt(enabled=...) is deprecated: call server.disable(names={...}) instead")
        options = dict(
            version=version,
            title=title,
            description=description,
            icons=icons,
            tags=tags,
            meta=meta,
            auth=auth,
            enabled=True if enabled is None else enabled,
        )
        if callable(name_or_fn) and not isinstance(name_or_fn, str):
            self.add_prompt(
                _with_cache(FunctionPrompt.from_function(name_or_fn, name=name, server=self, **options), hint)
            )
            return name_or_fn
        if isinstance(name_or_fn, str) and name is not None:
            raise TypeError("Pass the prompt name either positionally or as name=, not both")
        prompt_name = name_or_fn if isinstance(name_or_fn, str) else name

        def decorator(fn: F) -> F:
            self.add_prompt(
                _with_cache(FunctionPrompt.from_function(fn, name=prompt_name, server=self, **options), hint)
            )
            return fn

        return decorator

    def add_prompt(self, prompt: Prompt | Callable[..., Any], **kwargs: Any) -> Prompt:
        if not isinstance(prompt, Prompt):
            prompt = FunctionPrompt.from_function(prompt, server=self, **kwargs)
        prompt.server = self
        if prompt.version is not None or ("prompt", prompt.name) in self._versions:
            return self._add_version("prompt", prompt.name, prompt, self._prompts)
        if self._accept_duplicate("prompt", prompt.name, self._prompts):
            self._prompts[prompt.name] = prompt
            self._place("prompt", prompt.name, prompt)
        return prompt

    def remove_prompt(self, name: str) -> None:
        if self._prompts.pop(name, None) is None:
            raise NotFoundError(f"Unknown prompt: {name!r}")
        self._unplace("prompt", name)

    async def get_prompts(self) -> dict[str, Prompt]:
        return {**self._children("prompt"), **self._prompts}

    async def list_prompts(self, *, run_middleware: bool = True) -> list[Prompt]:
        await self._refresh("prompts/list")
        listed = [*self._prompts.values(), *self._children("prompt").values()]
        return await self._transformed("prompt", [p for p in listed if self._visible("prompt", p.name, p)])

    # -- transforms of the user's own ----------------------------------------------------------------

    async def _transformed(self, kind: str, items: list[Any]) -> list[Any]:
        """``items`` through the ``list_*`` of the user's own transforms, in the order they were added."""
        method = _LIST_METHOD[kind]
        for transform in self._custom_transforms:
            items = list(await getattr(transform, method)(items))
        return items

    def _resolves(self, kind: str) -> bool:
        """Whether names of ``kind`` are resolved in Python: by a transform of the user's own here, or in a
        server mounted here."""
        return self._custom_overrides(kind) or any(link.child._resolves(kind) for link in self._mounts)

    def _custom_overrides(self, kind: str) -> bool:
        """Whether one of the user's own transforms resolves names of ``kind`` itself (overrides ``get_*``)."""
        from .transforms import Transform

        method = _GET_METHOD[kind]
        return any(getattr(type(t), method) is not getattr(Transform, method) for t in self._custom_transforms)

    def _lists_in_python(self) -> bool:
        """Whether this server's listings, where it is mounted, pass through Python: it has middleware of its
        own that looks at listings (an ``on_list_*`` hook, or a plain function), or such a child."""
        from .middleware.middleware import Middleware

        if self._custom_transforms:  # their list_* decide what it lists
            return True
        for middleware in self._python_middleware:
            if not isinstance(middleware, Middleware):
                return True
            if any(getattr(type(middleware), hook) is not getattr(Middleware, hook) for hook in _LIST_HOOKS):
                return True
        return bool(self._mounts_listing_in_python())

    def _mounts_listing_in_python(self) -> list[Any]:
        return [link for link in self._mounts if link.child._lists_in_python()]

    def _install_chain_up(self) -> None:
        """The chain installed here and in every server this one is mounted in."""
        node: FastMCP | None = self
        while node is not None:
            node._install_chain()
            node = node._parents[0].parent if node._parents else None

    async def _listing_for_parent(self, kind: str, handle: Any) -> list[Any]:
        """What this server lists of ``kind`` where it is mounted, as FastMCP 4 asks a mounted server: its
        components (its own children's through theirs), then through its middleware's listing hooks."""
        served = [c for k, _, c in self._served() if k == kind]
        served = await self._through_children(kind, served, handle)
        if self._custom_transforms:
            served = await self._transformed(kind, served)
        if not self._python_middleware:
            return served
        from ._middleware import _message
        from .middleware.middleware import MiddlewareContext, chain

        method = _LIST_REQUEST[kind]

        async def inner(context: Any) -> list[Any]:
            return served

        context = MiddlewareContext(
            message=_message(method, {}),
            fastmcp_context=self._make_context(handle) if handle is not None else None,
            source="client",
            type="request",
            method=method,
        )
        return list(await chain(self._chain_middleware, inner)(context))

    async def _through_children(self, kind: str, components: list[Any], handle: Any) -> list[Any]:
        """``components`` (this server's listing) with each block a child lists through Python replaced by
        what the child lists: left out, reordered or changed there, so here."""
        for link in self._mounts_listing_in_python():
            mine = [
                c
                for c in components
                if not isinstance(c, dict) and self._derived.get((kind, str(c.key)), (None, None))[1] is link
            ]
            if not mine:
                continue
            present = {str(c.key): c for c in mine}
            served = {key: c for k, key, c in link.child._served() if k == kind}
            block = []
            for component in await link.child._listing_for_parent(kind, handle):
                inner = str(component.key)
                outer = link.outer_key(kind, inner)
                if outer not in present:
                    # One the child serves that is hidden here stays hidden; one a transform of the child's
                    # made (or renamed) is listed, as FastMCP 4 lists it (and, as there, called by the names
                    # the child resolves).
                    if inner not in served:
                        block.append(link.outer_copy(kind, inner, component))
                    continue
                same = served.get(inner) is component
                block.append(present[outer] if same else link.outer_copy(kind, inner, component))
            first = components.index(mine[0])
            ids = {id(c) for c in mine}
            rest = [c for c in components if id(c) not in ids]
            components = [*rest[:first], *block, *rest[first:]]
        return components

    def _served_by_key(self, kind: str) -> dict[str, Any]:
        return {key: c for k, key, c in self._served() if k == kind}

    async def _resolved(self, kind: str, key: str, version: Any = None) -> Any:
        """What a request for ``key`` reaches through the ``get_*`` of the user's own transforms (the last one
        added asks the one before, the first asks the server's served components); ``None``: nothing."""
        import functools

        served = self._served_by_key(kind)

        async def base(name: str, *, version: Any = None) -> Any:
            found = served.get(name)
            derived = self._derived.get((kind, name))
            if found is not None and (derived is None or not derived[1].child._resolves(kind)):
                return found
            # A mounted server whose own transforms resolve names: what its chain reaches, named as here.
            for link in self._mounts:
                inner = link.inner_key(kind, name) if link.child._resolves(kind) else None
                made = await link.child._resolved(kind, inner, version) if inner is not None else None
                if made is None:
                    continue
                made_key = str(made.key)
                if link.child._served_by_key(kind).get(made_key) is made:
                    return served.get(link.outer_key(kind, made_key))
                return link.outer_copy(kind, made_key, made)
            return None

        lookup: Any = base
        method = _GET_METHOD[kind]
        for transform in self._custom_transforms:
            lookup = functools.partial(getattr(transform, method), call_next=lookup)
        return await lookup(key, version=version)

    # -- what FastMCP 4 has and fastmcp-rs does not yet -----------------------------------------------

    def _unsupported(self, feature: str) -> Any:
        raise NotImplementedError(f"{feature} is not supported by fastmcp-rs yet")

    def add_extension(self, extension: Any) -> None:
        """Registers a server extension (SEP-2133, ``fastmcp_rs.server.extensions``): its capability is
        advertised by ``server/discover``, its request methods are served, its ``tools/call`` interceptor wraps
        every call, and its lifespan runs with the server's. Register before serving. The tasks extension is
        built in: ``TasksExtension()`` is accepted and changes nothing."""
        from .extensions import ServerExtension, validate_extension_identifier

        identifier = getattr(extension, "identifier", None)
        if identifier == "io.modelcontextprotocol/tasks" and not isinstance(extension, ServerExtension):
            self._extensions = [*getattr(self, "_extensions", []), extension]
            return
        if not isinstance(extension, ServerExtension):
            raise TypeError(f"add_extension() takes a ServerExtension, not {type(extension).__name__}")
        validate_extension_identifier(identifier, owner=type(extension).__name__)
        if identifier in self._server_extensions and identifier not in self._auto_extensions:
            raise ValueError(f"An extension with identifier {identifier!r} is already registered.")
        if self in _serving:
            raise RuntimeError(
                f"Cannot register extension {identifier!r}: the server's lifespan has already started. Register "
                "extensions before serving."
            )
        bound = extension._server_ref() if extension._server_ref is not None else None
        if bound is not None and bound is not self:
            raise ValueError(
                f"Extension {identifier!r} is already bound to another server. Use a separate instance or clone() "
                "for each server."
            )
        previous = extension._server_ref
        # One a provider brought (an explicit registration replaces it) leaves its methods to this one.
        replaced_methods = {m for m, owner in self._method_owners.items() if owner == identifier}
        try:
            extension._bind(self)  # methods() may use self.server
            bindings = tuple(extension.methods())
            for binding in bindings:
                if binding.method in self._extension_methods and binding.method not in replaced_methods:
                    raise ValueError(
                        f"Cannot register extension {identifier!r}: method {binding.method!r} is already registered."
                    )
        except BaseException:
            extension._server_ref = previous
            raise
        for method in replaced_methods:
            del self._extension_methods[method], self._method_owners[method]
        self._auto_extensions.discard(identifier)
        self._server_extensions[identifier] = extension
        for binding in bindings:
            self._extension_methods[binding.method] = binding
            self._method_owners[binding.method] = identifier
        self._advertise_extensions()
        self._install_chain()

    def _add_bundled_extensions(self, provider: Any) -> None:
        """The extensions a provider needs (``required_extensions()``), registered here as FastMCP 4 does: a
        copy of each, unless one with its identifier is registered already."""
        for extension in getattr(provider, "required_extensions", lambda: ())():
            identifier = extension.identifier
            if identifier in self._server_extensions:
                continue
            if not extension.auto_register:
                raise ValueError(
                    f"Extension {identifier!r} bundled with {provider!r} does not allow automatic registration. "
                    "Register it explicitly with add_extension() or set auto_register = True on the extension."
                )
            self.add_extension(extension.clone())
            self._auto_extensions.add(identifier)

    def _advertise_extensions(self) -> None:
        """What ``server/discover`` says of the extensions (their ``settings()`` now) and the methods the core
        routes to them."""
        from ..apps.config import UI_EXTENSION_ID

        # FastMCP 4 advertises MCP Apps' extension whatever the server serves.
        capabilities = {UI_EXTENSION_ID: {}}
        capabilities.update({identifier: e.settings() for identifier, e in self._server_extensions.items()})
        self._native.set_extensions(capabilities, list(self._extension_methods), self._experimental_capabilities)

    def _tool_call_interceptors(self) -> list[Any]:
        """The extensions whose ``intercept_tool_call`` does something, first-registered first."""
        from .extensions import ServerExtension

        return [
            e
            for e in self._server_extensions.values()
            if type(e).intercept_tool_call is not ServerExtension.intercept_tool_call
        ]

    def add_middleware(self, middleware: Any) -> None:
        """Adds middleware after (inside) what is there. FastMCP 4's rate limiters are enforced by the core
        before anything runs; any other ``Middleware`` runs in Python around the component requests (see
        ``fastmcp_rs.server.middleware``)."""
        install = getattr(middleware, "_install", None)
        native = type(middleware).__module__ == "fastmcp_rs.server.middleware.rate_limiting" and middleware._native
        if install is not None and native:
            install(self._native)
            self.middleware.append(middleware)
            return
        from .middleware.middleware import Middleware

        if not isinstance(middleware, Middleware) and not callable(middleware):
            raise TypeError(f"add_middleware() takes a Middleware, not {type(middleware).__name__}")
        self.middleware.append(middleware)
        self._python_middleware.append(middleware)
        self._install_chain_up()

    @property
    def _chain_middleware(self) -> list[Any]:
        """The chain the core hands requests to: with tracing, the span of each request that is not a tool
        call, read or prompt (those are traced where their functions run) outermost, then the user's."""
        if self._tracing:
            from .telemetry import SeamSpans

            return [SeamSpans(self.name), *self._python_middleware]
        return self._python_middleware

    def _install_chain(self) -> None:
        from ._middleware import MiddlewareRunner

        custom = bool(self._custom_transforms) or bool(self._mounts_listing_in_python())
        intercepts = bool(self._tool_call_interceptors())
        if not self._python_middleware and not self._tracing and not self._list_hooks() and not custom:
            if not intercepts:
                if self._extension_methods:  # only the extensions' own methods come to Python
                    self._native.set_middleware(MiddlewareRunner(self), calls=False, chain=False)
                return
        # A chain that only traces (or only applies transforms to listings) leaves tool calls, reads and
        # prompts on their native path.
        calls = (
            bool(self._python_middleware)
            or intercepts
            or any(self._resolves(k) for k in ("tool", "resource", "prompt"))
        )
        self._native.set_middleware(MiddlewareRunner(self), calls=calls)

    def add_transform(self, transform: Any) -> None:
        """Adds a transform: ``Namespace``, ``ToolTransform``, ``Visibility``, ``VersionFilter``,
        ``PromptsAsTools`` / ``ResourcesAsTools`` (their tools are listed after every other tool), a search
        transform, or a ``Transform`` subclass of your own (see ``fastmcp_rs.server.transforms``)."""
        if hasattr(transform, "transforms") and type(transform).__name__ == "ToolTransform":
            self._transforms.append(transform)
            self._tool_transforms.update(transform.transforms)
            self._reshow_tools()
            self._list_changed("tools")
            return
        if type(transform).__name__ == "Namespace" and hasattr(transform, "_prefix"):
            self._transforms.append(transform)
            self._namespaces.append(transform._prefix)
            self._reshow_all()
            return
        if type(transform).__name__ == "Visibility" and hasattr(transform, "match_all"):
            self._transforms.append(transform)
            self._rules.append(
                _Rule(
                    transform.enabled,
                    names=transform.names,
                    keys=transform.keys,
                    tags=transform.tags,
                    components=transform.components,
                    match_all=transform.match_all,
                    version=transform.version,
                )
            )
            self._sync_visibility()
            return
        if hasattr(transform, "_keeps"):  # a version filter: every versioned component is placed again
            self._transforms.append(transform)
            self._refilter()
            return
        from .transforms import Transform

        if isinstance(transform, Transform) and not getattr(transform, "_fastmcp_rs_builtin", False):
            self._transforms.append(transform)
            self._custom_transforms.append(transform)
            self._install_chain_up()  # where it is mounted, its listings now pass through Python
            for kind in ("tools", "resources", "prompts"):
                self._list_changed(kind)
            return
        make = getattr(transform, "_tools", None)
        if make is None:
            self._unsupported(f"add_transform({type(transform).__name__}): transforms")
        self._transforms.append(transform)
        for tool in make():
            self._generated[tool.name] = tool
            if self._visible("tool", tool.name, tool):
                self._show("tool", tool.name, tool)
        listed = getattr(transform, "_listed_tools", None)
        if listed is not None:  # a search transform: its tools are listed in place of the catalogue
            self._native.set_listed_tools(listed())
        self._list_changed("tools")

    def add_provider(self, provider: Any, *, namespace: str = "") -> None:
        """Serves a provider's components after this server's own: a ``LocalProvider`` (or a
        ``FileSystemProvider``), another server, or a ``Provider`` subclass of yours (see
        ``fastmcp_rs.server.providers.base``), as a live link (a mount; ``namespace`` prefixes its names)."""
        from .providers.base import Provider, served_by

        given = provider
        if type(provider).__name__ == "ProxyProvider" and hasattr(provider, "_server"):
            provider = provider._server
        elif isinstance(provider, Provider):
            provider = served_by(provider)
        if not isinstance(provider, FastMCP):
            self._unsupported(f"add_provider({type(provider).__name__}): custom providers")
        self.mount(provider, namespace=namespace or None)
        self._add_bundled_extensions(given)

    def mount(
        self,
        server: Any = None,
        namespace: str | None = None,
        tool_names: dict[str, str] | None = None,
        *,
        prefix: str | None = None,
        as_proxy: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Serves ``server``'s components as this server's own, live (see ``fastmcp_rs.server._mount``):
        tools and prompts as ``{namespace}_{name}``, resources as ``scheme://{namespace}/...``.
        ``tool_names`` renames the child's tools (before the namespace). FastMCP 2/3's ``prefix=`` and
        ``mount("prefix", server)`` are taken with a ``DeprecationWarning``."""
        if "server" in kwargs:  # mount(server=...) as a keyword, with prefix given first
            server = kwargs.pop("server")
        if kwargs:
            raise TypeError(f"FastMCP.mount() got an unexpected keyword argument {next(iter(kwargs))!r}")
        if isinstance(server, str) and isinstance(namespace, FastMCP):
            _deprecated("mount(prefix, server) is deprecated: use mount(server, namespace=prefix)")
            server, namespace = namespace, server
        if prefix is not None:
            _deprecated("mount(prefix=...) is deprecated: use mount(server, namespace=...)")
            namespace = namespace or prefix
        if server is self:
            raise ValueError("Cannot mount a server onto itself")
        if as_proxy:
            _deprecated("mount(as_proxy=True) is deprecated: use mount(create_proxy(server))")
            server = create_proxy(server)
        if not isinstance(server, FastMCP):
            raise NotImplementedError(
                f"mount({type(server).__name__}): only fastmcp_rs servers can be mounted; anything else is not "
                "supported by fastmcp-rs yet (front another server with create_proxy(...) and mount the proxy)"
            )
        if self.mask_error_details and not server.mask_error_details:
            import logging

            logging.getLogger("fastmcp.server.server").warning(
                "Parent server %r has mask_error_details=True but mounted server %r does not. Error details from "
                "%r may leak through to clients. Set mask_error_details=True on the child server to prevent this.",
                self,
                server,
                server,
            )
        from ._mount import MountLink

        link = MountLink(self, server, namespace or "", tool_names or {})
        self._mounts.append(link)
        server._parents.append(link)
        link.attach()
        self._add_bundled_extensions(server)  # a proxy forwarding skills brings the skills extension
        if server._list_hooks() or server._lists_in_python():
            # A proxy inside (its listings are fetched before this server's are served), or a child whose
            # middleware looks at its listings.
            self._install_chain_up()

    async def import_server(self, server: Any, prefix: str | None = None, **kwargs: Any) -> None:
        """FastMCP 2's one-time copy, served here as a live mount (what it serves is the same)."""
        _deprecated("import_server() is deprecated: use mount()")
        self.mount(server, namespace=prefix)

    # -- mounted children ------------------------------------------------------------------------------

    def _served(self) -> list[tuple[Kind, str, Any]]:
        """What this server serves now, in listing order: its own visible components, then its children's."""
        own = [(kind, key, c) for kind, key, c in self._all() if (kind, key) in self._live]
        children = [(kind, key, c) for (kind, key), (c, _) in self._derived.items() if (kind, key) in self._live]
        made = [("tool", key, t) for key, t in self._generated.items() if ("tool", key) in self._live]
        return [*own, *children, *made]

    def _owns(self, kind: str, key: str) -> bool:
        return (
            key
            in {"tool": self._tools, "resource": self._resources, "template": self._templates, "prompt": self._prompts}[
                kind
            ]
        )

    def _adopt(self, link: Any, kind: Kind, key: str, component: Any) -> None:
        """A child shows a component under ``key`` here (the parent's own, or an earlier mount's, wins)."""
        address = getattr(component, "_app_address", None) if kind == "tool" else None
        if address is not None and address not in self._addressed:
            # An app's tool is callable by its identity address, listed or not (FastMCP 4 routes a call of
            # ``__<hash>_<name>`` to the tool with that identity), and never listed under it.
            self._addressed[address] = component
            self._register_tool(component.model_copy(update={"name": address}), address, addressed=True)
        if self._owns(kind, key):
            return
        child, inner = component._mounted_from
        child_versions = child._versions.get((kind, inner)) or child._derived_versions.get((kind, inner))
        if child_versions:
            from ._versions import ordered, pick

            copies = {v: link.outer_copy(kind, inner, c) for v, c in child_versions.items()}
            view = self._version_view(copies)
            if not view:
                self._orphan(link, kind, key)
                return
            every = ordered(view)
            for each in view.values():
                each._versions = every
            self._derived_versions[(kind, key)] = view
            component = pick(view, None)
        elif not self._keeps_version(None):
            self._orphan(link, kind, key)
            return
        held = self._derived.get((kind, key))
        if held is not None and held[1] is not link and self._mounts.index(held[1]) < self._mounts.index(link):
            return
        new = (kind, key) not in self._derived
        self._derived[(kind, key)] = (component, link)
        if self._visible(kind, key, component):
            self._show(kind, key, component)
            if new:
                self._resequence(kind, key)
                self._keep_generated_last(kind)
            self._list_changed(_LIST_OF[kind])
        elif (kind, key) in self._live:
            self._hide(kind, key, component)
            self._list_changed(_LIST_OF[kind])

    def _orphan(self, link: Any, kind: Kind, key: str) -> None:
        held = self._derived.get((kind, key))
        if held is None or held[1] is not link:
            return
        del self._derived[(kind, key)]
        self._derived_versions.pop((kind, key), None)
        self._unplace(kind, key)
        # A later mount that has the same key now shows it.
        for other in self._mounts:
            if other is not link:
                for k, inner, component in other.child._served():
                    if k == kind and other.outer_key(k, inner) == key:
                        other.shown(k, inner, component)
                        return

    def _canonical(self, kind: Kind) -> list[str]:
        """The parent-side keys of the children's components of ``kind``, in the order they are listed: mount
        by mount, each child's in its own listing order."""
        keys: list[str] = []
        for link in self._mounts:
            for k, inner, _ in link.child._served():
                if k == kind:
                    outer = link.outer_key(k, inner)
                    held = self._derived.get((k, outer))
                    if held is not None and held[1] is link and outer not in keys:
                        keys.append(outer)
        return keys

    def _resequence(self, kind: Kind, key: str) -> None:
        """A child's component that arrived late (``key``) takes its place among the children's: those that
        come after it are registered again after it."""
        order = self._canonical(kind)
        if key not in order:
            return
        for later in order[order.index(key) + 1 :]:
            if (kind, later) in self._live:
                component = self._derived[(kind, later)][0]
                self._hide(kind, later, component)
                self._show(kind, later, component)

    def _keep_children_last(self, kind: Kind) -> None:
        """After one of its own components is added, the children's come after it again in listings, then
        the tools transforms make."""
        for (k, key), (component, _) in list(self._derived.items()):
            if k == kind and (k, key) in self._live:
                self._hide(k, key, component)
                self._show(k, key, component)
        self._keep_generated_last(kind)

    def _reshow_tools(self) -> None:
        """Registers every served tool again, in listing order (after a ``ToolTransform`` is added)."""
        served = [(key, c) for kind, key, c in self._served() if kind == "tool"]
        for key, component in served:
            self._hide("tool", key, component)
        for key, component in served:
            self._show("tool", key, component)

    def _keep_generated_last(self, kind: Kind) -> None:
        if kind != "tool":
            return
        for key, tool in self._generated.items():
            if ("tool", key) in self._live:
                self._hide("tool", key, tool)
                self._show("tool", key, tool)

    @classmethod
    def as_proxy(cls, backend: Any, **kwargs: Any) -> FastMCP:
        """FastMCP 2/3's spelling of ``create_proxy(backend, **kwargs)`` (with a ``DeprecationWarning``)."""
        _deprecated("FastMCP.as_proxy() is deprecated: use fastmcp.server.create_proxy()")
        return create_proxy(backend, **kwargs)

    @classmethod
    def from_openapi(
        cls,
        openapi_spec: dict[str, Any],
        client: Any = None,
        name: str = "OpenAPI Server",
        route_maps: list[Any] | None = None,
        route_map_fn: Callable[..., Any] | None = None,
        mcp_component_fn: Callable[..., Any] | None = None,
        mcp_names: dict[str, str] | None = None,
        tags: set[str] | None = None,
        validate_output: bool = True,
        **settings: Any,
    ) -> Self:
        """A server of the API ``openapi_spec`` describes, its calls sent with ``client`` (an
        ``httpx.AsyncClient``; without one, a client for the spec's first server URL): see
        ``fastmcp_rs.server.providers.openapi``."""
        from .providers.openapi import OpenAPIProvider

        provider = OpenAPIProvider(
            openapi_spec=openapi_spec,
            client=client,
            route_maps=route_maps,
            route_map_fn=route_map_fn,
            mcp_component_fn=mcp_component_fn,
            mcp_names=mcp_names,
            tags=tags,
            validate_output=validate_output,
        )
        return cls(name=name, providers=[provider], **settings)

    @classmethod
    def from_fastapi(
        cls,
        app: Any,
        name: str | None = None,
        route_maps: list[Any] | None = None,
        route_map_fn: Callable[..., Any] | None = None,
        mcp_component_fn: Callable[..., Any] | None = None,
        mcp_names: dict[str, str] | None = None,
        httpx_client_kwargs: dict[str, Any] | None = None,
        tags: set[str] | None = None,
        **settings: Any,
    ) -> Self:
        """A server of a FastAPI app's routes (its ``app.openapi()``), called in process through an ASGI
        transport (``httpx_client_kwargs`` go to the ``httpx.AsyncClient``; its base URL is
        ``http://fastapi`` unless they say otherwise)."""
        import httpx

        from .providers.openapi import OpenAPIProvider

        options = dict(httpx_client_kwargs or {})
        options.setdefault("base_url", "http://fastapi")
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), **options)
        provider = OpenAPIProvider(
            openapi_spec=app.openapi(),
            client=client,
            route_maps=route_maps,
            route_map_fn=route_map_fn,
            mcp_component_fn=mcp_component_fn,
            mcp_names=mcp_names,
            tags=tags,
        )
        return cls(name=name or app.title, providers=[provider], **settings)

    # -- completion ------------------------------------------------------------------------------------

    def completion(self, handler: Callable[..., Any] | None = None) -> Any:
        """Registers the server's ``completion/complete`` handler: ``(ref, argument, context)`` returning a
        list of strings, a ``Completion`` or ``None``; sync or async. ``@mcp.completion`` or ``@mcp.completion()``."""
        if handler is None:
            return self.add_completion_handler
        return self.add_completion_handler(handler)

    def add_completion_handler(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        from ..completions import CompletionRunner

        runner = CompletionRunner(handler)
        self._completion_handler = handler
        self._native.set_completion(runner.complete, is_async=runner.is_async)
        return handler

    # -- visibility --------------------------------------------------------------------------------------

    def enable(
        self,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[Kind] | None = None,
        only: bool = False,
    ) -> FastMCP:
        """Shows the components that match every given criterion (later calls win); with ``only=True``,
        hides everything else. Connected clients are told what changed."""
        if only:
            self._rules.append(_Rule(False, match_all=True))
        rule = _Rule(True, names=names, keys=keys, tags=tags, components=components, version=version)
        self._rules.append(rule)
        self._sync_visibility()
        return self

    def disable(
        self,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[Kind] | None = None,
    ) -> FastMCP:
        """Hides the components that match every given criterion (``enable`` later shows them again).
        Hidden components answer exactly as missing ones do. Connected clients are told what changed."""
        self._rules.append(_Rule(False, names=names, keys=keys, tags=tags, components=components, version=version))
        self._sync_visibility()
        return self

    def _visible(self, kind: Kind, key: str, component: Any) -> bool:
        shown = bool(getattr(component, "enabled", True))
        name = getattr(component, "name", key)
        tags = set(getattr(component, "tags", ()) or ())
        version = getattr(component, "version", None)
        version = None if version is None else str(version)
        for rule in self._rules:
            if rule.matches(kind, key, name, tags, version):
                shown = rule.enable
        return shown

    def _all(self) -> list[tuple[Kind, str, Any]]:
        """The server's own components (not its children's)."""
        return [
            *(("tool", k, v) for k, v in self._tools.items()),
            *(("resource", k, v) for k, v in self._resources.items()),
            *(("template", k, v) for k, v in self._templates.items()),
            *(("prompt", k, v) for k, v in self._prompts.items()),
        ]

    def _all_served(self) -> list[tuple[Kind, str, Any]]:
        """Its own components, those of mounted children, and the tools transforms make."""
        children = [(kind, key, c) for (kind, key), (c, _) in self._derived.items()]
        return [*self._all(), *children, *(("tool", key, t) for key, t in self._generated.items())]

    def _sync_visibility(self) -> None:
        changed: set[str] = set()
        for kind, key, component in self._all_served():
            shown = self._visible(kind, key, component)
            if shown != ((kind, key) in self._live):
                (self._show if shown else self._hide)(kind, key, component)
                changed.add(_LIST_OF[kind])
        for name in sorted(changed, key=("tools", "resources", "prompts").index):
            self._list_changed(name)

    def _place(self, kind: Kind, key: str, component: Any) -> None:
        """Registers a new or replaced component natively if it is visible, and tells clients."""
        if self._derived.pop((kind, key), None) is not None:
            self._live.discard((kind, key))  # the server's own takes a mounted child's place
        if self._visible(kind, key, component):
            new = (kind, key) not in self._live
            self._show(kind, key, component)
            if new and (self._derived or self._generated):
                self._keep_children_last(kind)
        elif (kind, key) in self._live:
            self._hide(kind, key, component)
        else:
            if self._session_views is not None:  # hidden from everyone, but maybe not from every client
                self._show(kind, key, component)
                if (kind, key) in self._live:
                    self._hide(kind, key, component)
                self._session_views.refresh()
            return
        self._list_changed(_LIST_OF[kind])

    def _unplace(self, kind: Kind, key: str) -> None:
        if (kind, key) in self._live:
            self._hide(kind, key, None)
            self._list_changed(_LIST_OF[kind])
        elif (kind, key) in self._parked:
            native_key = self._native_names.pop((kind, key), key)
            self._forget(kind, key, native_key)
            if self._session_views is not None:
                self._session_views.refresh()

    def _serves_async(self, kind: str, key: str, component: Any) -> bool:
        return (
            True
            if (kind, key) in self._versions or (kind, key) in self._derived_versions
            else (component._serves_async)
        )

    def _serving_fn(self, kind: str, key: str, component: Any) -> Any:
        """What the core calls to serve a resource, template or prompt (inside its span when traced)."""
        versions = self._versions.get((kind, key)) or self._derived_versions.get((kind, key))
        if versions is not None:
            return _versioned_serve(kind, key, versions)
        if not self._tracing:
            return component._serve
        from .telemetry import traced

        return traced(component._serve, component._serves_async, kind, key, self.name)

    def _trace_if_configured(self) -> None:
        """Once an OpenTelemetry SDK is configured (checked as the server starts, after the lifespan has run),
        every component is served inside its span."""
        from .telemetry import tracing_enabled

        if self._tracing or not tracing_enabled():
            return
        self._tracing = True
        self._install_chain()
        tables = {
            "tool": self._tools,
            "resource": self._resources,
            "template": self._templates,
            "prompt": self._prompts,
        }
        for kind, key in sorted(self._live):
            component = tables[kind].get(key)
            if component is None and (kind, key) in self._derived:
                component = self._derived[(kind, key)][0]
            if component is None and kind == "tool":
                component = self._generated.get(key)
            if component is not None:
                self._show(kind, key, component)

    def _handler_forward(self, kind: str, key: str, component: Any) -> Any:
        """A proxied resource, template or prompt the core forwards itself, when nothing in Python has to run
        around its reads (no tracing, one version, no middleware of the mounted server it comes from)."""
        forward_of = getattr(component, "_native_forward", None)
        if forward_of is None or self._tracing:
            return None
        versions = self._versions.get((kind, key)) or self._derived_versions.get((kind, key))
        if versions is not None:
            return None
        mounted = getattr(component, "_mounted_from", None)
        if mounted is not None and mounted[0]._python_middleware:
            return None
        return forward_of()

    def _native_key(self, kind: str, key: str) -> str:
        return self._native_names.get((kind, key), key)

    def _namespaced(self, kind: str, component: Any) -> Any:
        """A component as this server's ``Namespace`` transforms name it (``ns_name``, ``scheme://ns/...``)."""
        from ._mount import _URI

        field = {"tool": "name", "prompt": "name", "resource": "uri", "template": "uri_template"}[kind]
        value = str(getattr(component, field))
        for prefix in self._namespaces:
            if kind in ("tool", "prompt"):
                value = f"{prefix}_{value}"
            elif found := _URI.match(value):
                value = f"{found.group(1)}{prefix}/{found.group(2)}"
        return component.model_copy(update={field: value})

    def _show(self, kind: Kind, key: str, component: Any) -> None:
        native_key = key
        if kind == "tool" and key in self._tool_transforms:
            config = self._tool_transforms[key]
            if "enabled" in config.model_fields_set and not config.enabled:
                return
            component = config.apply(component)
            native_key = component.name
        if self._namespaces:
            component = self._namespaced(kind, component)
            native_key = component.key
        if native_key != key:
            self._native_names[(kind, key)] = native_key
        if kind == "tool":
            self._register_tool(component, key)
        elif kind == "resource":
            listing = json.dumps(component.to_mcp_resource(), ensure_ascii=False)
            self._native.add_resource(
                listing,
                native_key,
                self._serving_fn(kind, key, component),
                is_async=self._serves_async(kind, key, component),
                auth=self._component_auth(kind, key, component),
                forward=self._handler_forward(kind, key, component),
            )
        elif kind == "template":
            security = component.resolve_security(self.resource_security)
            self._native.add_template(
                json.dumps(component.to_mcp_template(), ensure_ascii=False),
                native_key,
                self._serving_fn(kind, key, component),
                is_async=self._serves_async(kind, key, component),
                list_params=list(component.list_params),
                screening=security is not None,
                exempt_params=sorted(security.exempt_params) if security is not None else [],
                reject_path_traversal=security is None or security.reject_path_traversal,
                reject_absolute_paths=security is None or security.reject_absolute_paths,
                reject_null_bytes=security is None or security.reject_null_bytes,
                auth=self._component_auth(kind, key, component),
                forward=self._handler_forward(kind, key, component),
            )
        else:
            listing = json.dumps(component.to_mcp_prompt(), ensure_ascii=False)
            self._native.add_prompt(
                listing,
                native_key,
                self._serving_fn(kind, key, component),
                is_async=self._serves_async(kind, key, component),
                required=component.required,
                auth=self._component_auth(kind, key, component),
                forward=self._handler_forward(kind, key, component),
            )
        own = getattr(component, "_cache_hint", None)
        if own is None:
            self._native.set_cache(kind, native_key, None)
        else:
            from .caching import cache_hint

            hint = cache_hint(own[0], own[1] or self.cache_scope)
            self._native.set_cache(kind, native_key, hint["cache_ttl_ms"], hint["cache_public"])
        self._live.add((kind, key))
        self._parked.discard((kind, key))
        for link in self._parents:
            link.shown(kind, native_key, component)

    def _hide(self, kind: Kind, key: str, component: Any) -> None:
        """Takes a component out of what clients see; with ``component=None`` it is being removed. Once
        clients have views of their own, a hidden one stays in the core, parked, for those whose view has it."""
        if component is not None and self._session_views is not None:
            native_key = self._native_key(kind, key)
            self._native.park(kind, native_key)
            self._parked.add((kind, key))
        else:
            native_key = self._native_names.pop((kind, key), key)
            self._forget(kind, key, native_key)
        self._live.discard((kind, key))
        for link in self._parents:
            link.hidden(kind, native_key)

    def _forget(self, kind: Kind, key: str, native_key: str) -> None:
        remove = {
            "tool": self._native.remove_tool,
            "resource": self._native.remove_resource,
            "template": self._native.remove_template,
            "prompt": self._native.remove_prompt,
        }[kind]
        remove(native_key)
        self._parked.discard((kind, key))
        self._checks.forget(self._check_ids.pop((kind, key), None))
        self._native.set_cache(kind, native_key, None)

    def _park_hidden(self) -> None:
        """Registers every component hidden from everyone in the core, parked (per-session views start)."""
        parents, self._parents = self._parents, []
        try:
            for kind, key, component in self._all_served():
                if (kind, key) not in self._live and (kind, key) not in self._parked:
                    self._show(kind, key, component)
                    if (kind, key) in self._live:
                        self._hide(kind, key, component)
        finally:
            self._parents = parents

    def _list_changed(self, name: str) -> None:
        """Tells connected clients a listing changed, after bringing clients' own views up to date."""
        if self._session_views is not None:
            self._session_views.refresh()
        if not quiet_lists.get():
            self._native.list_changed(name)

    def _reshow_all(self) -> None:
        """Registers everything served again (under new names), in listing order, and tells clients."""
        served = [(k, key, c) for k, key, c in self._all_served() if (k, key) in self._live or (k, key) in self._parked]
        parked = set(self._parked)
        for kind, key, _ in served:
            if (kind, key) in self._live:
                self._hide(kind, key, None)
            else:
                self._forget(kind, key, self._native_names.pop((kind, key), key))
        for kind, key, component in served:
            self._show(kind, key, component)
            if (kind, key) in parked and (kind, key) in self._live:
                self._hide(kind, key, component)
        for name in ("tools", "resources", "prompts"):
            self._list_changed(name)

    def _reorder(self, kind: Kind, keys: list[str]) -> None:
        """Puts this server's own components of ``kind`` in the order of ``keys`` (those it has), after the
        others, in its table and in the core (a provider's or an upstream's listing order, fetched again)."""
        table = {
            "tool": self._tools,
            "resource": self._resources,
            "template": self._templates,
            "prompt": self._prompts,
        }[kind]
        wanted = [k for k in keys if k in table]
        others = [k for k in table if k not in set(wanted)]
        if list(table) == [*others, *wanted]:
            return
        for key in wanted:
            component = table.pop(key)
            table[key] = component
            if (kind, key) in self._live:
                self._hide(kind, key, component)
                self._show(kind, key, component)

    def _list_hooks(self) -> list[Any]:
        """What runs before a listing is served: a proxy's fetch of its upstream's, here and in every mount."""
        hooks = [self._list_hook] if self._list_hook is not None else []
        for link in self._mounts:
            hooks.extend(link.child._list_hooks())
        return hooks

    @property
    def _mcp_server(self) -> Any:
        """SDK v1's low-level server handle, for ``mcp.shared.memory.create_connected_server_and_client_session``
        and other in-memory drivers (see ``fastmcp_rs.server.low_level``)."""
        from .low_level import LowLevelServer

        return LowLevelServer(self)

    # -- running -------------------------------------------------------------------------------------

    def run(self, transport: Transport | None = None, **transport_kwargs: Any) -> None:
        """Serves until stdin closes (stdio) or SIGINT/SIGTERM arrives."""
        # Over stdio the core starts serving before asyncio is even imported: `initialize`, listings and `def`
        # tools need no event loop, and calls to `async def` tools wait in the core's queue until the loop
        # below starts draining it. A client's first answer does not wait for asyncio's import.
        early = None
        protocol_out = None
        transport = transport or _environment_transport()
        if (
            (transport or "stdio") == "stdio"
            and self._lifespan is None
            and not self._list_hooks()
            and not self._server_extensions
        ):
            self._trace_if_configured()  # before the first call can arrive
            protocol_out = _ProtocolStdout()
            early = self._native.start_stdio(None, protocol_out.fd())
        import asyncio

        try:
            if early is not None:
                asyncio.run(self._serve_started(early))
            else:
                asyncio.run(self.run_async(transport, **transport_kwargs))
        except KeyboardInterrupt:
            pass
        finally:
            if early is not None:
                early.shutdown()
                early.close()
            if protocol_out is not None:
                protocol_out.restore()

    async def _serve_started(self, handle: _core.ServerHandle) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        self._native.attach_loop(loop.create_task)
        async with self._running():
            await self._serve(loop, handle)

    @contextlib.asynccontextmanager
    async def _running(self) -> Any:
        """The server's lifespan, once per run: its result is ``ctx.lifespan_context``. A lifespan that fails
        at start-up stops the run with a clear error. Mounted children's lifespans run inside it."""
        from .._dependencies import shared_scope

        _serving.append(self)
        try:
            async with shared_scope(), self._lifespan_running():
                self._trace_if_configured()
                yield
        finally:
            _serving.remove(self)

    @contextlib.asynccontextmanager
    async def _lifespan_running(self, root: bool = True) -> Any:
        # The extensions of the server that runs: a mounted server's serve nothing (as in FastMCP 4).
        extensions = list(self._server_extensions.values()) if root else []
        async with contextlib.AsyncExitStack() as children:
            async with self._own_lifespan():
                if extensions:
                    self._advertise_extensions()  # settings() as the server starts
                for extension in extensions:
                    await children.enter_async_context(extension.lifespan())
                for link in self._mounts:
                    await children.enter_async_context(link.child._lifespan_running(root=False))
                yield

    @contextlib.asynccontextmanager
    async def _own_lifespan(self) -> Any:
        if self._lifespan is None:
            self._lifespan_result = {}
            yield
            return
        manager = self._lifespan(self)
        try:
            result = await manager.__aenter__()
        except Exception as exc:
            print(
                f"fastmcp-rs: the lifespan of {self.name!r} failed at start-up: {type(exc).__name__}: {exc}",
                file=sys.stderr,
                flush=True,
            )
            raise RuntimeError(f"lifespan of {self.name!r} failed at start-up: {exc}") from exc
        from .lifespan import Lifespan

        self._lifespan_result = {} if result is None and isinstance(self._lifespan, Lifespan) else result
        try:
            yield
        except BaseException:
            if not await manager.__aexit__(*sys.exc_info()):
                raise
        else:
            await manager.__aexit__(None, None, None)

    async def run_async(self, transport: Transport | None = None, **transport_kwargs: Any) -> None:
        transport = transport or _environment_transport() or "stdio"
        if transport == "stdio":
            await self.run_stdio_async(**transport_kwargs)
        elif transport in ("http", "streamable-http", "sse"):
            await self.run_http_async(transport=transport, **transport_kwargs)
        else:
            raise ValueError(f"Unknown transport: {transport!r}")

    async def run_stdio_async(self, show_banner: bool = True, **_ignored: Any) -> None:
        import asyncio

        async with self._running():
            loop = asyncio.get_running_loop()
            protocol_out = _ProtocolStdout()
            try:
                handle = self._native.start_stdio(loop.create_task, protocol_out.fd())
                await self._serve(loop, handle)
            finally:
                protocol_out.restore()

    async def run_http_async(
        self,
        host: str | None = None,
        port: int | None = None,
        path: str | None = None,
        *,
        transport: Transport = "http",
        json_response: bool | None = None,
        stateless_http: bool | None = None,
        log_level: str | None = None,
        show_banner: bool = True,
        dns_rebinding_protection: bool | None = None,
        allowed_hosts: list[str] | None = None,
        allowed_origins: list[str] | None = None,
        app: Any = None,
        sse_path: str | None = None,
        message_path: str | None = None,
        **limits: Any,
    ) -> None:
        """Serves Streamable HTTP (``transport="http"``) or the legacy SSE transport (``"sse"``) natively.

        With ``app`` (an ASGI app: FastAPI, Starlette), the MCP endpoint is answered by the core and every
        other path by the app, whose lifespan runs around the server; when middleware of the app's stands
        in front of the MCP endpoint, MCP requests go through the app too, so the middleware sees them."""
        # Limits may be given to run() as well as to the constructor; the environment's `FASTMCP_*` settings
        # stand in for what neither the constructor nor `mcp.settings` set.
        from .. import settings as env

        from_env = {k: v for k, v in env.from_environment(env.current()).items() if k not in self.settings.explicit}
        s = {
            **self.settings,
            **from_env,
            **{k: v for k, v in limits.items() if k in self.settings and v is not None},
        }
        host = host or s["host"]
        port = int(port if port is not None else s["port"])
        options: dict[str, Any] = {
            "json_response": s["json_response"] if json_response is None else json_response,
            "stateless": s["stateless_http"] if stateless_http is None else stateless_http,
            "max_body_bytes": int(s["max_body_bytes"]),
            "max_sessions": int(s["max_sessions"]),
            "session_idle_timeout": float(s["session_idle_timeout"]),
            "max_concurrent_requests": int(s["max_concurrent_requests"]),
            "dns_rebinding_protection": (
                s.get("dns_rebinding_protection") if dns_rebinding_protection is None else dns_rebinding_protection
            ),
            "allowed_hosts": list((s.get("allowed_hosts") if allowed_hosts is None else allowed_hosts) or ()),
            "allowed_origins": list((s.get("allowed_origins") if allowed_origins is None else allowed_origins) or ()),
            "retry_interval": s["retry_interval"],
            "keep_alive_interval": s["keep_alive_interval"],
            "header_read_timeout": s["header_read_timeout"],
            "body_read_timeout": s["body_read_timeout"],
            "drain_timeout": float(s["drain_timeout"]),
            # A custom route of the user's on the same path answers instead.
            "health_path": self._unclaimed(s["health_path"], app),
            "ready_path": self._unclaimed(s["ready_path"], app),
            "metrics_path": self._unclaimed(s["metrics_path"], app),
            **native_options(s["event_store"]),
        }
        if transport == "sse":
            options["streamable"] = False
            options["sse_path"] = sse_path or s.get("sse_path") or "/sse"
            options["message_path"] = message_path or s.get("message_path") or "/messages/"
            shown_path = options["sse_path"]
        else:
            options["path"] = shown_path = path or s.get("path") or s["streamable_http_path"]
        auth_routes = self._auth_routes(shown_path)
        if app is None and (self._custom_routes or auth_routes):
            from starlette.applications import Starlette

            app = Starlette(routes=[*auth_routes, *self._starlette_routes()])
        import asyncio

        app_lifespan: Any = contextlib.nullcontext()
        if app is not None:
            from .http import AsgiLifespan, asgi_runner, find_mcp_mount

            found = find_mcp_mount(app)
            if found is not None and found[0] is self and transport != "sse":
                if found[2]:
                    options["streamable"] = False
                    print(
                        f"fastmcp-rs: middleware of the app stands in front of {found[1]}: MCP requests go "
                        "through the app",
                        file=sys.stderr,
                        flush=True,
                    )
                else:
                    options["path"] = shown_path = found[1]
            app_lifespan = AsgiLifespan(app)
            options["fallback"] = asgi_runner(app, app_lifespan, (host, port))
        async with self._running():
            self._serving_natively = True
            try:
                async with app_lifespan:
                    loop = asyncio.get_running_loop()
                    options["auth"] = self._auth_spec(loop, shown_path)
                    handle = self._native.start_http(loop.create_task, host, port, **options)
                    bound_host, bound_port = handle.address
                    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
                    line = f"fastmcp-rs: serving {self.name!r} on http://{shown}:{bound_port}{shown_path}"
                    await self._serve(loop, handle, announce=lambda: print(line, file=sys.stderr, flush=True))
            finally:
                self._serving_natively = False

    def _unclaimed(self, path: str | None, app: Any) -> str | bool:
        """A health path, or ``False`` when it is off, or a custom route of the server's (or a route of the
        app it is mounted in) has it."""
        if not path:
            return False
        path = path if path.startswith("/") else f"/{path}"
        claimed = {route[0] for route in self._custom_routes}
        claimed.update(getattr(r, "path", None) for r in getattr(app, "routes", None) or ())
        return False if path in claimed else path

    async def _serve(
        self, loop: asyncio.AbstractEventLoop, handle: _core.ServerHandle, announce: Callable[[], None] | None = None
    ) -> None:
        import asyncio

        loop.add_reader(handle.fileno(), handle.drain)
        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, handle.shutdown)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread: the caller stops us
        if announce is not None:
            # Only once SIGINT/SIGTERM stop the server cleanly: whoever waits for this line may signal at once.
            announce()
        try:
            closed = loop.create_future()
            handle.wait_closed(closed)
            await closed
        except asyncio.CancelledError:
            handle.shutdown()
            raise
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
            loop.remove_reader(handle.fileno())
            handle.close()


def _versioned_serve(kind: str, key: str, versions: dict[str, Any]) -> Any:
    """Serves the version of a resource, template or prompt a read or get asks for (the highest by default);
    an unknown one is answered as FastMCP 4 answers it (``-32602``)."""
    import inspect

    from ._versions import pick, requested_version

    async def serve(arguments: dict[str, Any], handle: Any) -> Any:
        chosen = pick(versions, requested_version(handle.meta))
        if chosen is None:
            if kind == "prompt":
                raise McpError(code=-32602, message=f"Unknown prompt: {key!r}")
            uri = handle.tool_name
            raise McpError(code=-32602, message=f"Resource not found: {uri!r}", data={"uri": uri})
        value = chosen._serve(arguments, handle)
        return await value if inspect.isawaitable(value) else value

    return serve


class _ProtocolStdout:
    """Over stdio the protocol gets file descriptor 1 to itself: the core writes to a duplicate of it, and fd 1
    (so ``print()``, C libraries, ``os.system`` and subprocesses that inherit it) goes to stderr for the run,
    as FastMCP keeps them out of the stream. A client strict about its input never sees a stray line."""

    # Set by ``guard_stdout_early()`` (``fastmcp-rs run`` over stdio, before it imports the user's file).
    early: int | None = None

    def __init__(self) -> None:
        self._saved: int | None = None
        if _ProtocolStdout.early is not None:
            self._saved, _ProtocolStdout.early = _ProtocolStdout.early, None
            return
        try:
            self._saved = os.dup(1)
            os.dup2(2, 1)
        except OSError:  # no fd 1 or 2 (embedded): write the protocol to fd 1 as it is
            self._saved = None
        try:
            sys.stdout.flush()  # what the file printed before serving (still buffered) goes to stderr too
        except (AttributeError, ValueError, OSError):
            pass

    def fd(self) -> int | None:
        """A descriptor of the real stdout for the core to own and close; ``None``: the core uses fd 1."""
        return None if self._saved is None else os.dup(self._saved)

    def restore(self) -> None:
        if self._saved is None:
            return
        try:
            sys.stdout.flush()
        except (AttributeError, ValueError, OSError):
            pass
        os.dup2(self._saved, 1)
        os.close(self._saved)
        self._saved = None


def guard_stdout_early() -> None:
    """Points fd 1 at stderr now, before the server file is imported, so that even what it prints at import
    time (unbuffered) stays out of the stdio protocol stream; the next stdio run takes the real stdout over."""
    if _ProtocolStdout.early is not None:
        return
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError, AttributeError):
        return
    _ProtocolStdout.early = saved


def create_proxy(target: Any, *, mode: str | None = None, **settings: Any) -> Any:
    """A proxy server for ``target`` (see ``fastmcp_rs.server.providers.proxy``)."""
    from .providers.proxy import create_proxy as make

    return make(target, mode=mode, **settings)
