"""``fastmcp.server.auth.auth``: the token model, the verifier and provider base classes, and
``RemoteAuthProvider``. Verification itself runs in the core (``fastmcp_rs._core``): a provider here only
describes what to check (``_native_spec``). A ``TokenVerifier`` subclass with its own ``verify_token`` runs
on the server's event loop."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from fastmcp_rs._unsupported import stub

__all__ = [
    "AccessToken",
    "AuthProvider",
    "MultiAuth",
    "OAuthProvider",
    "PrivateKeyJWTClientAuthenticator",
    "RemoteAuthProvider",
    "TokenHandler",
    "TokenVerificationError",
    "TokenVerifier",
]

_FEATURE = "authentication"
#: How long the core waits for a Python ``verify_token`` before it refuses the token.
_VERIFY_TIMEOUT = 30.0


class AccessToken(BaseModel):
    """A verified bearer token, as ``get_access_token()`` gives it to a tool."""

    token: str
    client_id: str
    scopes: list[str] = Field(default_factory=list)
    expires_at: int | None = None
    resource: str | None = None
    subject: str | None = None
    claims: dict[str, Any] = Field(default_factory=dict)
    original_client_id: str | None = None

    def __repr__(self) -> str:  # the token itself stays out of logs
        return f"AccessToken(client_id={self.client_id!r}, scopes={self.scopes!r}, expires_at={self.expires_at!r})"

    __str__ = __repr__


class TokenVerificationError(Exception):
    """Raised by a verifier that refuses a token and wants to say why (the client still gets 401)."""


def parse_scopes(value: Any) -> list[str] | None:
    """Scopes given as a list, a JSON array string, or a comma- or space-separated string (as FastMCP takes
    them)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return [str(s) for s in json.loads(text)]
        return [s for s in text.replace(",", " ").split() if s]
    return [str(s) for s in value]


class AuthProvider:
    """What ``FastMCP(auth=...)`` takes: something that authenticates every HTTP request to the MCP paths
    (stdio is trusted)."""

    def __init__(self, base_url: str | None = None, required_scopes: list[str] | None = None) -> None:
        self.base_url = str(base_url) if base_url is not None else None
        self.required_scopes: list[str] = parse_scopes(required_scopes) or []

    async def verify_token(self, token: str) -> AccessToken | None:
        raise NotImplementedError(f"{type(self).__name__} does not verify tokens")

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        """HTTP routes the provider serves beside the MCP endpoint (an authorization server's); none here."""
        return []

    def set_mcp_path(self, mcp_path: str | None) -> None:
        """Told the MCP endpoint's path when the app is built."""

    def get_well_known_routes(self, mcp_path: str | None = None) -> list[Any]:
        """The discovery routes among ``get_routes`` (those under ``/.well-known/``), for an app that mounts
        the server's app under a path and serves discovery at its root."""
        return [r for r in self.get_routes(mcp_path) if getattr(r, "path", "").startswith("/.well-known/")]

    def _verifier_spec(self, loop: asyncio.AbstractEventLoop | None) -> dict[str, Any]:
        """How the core verifies a token: a native verifier, or (the default) this object's own
        ``verify_token``, awaited on the server's loop from a worker thread."""
        verify = self.verify_token

        def run(token: str) -> dict[str, Any] | None:
            if loop is None:
                raise RuntimeError("the server's event loop is not running")
            future = asyncio.run_coroutine_threadsafe(verify(token), loop)
            try:
                found = future.result(_VERIFY_TIMEOUT)
            except TokenVerificationError:
                return None
            if found is None:
                return None
            if not isinstance(found, BaseModel):
                raise TypeError(f"verify_token must return an AccessToken or None, not {type(found).__name__}")
            data = found.model_dump()
            return {k: data.get(k) for k in ("token", "client_id", "scopes", "expires_at", "subject", "claims")}

        return {"kind": "python", "func": run, "required_scopes": self.required_scopes}

    def _native_spec(self, loop: asyncio.AbstractEventLoop | None, mcp_path: str) -> dict[str, Any]:
        return {
            "verifier": self._verifier_spec(loop),
            "required_scopes": self.required_scopes,
            "challenge_scopes": None,
            "metadata": None,
        }


class TokenVerifier(AuthProvider):
    """A provider that only checks tokens (a resource server). Subclass it and write ``verify_token``, or use
    ``JWTVerifier``, ``StaticTokenVerifier`` or ``IntrospectionTokenVerifier``."""

    @property
    def scopes_supported(self) -> list[str]:
        return list(self.required_scopes)


