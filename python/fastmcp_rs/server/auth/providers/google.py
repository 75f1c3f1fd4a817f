"""``fastmcp.server.auth.providers.google``: ``GoogleProvider``, an ``OAuthProxy`` in front of a Google OAuth
client, and ``GoogleTokenVerifier``, which checks a Google access token with Google's ``tokeninfo``
endpoint (audience, subject, scopes, expiry) and adds the user's profile from ``userinfo``. The scope
shorthands ``email`` and ``profile`` are taken as Google's full scope URIs. Offline access (a refresh token)
is asked for by default (``access_type=offline``, ``prompt=consent``)."""

from __future__ import annotations

import time
from typing import Any, Literal

from ..auth import AccessToken, TokenVerifier, parse_scopes
from ..oauth_proxy.proxy import OAuthProxy
from .github import _Cache

__all__ = ["GoogleProvider", "GoogleTokenVerifier"]

GOOGLE_SCOPE_ALIASES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}


def _normalize(scope: str) -> str:
    return GOOGLE_SCOPE_ALIASES.get(scope, scope)


class GoogleTokenVerifier(TokenVerifier):
    """Checks Google access tokens (see the module's documentation)."""

    tokeninfo_url = "https://oauth2.googleapis.com/tokeninfo"
    userinfo_url = "https://www.googleapis.com/oauth2/v2/userinfo"

    def __init__(
        self,
        *,
        required_scopes: list[str] | None = None,
        timeout_seconds: int = 10,
        cache_ttl_seconds: int | None = None,
        max_cache_size: int | None = None,
        http_client: Any = None,
        audience: str | list[str] | None = None,
    ) -> None:
        super().__init__(required_scopes=[_normalize(s) for s in parse_scopes(required_scopes) or []])
        self.timeout_seconds = timeout_seconds
        self.audience = [audience] if isinstance(audience, str) else list(audience or [])
        self._http_client = http_client
        self._cache = _Cache(cache_ttl_seconds, max_cache_size)

    async def verify_token(self, token: str) -> AccessToken | None:
        held = self._cache.get(token)
        if held is not None:
            return held
        import httpx

        headers = {"Authorization": f"Bearer {token}", "User-Agent": "FastMCP-Google-OAuth"}
        client = self._http_client or httpx.AsyncClient(timeout=self.timeout_seconds)
        try:
            info = await client.get(self.tokeninfo_url, headers=headers)
            if info.status_code != 200:
                return None
            data = info.json()
            aud, sub = data.get("aud"), data.get("sub")
            if not aud or not sub or (self.audience and aud not in self.audience):
                return None
            scopes = str(data.get("scope") or "").split()
            if any(s not in scopes for s in self.required_scopes):
                return None
            expires_in = data.get("expires_in")
            expires_at = int(time.time() + int(expires_in)) if expires_in is not None else None
            profile: dict[str, Any] = {}
            try:
                answer = await client.get(self.userinfo_url, headers=headers)
                if answer.status_code == 200:
                    profile = answer.json()
            except httpx.HTTPError:
                pass
        except httpx.HTTPError:
            return None
        finally:
            if self._http_client is None:
                await client.aclose()
        claims = {"sub": sub, "aud": aud, "email": data.get("email"), "email_verified": data.get("email_verified")}
        for key in ("name", "picture", "given_name", "family_name", "locale"):
            claims[key] = profile.get(key)
        claims["google_user_data"] = profile
        found = AccessToken(
            token=token, client_id=sub, scopes=scopes, expires_at=expires_at, subject=sub, claims=claims
        )
        self._cache.put(token, found)
        return found


class GoogleProvider(OAuthProxy):
    """Logs users in with a Google OAuth client (``client_id``, ``client_secret``; callback
    ``<base_url>/auth/callback``), default scope ``openid``."""

    authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth"
    token_endpoint = "https://oauth2.googleapis.com/token"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        base_url: Any,
        resource_base_url: Any = None,
        issuer_url: Any = None,
        redirect_path: str | None = None,
        required_scopes: list[str] | None = None,
        valid_scopes: list[str] | None = None,
        timeout_seconds: int = 10,
        cache_ttl_seconds: int | None = None,
        max_cache_size: int | None = None,
        allowed_client_redirect_uris: list[str] | None = None,
        client_storage: Any = None,
        jwt_signing_key: str | bytes | None = None,
        require_authorization_consent: bool | Literal["remember", "external"] = True,
        consent_csp_policy: str | None = None,
        forward_resource: bool = True,
        extra_authorize_params: dict[str, str] | None = None,
        fallback_refresh_token_expiry_seconds: int | None = None,
        fastmcp_access_token_expiry_seconds: int | None = None,
        token_expiry_threshold_seconds: int = 0,
        http_client: Any = None,
        enable_cimd: bool = True,
        identity_assertion: Any = None,
    ) -> None:
        verifier = GoogleTokenVerifier(
            required_scopes=parse_scopes(required_scopes) or ["openid"],
            timeout_seconds=timeout_seconds,
            cache_ttl_seconds=cache_ttl_seconds,
            max_cache_size=max_cache_size,
            http_client=http_client,
            audience=client_id,
        )
        valid = parse_scopes(valid_scopes)
        super().__init__(
            upstream_authorization_endpoint=self.authorization_endpoint,
            upstream_token_endpoint=self.token_endpoint,
            upstream_client_id=client_id,
            upstream_client_secret=client_secret,
            token_verifier=verifier,
            base_url=base_url,
            resource_base_url=resource_base_url,
            redirect_path=redirect_path,
            issuer_url=issuer_url,
            allowed_client_redirect_uris=allowed_client_redirect_uris,
            valid_scopes=[_normalize(s) for s in valid] if valid is not None else None,
            extra_authorize_params={"access_type": "offline", "prompt": "consent", **(extra_authorize_params or {})},
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
