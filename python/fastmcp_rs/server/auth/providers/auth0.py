"""``fastmcp.server.auth.providers.auth0``: ``Auth0Provider``, an ``OIDCProxy`` for an Auth0 application
(its discovery document at ``config_url``; ``audience`` is the Auth0 API the tokens are for), default scope
``openid``. ``Auth0JWTVerifier`` and ``Auth0MCPProvider`` are not supported yet: they import, and raise
``NotImplementedError`` when used."""

from __future__ import annotations

from typing import Any, Literal

from fastmcp_rs._unsupported import stub

from ..oidc_proxy import OIDCProxy

__all__ = ["Auth0JWTVerifier", "Auth0MCPProvider", "Auth0Provider"]

_FEATURE = "authentication (auth0 provider)"


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


Auth0JWTVerifier = stub("Auth0JWTVerifier", _FEATURE, __name__)
Auth0MCPProvider = stub("Auth0MCPProvider", _FEATURE, __name__)