class RemoteAuthProvider(AuthProvider):
    """A resource server whose tokens an external authorization server issues: it verifies them with
    ``token_verifier`` and tells clients where to get them (RFC 9728 metadata at
    ``/.well-known/oauth-protected-resource<mcp path>``, named in every 401)."""

    def __init__(
        self,
        token_verifier: TokenVerifier,
        authorization_servers: list[Any],
        base_url: str,
        scopes_supported: list[str] | None = None,
        resource_base_url: str | None = None,
        resource_name: str | None = None,
        resource_documentation: str | None = None,
        challenge_scopes: list[str] | None = None,
        required_scopes: list[str] | None = None,
    ) -> None:
        required = parse_scopes(required_scopes)
        super().__init__(base_url=base_url, required_scopes=required or token_verifier.required_scopes)
        self.token_verifier = token_verifier
        self.authorization_servers = [str(s) for s in authorization_servers]
        self.resource_base_url = str(resource_base_url) if resource_base_url is not None else None
        self.resource_name = resource_name
        self.resource_documentation = str(resource_documentation) if resource_documentation is not None else None
        self._scopes_supported = parse_scopes(scopes_supported)
        self.challenge_scopes = parse_scopes(challenge_scopes)

    async def verify_token(self, token: str) -> AccessToken | None:
        return await self.token_verifier.verify_token(token)

    #: Set by a provider that made its own ``JWTVerifier`` whose tokens name this server's resource URL as
    #: their audience (RFC 8707): the audience is bound once the MCP path is known, and ``_audience_note``
    #: (with the URL for ``%s``) is logged to say how to configure the identity provider for it.
    _auto_bind_audience: bool = False
    _audience_note: str = "Tokens will be validated against aud=%s."

    def set_mcp_path(self, mcp_path: str | None) -> None:
        super().set_mcp_path(mcp_path)
        if not self._auto_bind_audience:
            return
        audience = self.resource_url(mcp_path or "/mcp")
        if getattr(self.token_verifier, "audience", audience) != audience:
            self.token_verifier.audience = audience  # type: ignore[attr-defined]
            logger = logging.getLogger(type(self).__module__.replace("fastmcp_rs", "fastmcp"))
            logger.info(self._audience_note, audience)

    #: How long a forwarded authorization-server document is served before it is fetched again, and how long
    #: after a failed fetch no new one is tried.
    FORWARDED_METADATA_TTL_SECONDS: float = 300.0
    FORWARDED_METADATA_ERROR_TTL_SECONDS: float = 5.0

    async def _forward_authorization_server_metadata(self, metadata_urls: Sequence[str], provider_name: str) -> Any:
        """The upstream authorization server's metadata, for a subclass's ``/.well-known/oauth-authorization-
        server`` route: the first of ``metadata_urls`` that answers 2xx with JSON, kept for the TTL; one
        fetch at a time, so a burst on a cold cache costs one request. After a failure the last good document
        is served, or a 500 ``server_error`` naming the provider."""
        import httpx
        from starlette.responses import JSONResponse

        state = self.__dict__.setdefault(
            "_forwarded", {"lock": asyncio.Lock(), "doc": None, "until": 0.0, "retry": 0.0}
        )

        def fresh() -> Any:
            return (
                JSONResponse(state["doc"]) if state["doc"] is not None and time.monotonic() < state["until"] else None
            )

        if (response := fresh()) is not None:
            return response
        async with state["lock"]:
            if (response := fresh()) is not None:
                return response
            if time.monotonic() < state["retry"]:
                error = "upstream temporarily unavailable"
            else:
                failure: Exception | None = None
                try:
                    async with httpx.AsyncClient() as client:
                        for url in metadata_urls:
                            try:
                                answer = await client.get(url)
                                answer.raise_for_status()
                                document = answer.json()
                            except Exception as exc:
                                failure = exc
                                continue
                            state["doc"], state["until"] = (
                                document,
                                time.monotonic() + self.FORWARDED_METADATA_TTL_SECONDS,
                            )
                            return JSONResponse(document)
                except Exception as exc:
                    failure = exc
                state["retry"] = time.monotonic() + self.FORWARDED_METADATA_ERROR_TTL_SECONDS
                logging.getLogger("fastmcp.server.auth").debug(
                    "Failed to fetch %s metadata: %s", provider_name, failure
                )
                error = str(failure)
            if state["doc"] is not None:
                return JSONResponse(state["doc"])
            body = {"error": "server_error", "error_description": f"Failed to fetch {provider_name} metadata: {error}"}
            return JSONResponse(body, status_code=500)

    def _authorization_server_route(self, metadata_urls: Sequence[str], provider_name: str) -> Any:
        """``GET /.well-known/oauth-authorization-server``, forwarding ``metadata_urls``' document."""
        from starlette.routing import Route

        async def metadata(request: Any) -> Any:
            return await self._forward_authorization_server_metadata(metadata_urls, provider_name)

        return Route("/.well-known/oauth-authorization-server", endpoint=metadata, methods=["GET"])

    @property
    def scopes_supported(self) -> list[str]:
        if self._scopes_supported is not None:
            return self._scopes_supported
        return list(getattr(self.token_verifier, "scopes_supported", self.token_verifier.required_scopes))

    def resource_url(self, mcp_path: str) -> str:
        base = (self.resource_base_url or self.base_url or "").rstrip("/")
        return f"{base}/{mcp_path.lstrip('/')}"

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        return [resource_metadata_route(self._native_spec(None, mcp_path or "/mcp")["metadata"])]

    def _native_spec(self, loop: asyncio.AbstractEventLoop | None, mcp_path: str) -> dict[str, Any]:
        self.set_mcp_path(mcp_path)
        resource = self.resource_url(mcp_path)
        parts = urlsplit(resource)
        path = "/.well-known/oauth-protected-resource" + (parts.path if parts.path != "/" else "")
        document: dict[str, Any] = {
            "resource": resource,
            "authorization_servers": self.authorization_servers,
            "scopes_supported": self.scopes_supported,
            "bearer_methods_supported": ["header"],
        }
        if self.resource_name is not None:
            document["resource_name"] = self.resource_name
        if self.resource_documentation is not None:
            document["resource_documentation"] = self.resource_documentation
        challenge = self.challenge_scopes if self.challenge_scopes is not None else self.token_verifier.required_scopes
        return {
            "verifier": self.token_verifier._verifier_spec(loop),
            "required_scopes": self.required_scopes,
            "challenge_scopes": challenge,
            "metadata": {
                "path": path,
                "url": f"{parts.scheme}://{parts.netloc}{path}",
                "document": json.dumps(document, separators=(",", ":")),
            },
        }


