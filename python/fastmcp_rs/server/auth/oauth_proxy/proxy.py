"""``fastmcp.server.auth.oauth_proxy.proxy``: ``OAuthProxy``, an OAuth 2.1 authorization server in front of an
identity provider that has no dynamic client registration (GitHub, Google, Azure, most company IdPs).

MCP clients register with the proxy (RFC 7591) and log in through it; the proxy logs in at the provider with
its one fixed client (PKCE of its own), keeps the provider's tokens, and gives the client tokens of its own
(HS256 JWTs bound to this server and its MCP endpoint; the provider's tokens never leave the server). A bearer
token on an MCP request is this server's JWT; it is accepted while the provider's token it stands for still
passes ``token_verifier`` (refreshed upstream when it has expired and a refresh token is held).

Routes, at the root of the app: ``/.well-known/oauth-authorization-server``, ``/register``, ``/authorize``,
``/consent``, the provider's callback (``redirect_path``, ``/auth/callback``), ``/token``, ``/revoke`` (when
the provider has a revocation endpoint), and the RFC 9728 document for the MCP path. Answers, error codes and
bodies are FastMCP 4's. With ``require_authorization_consent`` (the default) the user approves each client on
a consent page, and the approval is bound to that browser by a signed cookie: a callback replayed, or followed
from someone else's link, is refused (403).

Registrations, transactions, codes and tokens live in ``client_storage`` (any FastMCP key-value store), by
default in encrypted files under ``$FASTMCP_HOME/oauth-proxy/`` as in FastMCP 4, so clients stay logged in
across restarts (``fastmcp_rs.server.auth._storage``)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import secrets
import time
import uuid
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AnyHttpUrl

from .._storage import default_store
from ..auth import (
    AccessToken,
    AuthProvider,
    TokenVerificationError,
    TokenVerifier,
    parse_scopes,
    resource_metadata_route,
)
from ..jwt_issuer import JWTIssuer, signing_key
from ..redirect_validation import validate_redirect_uri, validate_redirect_uri_for_application_type
from . import consent as _consent

__all__ = ["OAuthProxy"]

_log = logging.getLogger("fastmcp.server.auth.oauth_proxy")

_CLIENTS = "mcp-oauth-proxy-clients"
_TRANSACTIONS = "mcp-oauth-transactions"
_CSRF = "mcp-consent-csrf-tokens"
_CODES = "mcp-authorization-codes"
_UPSTREAM = "mcp-upstream-tokens"
_JTI = "mcp-jti-mappings"
_REFRESH = "mcp-refresh-tokens"

_TRANSACTION_TTL = 900
_CODE_TTL = 300
_YEAR = 365 * 24 * 3600
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_UNKNOWN_CLIENT = (
    "Client ID '{}' is not registered with this server. MCP clients should automatically re-register by "
    "sending a POST request to the registration_endpoint and retry authorization. If this persists, clear "
    "cached authentication data in your MCP client."
)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(body, status_code=status, headers=headers)


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    from starlette.responses import HTMLResponse

    return HTMLResponse(body, status_code=status, headers=headers)


def _redirect(url: str, headers: dict[str, str] | None = None) -> Any:
    from starlette.responses import RedirectResponse

    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store", **(headers or {})})


def _with_query(url: str, params: dict[str, str | None]) -> str:
    """``url`` with ``params`` appended (an ``iss`` already there replaced), the rest of its query kept."""
    parts = urlsplit(url)
    kept = parts.query
    if "iss" in params:
        kept = "&".join(p for p in kept.split("&") if p and not p.startswith("iss="))
    added = urlencode({k: v for k, v in params.items() if v is not None})
    return urlunsplit(parts._replace(query=f"{kept}&{added}" if kept else added))


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _split_scopes(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [s for s in value.replace(",", " ").split() if s]
    return [str(s) for s in value]


def _normalized_issuer(url: str) -> str:
    return str(AnyHttpUrl(url))


class OAuthProxy(AuthProvider):
    """An authorization server for MCP clients in front of a provider without dynamic client registration.

    The options are FastMCP 4's (``upstream_*`` endpoints and credentials, ``token_verifier`` for the
    provider's tokens, ``base_url``, ``redirect_path``, ``allowed_client_redirect_uris``, ``valid_scopes``,
    ``forward_pkce``, ``forward_resource``, ``token_endpoint_auth_method``, ``extra_authorize_params``,
    ``extra_token_params``, ``client_storage``, ``jwt_signing_key``, ``require_authorization_consent``,
    ``consent_csp_policy`` and the token lifetimes). ``enable_cimd`` and ``identity_assertion`` (URL client
    ids, SEP-990) are not served: URL client ids are refused like unknown ones."""

    def __init__(
        self,
        *,
        upstream_authorization_endpoint: str,
        upstream_token_endpoint: str,
        upstream_client_id: str,
        upstream_client_secret: str | None = None,
        upstream_revocation_endpoint: str | None = None,
        token_verifier: TokenVerifier,
        base_url: Any,
        resource_base_url: Any = None,
        redirect_path: str | None = None,
        issuer_url: Any = None,
        service_documentation_url: Any = None,
        allowed_client_redirect_uris: list[str] | None = None,
        valid_scopes: list[str] | None = None,
        forward_pkce: bool = True,
        forward_resource: bool = True,
        token_endpoint_auth_method: str | None = None,
        extra_authorize_params: dict[str, str] | None = None,
        extra_token_params: dict[str, str] | None = None,
        client_storage: Any = None,
        jwt_signing_key: str | bytes | None = None,
        require_authorization_consent: bool | Literal["remember", "external"] = True,
        consent_csp_policy: str | None = None,
        fallback_access_token_expiry_seconds: int | None = None,
        fallback_refresh_token_expiry_seconds: int | None = None,
        fastmcp_access_token_expiry_seconds: int | None = None,
        token_expiry_threshold_seconds: int = 0,
        enable_cimd: bool = True,
        identity_assertion: Any = None,
    ) -> None:
        super().__init__(base_url=str(base_url), required_scopes=token_verifier.required_scopes)
        if upstream_client_secret is None and jwt_signing_key is None:
            raise ValueError(
                "jwt_signing_key is required when upstream_client_secret is not given (a public upstream client)"
            )
        if identity_assertion is not None:
            raise NotImplementedError("OAuthProxy(identity_assertion=...): SEP-990 is not supported by fastmcp-rs yet")
        method = token_endpoint_auth_method or ("client_secret_basic" if upstream_client_secret else "none")
        if method not in ("client_secret_basic", "client_secret_post", "none"):
            raise ValueError(f"Unsupported token_endpoint_auth_method: {method!r}")
        if allowed_client_redirect_uris == []:
            _log.warning("allowed_client_redirect_uris is empty: no client can register")
        self.upstream_authorization_endpoint = upstream_authorization_endpoint
        self.upstream_token_endpoint = upstream_token_endpoint
        self.upstream_client_id = upstream_client_id
        self._upstream_client_secret = upstream_client_secret
        self.upstream_revocation_endpoint = upstream_revocation_endpoint
        self.token_verifier = token_verifier
        self.resource_base_url = str(resource_base_url) if resource_base_url is not None else None
        path = redirect_path or "/auth/callback"
        self.redirect_path = path if path.startswith("/") else f"/{path}"
        self.issuer_url = _normalized_issuer(str(issuer_url or base_url))
        self.service_documentation_url = str(service_documentation_url) if service_documentation_url else None
        self.allowed_client_redirect_uris = allowed_client_redirect_uris
        scopes = parse_scopes(valid_scopes)
        self.valid_scopes: list[str] | None = scopes if scopes is not None else (token_verifier.required_scopes or None)
        self.forward_pkce = forward_pkce
        self.forward_resource = forward_resource
        self.token_endpoint_auth_method = method
        self.extra_authorize_params = dict(extra_authorize_params or {})
        self.extra_token_params = dict(extra_token_params or {})
        self.require_authorization_consent = require_authorization_consent
        self.consent_csp_policy = consent_csp_policy
        self.fallback_access_token_expiry_seconds = fallback_access_token_expiry_seconds
        self.fallback_refresh_token_expiry_seconds = fallback_refresh_token_expiry_seconds
        self.fastmcp_access_token_expiry_seconds = fastmcp_access_token_expiry_seconds
        self.token_expiry_threshold_seconds = token_expiry_threshold_seconds
        self.enable_cimd = enable_cimd
        self._key = signing_key(jwt_signing_key, upstream_client_secret)
        self._storage = client_storage if client_storage is not None else default_store(self._key)
        self._cookies = _consent.Cookies(
            upstream_client_secret.encode() if upstream_client_secret else self._key,
            secure=str(base_url).startswith("https://"),
        )
        self._mcp_path = "/mcp"
        self._issuer = JWTIssuer(self.issuer_url, self._resource(), self._key)
        self._refresh_locks: dict[str, asyncio.Lock] = {}
        self._server_name = "MCP server"

    # -- where things are ----------------------------------------------------------------------------------

    @property
    def _base(self) -> str:
        return str(self.base_url).rstrip("/")

    def _resource(self) -> str:
        base = (self.resource_base_url or str(self.base_url)).rstrip("/")
        return f"{base}/{self._mcp_path.lstrip('/')}"

    def set_mcp_path(self, mcp_path: str | None) -> None:
        self._mcp_path = mcp_path or "/mcp"
        self._issuer = JWTIssuer(self.issuer_url, self._resource(), self._key)

    @property
    def scopes_supported(self) -> list[str]:
        return list(self.valid_scopes or self.required_scopes or [])

    def _consenting(self) -> bool:
        return self.require_authorization_consent in (True, "remember")

    # -- what the core needs ----------------------------------------------------------------------------

    def _native_spec(self, loop: asyncio.AbstractEventLoop | None, mcp_path: str) -> dict[str, Any]:
        self.set_mcp_path(mcp_path)
        resource = self._resource()
        parts = urlsplit(resource)
        path = "/.well-known/oauth-protected-resource" + (parts.path if parts.path != "/" else "")
        document = {
            "resource": resource,
            "authorization_servers": [self.issuer_url],
            "scopes_supported": self.scopes_supported,
            "bearer_methods_supported": ["header"],
        }
        return {
            "verifier": self._verifier_spec(loop),
            "required_scopes": self.required_scopes,
            "challenge_scopes": self.required_scopes,
            "metadata": {
                "path": path,
                "url": f"{parts.scheme}://{parts.netloc}{path}",
                "document": json.dumps(document, separators=(",", ":")),
            },
        }

    def get_routes(self, mcp_path: str | None = None) -> list[Any]:
        """The authorization server's routes (Starlette), mounted at the root of the app."""
        from starlette.middleware.cors import CORSMiddleware
        from starlette.routing import Route

        if mcp_path is not None:
            self.set_mcp_path(mcp_path)

        def cors(endpoint: Any, methods: list[str]) -> Any:
            async def app(scope: Any, receive: Any, send: Any) -> None:
                from starlette.requests import Request

                response = await endpoint(Request(scope, receive))
                await response(scope, receive, send)

            return CORSMiddleware(
                app, allow_origins=["*"], allow_methods=methods, allow_headers=["mcp-protocol-version"]
            )

        routes = [
            Route(
                "/.well-known/oauth-authorization-server",
                cors(self._metadata, ["GET", "OPTIONS"]),
                methods=["GET", "OPTIONS"],
            ),
            Route("/authorize", self._authorize, methods=["GET", "POST"]),
            Route("/token", cors(self._token, ["POST", "OPTIONS"]), methods=["POST", "OPTIONS"]),
            Route("/register", cors(self._register, ["POST", "OPTIONS"]), methods=["POST", "OPTIONS"]),
            Route(self.redirect_path, self._callback, methods=["GET"]),
            Route("/consent", self._consent, methods=["GET", "POST"]),
        ]
        if self.upstream_revocation_endpoint:
            routes.append(Route("/revoke", cors(self._revoke, ["POST", "OPTIONS"]), methods=["POST", "OPTIONS"]))
        return routes

    def get_well_known_routes(self, mcp_path: str | None = None) -> list[Any]:
        """The discovery routes alone, for an app that mounts this server's app under a path and serves them
        at its root (RFC 8414's path-aware form when the issuer has a path, with the OpenID Connect alias,
        and the RFC 9728 document of the MCP endpoint)."""
        from starlette.routing import Route

        metadata = next(r for r in self.get_routes(mcp_path) if r.path == "/.well-known/oauth-authorization-server")
        issuer_path = urlsplit(self.issuer_url).path.rstrip("/")
        routes = []
        if issuer_path:
            for prefix in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
                routes.append(Route(f"{prefix}{issuer_path}", metadata.endpoint, methods=["GET", "OPTIONS"]))
        else:
            routes.append(metadata)
        routes.append(Route("/.well-known/openid-configuration", metadata.endpoint, methods=["GET", "OPTIONS"]))
        routes.append(resource_metadata_route(self._native_spec(None, self._mcp_path)["metadata"]))
        return routes

    # -- metadata ---------------------------------------------------------------------------------------

    async def _metadata(self, request: Any) -> Any:
        b = self._base
        document: dict[str, Any] = {
            "issuer": self.issuer_url,
            "authorization_endpoint": f"{b}/authorize",
            "token_endpoint": f"{b}/token",
            "registration_endpoint": f"{b}/register",
            "scopes_supported": self.scopes_supported,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none"],
        }
        if self.upstream_revocation_endpoint:
            document["revocation_endpoint"] = f"{b}/revoke"
            document["revocation_endpoint_auth_methods_supported"] = ["client_secret_post", "client_secret_basic"]
        if self.service_documentation_url:
            document["service_documentation"] = self.service_documentation_url
        document["code_challenge_methods_supported"] = ["S256"]
        document["authorization_response_iss_parameter_supported"] = True
        return _json(document, headers={"Cache-Control": "public, max-age=3600"})

    # -- registration (RFC 7591) -------------------------------------------------------------------------

    async def _register(self, request: Any) -> Any:
        def refuse(description: str, error: str = "invalid_client_metadata") -> Any:
            return _json({"error": error, "error_description": description}, 400)

        try:
            body = await request.json()
        except Exception as e:
            return refuse(f": Invalid JSON: {e}")
        if not isinstance(body, dict):
            return refuse(": Input should be an object")
        uris = body.get("redirect_uris")
        if uris is None:
            return refuse("redirect_uris: Field required")
        if not isinstance(uris, list) or not all(isinstance(u, str) and ":" in u for u in uris):
            return refuse("redirect_uris: Input should be a list of valid URLs")
        method = body.get("token_endpoint_auth_method")
        if method == "private_key_jwt":
            return refuse("private_key_jwt is not supported for dynamically registered clients")
        grants = body.get("grant_types") or ["authorization_code", "refresh_token"]
        responses = body.get("response_types") or ["code"]
        if "authorization_code" not in grants:
            return refuse("grant_types must include 'authorization_code'")
        if "code" not in responses:
            return refuse("response_types must include 'code'")
        scope = body.get("scope")
        if scope is None and self.valid_scopes:
            scope = " ".join(self.valid_scopes)
        elif scope is not None and self.valid_scopes is not None:
            extra = [s for s in str(scope).split() if s not in self.valid_scopes]
            if extra:
                return refuse(f"Requested scopes are not valid: {', '.join(extra)}")
        application_type = body.get("application_type") or "native"
        if application_type == "web" and not uris:
            return refuse("A web client must register a redirect URI", "invalid_redirect_uri")
        for uri in uris:
            if not validate_redirect_uri(uri, self.allowed_client_redirect_uris):
                return refuse(f"Redirect URI '{uri}' is not allowed.", "invalid_redirect_uri")
            if not validate_redirect_uri_for_application_type(uri, application_type):
                return refuse(
                    f"Redirect URI '{uri}' is not allowed for application_type '{application_type}'.",
                    "invalid_redirect_uri",
                )
        client = {
            "redirect_uris": uris or ["http://localhost"],
            "token_endpoint_auth_method": "none",
            "grant_types": grants,
            "response_types": responses,
            "scope": scope if scope is not None else " ".join(self.valid_scopes or []),
            "application_type": application_type,
            "client_id": str(uuid.uuid4()),
            "client_id_issued_at": int(time.time()),
        }
        for field in ("client_name", "client_uri", "logo_uri", "contacts", "tos_uri", "policy_uri", "software_id"):
            if body.get(field) is not None:
                client[field] = body[field]
        await self._storage.put(client["client_id"], client, collection=_CLIENTS)
        return _json(client, 201, _NO_STORE)

    async def _client(self, client_id: str | None) -> dict[str, Any] | None:
        if not client_id:
            return None
        found = await self._storage.get(client_id, collection=_CLIENTS)
        if found is None and client_id == self.upstream_client_id:
            # the provider's own client id, used without registering: a public client
            return {
                "client_id": client_id,
                "redirect_uris": [],
                "scope": " ".join(self.valid_scopes or []),
                "grant_types": ["authorization_code", "refresh_token"],
                "application_type": "native",
                "token_endpoint_auth_method": "none",
                "any_redirect": True,
            }
        return found

    def _redirect_allowed(self, client: dict[str, Any], uri: str | None) -> str | None:
        """The redirect URI to use, or ``None`` when ``uri`` is not one this client may use."""
        registered = list(client.get("redirect_uris") or [])
        kind = client.get("application_type")
        if uri is None:
            if len(registered) != 1:
                return None
            uri = registered[0]
            ok = validate_redirect_uri(uri, self.allowed_client_redirect_uris)
            return uri if ok and validate_redirect_uri_for_application_type(uri, kind) else None
        if not validate_redirect_uri(uri, self.allowed_client_redirect_uris):
            return None
        if not validate_redirect_uri_for_application_type(uri, kind):
            return None
        if self.allowed_client_redirect_uris is not None or client.get("any_redirect"):
            return uri
        if uri in registered:
            return uri
        asked = urlsplit(uri)
        for known in registered:
            have = urlsplit(known)
            from ..redirect_validation import is_loopback_host

            same = (asked.scheme, asked.hostname, asked.path, asked.query, asked.fragment) == (
                have.scheme,
                have.hostname,
                have.path,
                have.query,
                have.fragment,
            )
            if same and is_loopback_host(have.hostname):
                return uri
        return None

    # -- authorize ----------------------------------------------------------------------------------------

    async def _authorize(self, request: Any) -> Any:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(dict(await request.form()))
        state = params.get("state")
        client = await self._client(params.get("client_id"))
        if client is None:
            client_id = params.get("client_id", "")
            b = self._base
            headers = {"Cache-Control": "no-store"}
            description = _UNKNOWN_CLIENT.format(client_id)
            if "text/html" in request.headers.get("accept", ""):
                page = _consent.error_page("Client Not Registered", description)
                return _html(page, 400, {**headers, "X-Frame-Options": "DENY"})
            body = {
                "error": "invalid_request",
                "error_description": description,
                "state": state,
                "registration_endpoint": f"{b}/register",
                "authorization_server_metadata": f"{b}/.well-known/oauth-authorization-server",
            }
            return _json(body, 400, headers)
        redirect_uri = self._redirect_allowed(client, params.get("redirect_uri"))
        if redirect_uri is None:
            asked = params.get("redirect_uri")
            description = (
                f"Redirect URI '{asked}' not registered for client"
                if asked
                else "redirect_uri must be specified when client has multiple registered URIs"
            )
            return _json({"error": "invalid_request", "error_description": description, "state": state}, 400)

        def refuse(error: str, description: str) -> Any:
            return _redirect(
                _with_query(
                    redirect_uri,
                    {"error": error, "error_description": description, "state": state, "iss": self.issuer_url},
                )
            )

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type", "response_type: Input should be 'code'")
        challenge = params.get("code_challenge")
        if not challenge:
            return refuse("invalid_request", "code_challenge: Field required")
        if params.get("code_challenge_method", "S256") != "S256":
            return refuse("invalid_request", "code_challenge_method: Input should be 'S256'")
        requested = params.get("scope")
        scopes = requested.split() if requested else []
        allowed = (client.get("scope") or "").split()
        for s in scopes:
            if s not in allowed:
                return refuse("invalid_scope", f"Client was not registered with scope {s}")
        resource = params.get("resource")
        if resource and not self._same_resource(resource):
            return refuse("invalid_target", "Resource does not match this server")
        txn_id = secrets.token_urlsafe(32)
        verifier = "".join(
            secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(48)
        )
        txn = {
            "txn_id": txn_id,
            "client_id": client["client_id"],
            "client_redirect_uri": redirect_uri,
            "client_state": state or "",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "scopes": scopes or list(self.required_scopes or []),
            "created_at": time.time(),
            "resource": resource,
            "proxy_code_verifier": verifier if self.forward_pkce else None,
            "consent_token": None,
        }
        await self._storage.put(txn_id, txn, collection=_TRANSACTIONS, ttl=_TRANSACTION_TTL)
        if self._consenting():
            return _redirect(f"{self._base}/consent?{urlencode({'txn_id': txn_id})}")
        return _redirect(self._upstream_authorize_url(txn))

    def _same_resource(self, resource: str) -> bool:
        ours = self._resource()
        if urlsplit(ours).query:
            return resource.rstrip("/") == ours.rstrip("/")

        def bare(url: str) -> str:
            p = urlsplit(url)
            return urlunsplit((p.scheme, p.netloc, p.path, "", "")).rstrip("/")

        return bare(resource) == bare(ours)

    def _upstream_authorize_url(self, txn: dict[str, Any]) -> str:
        params: dict[str, str] = {
            "response_type": "code",
            "client_id": self.upstream_client_id,
            "redirect_uri": f"{self._base}{self.redirect_path}",
            "state": txn["txn_id"],
        }
        scope = " ".join(txn.get("scopes") or self.required_scopes or [])
        if scope:
            params["scope"] = scope
        if txn.get("proxy_code_verifier"):
            params["code_challenge"] = _s256(txn["proxy_code_verifier"])
            params["code_challenge_method"] = "S256"
        if self.forward_resource and txn.get("resource"):
            params["resource"] = txn["resource"]
        params.update(self.extra_authorize_params)
        sep = "&" if "?" in self.upstream_authorization_endpoint else "?"
        return f"{self.upstream_authorization_endpoint}{sep}{urlencode(params)}"

    # -- consent ------------------------------------------------------------------------------------------

    async def _consent(self, request: Any) -> Any:
        frame = {"X-Frame-Options": "DENY"}
        if request.method == "GET":
            txn_id = request.query_params.get("txn_id")
        else:
            form = await request.form()
            txn_id = form.get("txn_id")
        txn = await self._storage.get(txn_id, collection=_TRANSACTIONS) if txn_id else None
        if txn is None:
            return _html(_consent.tiny_error("Invalid or expired transaction"), 400, frame)
        client = await self._client(txn["client_id"]) or {}
        key = _consent.client_key(txn["client_id"], txn["client_redirect_uri"], txn.get("scopes") or [])
        if request.method == "GET":
            if self.require_authorization_consent == "remember" and request.headers.get("sec-fetch-site") in (
                "same-origin",
                "same-site",
                "none",
            ):
                if key in self._cookies.remembered(request, "MCP_APPROVED_CLIENTS"):
                    return await self._approve(request, txn, None, frame)
                if key in self._cookies.remembered(request, "MCP_DENIED_CLIENTS"):
                    return _redirect(self._denied_url(txn))
            csrf = secrets.token_urlsafe(32)
            record = {"txn_id": txn_id, "expires_at": time.time() + _consent.STATE_TTL}
            await self._storage.put(_consent.digest(csrf), record, collection=_CSRF, ttl=_consent.STATE_TTL)
            csp = _consent.CSP if self.consent_csp_policy is None else (self.consent_csp_policy or None)
            page = _consent.consent_page(
                server_name=self._server_name,
                client_name=str(client.get("client_name") or txn["client_id"]),
                redirect_uri=txn["client_redirect_uri"],
                scopes=txn.get("scopes") or [],
                txn_id=txn_id,
                csrf=csrf,
                csp=csp,
            )
            response = _html(page, 200, frame)
            self._cookies.set_state(request, response, csrf, txn_id)
            return response
        csrf = str(form.get("csrf_token") or "")
        record = await self._storage.get(_consent.digest(csrf), collection=_CSRF) if csrf else None
        if record is None or record.get("txn_id") != txn_id or record.get("expires_at", 0) < time.time():
            return _html(_consent.tiny_error("Invalid or expired consent token"), 400, frame)
        if not self._cookies.state_matches(request, csrf, txn_id):
            message = "Authorization session mismatch. Please try authenticating again."
            return _html(_consent.tiny_error(message), 403, frame)
        action = form.get("action")
        if action == "approve":
            await self._storage.delete(_consent.digest(csrf), collection=_CSRF)
            return await self._approve(request, txn, key, frame)
        if action == "deny":
            if not validate_redirect_uri(txn["client_redirect_uri"], self.allowed_client_redirect_uris):
                return _html(_consent.tiny_error("Invalid redirect URI"), 400, frame)
            await self._storage.delete(_consent.digest(csrf), collection=_CSRF)
            response = _redirect(self._denied_url(txn), frame)
            self._cookies.expire_states_of(request, response, txn_id)
            if self.require_authorization_consent == "remember":
                self._cookies.remember(request, response, "MCP_DENIED_CLIENTS", key)
            return response
        return _html(_consent.tiny_error("Invalid action"), 400, frame)

    def _denied_url(self, txn: dict[str, Any]) -> str:
        return _with_query(
            txn["client_redirect_uri"],
            {"error": "access_denied", "state": txn.get("client_state") or None, "iss": self.issuer_url},
        )

    async def _approve(self, request: Any, txn: dict[str, Any], key: str | None, frame: dict[str, str]) -> Any:
        token = secrets.token_urlsafe(32)
        txn = {**txn, "consent_token": token}
        await self._storage.put(txn["txn_id"], txn, collection=_TRANSACTIONS, ttl=_TRANSACTION_TTL)
        response = _redirect(self._upstream_authorize_url(txn), frame)
        self._cookies.expire_states_of(request, response, txn["txn_id"])
        self._cookies.set(response, self._cookies.binding_base(txn["txn_id"]), token, _consent.STATE_TTL)
        if key is not None and self.require_authorization_consent == "remember":
            self._cookies.remember(request, response, "MCP_APPROVED_CLIENTS", key)
        return response

    # -- the provider's callback ----------------------------------------------------------------------------

    async def _callback(self, request: Any) -> Any:
        try:
            return await self._handle_callback(request)
        except Exception:
            _log.exception("OAuth callback failed")
            message = "Internal server error during OAuth callback processing. Please try again."
            return _html(_consent.error_page("OAuth Error", message), 500)

    async def _handle_callback(self, request: Any) -> Any:
        q = request.query_params
        code, txn_id, error = q.get("code"), q.get("state"), q.get("error")
        if not code and not error:
            message = "Missing authorization code or transaction ID from the identity provider."
            return _html(_consent.error_page("OAuth Error", message), 400)
        txn = await self._storage.get(txn_id, collection=_TRANSACTIONS) if txn_id else None
        if error:
            if txn is None:
                message = f"Authentication failed: {q.get('error_description') or 'Unknown error'}"
                return _html(_consent.error_page("OAuth Error", message, f"Error Code: {error}"), 400)
            if not validate_redirect_uri(txn["client_redirect_uri"], self.allowed_client_redirect_uris):
                return _html(_consent.error_page("OAuth Error", "Invalid redirect URI"), 400)
            return _redirect(
                _with_query(
                    txn["client_redirect_uri"],
                    {
                        "error": error,
                        "state": txn.get("client_state") or None,
                        "error_description": q.get("error_description"),
                        "iss": self.issuer_url,
                    },
                )
            )
        if txn is None:
            message = "Invalid or expired authorization transaction. Please try authenticating again."
            return _html(_consent.error_page("OAuth Error", message), 400)
        if not validate_redirect_uri(txn["client_redirect_uri"], self.allowed_client_redirect_uris):
            return _html(_consent.error_page("OAuth Error", "Invalid redirect URI"), 400)
        binding_name = self._cookies.name(self._cookies.binding_base(txn_id))
        if self._consenting():
            import hmac

            expected = txn.get("consent_token")
            if not expected:
                message = "Invalid authorization flow. Please try authenticating again."
                return _html(_consent.error_page("Authorization Error", message), 403)
            held = self._cookies.binding(request, txn_id)
            if held is None or not hmac.compare_digest(held, expected):
                message = (
                    "Authorization session mismatch. This can happen if you followed a link from another person "
                    "or your session expired. Please try authenticating again."
                )
                return _html(_consent.error_page("Authorization Error", message), 403)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": f"{self._base}{self.redirect_path}"}
        if txn.get("proxy_code_verifier"):
            form["code_verifier"] = txn["proxy_code_verifier"]
        try:
            tokens = await self._upstream_token_request(form)
        except Exception as e:
            message = f"Token exchange with identity provider failed: {e}"
            return _html(_consent.error_page("OAuth Error", message), 500)
        client_code = secrets.token_urlsafe(32)
        record = {
            "code": client_code,
            "client_id": txn["client_id"],
            "redirect_uri": txn["client_redirect_uri"],
            "code_challenge": txn["code_challenge"],
            "code_challenge_method": txn["code_challenge_method"],
            "scopes": txn.get("scopes") or [],
            "idp_tokens": tokens,
            "expires_at": time.time() + _CODE_TTL,
            "created_at": time.time(),
        }
        await self._storage.put(client_code, record, collection=_CODES, ttl=_CODE_TTL)
        await self._storage.delete(txn_id, collection=_TRANSACTIONS)
        response = _redirect(
            _with_query(
                txn["client_redirect_uri"],
                {"code": client_code, "state": txn.get("client_state") or None, "iss": self.issuer_url},
            )
        )
        if self._consenting():
            self._cookies.expire(response, binding_name)
        return response

    async def _upstream_token_request(self, form: dict[str, str]) -> dict[str, Any]:
        """POSTs to the provider's token endpoint with this proxy's client authentication; its JSON answer,
        with ``expires_at`` when it gave ``expires_in``. Raises on a failure."""
        import httpx

        body = {k: v for k, v in {**form, **self.extra_token_params}.items() if v}
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
        auth = None
        if self.token_endpoint_auth_method == "client_secret_basic":
            auth = httpx.BasicAuth(self.upstream_client_id, self._upstream_client_secret or "")
        elif self.token_endpoint_auth_method == "client_secret_post":
            body["client_id"] = self.upstream_client_id
            body["client_secret"] = self._upstream_client_secret or ""
        else:
            body["client_id"] = self.upstream_client_id
        async with httpx.AsyncClient(timeout=30) as http:
            answer = await http.post(self.upstream_token_endpoint, data=body, headers=headers, auth=auth)
        if answer.status_code >= 500:
            answer.raise_for_status()
        try:
            tokens = answer.json()
        except ValueError:
            tokens = dict(parse_qsl(answer.text))
        if not isinstance(tokens, dict):
            raise ValueError("the identity provider's token answer is not an object")
        if "error" in tokens:
            raise _UpstreamError(str(tokens["error"]), str(tokens.get("error_description") or tokens["error"]))
        if answer.status_code >= 400:
            answer.raise_for_status()
        if "access_token" not in tokens:
            raise ValueError("the identity provider's token answer has no access_token")
        if tokens.get("expires_in") is not None:
            tokens["expires_at"] = time.time() + float(tokens["expires_in"])
        return tokens

    # -- token ----------------------------------------------------------------------------------------------

    async def _token(self, request: Any) -> Any:
        if request.method == "OPTIONS":
            return _json({}, 200)
        try:
            form = dict(await request.form())
        except Exception:
            return _json({"error": "invalid_request", "error_description": "the body is not a form"}, 400, _NO_STORE)
        client_id = form.get("client_id")
        if not client_id and request.headers.get("authorization", "").lower().startswith("basic "):
            try:
                client_id = base64.b64decode(request.headers["authorization"][6:]).decode().split(":", 1)[0]
            except Exception:
                client_id = None
        if not client_id:
            return _json({"error": "invalid_client", "error_description": "Missing client_id"}, 401, _NO_STORE)
        client = await self._client(client_id)
        if client is None:
            return _json({"error": "invalid_client", "error_description": "Invalid client_id"}, 401, _NO_STORE)
        grant = form.get("grant_type")
        if grant not in ("authorization_code", "refresh_token"):
            description = (
                f"grant_type: Input tag '{grant}' found using 'grant_type' does not match any of the expected "
                "tags: 'authorization_code', 'refresh_token'"
            )
            return _json({"error": "invalid_request", "error_description": description}, 400, _NO_STORE)
        if grant not in (client.get("grant_types") or ["authorization_code", "refresh_token"]):
            body = {
                "error": "unsupported_grant_type",
                "error_description": f"Unsupported grant type (supported grant types are {client.get('grant_types')})",
            }
            return _json(body, 400, _NO_STORE)
        try:
            if grant == "authorization_code":
                tokens = await self._exchange_code(client_id, form)
            else:
                tokens = await self._exchange_refresh(client_id, form)
        except _TokenError as e:
            status = 401 if e.error in ("invalid_grant", "invalid_client") else 400
            return _json({"error": e.error, "error_description": e.description}, status, _NO_STORE)
        return _json(tokens, 200, _NO_STORE)

    async def _exchange_code(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        code = form.get("code") or ""
        verifier = form.get("code_verifier")
        if not verifier:
            raise _TokenError("invalid_request", "code_verifier: Field required")
        record = await self._storage.get(code, collection=_CODES) if code else None
        if record is None or record.get("client_id") != client_id or record.get("expires_at", 0) < time.time():
            raise _TokenError("invalid_grant", "authorization code does not exist")
        if form.get("redirect_uri") != record.get("redirect_uri"):
            raise _TokenError("invalid_request", "redirect_uri did not match the one used when creating auth code")
        if _s256(verifier) != record.get("code_challenge"):
            raise _TokenError("invalid_grant", "incorrect code_verifier")
        await self._storage.delete(code, collection=_CODES)
        upstream = record["idp_tokens"]
        if upstream.get("expires_in") is not None and float(upstream["expires_in"]) <= 0:
            raise _TokenError("invalid_grant", "the identity provider's token has already expired")
        granted = _split_scopes(upstream.get("scope")) or list(record.get("scopes") or [])
        return await self._issue(client_id, granted, upstream)

    def _lifetimes(self, upstream: dict[str, Any]) -> tuple[int, int, int | None]:
        """(upstream access lifetime, this server's access lifetime, refresh lifetime or None)."""
        has_refresh = bool(upstream.get("refresh_token"))
        if upstream.get("expires_in") is not None:
            expires_in = int(float(upstream["expires_in"]))
        elif self.fallback_access_token_expiry_seconds is not None:
            expires_in = self.fallback_access_token_expiry_seconds
        else:
            expires_in = 3600 if has_refresh else _YEAR
        access = expires_in
        if self.fastmcp_access_token_expiry_seconds is not None:
            access = self.fastmcp_access_token_expiry_seconds
            if not has_refresh:
                access = min(access, expires_in)
        refresh = None
        if has_refresh:
            refresh = int(upstream.get("refresh_expires_in") or self.fallback_refresh_token_expiry_seconds or _YEAR)
        return expires_in, access, refresh

    async def _issue(self, client_id: str, scopes: list[str], upstream: dict[str, Any]) -> dict[str, Any]:
        expires_in, access_life, refresh_life = self._lifetimes(upstream)
        now = time.time()
        upstream_id = secrets.token_urlsafe(32)
        access_jti = secrets.token_urlsafe(32)
        token_set = {
            "upstream_token_id": upstream_id,
            "access_token": upstream["access_token"],
            "refresh_token": upstream.get("refresh_token"),
            "refresh_token_expires_at": now + refresh_life if refresh_life else None,
            "expires_at": now + expires_in,
            "token_type": upstream.get("token_type") or "Bearer",
            "scope": " ".join(scopes),
            "client_id": client_id,
            "created_at": now,
            "raw_token_data": upstream,
        }
        ttl = max(refresh_life or 0, expires_in, access_life, 1)
        await self._storage.put(upstream_id, token_set, collection=_UPSTREAM, ttl=ttl)
        await self._storage.put(
            access_jti,
            {"jti": access_jti, "upstream_token_id": upstream_id, "created_at": now},
            collection=_JTI,
            ttl=max(access_life, 1),
        )
        answer: dict[str, Any] = {
            "access_token": self._issuer.issue_access_token(client_id, scopes, access_jti, access_life),
            "token_type": "Bearer",
            "expires_in": access_life,
            "scope": " ".join(scopes),
        }
        if refresh_life:
            answer["refresh_token"] = await self._new_refresh(client_id, scopes, upstream_id, refresh_life)
        return answer

    async def _new_refresh(self, client_id: str, scopes: list[str], upstream_id: str, life: int) -> str:
        jti = secrets.token_urlsafe(32)
        now = time.time()
        token = self._issuer.issue_refresh_token(client_id, scopes, jti, life)
        await self._storage.put(
            jti, {"jti": jti, "upstream_token_id": upstream_id, "created_at": now}, collection=_JTI, ttl=life
        )
        meta = {"client_id": client_id, "scopes": scopes, "expires_at": int(now + life), "created_at": now}
        await self._storage.put(_consent.digest(token), meta, collection=_REFRESH, ttl=life)
        return token

    async def _exchange_refresh(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        token = form.get("refresh_token") or ""
        meta = await self._storage.get(_consent.digest(token), collection=_REFRESH) if token else None
        if meta is None or meta.get("client_id") != client_id:
            raise _TokenError("invalid_grant", "refresh token does not exist")
        if meta.get("expires_at", 0) < time.time():
            raise _TokenError("invalid_grant", "refresh token has expired")
        held = list(meta.get("scopes") or [])
        asked = form.get("scope")
        scopes = asked.split() if asked else held
        for s in scopes:
            if s not in held:
                raise _TokenError("invalid_scope", f"cannot request scope `{s}` not provided by refresh token")
        try:
            claims = self._issuer.verify_token(token, expected_token_use="refresh")
        except ValueError as e:
            raise _TokenError("invalid_grant", "Invalid refresh token") from e
        mapping = await self._storage.get(claims["jti"], collection=_JTI)
        if mapping is None:
            raise _TokenError("invalid_grant", "Refresh token mapping not found")
        upstream_id = mapping["upstream_token_id"]
        token_set = await self._storage.get(upstream_id, collection=_UPSTREAM)
        if token_set is None:
            raise _TokenError("invalid_grant", "Upstream token not found")
        if not token_set.get("refresh_token"):
            raise _TokenError("invalid_grant", "Refresh not supported for this token")
        try:
            token_set = await self._refresh_upstream(token_set, scopes)
        except _UpstreamError as e:
            if e.error == "invalid_grant":
                raise _TokenError("invalid_grant", "Upstream refresh token was rejected") from e
            raise _TokenError(e.error, e.description) from e
        now = time.time()
        access_life = int(max(token_set["expires_at"] - now, 1))
        if self.fastmcp_access_token_expiry_seconds is not None:
            access_life = self.fastmcp_access_token_expiry_seconds
        access_jti = secrets.token_urlsafe(32)
        await self._storage.put(
            access_jti,
            {"jti": access_jti, "upstream_token_id": upstream_id, "created_at": now},
            collection=_JTI,
            ttl=access_life,
        )
        rt_expires = token_set.get("refresh_token_expires_at")
        refresh_life = int(rt_expires - now) if rt_expires else (self.fallback_refresh_token_expiry_seconds or _YEAR)
        refresh = await self._new_refresh(client_id, scopes, upstream_id, max(refresh_life, 1))
        await self._storage.delete(claims["jti"], collection=_JTI)
        await self._storage.delete(_consent.digest(token), collection=_REFRESH)
        return {
            "access_token": self._issuer.issue_access_token(client_id, scopes, access_jti, access_life),
            "token_type": "Bearer",
            "expires_in": access_life,
            "scope": " ".join(scopes),
            "refresh_token": refresh,
        }

    async def _refresh_upstream(self, token_set: dict[str, Any], scopes: list[str]) -> dict[str, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": token_set["refresh_token"]}
        if scopes:
            form["scope"] = " ".join(scopes)
        answer = await self._upstream_token_request(form)
        now = time.time()
        expires_in = answer.get("expires_in")
        if expires_in is None:
            expires_in = self.fallback_access_token_expiry_seconds or 3600
        updated = {
            **token_set,
            "access_token": answer["access_token"],
            "expires_at": now + float(expires_in),
            "raw_token_data": {**(token_set.get("raw_token_data") or {}), **answer},
        }
        if answer.get("scope"):
            updated["scope"] = " ".join(_split_scopes(answer["scope"]))
        if answer.get("refresh_token"):
            updated["refresh_token"] = answer["refresh_token"]
            if answer.get("refresh_expires_in"):
                updated["refresh_token_expires_at"] = now + float(answer["refresh_expires_in"])
        life = max(int((updated.get("refresh_token_expires_at") or 0) - now), int(float(expires_in)), 1)
        await self._storage.put(updated["upstream_token_id"], updated, collection=_UPSTREAM, ttl=life)
        return updated

    # -- revocation (RFC 7009) -----------------------------------------------------------------------------

    async def _revoke(self, request: Any) -> Any:
        if request.method == "OPTIONS":
            return _json({}, 200)
        form = dict(await request.form())
        if "client_secret" not in form:
            return _json({"error": "invalid_request", "error_description": "client_secret: Field required"}, 400)
        client_id = form.get("client_id")
        if await self._client(client_id) is None:
            return _json({"error": "unauthorized_client", "error_description": "Invalid client_id"}, 401)
        token = form.get("token") or ""
        try:
            await self._revoke_token(client_id or "", token, form.get("token_type_hint"))
        except Exception:
            _log.exception("Revoking a token upstream failed")
        from starlette.responses import Response

        return Response(status_code=200, headers=_NO_STORE)

    async def _revoke_token(self, client_id: str, token: str, hint: str | None) -> None:
        import httpx

        upstream_token = None
        meta = await self._storage.get(_consent.digest(token), collection=_REFRESH) if token else None
        if meta is not None and meta.get("client_id") == client_id:
            try:
                claims = self._issuer.verify_token(token, expected_token_use="refresh")
                mapping = await self._storage.get(claims["jti"], collection=_JTI)
                token_set = (
                    await self._storage.get(mapping["upstream_token_id"], collection=_UPSTREAM) if mapping else None
                )
                upstream_token = token_set.get("refresh_token") if token_set else None
            except ValueError:
                pass
            await self._storage.delete(_consent.digest(token), collection=_REFRESH)
        else:
            try:
                claims = self._issuer.verify_token(token)
            except ValueError:
                return
            if claims.get("client_id") != client_id:
                return
            mapping = await self._storage.get(claims["jti"], collection=_JTI)
            token_set = await self._storage.get(mapping["upstream_token_id"], collection=_UPSTREAM) if mapping else None
            upstream_token = token_set.get("access_token") if token_set else None
        if not upstream_token or not self.upstream_revocation_endpoint:
            return
        auth = (
            httpx.BasicAuth(self.upstream_client_id, self._upstream_client_secret)
            if self._upstream_client_secret
            else None
        )
        data = {"token": upstream_token}
        if auth is None:
            data["client_id"] = self.upstream_client_id
        async with httpx.AsyncClient(timeout=30) as http:
            await http.post(self.upstream_revocation_endpoint, data=data, auth=auth)

    # -- bearer tokens on MCP requests ---------------------------------------------------------------------

    async def verify_token(self, token: str) -> AccessToken | None:
        return await self.load_access_token(token)

    async def load_access_token(self, token: str) -> AccessToken | None:
        """This server's JWT → the provider's token it stands for, checked by ``token_verifier`` (and
        refreshed upstream first when it has expired and can be)."""
        try:
            claims = self._issuer.verify_token(token)
        except ValueError:
            return None
        mapping = await self._storage.get(claims.get("jti", ""), collection=_JTI)
        if mapping is None:
            return None
        upstream_id = mapping["upstream_token_id"]
        token_set = await self._storage.get(upstream_id, collection=_UPSTREAM)
        if token_set is None:
            return None
        checked = await self._check_upstream(token_set)
        due = (
            token_set.get("refresh_token")
            and token_set.get("expires_at", 0) <= time.time() + self.token_expiry_threshold_seconds
        )
        if due and (checked is None or self.token_expiry_threshold_seconds > 0):
            lock = self._refresh_locks.setdefault(upstream_id, asyncio.Lock())
            async with lock:
                current = await self._storage.get(upstream_id, collection=_UPSTREAM) or token_set
                try:
                    if current.get("access_token") == token_set.get("access_token"):
                        current = await self._refresh_upstream(current, _split_scopes(current.get("scope")))
                except Exception:
                    _log.info("Refreshing an expired upstream token failed", exc_info=True)
                    current = await self._storage.get(upstream_id, collection=_UPSTREAM) or token_set
                checked = await self._check_upstream(current)
            self._refresh_locks.pop(upstream_id, None)
        if checked is None:
            return None
        return checked

    async def _check_upstream(self, token_set: dict[str, Any]) -> AccessToken | None:
        try:
            return await self.token_verifier.verify_token(self._verified_token(token_set))
        except TokenVerificationError:
            raise
        except Exception:
            _log.debug("The upstream token did not verify", exc_info=True)
            return None

    def _verified_token(self, token_set: dict[str, Any]) -> str:
        return token_set["access_token"]


class _TokenError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class _UpstreamError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
