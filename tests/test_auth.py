"""Authentication and per-component authorization (issue 12, section 1), with the official Python client and
raw HTTP, against FastMCP 4.2.3 serving the same file (tests/servers/authed.py):

- the 401 / 403 answers, their ``WWW-Authenticate`` challenges and bodies, and the RFC 9728 document;
- what each caller sees and may use (``require_scopes``, ``require_roles``, an async callable,
  ``restrict_tag``) on tools, resources and prompts, and ``get_access_token()`` in a tool;
- ``JWTVerifier`` against a real identity provider (panva/oidc-provider on Node 22, tests/idp): its tokens,
  tokens that are expired, for another audience or issuer, forged, or ``alg``-confused, and a key rotation;
- ``IntrospectionTokenVerifier`` against the same provider, with both client authentication methods;
- a ``TokenVerifier`` subclass of the user's own, and ``DebugTokenVerifier`` with an async check;
- ``SupabaseProvider``, ``AuthKitProvider``, ``Auth0MCPProvider`` and ``WorkOSTokenVerifier`` on a local
  stand-in for their identity providers (discovery, JWKS, forwarded authorization-server metadata, ``userinfo``);
- and stdio, where nothing is checked (as in FastMCP).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from conftest import HERE, IDP_DIR, stop
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "authed.py"
IMPLS = ("fastmcp", "fastmcp_rs")
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{what} did not start listening")


@contextlib.contextmanager
def serve(impl: str, mode: str, how: str = "http", **env: str) -> Iterator[str]:
    """The server file under ``impl`` with provider ``mode`` (``how``: ``http``, or ``asgi`` for its
    ``http_app()`` under uvicorn); yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), how, str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "AUTH_IMPL": impl, "AUTH_MODE": mode, **env},
    )
    try:
        wait_listening(port, proc, f"{impl} ({mode})")
        yield f"http://127.0.0.1:{port}"
    finally:
        if impl == "fastmcp_rs" and how == "http":
            assert stop(proc) == 0
        else:
            stop(proc)


def probe(base: str, authorization: str | None, body: dict[str, Any] = INIT) -> tuple[Any, ...]:
    """One raw POST: status, challenge, content type, body (the server's port written as BASE)."""
    headers = dict(ACCEPT)
    if authorization is not None:
        headers["authorization"] = authorization
    r = httpx.post(f"{base}/mcp", json=body, headers=headers, timeout=10)
    challenge = r.headers.get("www-authenticate", "").replace(base, "BASE")
    kind = r.headers.get("content-type", "").split(";")[0]
    text = r.text if r.status_code in (401, 403) else ""
    return r.status_code, challenge, kind if r.status_code in (401, 403) else "", text


async def what_a_caller_gets(base: str, token: str) -> dict[str, Any]:
    """Through the official client with ``Authorization: Bearer <token>``: listings, and every call."""
    seen: dict[str, Any] = {}
    async with httpx.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=20) as http:
        async with streamable_http_client(f"{base}/mcp", http_client=http) as (read, write, *_):
            async with ClientSession(read, write) as session:
                await session.initialize()
                seen.update(await _walk(session))
    return seen


async def _walk(session: ClientSession) -> dict[str, Any]:
    seen: dict[str, Any] = {"tools": sorted(t.name for t in (await session.list_tools()).tools)}
    for name in ("whoami", "admin_only", "boss_only", "alice_only", "wipe"):
        result = await session.call_tool(name, {})
        seen[name] = (result.is_error, result.structured_content or [c.text for c in result.content])
    seen["resources"] = [str(r.uri) for r in (await session.list_resources()).resources]
    try:
        seen["read"] = (await session.read_resource("data://secret")).contents[0].text
    except MCPError as e:
        seen["read"] = (e.error.code, e.error.message)
    seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
    try:
        seen["prompt"] = (await session.get_prompt("briefing")).messages[0].content.text
    except MCPError as e:
        seen["prompt"] = (e.error.code, e.error.message)
    return seen


