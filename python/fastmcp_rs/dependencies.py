"""``fastmcp.dependencies``: dependency injection for tool, resource and prompt parameters. ``Depends``,
``Shared``, ``CallArgument`` and ``Dependency`` are those of ``uncalled-for``, the engine FastMCP 4 uses; the
markers for what the server knows (``CurrentContext()``, ``CurrentHeaders()``, ``Progress()``, ...) come from
``fastmcp_rs.server.dependencies``. (The old ``fastmcp_rs.dependencies.get_http_headers`` path is kept.)"""

from typing import Any

from ._dependencies import CycleError
from .server.dependencies import (
    CurrentAccessToken,
    CurrentContext,
    CurrentFastMCP,
    CurrentHeaders,
    CurrentRequest,
    Progress,
    ProgressLike,
    TokenClaim,
    get_context,
    get_http_headers,
    get_http_request,
)

try:
    from uncalled_for import CallArgument, Dependency, Depends, Shared
except ImportError:  # pragma: no cover - Python 3.10: uncalled-for needs 3.11
    from ._unsupported import stub

    _FEATURE = "dependency injection on Python 3.10 (it needs 3.11)"
    CallArgument = stub("CallArgument", _FEATURE, __name__)
    Dependency = stub("Dependency", _FEATURE, __name__)
    Depends = stub("Depends", _FEATURE, __name__)
    Shared = stub("Shared", _FEATURE, __name__)

__all__ = [
    "CallArgument",
    "CurrentAccessToken",
    "CurrentContext",
    "CurrentFastMCP",
    "CurrentHeaders",
    "CurrentRequest",
    "CycleError",
    "Dependency",
    "Depends",
    "Progress",
    "ProgressLike",
    "Shared",
    "TokenClaim",
    "get_context",
    "get_http_headers",
    "get_http_request",
]

_MOVED_TO_TASKS = {"CurrentDocket", "CurrentWorker"}


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_TASKS:
        raise ImportError(
            f"{name!r} moved to the fastmcp-tasks package. Install it with `pip install 'fastmcp[tasks]'` and "
            f"import from `fastmcp_tasks.dependencies`."
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
