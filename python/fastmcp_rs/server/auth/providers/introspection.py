"""``fastmcp.server.auth.providers.introspection``: opaque tokens checked at an RFC 7662 introspection
endpoint, by the core (FastMCP 4's options: Basic or form client authentication, ``audience``,
``required_scopes``, answers kept ``cache_ttl_seconds`` when given)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from ..auth import AccessToken, TokenVerifier

__all__ = ["IntrospectionTokenVerifier"]


class IntrospectionTokenVerifier(TokenVerifier):
    def __init__(
        self,
        *,
        introspection_url: str,
        client_id: str,
        client_secret: Any,
        client_auth_method: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic",
        timeout_seconds: int = 10,
        required_scopes: list[str] | None = None,
        audience: str | list[str] | None = None,
        base_url: str | None = None,
        cache_ttl_seconds: int | None = None,
        max_cache_size: int | None = None,
        http_client: Any = None,
    ) -> None:
        super().__init__(base_url=base_url, required_scopes=required_scopes)
        if client_auth_method not in ("client_secret_basic", "client_secret_post"):
            raise ValueError(
                f"Invalid client_auth_method: {client_auth_method!r}. "
                "Must be 'client_secret_basic' or 'client_secret_post'."
            )
        if http_client is not None:
            raise NotImplementedError("IntrospectionTokenVerifier(http_client=...): the core sends the requests")
        secret = client_secret.get_secret_value() if hasattr(client_secret, "get_secret_value") else client_secret
        self.introspection_url = introspection_url
        self.client_id = client_id
        self._client_secret = str(secret)
        self.client_auth_method = client_auth_method
        self.timeout_seconds = timeout_seconds
        self.audience = audience
        self.cache_ttl_seconds = cache_ttl_seconds
        self.max_cache_size = max_cache_size

    def _verifier_spec(self, loop: asyncio.AbstractEventLoop | None) -> dict[str, Any]:
        audience = [self.audience] if isinstance(self.audience, str) else list(self.audience or [])
        return {
            "kind": "introspection",
            "introspection_url": self.introspection_url,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "client_auth_method": self.client_auth_method,
            "timeout_seconds": float(self.timeout_seconds),
            "required_scopes": self.required_scopes,
            "audience": audience,
            "cache_ttl_seconds": float(self.cache_ttl_seconds) if self.cache_ttl_seconds else None,
        }

    async def verify_token(self, token: str) -> AccessToken | None:
        from fastmcp_rs import _core

        found = await asyncio.to_thread(_core.verify_token, self._verifier_spec(None), token)
        return AccessToken(**found) if found is not None else None