def test_refusals_and_the_resource_metadata_match_fastmcp() -> None:
    answers: dict[str, Any] = {}
    for impl in IMPLS:
        with serve(impl, "static") as base:
            got = [
                probe(base, None),
                probe(base, "Basic YWxpY2U6c2VjcmV0"),
                probe(base, "Bearer no-such-token"),
                probe(base, "Bearer carol-token"),  # lacks the verifier's required scope: refused as invalid
                probe(base, "bearer alice-token")[:1],
                probe(base, "Bearer bob-token")[:1],
            ]
            meta = httpx.get(f"{base}/.well-known/oauth-protected-resource/mcp", headers={"origin": "http://x"})
            got.append((meta.status_code, meta.json(), meta.headers.get("access-control-allow-origin")))
            got.append((meta.headers.get("cache-control"),))
            got.append(httpx.get(f"{base}/.well-known/oauth-protected-resource").status_code)
            answers[impl] = json.loads(json.dumps(got).replace(base, "BASE"))
        with serve(impl, "loose") as base:
            answers[impl].append(list(probe(base, "Bearer bob-token")))
            answers[impl].append(list(probe(base, "Bearer alice-token")[:1]))
    assert answers["fastmcp_rs"] == answers["fastmcp"]
    ours = answers["fastmcp_rs"]
    challenge = 'Bearer scope="read", resource_metadata="BASE/.well-known/oauth-protected-resource/mcp"'
    assert ours[0][:2] == [401, challenge]
    assert ours[2][0] == 401 and ours[2][1].startswith('Bearer error="invalid_token"')
    assert [ours[4], ours[5]] == [[200], [200]]
    assert ours[6][1]["resource"] == "BASE/mcp" and ours[6][2] == "*"
    assert ours[9][0] == 403 and 'error="insufficient_scope", error_description="Required scope: admin"' in ours[9][1]


