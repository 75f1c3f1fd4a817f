"""``fastmcp.server.auth.oidc_proxy``: ``OIDCProxy``, an ``OAuthProxy`` configured from an OpenID Connect
provider's discovery document (``config_url``, usually ``.../.well-known/openid-configuration``): its
authorization, token and revocation endpoints, and a ``JWTVerifier`` on its ``jwks_uri`` and ``issuer`` for
the provider's access tokens (or for its ID tokens, with ``verify_id_token=True``, for providers whose access
tokens are opaque). The document is fetched when the proxy is made, and kept five minutes per URL."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, model_validator

from .auth import AccessToken, TokenVerifier
from .oauth_proxy.proxy import OAuthProxy, _split_scopes
from .providers.jwt import JWTVerifier

__all__ = ["OIDCConfiguration", "OIDCProxy"]

_CACHE: OrderedDict[tuple[str, bool | None, int | None], tuple[float, OIDCConfiguration]] = OrderedDict()
_CACHE_TTL = 300
_CACHE_SIZE = 128
_STRICT_URLS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
_STRICT_LISTS = ("response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported")


class OIDCConfiguration(BaseModel):
    """An OpenID Provider's metadata (OpenID Connect Discovery 1.0). With ``strict`` (the default) the fields
    the specification requires must be there."""

    model_config = ConfigDict(extra="allow")

    strict: bool = True
    issuer: AnyHttpUrl | str | None = None
    authorization_endpoint: AnyHttpUrl | str | None = None
    token_endpoint: AnyHttpUrl | str | None = None
    userinfo_endpoint: AnyHttpUrl | str | None = None
    jwks_uri: AnyHttpUrl | str | None = None
    registration_endpoint: AnyHttpUrl | str | None = None
    scopes_supported: Sequence[str] | None = None
    response_types_supported: Sequence[str] | None = None
    grant_types_supported: Sequence[str] | None = None
    subject_types_supported: Sequence[str] | None = None
    id_token_signing_alg_values_supported: Sequence[str] | None = None
    token_endpoint_auth_methods_supported: Sequence[str] | None = None
    claims_supported: Sequence[str] | None = None
    service_documentation: AnyHttpUrl | str | None = None
    revocation_endpoint: AnyHttpUrl | str | None = None
    introspection_endpoint: AnyHttpUrl | str | None = None
    code_challenge_methods_supported: Sequence[str] | None = None
    end_session_endpoint: AnyHttpUrl | str | None = None

    @model_validator(mode="after")
    def _enforce_strict(self) -> OIDCConfiguration:
        if not self.strict:
            return self
        for name in (*_STRICT_URLS, *_STRICT_LISTS):
            if getattr(self, name) is None:
                raise ValueError(f"Missing required configuration metadata: {name}")
        for name in _STRICT_URLS:
            AnyHttpUrl(str(getattr(self, name)))
        return self

    @classmethod
    def get_oidc_configuration(
        cls, config_url: AnyHttpUrl | str, *, strict: bool | None, timeout_seconds: int | None
    ) -> OIDCConfiguration:
        """Fetches and checks the discovery document (kept five minutes per URL)."""
        import httpx

        key = (str(config_url), strict, timeout_seconds)
        held = _CACHE.get(key)
        if held is not None and held[0] > time.monotonic():
            _CACHE.move_to_end(key)
            return held[1]
        answer = httpx.get(str(config_url), timeout=timeout_seconds or 10)
        answer.raise_for_status()
        document = answer.json()
        if strict is not None:
            document["strict"] = strict
        config = cls.model_validate(document)
        _CACHE[key] = (time.monotonic() + _CACHE_TTL, config)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return config


class OIDCProxy(OAuthProxy):
    """An ``OAuthProxy`` for an OpenID Connect provider, set up from its discovery document.

    Args are FastMCP 4's: ``config_url``, ``strict``, ``client_id`` and ``client_secret`` (the proxy's client
    at the provider), ``audience`` (sent as ``audience=`` when authorizing and exchanging codes, and checked
    in the tokens), ``timeout_seconds``, ``token_verifier`` (instead of the default ``JWTVerifier``; not with
    ``algorithm`` or ``required_scopes``), ``algorithm``, ``required_scopes``, ``verify_id_token``, and the
    ``OAuthProxy`` options."""

    oidc_config: OIDCConfiguration

    def __init__(
        self,
        *,
        config_url: AnyHttpUrl | str,
        strict: bool | None = None,
        client_id: str,
        client_secret: str | None = None,
        audience: str | None = None,
        timeout_seconds: int | None = 10,
        token_verifier: TokenVerifier | None = None,
        algorithm: str | None = None,
        required_scopes: list[str] | None = None,
        verify_id_token: bool = False,
        base_url: AnyHttpUrl | str,
        resource_base_url: AnyHttpUrl | str | None = None,
        issuer_url: AnyHttpUrl | str | None = None,
        redirect_path: str | None = None,
        allowed_client_redirect_uris: list[str] | None = None,
        valid_scopes: list[str] | None = None,
        client_storage: Any = None,
        jwt_signing_key: str | bytes | None = None,
        token_endpoint_auth_method: str | None = None,
        require_authorization_consent: bool | Literal["remember", "external"] = True,
        consent_csp_policy: str | None = None,
        forward_resource: bool = True,
        extra_authorize_params: dict[str, str] | None = None,
        extra_token_params: dict[str, str] | None = None,
        fallback_access_token_expiry_seconds: int | None = None,
        fallback_refresh_token_expiry_seconds: int | None = None,
        fastmcp_access_token_expiry_seconds: int | None = None,
        token_expiry_threshold_seconds: int = 0,
        enable_cimd: bool = True,
        identity_assertion: Any = None,
    ) -> None:
        if not config_url:
            raise ValueError("Missing required config URL")
        if not client_id:
            raise ValueError("Missing required client id")
        if not base_url:
            raise ValueError("Missing required base URL")
        if not client_secret and jwt_signing_key is None:
            raise ValueError("jwt_signing_key is required when client_secret is not provided")
        if token_verifier is not None and (algorithm is not None or required_scopes is not None):
            raise ValueError("Cannot specify algorithm or required_scopes when providing token_verifier")
        self.oidc_config = self.get_oidc_configuration(config_url, strict, timeout_seconds)
        config = self.oidc_config
        if not config.authorization_endpoint or not config.token_endpoint:
            raise ValueError("The discovery document has no authorization or token endpoint")
        self.verify_id_token = verify_id_token
        if token_verifier is None:
            token_verifier = self.get_token_verifier(
                algorithm=algorithm,
                audience=client_id if verify_id_token else audience,
                required_scopes=None if verify_id_token else required_scopes,
                timeout_seconds=timeout_seconds,
            )
        self._required_after_id_token = list(required_scopes or []) if verify_id_token else None
        authorize_params = dict(extra_authorize_params or {})
        token_params = dict(extra_token_params or {})
        if audience:
            authorize_params = {"audience": audience, **authorize_params}
            token_params = {"audience": audience, **token_params}
        super().__init__(
            upstream_authorization_endpoint=str(config.authorization_endpoint),
            upstream_token_endpoint=str(config.token_endpoint),
            upstream_client_id=client_id,
            upstream_client_secret=client_secret,
            upstream_revocation_endpoint=str(config.revocation_endpoint) if config.revocation_endpoint else None,
            token_verifier=token_verifier,
            base_url=base_url,
            resource_base_url=resource_base_url,
            redirect_path=redirect_path,
            issuer_url=issuer_url,
            service_documentation_url=str(config.service_documentation) if config.service_documentation else None,
            allowed_client_redirect_uris=allowed_client_redirect_uris,
            valid_scopes=valid_scopes,
            token_endpoint_auth_method=token_endpoint_auth_method,
            extra_authorize_params=authorize_params,
            extra_token_params=token_params,
            client_storage=client_storage,
            jwt_signing_key=jwt_signing_key,
            require_authorization_consent=require_authorization_consent,
            consent_csp_policy=consent_csp_policy,
            forward_resource=forward_resource,
            fallback_access_token_expiry_seconds=fallback_access_token_expiry_seconds,
            fallback_refresh_token_expiry_seconds=fallback_refresh_token_expiry_seconds,
            fastmcp_access_token_expiry_seconds=fastmcp_access_token_expiry_seconds,
            token_expiry_threshold_seconds=token_expiry_threshold_seconds,
            enable_cimd=enable_cimd,
            identity_assertion=identity_assertion,
        )
        if self._required_after_id_token is not None:
            self.required_scopes = self._required_after_id_token

    def get_oidc_configuration(
        self, config_url: AnyHttpUrl | str, strict: bool | None, timeout_seconds: int | None
    ) -> OIDCConfiguration:
        return OIDCConfiguration.get_oidc_configuration(config_url, strict=strict, timeout_seconds=timeout_seconds)

    def get_token_verifier(
        self,
        *,
        algorithm: str | None = None,
        audience: str | None = None,
        required_scopes: list[str] | None = None,
        timeout_seconds: int | None = None,
    ) -> TokenVerifier:
        if not self.oidc_config.jwks_uri:
            raise ValueError("The discovery document has no jwks_uri: give token_verifier=")
        return JWTVerifier(
            jwks_uri=str(self.oidc_config.jwks_uri),
            issuer=str(self.oidc_config.issuer) if self.oidc_config.issuer else None,
            algorithm=algorithm,
            audience=audience,
            required_scopes=required_scopes,
        )

    def _verified_token(self, token_set: dict[str, Any]) -> str:
        if self.verify_id_token:
            id_token = (token_set.get("raw_token_data") or {}).get("id_token")
            if not id_token:
                raise ValueError("the provider gave no id_token to verify")
            return id_token
        return super()._verified_token(token_set)

    async def _check_upstream(self, token_set: dict[str, Any]) -> AccessToken | None:
        checked = await super()._check_upstream(token_set)
        if checked is None or not self.verify_id_token:
            return checked
        # The ID token says who the user is; the access token it came with is what the user holds.
        scopes = _split_scopes(token_set.get("scope"))
        expires = token_set.get("expires_at")
        update = {"token": token_set["access_token"], "scopes": scopes, "expires_at": int(expires) if expires else None}
        patched = checked.model_copy(update=update)
        if any(s not in scopes for s in self.required_scopes or []):
            return None
        return patched
