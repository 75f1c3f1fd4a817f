"""``fastmcp.server.auth``: authentication is not supported by fastmcp-rs yet. The names import; using them
raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

from .auth import (
    AccessToken,
    AuthProvider,
    MultiAuth,
    OAuthProvider,
    RemoteAuthProvider,
    TokenVerificationError,
    TokenVerifier,
)
from .identity_assertion import IdentityAssertion
from .oauth_proxy import OAuthProxy
from .oidc_proxy import OIDCProxy
from .providers.debug import DebugTokenVerifier
from .providers.jwt import JWTVerifier, StaticTokenVerifier

__all__ = [
    "AccessToken",
    "AuthCheck",
    "AuthContext",
    "AuthProvider",
    "DebugTokenVerifier",
    "IdentityAssertion",
    "JWTVerifier",
    "MultiAuth",
    "OAuthProvider",
    "OAuthProxy",
    "OIDCProxy",
    "RemoteAuthProvider",
    "StaticTokenVerifier",
    "TokenVerificationError",
    "TokenVerifier",
    "require_roles",
    "require_scopes",
    "restrict_tag",
    "run_auth_checks",
]

_FEATURE = "authentication"

AuthCheck = stub("AuthCheck", _FEATURE, __name__)
AuthContext = stub("AuthContext", _FEATURE, __name__)
require_roles = stub("require_roles", _FEATURE, __name__)
require_scopes = stub("require_scopes", _FEATURE, __name__)
restrict_tag = stub("restrict_tag", _FEATURE, __name__)
run_auth_checks = stub("run_auth_checks", _FEATURE, __name__)