def test_a_token_refused_in_the_stateless_era_too_and_counted() -> None:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    with serve("fastmcp_rs", "static", FASTMCP_METRICS_PATH="/metrics") as base:
        modern = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/list",
            "params": {
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                    "io.modelcontextprotocol/clientCapabilities": {},
                }
            },
        }
        headers = {**ACCEPT, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list"}
        r = httpx.post(f"{base}/mcp", json=modern, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer scope=")
        r = httpx.post(f"{base}/mcp", json=modern, headers={**headers, "authorization": "Bearer bob-token"})
        assert r.status_code == 200
        names = [t["name"] for t in r.json()["result"]["tools"]]
        assert "admin_only" not in names and "whoami" in names
        probe(base, "Bearer nope")
        probe(base, "Bearer nope")
        families = text_string_to_metric_families(httpx.get(f"{base}/metrics").text)
        refused = {
            s.labels["reason"]: s.value
            for f in families
            if f.name == "mcp_refused_requests"
            for s in f.samples
            if s.name == "mcp_refused_requests_total"
        }
        assert refused == {"missing_token": 1, "invalid_token": 2}


@pytest.mark.anyio
async def test_an_asgi_app_is_authenticated_the_same_way() -> None:
    answers = {}
    for impl in IMPLS:
        with serve(impl, "static", how="asgi") as base:
            meta = httpx.get(f"{base}/.well-known/oauth-protected-resource/mcp")
            answers[impl] = json.loads(
                json.dumps(
                    [probe(base, None), probe(base, "Bearer nope"), probe(base, "Bearer bob-token")[:1], meta.json()]
                ).replace(base, "BASE")
            )
            seen = await what_a_caller_gets(base, "bob-token")
            assert seen["tools"] == ["whoami"] and seen["whoami"][1]["client_id"] == "bob", impl
    assert answers["fastmcp_rs"] == answers["fastmcp"]
    assert [a[0] for a in answers["fastmcp_rs"][:3]] == [401, 401, 200]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["static", "custom"])
async def test_each_caller_sees_and_uses_what_fastmcp_lets_it(mode: str) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for impl in IMPLS:
        with serve(impl, mode) as base:
            seen[impl] = {who: await what_a_caller_gets(base, f"{who}-token") for who in ("alice", "bob")}
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    alice, bob = seen["fastmcp_rs"]["alice"], seen["fastmcp_rs"]["bob"]
    assert alice["tools"] == ["admin_only", "alice_only", "boss_only", "whoami", "wipe"]
    assert alice["whoami"] == (False, {"client_id": "alice", "scopes": ["admin", "read"]})
    assert alice["read"] == "the secret" and alice["prompt"] == "Brief the admin."
    assert bob["tools"] == ["whoami"]
    assert bob["admin_only"] == (True, ["Unknown tool: 'admin_only'"])
    assert bob["wipe"] == (True, ["Unknown tool: 'wipe'"])
    assert bob["read"] == (-32602, "Resource not found: 'data://secret'")
    assert bob["prompts"] == [] and bob["prompt"] == (-32602, "Unknown prompt: 'briefing'")


@pytest.mark.anyio
async def test_a_debug_token_verifier_answers_as_in_fastmcp() -> None:
    """``DebugTokenVerifier``: an async check of the user's own (passing, refusing, raising), its client id,
    scopes and ``{"token": ...}`` claim; and its defaults (every token passes, with the scopes it is given)."""
    seen: dict[str, Any] = {}
    for impl in IMPLS:
        with serve(impl, "debug") as base:
            refusals = [probe(base, a)[:2] for a in ("Bearer nobody", "Bearer boom-token", None)]
            seen[impl] = (refusals, await what_a_caller_gets(base, "alice-token"))
        with serve(impl, "debug-default") as base:
            seen[impl] += ([probe(base, a)[:2] for a in ("Bearer anything", "Basic YTpi")],)
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    refusals, alice, defaults = seen["fastmcp_rs"]
    assert [status for status, _ in refusals] == [401, 401, 401]
    assert alice["whoami"] == (False, {"client_id": "debugger", "scopes": ["admin", "read"]})
    assert alice["admin_only"] == (False, {"result": "admin ok"})
    # A token with only the `write` scope passes the check and lacks the required `read`.
    assert [status for status, _ in defaults] == [403, 401]


@pytest.mark.anyio
async def test_over_stdio_nothing_is_checked_as_in_fastmcp() -> None:
    seen = {}
    for impl in IMPLS:
        params = StdioServerParameters(
            command=sys.executable, args=[str(SERVER)], env={**os.environ, "AUTH_IMPL": impl, "AUTH_MODE": "static"}
        )
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            seen[impl] = await _walk(session)
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    assert seen["fastmcp_rs"]["boss_only"] == (False, {"result": "boss ok"})
    assert seen["fastmcp_rs"]["whoami"] == (False, {"client_id": None})


# --- a real identity provider -------------------------------------------------------------------------------


def rsa_key(kid: str) -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    return key, {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


class Idp:
    """oidc-provider on a fixed port; ``restart`` with other keys rotates them."""

    def __init__(self, node: Path, tmp: Path, resource: str) -> None:
        self.node, self.tmp, self.resource = node, tmp, resource
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, jwks: list[dict[str, Any]]) -> None:
        keys = self.tmp / "jwks.json"
        keys.write_text(json.dumps({"keys": jwks}))
        self.proc = subprocess.Popen(
            [str(self.node), str(IDP_DIR / "idp.mjs"), str(self.port), str(keys), self.resource],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_listening(self.port, self.proc, "the identity provider")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def token(self, scope: str, resource: str | None = None) -> str:
        r = httpx.post(
            f"{self.url}/token",
            data={"grant_type": "client_credentials", "scope": scope, "resource": resource or self.resource},
            auth=("svc", "svc-secret"),
        )
        assert r.status_code == 200, r.text
        return r.json()["access_token"]


def sign(key: Any, kid: str, alg: str = "RS256", **claims: Any) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


@pytest.mark.anyio
async def test_jwt_verifier_with_a_real_identity_provider(node: Path, tmp_path: Path) -> None:
    k1, jwk1 = rsa_key("k1")
    k2, jwk2 = rsa_key("k2")
    intruder, _ = rsa_key("k1")
    port = free_port()
    resource = f"http://127.0.0.1:{port}/mcp"
    # Both servers read the same provider; ours must be on the port the tokens are minted for.
    idp = Idp(node, tmp_path, resource)
    idp.start([jwk1])
    try:
        with serve("fastmcp", "jwt", AUTH_IDP=idp.url, AUTH_AUDIENCE=resource) as theirs_base:
            ours_env = {**os.environ, "AUTH_IMPL": "fastmcp_rs", "AUTH_MODE": "jwt", "AUTH_IDP": idp.url}
            proc = subprocess.Popen(
                [sys.executable, str(SERVER), "http", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=ours_env,
            )
            try:
                wait_listening(port, proc, "fastmcp_rs (jwt)")
                ours_base = f"http://127.0.0.1:{port}"
                await _jwt_checks(idp, ours_base, theirs_base, k1, k2, jwk2, intruder)
            finally:
                assert stop(proc) == 0
    finally:
        idp.stop()


async def _jwt_checks(idp: Idp, ours: str, theirs: str, k1: Any, k2: Any, jwk2: dict[str, Any], intruder: Any) -> None:
    now = int(time.time())
    admin = idp.token("read admin")
    seen = await what_a_caller_gets(ours, admin)
    assert seen["whoami"] == (False, {"client_id": "svc", "scopes": ["admin", "read"]})
    assert "admin_only" in seen["tools"]
    reader = await what_a_caller_gets(ours, idp.token("read"))
    assert reader["tools"] == ["whoami"]

    good = {"iss": idp.url, "aud": idp.resource, "exp": now + 300, "scope": "read", "client_id": "svc"}
    pem = k1.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    cases = {
        "the provider's own": (idp.token("read"), 200),
        "without the required scope": (idp.token("write"), 401),
        "signed by k1 here": (sign(k1, "k1", **good), 200),
        "expired": (sign(k1, "k1", **{**good, "exp": now - 5}), 401),
        "another audience": (sign(k1, "k1", **{**good, "aud": "https://elsewhere/mcp"}), 401),
        "another issuer": (sign(k1, "k1", **{**good, "iss": "https://evil.example"}), 401),
        "not yet valid": (sign(k1, "k1", **{**good, "nbf": now + 120}), 401),
        "forged (another key, same kid)": (sign(intruder, "k1", **good), 401),
        "alg confusion (HS256 keyed with the public key)": (_hs256_with(pem, good), 401),
        "unsigned": (jwt.encode(good, None, algorithm="none"), 401),
        "not a JWT": ("definitely-not-a-jwt", 401),
    }
    for name, (token, status) in cases.items():
        for base in (ours, theirs):
            got = probe(base, f"Bearer {token}")[0]
            assert got == status, f"{name}: {base} answered {got}"

    # Rotation: the provider now signs with k2 only. A token naming k2 makes the verifier fetch the JWKS again.
    idp.stop()
    idp.start([jwk2])
    rotated = idp.token("read admin")
    assert sign(k2, "k2", **good)  # a key of the new set signs as well
    for base in (ours, theirs):
        assert probe(base, f"Bearer {rotated}")[0] == 200
        # A token signed with the retired key and not seen before is refused now.
        assert probe(base, f"Bearer {sign(k1, 'k1', **{**good, 'jti': 'fresh'})}")[0] == 401
    seen = await what_a_caller_gets(ours, rotated)
    assert "admin_only" in seen["tools"] and seen["admin_only"] == (False, {"result": "admin ok"})


def _hs256_with(secret: bytes, claims: dict[str, Any]) -> str:
    """An HS256 token keyed with the RSA public key's PEM (the classic algorithm confusion); built by hand,
    since PyJWT refuses to sign with a PEM as an HMAC secret."""
    import base64
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


@pytest.mark.anyio
@pytest.mark.parametrize("client_auth", ["client_secret_basic", "client_secret_post"])
async def test_introspection_with_a_real_identity_provider(node: Path, tmp_path: Path, client_auth: str) -> None:
    _, jwk = rsa_key("k1")
    idp = Idp(node, tmp_path, "https://jwt.example/mcp")  # JWTs for that one; opaque tokens for urn:opaque
    idp.start([jwk])
    try:
        for impl in IMPLS:
            with serve(impl, "introspection", AUTH_IDP=idp.url, AUTH_CLIENT_AUTH=client_auth) as base:
                admin = idp.token("read admin", "urn:opaque")
                assert "." not in admin  # opaque, so only introspection can tell
                seen = await what_a_caller_gets(base, admin)
                assert seen["whoami"] == (False, {"client_id": "svc", "scopes": ["admin", "read"]}), impl
                assert seen["admin_only"] == (False, {"result": "admin ok"})
                assert probe(base, "Bearer " + idp.token("write", "urn:opaque"))[0] == 401
                assert probe(base, "Bearer not-issued-here")[:1] == (401,)
    finally:
        idp.stop()


def test_the_sdk_v1_resource_server_spelling_is_served() -> None:
    """The official SDK's `oauth_server.py` snippet, unchanged: `FastMCP(token_verifier=..., auth=AuthSettings(
    issuer_url=..., resource_server_url=..., required_scopes=[...]))` (FastMCP 4 refuses `token_verifier`)."""
    snippet = HERE / "dropin" / "corpus" / "sdk_v1" / "snippets" / "servers" / "oauth_server.py"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastmcp_rs.cli", "run", str(snippet), "--transport", "http", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_listening(port, proc, "oauth_server.py")
        base = f"http://127.0.0.1:{port}"
        meta = httpx.get(f"{base}/.well-known/oauth-protected-resource").json()
        assert meta["resource"] == "http://localhost:3001/"
        assert meta["authorization_servers"] == ["https://auth.example.com/"] and meta["scopes_supported"] == ["user"]
        missing = probe(base, None)
        assert missing[:2] == (
            401,
            'Bearer scope="user", resource_metadata="http://localhost:3001/.well-known/oauth-protected-resource"',
        )
        assert probe(base, "Bearer anything")[0] == 401  # its verifier accepts nothing
    finally:
        assert stop(proc) == 0


def _use(base: str, session: str, ping: dict[str, Any], token: str, method: str = "POST") -> tuple[int, str]:
    headers = {**ACCEPT, "authorization": f"Bearer {token}", "mcp-session-id": session}
    if method == "DELETE":
        r = httpx.delete(f"{base}/mcp", headers=headers)
    else:
        r = httpx.post(f"{base}/mcp", json=ping, headers=headers)
    return r.status_code, r.text if r.status_code == 404 else ""


def test_a_session_belongs_to_the_caller_that_opened_it() -> None:
    """A session id is no credential: another caller presenting it (with a valid token of its own) is told
    the session does not exist, as FastMCP 4 tells it; the owner goes on using it."""
    seen = {}
    for impl in IMPLS:
        with serve(impl, "static") as base:
            opened = httpx.post(f"{base}/mcp", json=INIT, headers={**ACCEPT, "authorization": "Bearer alice-token"})
            assert opened.status_code == 200
            session = opened.headers["mcp-session-id"]
            ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}

            seen[impl] = [
                _use(base, session, ping, "bob-token"),
                _use(base, session, ping, "bob-token", "DELETE")[0],
                _use(base, session, ping, "alice-token")[0],
                _use(base, session, ping, "alice-token", "DELETE")[0],
            ]
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    refused, *rest = seen["fastmcp_rs"]
    assert refused[0] == 404 and "Session not found" in refused[1]
    assert rest == [404, 200, 200]


def test_an_in_process_client_is_checked_as_in_fastmcp() -> None:
    """`Client(mcp)` in the same process is not stdio: per-component checks apply, with no token."""
    code = (
        "import asyncio, sys\n"
        "sys.argv = ['authed.py']\n"
        "sys.path.insert(0, sys.argv[0] and {servers!r})\n"
        "import authed\n"
        "Client = __import__('fastmcp' if authed.os.environ['AUTH_IMPL'] == 'fastmcp' else 'fastmcp_rs').Client\n"
        "async def main():\n"
        "    async with Client(authed.mcp) as c:\n"
        "        print(sorted(t.name for t in await c.list_tools()))\n"
        "asyncio.run(main())\n"
    ).format(servers=str(HERE / "servers"))
    listed = {}
    for impl in IMPLS:
        env = {**os.environ, "AUTH_IMPL": impl, "AUTH_MODE": "none"}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0, done.stderr
        listed[impl] = done.stdout.strip().splitlines()[-1]
    assert listed["fastmcp_rs"] == listed["fastmcp"] == "['whoami']"


@pytest.mark.anyio
async def test_rsa_key_pairs_sign_tokens_both_servers_accept() -> None:
    """`RSAKeyPair` (FastMCP's test helper): its tokens and FastMCP 4.2.3's own, signed with the same key, are
    accepted by both servers through `JWTVerifier(public_key=...)`; an expired one by neither."""
    from fastmcp.server.auth.providers.jwt import RSAKeyPair as TheirPair
    from fastmcp_rs.server.auth.providers.jwt import RSAKeyPair

    pair = RSAKeyPair.generate()
    theirs = TheirPair(private_key=pair.private_key, public_key=pair.public_key)
    claims = {"audience": "mcp-test", "scopes": ["read", "admin"], "additional_claims": {"client_id": "tester"}}
    tokens = [pair.create_token(**claims), theirs.create_token(**claims)]
    expired = pair.create_token(expires_in_seconds=-10, **claims)
    for impl in IMPLS:
        with serve(impl, "rsa", AUTH_PUBLIC_KEY=pair.public_key) as base:
            for token in tokens:
                seen = await what_a_caller_gets(base, token)
                assert seen["whoami"] == (False, {"client_id": "tester", "scopes": ["admin", "read"]}), impl
            assert probe(base, f"Bearer {expired}")[0] == 401


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["rsa-roles", "rsa-denylist"])
async def test_jwt_verifier_subclasses_are_honoured_as_in_fastmcp(mode: str) -> None:
    """A ``JWTVerifier`` subclass with its own ``_extract_scopes`` (scopes from a ``roles`` claim, required
    ``role:boss``) or its own ``verify_token`` (a denylist around the JWT checks): the core leaves the verdict to
    the subclass, as FastMCP 4 calls it."""
    from fastmcp_rs.server.auth.providers.jwt import RSAKeyPair

    pair = RSAKeyPair.generate()

    def token(roles: list[str], scopes: list[str], jti: str = "ok", **extra: Any) -> str:
        claims = {"client_id": "tester", "roles": roles, "jti": jti}
        return pair.create_token(audience="mcp-test", scopes=scopes, additional_claims=claims, **extra)

    tokens = [
        token(["boss"], ["read"]),
        token(["staff"], ["read"]),
        token(["boss"], ["read"], jti="revoked"),
        token(["boss"], ["read"], expires_in_seconds=-10),
        token(["boss"], []),
    ]
    seen: dict[str, Any] = {}
    for impl in IMPLS:
        with serve(impl, mode, AUTH_PUBLIC_KEY=pair.public_key) as base:
            statuses = [probe(base, f"Bearer {t}")[0] for t in tokens]
            seen[impl] = (statuses, (await what_a_caller_gets(base, tokens[0]))["whoami"])
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    statuses, whoami = seen["fastmcp_rs"]
    if mode == "rsa-roles":
        assert statuses == [200, 401, 200, 401, 200]
        assert whoami == (False, {"client_id": "tester", "scopes": ["read", "role:boss"]})
    else:
        assert statuses == [200, 200, 401, 401, 401]


def test_ctx_client_id_falls_back_to_the_verified_token() -> None:
    """``ctx.client_id`` is the request's ``_meta.client_id`` as in FastMCP 4; without one, the token's."""
    code = (
        "import asyncio, json\n"
        "from fastmcp_rs import Context, FastMCP\n"
        "from fastmcp_rs.server.auth.providers.jwt import StaticTokenVerifier\n"
        "auth = StaticTokenVerifier(tokens={'t1': {'client_id': 'alice', 'scopes': []}})\n"
        "mcp = FastMCP('who', auth=auth)\n"
        "@mcp.tool\n"
        "def who(ctx: Context) -> str:\n"
        "    return str(ctx.client_id)\n"
        "mcp.run(transport='http', host='127.0.0.1', port=int(__import__('sys').argv[1]), show_banner=False)\n"
    )
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", code, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(port, proc, "who")
        base = f"http://127.0.0.1:{port}"
        headers = {**ACCEPT, "authorization": "Bearer t1"}
        init = httpx.post(f"{base}/mcp", json=INIT, headers=headers, timeout=10)
        session = {"mcp-session-id": init.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}
        answers = []
        for meta in ({}, {"_meta": {"client_id": "from-meta"}}):
            params = {"name": "who", "arguments": {}, **meta}
            call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}
            r = httpx.post(f"{base}/mcp", json=call, headers={**headers, **session}, timeout=10)
            body = r.text
            assert r.status_code == 200, (r.status_code, body)
            events = [line[6:] for line in body.splitlines() if line.startswith("data: ") and line[6:].strip()]
            data = json.loads(events[-1]) if events else r.json()
            answers.append(data["result"]["content"][0]["text"])
        assert answers == ["alice", "from-meta"]
    finally:
        proc.terminate()
        proc.wait(10)


