"""``fastmcp.server.auth.providers.auth0``: ``Auth0Provider``, an ``OIDCProxy`` for an Auth0 application
(its discovery document at ``config_url``; ``audience`` is the Auth0 API the tokens are for), default scope
``openid``; ``Auth0MCPProvider``, a resource server whose tokens an Auth0 tenant issues (Auth0 registers MCP
clients itself): its keys and issuer from the discovery document, the audience bound to this server's resource
URL once the MCP path is known, Auth0's authorization-server metadata forwarded; and ``Auth0JWTVerifier``, a
``JWTVerifier`` that also takes the RBAC ``permissions`` claim as scopes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AnyHttpUrl

from ..auth import RemoteAuthProvider, TokenVerifier, parse_scopes
from ..oidc_proxy import OIDCConfiguration, OIDCProxy
from .jwt import JWTVerifier

__all__ = ["Auth0JWTVerifier", "Auth0MCPProvider", "Auth0Provider"]


class Auth0Provider(OIDCProxy):
    def __init__(
        self,
        *,
        config_url: Any,
        client_id: str,
        client_secret: str,
        audience: str,
        timeout_seconds: int | None = 10,
        base_url: Any,
        resource_base_url: Any = None,
        issuer_url: Any = None,
        required_scopes: list[str] | None = None,
        redirect_path: str | None = None,
        allowed_client_redirect_uris: list[str] | None = None,
        client_storage: Any = None,
        jwt_signing_key: str | bytes | None = None,
        require_authorization_consent: bool | Literal["remember", "external"] = True,
        consent_csp_policy: str | None = None,
        forward_resource: bool = True,
        fallback_refresh_token_expiry_seconds: int | None = None,
        fastmcp_access_token_expiry_seconds: int | None = None,
        token_expiry_threshold_seconds: int = 0,
        enable_cimd: bool = True,
        identity_assertion: Any = None,
    ) -> None:
        super().__init__(
            config_url=config_url,
            client_id=client_id,
            client_secret=client_secret,
            audience=audience,
            timeout_seconds=timeout_seconds,
            required_scopes=required_scopes or ["openid"],
            base_url=base_url,
            resource_base_url=resource_base_url,
            issuer_url=issuer_url,
            redirect_path=redirect_path,
            allowed_client_redirect_uris=allowed_client_redirect_uris,
            client_storage=client_storage,
            jwt_signing_key=jwt_signing_key,
            require_authorization_consent=require_authorization_consent,
            consent_csp_policy=consent_csp_policy,
            forward_resource=forward_resource,
            fallback_refresh_token_expiry_seconds=fallback_refresh_token_expiry_seconds,
            fastmcp_access_token_expiry_seconds=fastmcp_access_token_expiry_seconds,
            token_expiry_threshold_seconds=token_expiry_threshold_seconds,
            enable_cimd=enable_cimd,
            identity_assertion=identity_assertion,
        )


class Auth0JWTVerifier(JWTVerifier):
    """A ``JWTVerifier`` whose scopes are ``scope`` (or ``scp``) plus Auth0's RBAC ``permissions``."""

    _extra_scope_claims = ("permissions",)


class Auth0MCPProvider(RemoteAuthProvider):
    _audience_note = (
        "Auth0 tokens will be validated against aud=%s. Set your Auth0 API identifier to this URL and "
        "enable the Resource Parameter Compatibility Profile."
    )

    def __init__(
        self,
        *,
        config_url: Any,
        base_url: Any,
        resource_base_url: Any = None,
        required_scopes: list[str] | None = None,
        scopes_supported: list[str] | None = None,
        resource_name: str | None = None,
        resource_documentation: Any = None,
        token_verifier: TokenVerifier | None = None,
        timeout_seconds: int | None = 10,
    ) -> None:
        config = OIDCConfiguration.get_oidc_configuration(config_url, strict=None, timeout_seconds=timeout_seconds)
        self.issuer = str(config.issuer).rstrip("/")
        scopes = parse_scopes(required_scopes) if required_scopes is not None else None
        # A verifier of our own making gets its audience from the resource URL; one that is given is used as is.
        self._auto_bind_audience = token_verifier is None
        if token_verifier is None:
            token_verifier = Auth0JWTVerifier(
                jwks_uri=str(config.jwks_uri), issuer=str(config.issuer), algorithm="RS256", required_scopes=scopes
            )
        super().__init__(
            token_verifier=token_verifier,
            # Listed as pydantic writes the URL (a bare host gets its "/"), as FastMCP 4 lists it.
            authorization_servers=[str(AnyHttpUrl(self.issuer))],
            base_url=str(base_url).rstrip("/"),
            resource_base_url=str(resource_base_url) if resource_base_url is not None else None,
            scopes_supported=scopes_supported,
            resource_name=resource_name,
            resource_documentation=resource_documentation,
            required_scopes=scopes,
        )

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        metadata = f"{self.issuer}/.well-known/oauth-authorization-server"
        return [*super().get_routes(mcp_path), self._authorization_server_route([metadata], "Auth0")]
