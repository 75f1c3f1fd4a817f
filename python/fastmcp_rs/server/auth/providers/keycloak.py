"""``fastmcp.server.auth.providers.keycloak``: authentication (keycloak provider) is not supported by fastmcp-rs
yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["KeycloakAuthProvider"]

_FEATURE = "authentication (keycloak provider)"

KeycloakAuthProvider = stub("KeycloakAuthProvider", _FEATURE, __name__)
