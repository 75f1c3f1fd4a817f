"""``fastmcp.server.auth.providers.supabase``: ``SupabaseProvider``, a resource server whose tokens Supabase Auth
issues (Supabase registers MCP clients itself). Tokens are JWTs checked against the project's keys
(``<project_url>/<auth_route>/.well-known/jwks.json``), issuer ``<project_url>/<auth_route>`` and audience
``authenticated``; ``/.well-known/oauth-authorization-server`` forwards Supabase's own metadata document."""

from __future__ import annotations

import logging
from typing import Any, Literal

from ..auth import RemoteAuthProvider, TokenVerifier, parse_scopes
from .jwt import JWTVerifier

__all__ = ["SupabaseProvider"]


class SupabaseProvider(RemoteAuthProvider):
    def __init__(
        self,
        *,
        project_url: Any,
        base_url: Any,
        auth_route: str = "/auth/v1",
        algorithm: Literal["RS256", "ES256"] = "ES256",
        required_scopes: list[str] | None = None,
        scopes_supported: list[str] | None = None,
        resource_name: str | None = None,
        resource_documentation: Any = None,
        token_verifier: TokenVerifier | None = None,
    ) -> None:
        self.project_url = str(project_url).rstrip("/")
        self.auth_route = auth_route.strip("/")
        scopes = parse_scopes(required_scopes) if required_scopes is not None else None
        issuer = f"{self.project_url}/{self.auth_route}"
        if token_verifier is None:
            logging.getLogger("fastmcp.server.auth.providers.supabase").warning(
                "SupabaseProvider cannot validate token audience for the specific resource because Supabase Auth "
                "does not support RFC 8707 resource indicators. This may leave the server vulnerable to "
                "cross-server token replay."
            )
            token_verifier = JWTVerifier(
                jwks_uri=f"{issuer}/.well-known/jwks.json",
                issuer=issuer,
                algorithm=algorithm,
                audience="authenticated",
                required_scopes=scopes,
            )
        super().__init__(
            token_verifier=token_verifier,
            authorization_servers=[issuer],
            base_url=str(base_url).rstrip("/"),
            scopes_supported=scopes_supported,
            resource_name=resource_name,
            resource_documentation=resource_documentation,
            required_scopes=scopes,
        )

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        metadata = f"{self.project_url}/{self.auth_route}/.well-known/oauth-authorization-server"
        return [*super().get_routes(mcp_path), self._authorization_server_route([metadata], "Supabase")]