def resource_metadata_route(metadata: dict[str, Any]) -> Any:
    """The RFC 9728 document as a Starlette route (the core answers it on the MCP app itself; this is for an
    app that mounts that one under a path and serves discovery at its root)."""
    from starlette.routing import Route

    async def document(request: Any) -> Any:
        from starlette.responses import Response

        headers = {"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"}
        return Response(metadata["document"], media_type="application/json", headers=headers)

    return Route(metadata["path"], document, methods=["GET", "OPTIONS"])


class _SdkTokenVerifier(TokenVerifier):
    """SDK v1's ``TokenVerifier`` (``async verify_token(token) -> mcp...AccessToken | None``)."""

    def __init__(self, verifier: Any, required_scopes: list[str] | None) -> None:
        super().__init__(required_scopes=required_scopes)
        self._verifier = verifier

    async def verify_token(self, token: str) -> Any:
        return await self._verifier.verify_token(token)


class _SdkResourceServer(RemoteAuthProvider):
    """SDK v1's resource server: the protected resource is ``resource_server_url`` itself."""

    def resource_url(self, mcp_path: str) -> str:
        return str(self.base_url)


def from_sdk_settings(settings: Any, token_verifier: Any) -> AuthProvider:
    """SDK v1's ``FastMCP(token_verifier=..., auth=AuthSettings(issuer_url=..., resource_server_url=...,
    required_scopes=...))``: a resource server whose tokens the issuer hands out, answered as FastMCP 4's
    ``RemoteAuthProvider``."""
    if token_verifier is None:
        raise NotImplementedError(
            "FastMCP(auth=AuthSettings(...)) without token_verifier= (an OAuth authorization server in this "
            "process) is not supported by fastmcp-rs yet"
        )
    required = list(getattr(settings, "required_scopes", None) or [])
    return _SdkResourceServer(
        token_verifier=_SdkTokenVerifier(token_verifier, required),
        authorization_servers=[str(settings.issuer_url)],
        base_url=str(settings.resource_server_url),
        resource_documentation=getattr(settings, "service_documentation_url", None),
        required_scopes=required,
    )


