"""``fastmcp.dependencies``: dependency markers for tool parameters. ``CurrentContext()`` works; the others
import but are not supported yet. (The old ``fastmcp_rs.dependencies.get_http_headers`` path is kept.)"""

from ._unsupported import stub
from .server.dependencies import (
    CurrentAccessToken,
    CurrentContext,
    CurrentFastMCP,
    CurrentHeaders,
    CurrentRequest,
    Progress,
    TokenClaim,
    get_context,
    get_http_headers,
    get_http_request,
)

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


class CycleError(Exception):
    """Dependencies that depend on each other (dependency injection is not supported yet)."""


CallArgument = stub("CallArgument", "dependency injection", __name__)
Dependency = stub("Dependency", "dependency injection", __name__)
Depends = stub("Depends", "dependency injection", __name__)
ProgressLike = stub("ProgressLike", "dependency injection", __name__)
Shared = stub("Shared", "dependency injection", __name__)
