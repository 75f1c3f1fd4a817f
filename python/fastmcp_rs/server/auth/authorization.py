"""The per-component checks, where ``fastmcp.server.auth`` users import them from (they live in
``fastmcp_rs.utilities.authorization``, as in FastMCP)."""

from fastmcp_rs.utilities.authorization import (
    AuthCheck,
    AuthContext,
    AuthorizationError,
    ComponentChecks,
    require_roles,
    require_scopes,
    restrict_tag,
    run_auth_checks,
)

__all__ = [
    "AuthCheck",
    "AuthContext",
    "AuthorizationError",
    "ComponentChecks",
    "require_roles",
    "require_scopes",
    "restrict_tag",
    "run_auth_checks",
]