class MultiAuth(AuthProvider):
    """Tokens from several sources on one server: an optional authorization ``server`` (an ``OAuthProxy``,
    a ``RemoteAuthProvider``; its routes and metadata are the server's) and ``verifiers`` tried after it, in
    order. The first that accepts a token wins; its ``client_id`` becomes the JSON array ``[source id,
    client id, issuer, subject]`` (the original is kept as ``original_client_id``), so callers from two
    sources never share an identity. ``verifiers`` given as a mapping name their sources; otherwise a source
    is named ``configured:<digest of its configuration>``."""

    def __init__(
        self,
        *,
        server: AuthProvider | None = None,
        verifiers: Any = None,
        server_source_id: str | None = None,
        base_url: str | None = None,
        resource_base_url: str | None = None,
        required_scopes: list[str] | None = None,
    ) -> None:
        if server is None and not verifiers:
            raise ValueError("MultiAuth needs a server or at least one verifier")
        if server_source_id is not None and server is None:
            raise ValueError("server_source_id needs a server")
        if isinstance(verifiers, TokenVerifier):
            named = [(None, verifiers)]
        elif isinstance(verifiers, dict):
            named = list(verifiers.items())
        else:
            named = [(None, v) for v in (verifiers or [])]
        sources: list[tuple[str, AuthProvider]] = []
        if server is not None:
            sources.append((server_source_id or _source_id(server), server))
        sources.extend((name if name is not None else _source_id(v), v) for name, v in named)
        ids = [name for name, _ in sources]
        for name in ids:
            if not name or name != name.strip():
                raise ValueError(f"source ids must be non-empty without surrounding spaces: {name!r}")
        if len(set(ids)) != len(ids):
            raise ValueError("source ids must be unique")
        super().__init__(
            base_url=base_url or (server.base_url if server is not None else None),
            required_scopes=required_scopes
            if required_scopes is not None
            else (server.required_scopes if server is not None else None),
        )
        self.server = server
        self.verifiers = [v for _, v in named]
        self.resource_base_url = resource_base_url or getattr(server, "resource_base_url", None)
        self._sources = sources

    @property
    def scopes_supported(self) -> list[str]:
        return list(getattr(self.server, "scopes_supported", None) or self.required_scopes)

    def set_mcp_path(self, mcp_path: str | None) -> None:
        for _, source in self._sources:
            source.set_mcp_path(mcp_path)

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        return self.server.get_routes(mcp_path) if self.server is not None else []

    def get_well_known_routes(self, mcp_path: str | None = None) -> list[Any]:
        return self.server.get_well_known_routes(mcp_path) if self.server is not None else []

    async def verify_token(self, token: str) -> AccessToken | None:
        refused: TokenVerificationError | None = None
        for name, source in self._sources:
            try:
                found = await source.verify_token(token)
            except TokenVerificationError as e:
                refused = e
                continue
            except Exception:
                continue
            if found is None:
                continue
            claims = getattr(found, "claims", None) or {}
            subject = getattr(found, "subject", None) or claims.get("sub")
            client_id = json.dumps([name, found.client_id, claims.get("iss"), subject], separators=(",", ":"))
            data = found.model_dump() if isinstance(found, BaseModel) else dict(found)
            data.update(client_id=client_id, original_client_id=found.client_id)
            return AccessToken(**{k: v for k, v in data.items() if k in AccessToken.model_fields})
        if refused is not None:
            raise refused
        return None

    def _native_spec(self, loop: asyncio.AbstractEventLoop | None, mcp_path: str) -> dict[str, Any]:
        spec = (
            self.server._native_spec(loop, mcp_path)
            if self.server is not None
            else {"challenge_scopes": None, "metadata": None}
        )
        return {**spec, "verifier": self._verifier_spec(loop), "required_scopes": self.required_scopes}


def _source_id(source: AuthProvider) -> str:
    """A stable name for a token source: a digest of what it is and how it is configured."""
    import hashlib

    described = {"type": type(source).__name__}
    for key in (
        "issuer",
        "audience",
        "jwks_uri",
        "algorithm",
        "introspection_url",
        "client_id",
        "issuer_url",
        "upstream_authorization_endpoint",
        "upstream_token_endpoint",
        "authorization_servers",
    ):
        value = getattr(source, key, None)
        if value is not None:
            described[key] = value if isinstance(value, (str, list)) else str(value)
    if isinstance(getattr(source, "token_verifier", None), AuthProvider):
        described["verifier"] = _source_id(source.token_verifier)
    text = json.dumps(described, sort_keys=True, separators=(",", ":"))
    return "configured:" + hashlib.sha256(text.encode()).hexdigest()


OAuthProvider = stub("OAuthProvider", "authentication (an OAuth authorization server)", __name__)
PrivateKeyJWTClientAuthenticator = stub("PrivateKeyJWTClientAuthenticator", _FEATURE, __name__)
TokenHandler = stub("TokenHandler", _FEATURE, __name__)
