"""A server behind ``OAuthProxy`` in front of the test identity provider (tests/idp, client ``proxy``), for
tests/test_oauth_proxy.py. ``OP_IMPL=fastmcp`` serves it with FastMCP 4 itself. ``OP_IDP`` is the provider's
URL, ``OP_CONSENT`` the ``require_authorization_consent`` setting (``true``, ``false`` or ``remember``), and
``OP_KIND=oidc`` makes it an ``OIDCProxy`` set up from the provider's discovery document, ``OP_KIND=multi``
a ``MultiAuth`` of the proxy and a ``JWTVerifier`` for the provider's client-credentials tokens, and
``OP_KIND=github`` / ``google`` the named providers (their endpoints are not reached by the tests).
``oauth_proxy.py PORT`` serves Streamable HTTP on 127.0.0.1:PORT with ``base_url=http://localhost:PORT``."""

from __future__ import annotations

import os
import sys

if os.environ.get("OP_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.auth import MultiAuth, OAuthProxy
    from fastmcp.server.auth.oidc_proxy import OIDCProxy
    from fastmcp.server.auth.providers.github import GitHubProvider
    from fastmcp.server.auth.providers.google import GoogleProvider
    from fastmcp.server.auth.providers.jwt import JWTVerifier
    from fastmcp.server.dependencies import get_access_token
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.auth import MultiAuth, OAuthProxy
    from fastmcp_rs.server.auth.oidc_proxy import OIDCProxy
    from fastmcp_rs.server.auth.providers.github import GitHubProvider
    from fastmcp_rs.server.auth.providers.google import GoogleProvider
    from fastmcp_rs.server.auth.providers.jwt import JWTVerifier
    from fastmcp_rs.server.dependencies import get_access_token

port = int(sys.argv[1])
idp = os.environ["OP_IDP"]
base = f"http://localhost:{port}"
consent = {"true": True, "false": False, "remember": "remember"}[os.environ.get("OP_CONSENT", "true")]
storage = None  # with OP_STORAGE=default, each server's own default (encrypted files under FASTMCP_HOME)
if os.environ.get("OP_IMPL") == "fastmcp" and os.environ.get("OP_STORAGE") != "default":
    from key_value.aio.stores.memory import MemoryStore

    storage = MemoryStore()

common = dict(
    base_url=base,
    valid_scopes=["openid", "offline_access", "read", "write"],
    require_authorization_consent=consent,
    allowed_client_redirect_uris=["http://localhost:*", "http://127.0.0.1:*"],
    client_storage=storage,
)
if os.environ.get("OP_KIND") == "github":
    auth = GitHubProvider(client_id="gh-app", client_secret="gh-secret", base_url=base, client_storage=storage)
elif os.environ.get("OP_KIND") == "google":
    auth = GoogleProvider(
        client_id="g-app.apps.googleusercontent.com",
        client_secret="g-secret",
        base_url=base,
        required_scopes=["openid", "email"],
        client_storage=storage,
    )
elif os.environ.get("OP_KIND") == "oidc":
    auth = OIDCProxy(
        config_url=f"{idp}/.well-known/openid-configuration",
        client_id="proxy",
        client_secret="proxy-secret",
        required_scopes=["read"],
        **common,
    )
else:
    auth = OAuthProxy(
        upstream_authorization_endpoint=f"{idp}/auth",
        upstream_token_endpoint=f"{idp}/token",
        upstream_client_id="proxy",
        upstream_client_secret="proxy-secret",
        upstream_revocation_endpoint=f"{idp}/token/revocation",
        token_verifier=JWTVerifier(
            jwks_uri=f"{idp}/jwks", issuer=idp, audience=f"{base}/mcp", required_scopes=["read"]
        ),
        **common,
    )
if os.environ.get("OP_KIND") == "multi":
    machines = JWTVerifier(jwks_uri=f"{idp}/jwks", issuer=idp, audience=f"{base}/mcp", required_scopes=["admin"])
    auth = MultiAuth(server=auth, server_source_id="users", verifiers={"machines": machines})
mcp = FastMCP("proxied", auth=auth)


@mcp.tool
def whoami() -> dict:
    token = get_access_token()
    return {
        "sub": token.claims.get("sub"),
        "scopes": sorted(token.scopes),
        "aud": token.claims.get("aud"),
        "client_id": token.client_id,
    }


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=port, show_banner=False)