class _FakeIdentityProvider:
    """Supabase Auth's and WorkOS AuthKit's public endpoints on 127.0.0.1: their JWKS and authorization-server
    metadata (counting how often the metadata is fetched), and AuthKit's ``userinfo``."""

    def __init__(self) -> None:
        import http.server
        import threading

        from jwt.algorithms import RSAAlgorithm

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()
        self.fetches: list[str] = []
        idp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                body: bytes | None = None
                if self.path in ("/auth/v1/.well-known/jwks.json", "/oauth2/jwks", "/keys"):
                    body = jwks
                elif self.path == "/.well-known/openid-configuration":  # Auth0's, whose issuer ends in "/"
                    document = {
                        "issuer": f"{base}/",
                        "authorization_endpoint": f"{base}/authorize",
                        "token_endpoint": f"{base}/oauth/token",
                        "jwks_uri": f"{base}/oauth2/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                    body = json.dumps(document).encode()
                elif "/.well-known/oauth-authorization-server" in self.path:
                    idp.fetches.append(self.path)
                    before, _, after = self.path.partition("/.well-known/oauth-authorization-server")
                    issuer = base + before.rstrip("/") + after
                    body = json.dumps({"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize"}).encode()
                elif self.path == "/oauth2/userinfo" and self.headers.get("authorization") == "Bearer opaque-ok":
                    body = json.dumps({"sub": "u-1", "email": "a@example.com", "scope": "read write"}).encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iat": now, "exp": now + 600, "sub": "u-alice", "client_id": "alice", **claims}
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["supabase", "authkit", "auth0", "scalekit"])
async def test_resource_server_providers_answer_as_in_fastmcp(mode: str) -> None:
    """``SupabaseProvider``, ``AuthKitProvider``, ``Auth0MCPProvider`` and ``ScalekitProvider`` on a local
    stand-in for their identity providers: tokens checked against its JWKS, issuer and audience (Supabase's
    ``authenticated``, Scalekit's resource id; AuthKit's and Auth0's bound to this server's resource URL),
    scopes (Auth0's RBAC ``permissions`` too), the RFC 9728 document, and the forwarded authorization-server
    metadata (fetched once for two requests)."""
    idp = _FakeIdentityProvider()
    issuer = {
        "supabase": f"{idp.url}/auth/v1",
        "authkit": idp.url,
        "auth0": f"{idp.url}/",
        "scalekit": f"{idp.url}/resources/res_1",
    }[mode]
    seen: dict[str, Any] = {}
    try:
        for impl in IMPLS:
            idp.fetches.clear()
            with serve(impl, mode, AUTH_IDP=idp.url) as base:
                audience = {"supabase": "authenticated", "scalekit": "res_1"}.get(mode, f"{base}/mcp")
                good = {"iss": issuer, "aud": audience, "scope": "read admin", "roles": ["boss"]}
                tokens = [
                    idp.token(**good),
                    idp.token(**{**good, "aud": "https://elsewhere.example.com/mcp"}),
                    idp.token(**{**good, "iss": "https://impostor.example.com"}),
                    idp.token(**{**good, "exp": int(time.time()) - 3600}),
                    idp.token(**{**good, "scope": "write"}),
                    idp.token(**{**good, "scope": "write", "permissions": ["read", "admin"]}),
                ]
                refusals = [probe(base, f"Bearer {t}")[:2] for t in tokens]
                documents = []
                for path in (
                    "/.well-known/oauth-protected-resource/mcp",
                    *["/.well-known/oauth-authorization-server"] * 2,
                ):
                    r = httpx.get(base + path, timeout=10)
                    documents.append((r.status_code, json.loads(r.text.replace(base, "BASE").replace(idp.url, "IDP"))))
                caller = await what_a_caller_gets(base, tokens[0])
                seen[impl] = (refusals, documents, caller["whoami"], caller["boss_only"], list(idp.fetches))
    finally:
        idp.server.shutdown()
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    refusals, documents, whoami, boss, fetches = seen["fastmcp_rs"]
    assert [status for status, _ in refusals] == [200, 401, 401, 401, 401, 200 if mode == "auth0" else 401]
    servers = {"supabase": ["IDP/auth/v1"], "authkit": ["IDP"], "auth0": ["IDP/"], "scalekit": ["IDP/resources/res_1"]}
    assert documents[0][1]["authorization_servers"] == servers[mode]
    assert documents[1] == documents[2] and documents[1][1]["issuer"] == issuer.replace(idp.url, "IDP").rstrip("/")
    assert whoami == (False, {"client_id": "alice", "scopes": ["admin", "read"]}) and boss[0] is False
    assert len(fetches) == 1


