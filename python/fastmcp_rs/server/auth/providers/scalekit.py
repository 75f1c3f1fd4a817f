"""``fastmcp.server.auth.providers.scalekit``: ``ScalekitProvider``, a resource server whose tokens a Scalekit
environment issues for one resource (Scalekit registers MCP clients itself): JWTs checked against
``<environment_url>/keys``, issued by the environment or by ``<environment_url>/resources/<resource_id>``, for
the audience ``resource_id``; ``/.well-known/oauth-authorization-server`` forwards the resource's metadata."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import AnyHttpUrl

from ..auth import RemoteAuthProvider, TokenVerifier, parse_scopes
from .jwt import JWTVerifier

__all__ = ["ScalekitProvider"]

_log = logging.getLogger("fastmcp.server.auth.providers.scalekit")


class ScalekitProvider(RemoteAuthProvider):
    def __init__(
        self,
        *,
        environment_url: Any,
        resource_id: str,
        base_url: Any = None,
        mcp_url: Any = None,
        client_id: str | None = None,
        required_scopes: list[str] | None = None,
        scopes_supported: list[str] | None = None,
        resource_name: str | None = None,
        resource_documentation: Any = None,
        token_verifier: TokenVerifier | None = None,
    ) -> None:
        base = base_url or mcp_url
        if not base:
            raise ValueError("Either base_url or mcp_url must be provided")
        if mcp_url is not None:
            _log.warning(
                "ScalekitProvider parameter 'mcp_url' is deprecated and will be removed in a future release. "
                "Rename it to 'base_url'."
            )
        if client_id is not None:
            _log.warning(
                "ScalekitProvider no longer requires 'client_id'. The parameter is accepted only for backward "
                "compatibility and will be removed in a future release."
            )
        self.environment_url = str(environment_url).rstrip("/")
        self.resource_id = resource_id
        scopes = parse_scopes(required_scopes) if required_scopes is not None else []
        if token_verifier is None:
            token_verifier = JWTVerifier(
                jwks_uri=f"{self.environment_url}/keys",
                issuer=[self.environment_url, f"{self.environment_url}/resources/{resource_id}"],
                algorithm="RS256",
                audience=resource_id,
                required_scopes=scopes or None,
            )
        super().__init__(
            token_verifier=token_verifier,
            authorization_servers=[str(AnyHttpUrl(f"{self.environment_url}/resources/{resource_id}"))],
            base_url=str(base),
            scopes_supported=scopes_supported,
            resource_name=resource_name,
            resource_documentation=resource_documentation,
            required_scopes=scopes if required_scopes is not None else None,
        )
        self.required_scopes = scopes

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        metadata = f"{self.environment_url}/.well-known/oauth-authorization-server/resources/{self.resource_id}"
        return [*super().get_routes(mcp_path), self._authorization_server_route([metadata], "Scalekit")]
