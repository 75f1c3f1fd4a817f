"""``fastmcp.server.auth.providers.workos``: ``AuthKitProvider``, a resource server whose tokens WorkOS AuthKit
issues (AuthKit registers MCP clients itself): JWTs checked against ``<authkit_domain>/oauth2/jwks`` and the
issuer ``authkit_domain``, their audience bound to this server's resource URL once the MCP path is known (AuthKit
mints that audience with RFC 8707 resource indicators); ``/.well-known/oauth-authorization-server`` forwards
AuthKit's own metadata. ``WorkOSTokenVerifier`` checks an opaque AuthKit token by asking its ``userinfo``
endpoint. ``WorkOSProvider`` (an ``OAuthProxy`` whose scopes come from the stored upstream token set) is not
supported yet: it imports, and raises ``NotImplementedError`` when used."""

from __future__ import annotations

import logging
from typing import Any

from fastmcp_rs._unsupported import stub

from ..auth import AccessToken, RemoteAuthProvider, TokenVerifier, parse_scopes
from .jwt import JWTVerifier

__all__ = ["AuthKitProvider", "WorkOSProvider", "WorkOSTokenVerifier"]

_log = logging.getLogger("fastmcp.server.auth.providers.workos")


class WorkOSTokenVerifier(TokenVerifier):
    """A token is valid when AuthKit's ``/oauth2/userinfo`` answers 200 for it; its scopes are the answer's
    ``scope`` (or ``scopes``) and must include ``required_scopes``. Network errors refuse the token."""

    def __init__(
        self,
        *,
        authkit_domain: str,
        required_scopes: list[str] | None = None,
        timeout_seconds: int = 10,
        http_client: Any = None,
    ) -> None:
        super().__init__(required_scopes=required_scopes)
        self.authkit_domain = authkit_domain.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._http_client = http_client

    async def verify_token(self, token: str) -> AccessToken | None:
        import httpx

        client = self._http_client or httpx.AsyncClient(timeout=self.timeout_seconds)
        try:
            answer = await client.get(
                f"{self.authkit_domain}/oauth2/userinfo",
                headers={"Authorization": f"Bearer {token}", "User-Agent": "FastMCP-WorkOS-OAuth"},
            )
            if answer.status_code != 200:
                _log.debug("WorkOS token verification failed: %d - %s", answer.status_code, answer.text[:200])
                return None
            user = answer.json()
        except Exception as exc:
            _log.debug("Failed to verify WorkOS token: %s", exc)
            return None
        finally:
            if self._http_client is None:
                await client.aclose()
        scopes = parse_scopes(user.get("scope") or user.get("scopes")) or []
        if any(s not in scopes for s in self.required_scopes):
            _log.debug("WorkOS token missing required scopes. required=%s actual=%s", self.required_scopes, scopes)
            return None
        claims = {k: user.get(k) for k in ("sub", "email", "email_verified", "name", "given_name", "family_name")}
        return AccessToken(
            token=token,
            client_id=str(user.get("sub", "unknown")),
            scopes=scopes,
            expires_at=None,
            subject=user.get("sub"),
            claims=claims,
        )


class AuthKitProvider(RemoteAuthProvider):
    _audience_note = (
        "AuthKit tokens will be validated against aud=%s. "
        "Configure this URL as a Resource Indicator in the WorkOS Dashboard."
    )

    def __init__(
        self,
        *,
        authkit_domain: Any,
        base_url: Any,
        resource_base_url: Any = None,
        required_scopes: list[str] | None = None,
        scopes_supported: list[str] | None = None,
        resource_name: str | None = None,
        resource_documentation: Any = None,
        token_verifier: TokenVerifier | None = None,
    ) -> None:
        self.authkit_domain = str(authkit_domain).rstrip("/")
        scopes = parse_scopes(required_scopes) if required_scopes is not None else None
        # A verifier of our own making gets its audience from the resource URL; one that is given is used as is.
        self._auto_bind_audience = token_verifier is None
        if token_verifier is None:
            token_verifier = JWTVerifier(
                jwks_uri=f"{self.authkit_domain}/oauth2/jwks",
                issuer=self.authkit_domain,
                algorithm="RS256",
                required_scopes=scopes,
            )
        super().__init__(
            token_verifier=token_verifier,
            authorization_servers=[self.authkit_domain],
            base_url=str(base_url).rstrip("/"),
            resource_base_url=str(resource_base_url) if resource_base_url is not None else None,
            scopes_supported=scopes_supported,
            resource_name=resource_name,
            resource_documentation=resource_documentation,
            required_scopes=scopes,
        )

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        metadata = f"{self.authkit_domain}/.well-known/oauth-authorization-server"
        return [*super().get_routes(mcp_path), self._authorization_server_route([metadata], "AuthKit")]


WorkOSProvider = stub("WorkOSProvider", "authentication (WorkOSProvider, an OAuthProxy)", __name__)
