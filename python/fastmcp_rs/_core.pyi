"""Type stubs for the native module ``fastmcp_rs._core`` (kept by hand, like pydantic-core's)."""

import asyncio
from collections.abc import Callable
from typing import Any, final

from typing_extensions import Self

__all__ = [
    "AsgiResponder",
    "HttpEndpoint",
    "HttpExchange",
    "MemoryConnection",
    "NativeServer",
    "RequestHandle",
    "ServerHandle",
    "Upstream",
    "ViewRef",
    "__version__",
    "current_request",
    "verify_token",
]

__version__: str

@final
class RequestHandle:
    """The Rust side of a ``Context``: the request it belongs to."""

    def log(self, level: str, data: Any, logger: str | None = None) -> bool: ...
    def progress(self, progress: float, total: float | None = None, message: str | None = None) -> bool: ...
    def notify(self, method: str, params: Any = None) -> None: ...
    @property
    def request_id(self) -> int | str: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def progress_token(self) -> int | str | None: ...
    @property
    def protocol_version(self) -> str | None: ...
    @property
    def tool_name(self) -> str: ...
    @property
    def client_capabilities(self) -> dict[str, Any] | None: ...
    @property
    def is_modern(self) -> bool: ...
    @property
    def in_task(self) -> bool: ...
    @property
    def view_scope(self) -> str | None: ...
    def view_ref(self) -> ViewRef | None: ...
    @property
    def input_responses(self) -> dict[str, Any] | None: ...
    @property
    def input_state(self) -> str | None: ...
    def next_input_index(self) -> int: ...
    @property
    def headers(self) -> dict[str, str] | None: ...
    @property
    def access_token(self) -> dict[str, Any] | None: ...
    @property
    def trusted_transport(self) -> bool: ...
    @property
    def meta(self) -> dict[str, Any] | None: ...
    @property
    def session_state(self) -> dict[str, Any]: ...
    @property
    def request_state(self) -> dict[str, Any]: ...
    def for_target(self, target: str) -> RequestHandle: ...
    def close_sse_stream(self) -> bool: ...
    def take_chain_error(self) -> BaseException | None: ...
    def serve_native(self, method: str, params: dict[str, Any], future: asyncio.Future[tuple[str, Any]]) -> None: ...
    def send_request(self, method: str, params: Any, future: asyncio.Future[tuple[str, Any]]) -> None: ...

@final
class ViewRef:
    """A handshake-era session's own view (per-session visibility); does not keep the session alive."""

    def set(self, view: dict[str, list[str] | None] | None) -> bool: ...
    @property
    def alive(self) -> bool: ...

def current_request() -> RequestHandle | None: ...
def verify_token(spec: dict[str, Any], token: str) -> dict[str, Any] | None: ...

@final
class ServerHandle:
    """A running server."""

    def fileno(self) -> int: ...
    def drain(self) -> None: ...
    def shutdown(self) -> None: ...
    def wait_closed(self, future: asyncio.Future[None]) -> None: ...
    def close(self) -> None: ...
    @property
    def address(self) -> tuple[str, int] | None: ...

