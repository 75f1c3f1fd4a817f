"""``fastmcp.server.auth``: bearer-token authentication of the HTTP transports (verified in the core),
``OAuthProxy`` / ``OIDCProxy`` (an authorization server in front of an identity provider without dynamic
client registration), ``MultiAuth`` (tokens from several sources), and per-component authorization.
``OAuthProvider`` (an authorization server of your own) is not supported yet: it imports, and raises
``NotImplementedError`` when used."""

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
