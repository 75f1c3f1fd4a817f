"""``fastmcp.server.auth``: bearer-token authentication of the HTTP transports (verified in the core) and
per-component authorization. ``OAuthProxy``, ``OIDCProxy``, ``MultiAuth`` and ``OAuthProvider`` are not
supported yet: they import, and raise ``NotImplementedError`` when used."""

from .auth import (
    AccessToken,
    AuthProvider,
    MultiAuth,
    OAuthProvider,
    RemoteAuthProvider,
    TokenVerificationError,
    TokenVerifier,
)
from .authorization import AuthCheck, AuthContext, require_roles, require_scopes, restrict_tag, run_auth_checks
from .identity_assertion import IdentityAssertion
from .oauth_proxy import OAuthProxy
from .oidc_proxy import OIDCProxy
from .providers.debug import DebugTokenVerifier
from .providers.introspection import IntrospectionTokenVerifier
from .providers.jwt import JWTVerifier, StaticTokenVerifier

__all__ = [
    "AccessToken",
    "AuthCheck",
    "AuthContext",
    "AuthProvider",
    "DebugTokenVerifier",
    "IdentityAssertion",
    "IntrospectionTokenVerifier",
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