@final
class NativeServer:
    """The tool registry and dispatcher, with the Python callables behind each tool."""

    def __new__(
        cls,
        name: str,
        version: str,
        *,
        tool_error: type[BaseException],
        mcp_error: type[BaseException],
        context_factory: Callable[[RequestHandle], Any],
        current: Any,
        instructions: str | None = None,
        title: str | None = None,
        website_url: str | None = None,
        icons: list[Any] | None = None,
        list_page_size: int | None = None,
        mask_error_details: bool = False,
        max_threads: int = 40,
        active_sync_calls: int = 2,
        cache_ttl_ms: int | None = None,
        cache_public: bool = False,
        request_state_keys: list[bytes] = ...,
        request_state_ttl: float | None = None,
    ) -> Self: ...
    def set_cache(self, kind: str, key: str, ttl_ms: int | None = None, public: bool = False) -> None: ...
    def add_token_bucket(self, per_second: float, capacity: float, *, global_limit: bool = False) -> None: ...
    def add_sliding_window(self, max_requests: int, window_seconds: float) -> None: ...
    def add_tool(
        self,
        definition: str,
        func: Callable[..., Any],
        *,
        is_async: bool,
        prepare: Callable[[dict[str, Any]], dict[str, Any]],
        convert: Callable[[Any], dict[str, Any]],
        context_param: str | None = None,
        prepare_json: Callable[[bytes], dict[str, Any] | None] | None = None,
        plain_arguments: bool = False,
        result_shape: str | None = None,
        result_json: Callable[[Any], bytes] | None = None,
        timeout: float | None = None,
        auth: tuple[list[str], int | None] | None = None,
        forward: tuple[Upstream, str] | None = None,
        addressed: bool = False,
    ) -> None: ...
    def remove_tool(self, name: str) -> bool: ...
    def add_resource(
        self,
        definition: str,
        uri: str,
        func: Callable[..., Any],
        *,
        is_async: bool,
        auth: tuple[list[str], int | None] | None = None,
        forward: tuple[Upstream, str] | None = None,
    ) -> None: ...
    def add_template(
        self,
        definition: str,
        uri_template: str,
        func: Callable[..., Any],
        *,
        is_async: bool,
        list_params: list[str] = ...,
        screening: bool = True,
        exempt_params: list[str] = ...,
        reject_path_traversal: bool = True,
        reject_absolute_paths: bool = True,
        reject_null_bytes: bool = True,
        auth: tuple[list[str], int | None] | None = None,
        forward: tuple[Upstream, str, str] | None = None,
    ) -> None: ...
    def add_prompt(
        self,
        definition: str,
        name: str,
        func: Callable[..., Any],
        *,
        is_async: bool,
        required: list[str] = ...,
        auth: tuple[list[str], int | None] | None = None,
        forward: tuple[Upstream, str] | None = None,
    ) -> None: ...
    def set_authorizer(self, authorizer: Callable[[list[int], dict[str, Any] | None], list[bool]]) -> None: ...
    def set_middleware(
        self,
        dispatcher: Callable[[str, dict[str, Any], RequestHandle], Any] | None,
        calls: bool = True,
        chain: bool = True,
    ) -> None: ...
    def set_extensions(
        self, capabilities: dict[str, Any], methods: list[str], experimental: dict[str, Any] | None = None
    ) -> None: ...
    def set_completion(self, func: Callable[..., Any] | None, *, is_async: bool = False) -> None: ...
    def set_listed_tools(self, names: list[str] | None) -> None: ...
    def remove_resource(self, uri: str) -> bool: ...
    def remove_template(self, uri_template: str) -> bool: ...
    def remove_prompt(self, name: str) -> bool: ...
    def park(self, kind: str, key: str) -> bool: ...
    def use_views(self) -> None: ...
    def set_instructions(self, text: str) -> bool: ...
    def set_upstream_identity(self, info: dict[str, Any]) -> bool: ...
    def set_scope_view(self, scope: str, view: dict[str, list[str] | None] | None) -> None: ...
    def list_changed(self, kind: str) -> int: ...
    def resource_updated(self, uri: str) -> int: ...
    def find_resource(self, uri: str) -> tuple[Callable[..., Any], bool, dict[str, Any]] | None: ...
    @staticmethod
    def template_parameters(uri_template: str) -> list[str]: ...
    def attach_loop(self, create_task: Callable[..., Any]) -> None: ...
    def start_stdio(self, create_task: Callable[..., Any] | None, output_fd: int | None = None) -> ServerHandle: ...
    def start_http(self, create_task: Callable[..., Any], host: str, port: int, **options: Any) -> ServerHandle:
        """``options``: path, json_response, stateless, max_body_bytes, max_sessions, session_idle_timeout,
        max_concurrent_requests, dns_rebinding_protection, allowed_hosts, allowed_origins, streamable,
        sse_path, message_path, event_store, event_store_max_events_per_stream, event_store_max_events,
        event_store_ttl, retry_interval, keep_alive_interval, header_read_timeout, body_read_timeout,
        drain_timeout, health_path, ready_path, metrics_path."""
    def start_memory(self, create_task: Callable[..., Any]) -> ServerHandle: ...
    def connect_memory(self, on_message: Callable[[bytes], object]) -> MemoryConnection: ...
    def http_endpoint(self, **options: Any) -> HttpEndpoint: ...

@final
class Upstream:
    """A proxy's upstream over Streamable HTTP, spoken by the core."""

    def __new__(
        cls,
        url: str,
        *,
        headers: list[tuple[str, str]] = ...,
        forward_headers: bool = True,
        unforwarded: list[str] = ...,
        client_name: str = ...,
        client_version: str = ...,
        as_upstream: bool = False,
        on_list_changed: Callable[[str], Any] | None = None,
    ) -> Upstream: ...
    def request(
        self,
        handle: RequestHandle | None,
        method: str,
        params: dict[str, Any] | None,
        done: Callable[[str, Any], Any],
        *,
        forward_meta: bool = False,
    ) -> None: ...
    def relayed_call(self, result: dict[str, Any]) -> dict[str, Any]: ...

@final
class MemoryConnection:
    """One in-memory client connection."""

    def send(self, message: bytes) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...

@final
class HttpExchange:
    """One request in flight through an ``HttpEndpoint``."""

    def cancel(self) -> None: ...

@final
class HttpEndpoint:
    """The Streamable HTTP / legacy SSE endpoint, driven by an ASGI server."""

    def handle(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        on_start: Callable[[int, list[tuple[bytes, bytes]]], object],
        on_body: Callable[[bytes | None], object],
    ) -> HttpExchange: ...
    def close(self) -> None: ...

@final
class AsgiResponder:
    """How an ASGI app's ``send`` reaches a native HTTP response."""

    def start(self, status: int, headers: list[tuple[bytes, bytes]]) -> None: ...
    def body(self, chunk: bytes, more_body: bool) -> bool: ...
    @property
    def started(self) -> bool: ...
    def finish(self) -> None: ...
