"""``fastmcp.server.auth.providers.keycloak``: ``KeycloakAuthProvider``, a resource server whose tokens a
Keycloak realm issues (Keycloak registers MCP clients itself): tokens are checked against the realm's keys
(``<realm>/protocol/openid-connect/certs``) and issuer, with ``openid`` required unless told otherwise."""

from __future__ import annotations

from typing import Any

from ..auth import RemoteAuthProvider, TokenVerifier, parse_scopes
from .jwt import JWTVerifier

__all__ = ["KeycloakAuthProvider"]


class KeycloakAuthProvider(RemoteAuthProvider):
    def __init__(
        self,
        *,
        realm_url: Any,
        base_url: Any,
        required_scopes: list[str] | str | None = None,
        audience: str | list[str] | None = None,
        token_verifier: TokenVerifier | None = None,
    ) -> None:
        self.realm_url = str(realm_url).rstrip("/")
        scopes = parse_scopes(required_scopes) if required_scopes is not None else ["openid"]
        if token_verifier is None:
            token_verifier = JWTVerifier(
                jwks_uri=f"{self.realm_url}/protocol/openid-connect/certs",
                issuer=self.realm_url,
                algorithm="RS256",
                required_scopes=scopes,
                audience=audience,
            )
        super().__init__(
            token_verifier=token_verifier,
            authorization_servers=[self.realm_url],
            base_url=str(base_url).rstrip("/"),
            required_scopes=parse_scopes(required_scopes) if required_scopes is not None else None,
        )