@pytest.mark.anyio
async def test_a_workos_token_verifier_asks_userinfo_as_in_fastmcp() -> None:
    """``WorkOSTokenVerifier``, called as FastMCP calls it: AuthKit's ``userinfo`` decides, its ``scope`` gives
    the scopes, which must include ``required_scopes``."""
    idp = _FakeIdentityProvider()
    code = (
        "import asyncio, importlib, json, sys\n"
        "mod = importlib.import_module(sys.argv[1] + '.server.auth.providers.workos')\n"
        "async def main():\n"
        "    out = []\n"
        "    for required in ([], ['read'], ['admin']):\n"
        "        v = mod.WorkOSTokenVerifier(authkit_domain=sys.argv[2] + '/', required_scopes=required)\n"
        "        for token in ('opaque-ok', 'opaque-bad'):\n"
        "            t = await v.verify_token(token)\n"
        "            out.append(t and [t.client_id, t.scopes, t.subject, t.claims])\n"
        "    print(json.dumps(out))\n"
        "asyncio.run(main())\n"
    )
    try:
        answers = {}
        for impl in IMPLS:
            done = subprocess.run(
                [sys.executable, "-c", code, impl, idp.url], capture_output=True, text=True, timeout=60, check=True
            )
            answers[impl] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        idp.server.shutdown()
    assert answers["fastmcp_rs"] == answers["fastmcp"]
    assert answers["fastmcp_rs"][0][:2] == ["u-1", ["read", "write"]] and answers["fastmcp_rs"][1] is None
    assert answers["fastmcp_rs"][4] is None and answers["fastmcp_rs"][2] is not None
