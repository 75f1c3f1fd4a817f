"""A server with FastMCP 4's authentication and per-component authorization (tests/test_auth.py).

`AUTH_IMPL=fastmcp` serves it with FastMCP 4 itself (the reference). `AUTH_MODE` picks the provider:
`static` (a `StaticTokenVerifier` behind a `RemoteAuthProvider`), `loose` (a verifier with no scopes behind
a provider that requires `admin`: 403), `jwt` (a `JWTVerifier` on the JWKS of the identity provider at
`AUTH_IDP`, for the audience `AUTH_AUDIENCE`), `introspection` (an `IntrospectionTokenVerifier` on that
provider), `rsa` (a `JWTVerifier` on the PEM key `AUTH_PUBLIC_KEY`; `rsa-roles` / `rsa-denylist`: subclasses with their
own `_extract_scopes` / `verify_token`), `custom` (a `TokenVerifier` subclass
written here), `debug` / `debug-default` (a `DebugTokenVerifier` with an async check / its defaults),
`supabase` / `authkit` / `auth0` / `scalekit` (`SupabaseProvider` / `AuthKitProvider` / `Auth0MCPProvider` /
`ScalekitProvider` on the identity provider at `AUTH_IDP`) or
`none`. `authed.py http PORT` serves
Streamable HTTP (`asgi PORT`: its `http_app()` under uvicorn); without arguments, stdio.
"""

from __future__ import annotations

import asyncio
import os
import sys

if os.environ.get("AUTH_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.auth import (
        AccessToken,
        AuthContext,
        RemoteAuthProvider,
        TokenVerifier,
        require_roles,
        require_scopes,
        restrict_tag,
    )
    from fastmcp.server.auth.providers.debug import DebugTokenVerifier
    from fastmcp.server.auth.providers.introspection import IntrospectionTokenVerifier
    from fastmcp.server.auth.providers.jwt import JWTVerifier, StaticTokenVerifier
    from fastmcp.server.dependencies import get_access_token
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.auth import (
        AccessToken,
        AuthContext,
        RemoteAuthProvider,
        TokenVerifier,
        require_roles,
        require_scopes,
        restrict_tag,
    )
    from fastmcp_rs.server.auth.providers.debug import DebugTokenVerifier
    from fastmcp_rs.server.auth.providers.introspection import IntrospectionTokenVerifier
    from fastmcp_rs.server.auth.providers.jwt import JWTVerifier, StaticTokenVerifier
    from fastmcp_rs.server.dependencies import get_access_token

HTTP = len(sys.argv) > 2 and sys.argv[1] in ("http", "asgi")
PORT = int(sys.argv[2]) if HTTP else 0
BASE = f"http://127.0.0.1:{PORT}"
IDP = os.environ.get("AUTH_IDP", "")
TOKENS = {
    "alice-token": {"client_id": "alice", "scopes": ["read", "admin"], "roles": ["boss"], "sub": "u-alice"},
    "bob-token": {"client_id": "bob", "scopes": ["read"], "roles": ["staff"]},
    "carol-token": {"client_id": "carol", "scopes": ["write"]},
}


class TableVerifier(TokenVerifier):
    """A verifier of the user's own: looks tokens up in a table, after a pause (as a database would)."""

    async def verify_token(self, token: str) -> AccessToken | None:
        await asyncio.sleep(0.001)
        entry = TOKENS.get(token)
        if entry is None:
            return None
        return AccessToken(token=token, client_id=entry["client_id"], scopes=entry["scopes"], claims=entry)


mode = os.environ.get("AUTH_MODE", "static")
servers = ["https://auth.example.com"]
if mode == "static":
    auth = RemoteAuthProvider(
        token_verifier=StaticTokenVerifier(tokens=TOKENS, required_scopes=["read"]),
        authorization_servers=servers,
        base_url=BASE,
        resource_name="Inventory",
    )
elif mode == "loose":
    auth = RemoteAuthProvider(
        token_verifier=StaticTokenVerifier(tokens=TOKENS),
        authorization_servers=servers,
        base_url=BASE,
        required_scopes=["admin"],
    )
elif mode == "jwt":
    verifier = JWTVerifier(
        jwks_uri=f"{IDP}/jwks",
        issuer=IDP,
        audience=os.environ.get("AUTH_AUDIENCE", f"{BASE}/mcp"),
        required_scopes=["read"],
        jwks_refresh_interval=0.0,
    )
    auth = RemoteAuthProvider(token_verifier=verifier, authorization_servers=[IDP], base_url=BASE)
