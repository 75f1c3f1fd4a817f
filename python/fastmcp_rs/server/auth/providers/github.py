"""``fastmcp.server.auth.providers.github``: ``GitHubProvider``, an ``OAuthProxy`` in front of a GitHub OAuth
App, and ``GitHubTokenVerifier``, which checks a GitHub token by asking GitHub's API who holds it
(``/user``) and which scopes it has (the ``X-OAuth-Scopes`` header; a GitHub App's token lists none and is
taken as ``user``). GitHub's answers that mean "try later" (5xx, 429, rate limits) raise
``TokenVerificationError`` rather than refusing the token. Answers are kept ``cache_ttl_seconds`` when given."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any, Literal

from ..auth import AccessToken, TokenVerificationError, TokenVerifier, parse_scopes
from ..oauth_proxy.proxy import OAuthProxy

__all__ = ["GitHubProvider", "GitHubTokenVerifier"]

GITHUB_API = "https://api.github.com"
_HEADERS = {"Accept": "application/vnd.github.v3+json", "User-Agent": "FastMCP-GitHub-OAuth"}


class _Cache:
    """Verified tokens by SHA-256, until ``ttl`` passes; least recently used dropped past ``size``."""

    def __init__(self, ttl: int | None, size: int | None) -> None:
        self.ttl, self.size = ttl, size or 10_000
        self._held: OrderedDict[str, tuple[float, AccessToken]] = OrderedDict()

    def get(self, token: str) -> AccessToken | None:
        if not self.ttl:
            return None
        key = hashlib.sha256(token.encode()).hexdigest()
        held = self._held.get(key)
        if held is None or held[0] < time.monotonic():
            self._held.pop(key, None)
            return None
        self._held.move_to_end(key)
        return held[1]

    def put(self, token: str, found: AccessToken) -> None:
        if not self.ttl:
            return
        self._held[hashlib.sha256(token.encode()).hexdigest()] = (time.monotonic() + self.ttl, found)
        while len(self._held) > self.size:
            self._held.popitem(last=False)


def _transient(response: Any) -> bool:
    if response.status_code >= 500 or response.status_code == 429:
        return True
    if response.status_code == 403:
        limited = response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers
        return limited or "secondary rate limit" in response.text.lower()
    return False


class GitHubTokenVerifier(TokenVerifier):
    """Checks GitHub OAuth tokens against GitHub's API (see the module's documentation)."""

    api_base: str = GITHUB_API

    def __init__(
        self,
        *,
        required_scopes: list[str] | None = None,
        timeout_seconds: int = 10,
        cache_ttl_seconds: int | None = None,
        max_cache_size: int | None = None,
        http_client: Any = None,
    ) -> None:
        super().__init__(required_scopes=required_scopes)
        self.timeout_seconds = timeout_seconds
        self._http_client = http_client
        self._cache = _Cache(cache_ttl_seconds, max_cache_size)

    async def verify_token(self, token: str) -> AccessToken | None:
        held = self._cache.get(token)
        if held is not None:
            return held
        import httpx

        headers = {**_HEADERS, "Authorization": f"Bearer {token}"}
        client = self._http_client or httpx.AsyncClient(timeout=self.timeout_seconds)
        try:
            user = await client.get(f"{self.api_base}/user", headers=headers)
            if user.status_code != 200:
                if _transient(user):
                    raise TokenVerificationError(f"GitHub API unavailable ({user.status_code})")
                return None
            data = user.json()
            if "id" not in data:
                raise TokenVerificationError("GitHub's /user answer has no id")
            scopes: list[str] | None
            try:
                repos = await client.get(f"{self.api_base}/user/repos", headers=headers, params={"per_page": 1})
            except httpx.HTTPError:
                scopes = None
            else:
                if repos.status_code == 200:
                    header = repos.headers.get("x-oauth-scopes", "")
                    scopes = [s.strip() for s in header.split(",") if s.strip()] or ["user"]
                elif repos.status_code >= 500:
                    scopes = None
                else:
                    return None
        finally:
            if self._http_client is None:
                await client.aclose()
        if scopes is None:
            if self.required_scopes:
                raise TokenVerificationError("GitHub did not say which scopes the token has")
            scopes = []
        if any(s not in scopes for s in self.required_scopes):
            return None
        user_id = str(data["id"])
        found = AccessToken(
            token=token,
            client_id=user_id,
            scopes=scopes,
            expires_at=None,
            subject=user_id,
            claims={
                "sub": user_id,
                "login": data.get("login"),
                "name": data.get("name"),
                "email": data.get("email"),
                "avatar_url": data.get("avatar_url"),
                "github_user_data": data,
            },
        )
        self._cache.put(token, found)
        return found


class GitHubProvider(OAuthProxy):
    """Logs users in with a GitHub OAuth App (``client_id``, ``client_secret``; callback
    ``<base_url>/auth/callback``), default scope ``user``."""

    authorization_endpoint = "https://github.com/login/oauth/authorize"
    token_endpoint = "https://github.com/login/oauth/access_token"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        base_url: Any,
        resource_base_url: Any = None,
        issuer_url: Any = None,
        redirect_path: str | None = None,
        required_scopes: list[str] | None = None,
        timeout_seconds: int = 10,
        cache_ttl_seconds: int | None = None,
        max_cache_size: int | None = None,
        allowed_client_redirect_uris: list[str] | None = None,
        client_storage: Any = None,
        jwt_signing_key: str | bytes | None = None,
        require_authorization_consent: bool | Literal["remember", "external"] = True,
        consent_csp_policy: str | None = None,
        forward_resource: bool = True,
        fallback_refresh_token_expiry_seconds: int | None = None,
        fastmcp_access_token_expiry_seconds: int | None = None,
        token_expiry_threshold_seconds: int = 0,
        http_client: Any = None,
        enable_cimd: bool = True,
        identity_assertion: Any = None,
    ) -> None:
        verifier = GitHubTokenVerifier(
            required_scopes=parse_scopes(required_scopes) or ["user"],
            timeout_seconds=timeout_seconds,
            cache_ttl_seconds=cache_ttl_seconds,
            max_cache_size=max_cache_size,
            http_client=http_client,
        )
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