elif mode == "introspection":
    auth = IntrospectionTokenVerifier(
        introspection_url=f"{IDP}/token/introspection",
        client_id="rs",
        client_secret="rs-secret",
        client_auth_method=os.environ.get("AUTH_CLIENT_AUTH", "client_secret_basic"),
        required_scopes=["read"],
    )
elif mode == "rsa":
    auth = JWTVerifier(
        public_key=os.environ["AUTH_PUBLIC_KEY"],
        issuer="https://fastmcp.example.com",
        audience="mcp-test",
        required_scopes=["read"],
    )
elif mode in ("rsa-roles", "rsa-denylist"):

    class RolesAsScopes(JWTVerifier):
        """FastMCP's documented extension point: scopes from a claim of the identity provider's own."""

        def _extract_scopes(self, claims: dict) -> list[str]:
            return [f"role:{r}" for r in claims.get("roles", [])] + super()._extract_scopes(claims)

    class Denylist(JWTVerifier):
        """A ``verify_token`` of the user's own around the JWT checks: revoked token ids are refused."""

        async def verify_token(self, token: str) -> AccessToken | None:
            found = await super().verify_token(token)
            if found is None or found.claims.get("jti") == "revoked":
                return None
            return found

    auth = (RolesAsScopes if mode == "rsa-roles" else Denylist)(
        public_key=os.environ["AUTH_PUBLIC_KEY"],
        issuer="https://fastmcp.example.com",
        audience="mcp-test",
        required_scopes=["role:boss"] if mode == "rsa-roles" else ["read"],
    )
elif mode == "custom":
    auth = TableVerifier(required_scopes=["read"])
elif mode in ("supabase", "authkit", "auth0", "scalekit"):
    import importlib

    package = "fastmcp" if os.environ.get("AUTH_IMPL") == "fastmcp" else "fastmcp_rs"
    if mode == "supabase":
        provider = importlib.import_module(f"{package}.server.auth.providers.supabase").SupabaseProvider
        auth = provider(
            project_url=IDP, base_url=BASE, algorithm="RS256", required_scopes=["read"], resource_name="Inv"
        )
    elif mode == "authkit":
        provider = importlib.import_module(f"{package}.server.auth.providers.workos").AuthKitProvider
        auth = provider(authkit_domain=IDP, base_url=BASE, required_scopes=["read"])
    elif mode == "scalekit":
        provider = importlib.import_module(f"{package}.server.auth.providers.scalekit").ScalekitProvider
        auth = provider(environment_url=IDP, resource_id="res_1", base_url=BASE, required_scopes=["read"])
    else:
        provider = importlib.import_module(f"{package}.server.auth.providers.auth0").Auth0MCPProvider
        auth = provider(config_url=f"{IDP}/.well-known/openid-configuration", base_url=BASE, required_scopes=["read"])
elif mode == "debug":

    async def known(token: str) -> bool:
        await asyncio.sleep(0.001)
        if token == "boom-token":
            raise RuntimeError("the token store is down")
        return token in TOKENS

    auth = DebugTokenVerifier(validate=known, client_id="debugger", scopes=["read", "admin"], required_scopes=["read"])
elif mode == "debug-default":
    auth = DebugTokenVerifier(scopes=["write"], required_scopes=["read"])
else:
    auth = None

mcp = FastMCP("authed", auth=auth)


@mcp.tool
def whoami() -> dict:
    """The caller, as the verified token says."""
    token = get_access_token()
    if token is None:
        return {"client_id": None}
    return {"client_id": token.client_id, "scopes": sorted(token.scopes)}


@mcp.tool(auth=require_scopes("admin"))
def admin_only() -> str:
    return "admin ok"


@mcp.tool(auth=require_roles("boss", extract=lambda claims: claims["roles"]))
def boss_only() -> str:
    return "boss ok"


async def is_alice(ctx: AuthContext) -> bool:
    await asyncio.sleep(0)
    return ctx.token is not None and ctx.token.client_id == "alice"


@mcp.tool(auth=is_alice)
async def alice_only() -> str:
    return "alice ok"


@mcp.tool(tags={"danger"}, auth=restrict_tag("danger", scopes=["admin"]))
def wipe() -> str:
    return "wiped"


@mcp.resource("data://secret", auth=require_scopes("admin"))
def secret() -> str:
    return "the secret"


@mcp.prompt(auth=require_scopes("admin"))
def briefing() -> str:
    return "Brief the admin."


if __name__ == "__main__":
    if HTTP and sys.argv[1] == "asgi":
        import uvicorn

        uvicorn.run(mcp.http_app(), host="127.0.0.1", port=PORT, log_level="warning")
    elif HTTP:
        mcp.run(transport="http", host="127.0.0.1", port=PORT, show_banner=False)
    else:
        mcp.run(show_banner=False)
