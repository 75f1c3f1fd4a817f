"""``OAuthProxy`` (issue 12, section 1) against a real identity provider: panva/oidc-provider (tests/idp) with
a confidential client ``proxy``, logging users in with the authorization code flow. The same server file
(tests/servers/oauth_proxy.py) runs under FastMCP 4.2.3 and under fastmcp-rs.

The official Python client logs in as a user would (its ``OAuthClientProvider``: discovery, dynamic
registration, PKCE, the consent page and the provider's login page driven by a cookie-keeping browser), then
calls tools with the proxy's tokens, refreshes them, and the two servers must answer alike. The attacks on the
flow (a callback replayed, followed in another browser, an approval without the page's cookie, a code with
the wrong verifier, a refresh token used twice or as a bearer token) must be refused the same way."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import httpx2
import pytest
from conftest import HERE, IDP_DIR
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from test_auth import free_port, rsa_key, wait_listening

SERVER = HERE / "servers" / "oauth_proxy.py"
IMPLS = ("fastmcp", "fastmcp_rs")
CLIENT_REDIRECT = "http://localhost:3030/callback"
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


class Stack:
    """The identity provider and one MCP server in front of it (ports chosen first: each names the other)."""

    def __init__(
        self, node: Path, tmp: Path, impl: str, consent: str = "true", kind: str = "proxy", storage: str = "memory"
    ) -> None:
        self.port, self.idp_port = free_port(), free_port()
        self.base = f"http://localhost:{self.port}"
        self.idp = f"http://127.0.0.1:{self.idp_port}"
        _, jwk = rsa_key("k1")
        (tmp / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
        self.idp_proc = subprocess.Popen(
            [
                str(node),
                str(IDP_DIR / "idp.mjs"),
                str(self.idp_port),
                str(tmp / "jwks.json"),
                f"{self.base}/mcp",
                f"{self.base}/auth/callback",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "ACCESS_TTL": "300"},
        )
        wait_listening(self.idp_port, self.idp_proc, "the identity provider")
        self.impl = impl
        self.env = {
            **os.environ,
            "OP_IMPL": impl,
            "OP_IDP": self.idp,
            "OP_CONSENT": consent,
            "OP_KIND": kind,
            "OP_STORAGE": storage,
            "FASTMCP_HOME": str(tmp),
        }
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER), str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=self.env,
        )
        wait_listening(self.port, self.proc, self.impl)

    def restart(self) -> None:
        """The MCP server stopped and started again on the same port (the provider keeps running)."""
        self.proc.terminate()
        self.proc.wait(10)
        self.start()

    def close(self) -> None:
        for proc in (self.proc, self.idp_proc):
            proc.terminate()
            proc.wait(10)


def _form(page: str) -> tuple[str | None, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]*)"', page)
    fields = {
        html.unescape(m.group(1)): html.unescape(m.group(2))
        for m in re.finditer(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    return (html.unescape(action.group(1)) if action else None), fields


class Browser:
    """A user's browser: keeps cookies, follows the flow's redirects, submits the consent page (approve) and
    the provider's login page (any login)."""

    def __init__(self) -> None:
        self.http = httpx.AsyncClient(timeout=20, follow_redirects=False)
        self.seen: list[str] = []

    async def go(self, url: str, until: str = CLIENT_REDIRECT, approve: bool = True) -> str:
        """From ``url`` to the first redirect to ``until``; that URL."""
        method, data = "GET", None
        for _ in range(30):
            r = await (self.http.get(url) if method == "GET" else self.http.post(url, data=data))
            self.seen.append(f"{method} {urlsplit(url).path} {r.status_code}")
            if r.status_code in (301, 302, 303, 307):
                url = urljoin(url, r.headers["location"])
                method, data = "GET", None
                if url.startswith(until):
                    return url
                continue
            if r.status_code != 200:
                text = re.sub(r"<[^>]+>", " ", r.text)
                raise AssertionError(f"{method} {url}: {r.status_code} {text[-600:]}")
            action, fields = _form(r.text)
            if "csrf_token" in fields:  # the proxy's consent page
                fields["action"] = "approve" if approve else "deny"
            elif 'name="login"' in r.text:  # the provider's login page
                fields.update(login="alice", password="secret")
            url, method, data = urljoin(url, action or url), "POST", fields
        raise AssertionError(f"the flow did not end: {self.seen}")

    async def aclose(self) -> None:
        await self.http.aclose()


class Memory:
    """The client's token storage (``TokenStorage``)."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


async def login_with_the_official_client(base: str, browser: Browser, memory: Memory) -> dict[str, Any]:
    landed: dict[str, str] = {}

    async def redirect_handler(url: str) -> None:
        landed["url"] = await browser.go(url)

    async def callback_handler() -> AuthorizationCodeResult:
        q = parse_qs(urlsplit(landed["url"]).query)
        return AuthorizationCodeResult(code=q["code"][0], state=q["state"][0], iss=q.get("iss", [None])[0])

    provider = OAuthClientProvider(
        server_url=f"{base}/mcp",
        client_metadata=OAuthClientMetadata(
            client_name="proxy-test",
            redirect_uris=[CLIENT_REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
        ),
        storage=memory,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
        async with streamable_http_client(f"{base}/mcp", http_client=http) as (read, write, *_):
            async with ClientSession(read, write) as session:
                await session.initialize()
                who = (await session.call_tool("whoami", {})).structured_content
                added = (await session.call_tool("add", {"a": 2, "b": 3})).structured_content
                tools = sorted(t.name for t in (await session.list_tools()).tools)
    iss = parse_qs(urlsplit(landed["url"]).query).get("iss", [None])[0]
    return {"whoami": who, "add": added, "tools": tools, "iss": iss, "scope": memory.tokens.scope}


async def as_a_machine(stack: Stack) -> Any:
    """A client-credentials token of the provider's (no login, no proxy), straight to the MCP endpoint."""
    answers = {}
    for scope in ("read admin", "read"):
        r = httpx.post(
            f"{stack.idp}/token",
            data={"grant_type": "client_credentials", "scope": scope, "resource": f"{stack.base}/mcp"},
            auth=("svc", "svc-secret"),
        )
        token = r.json()["access_token"]
        status = bearer(stack.base, token)[0]
        if status != 200:
            answers[scope] = status
            continue
        async with httpx.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=20) as http:
            async with streamable_http_client(f"{stack.base}/mcp", http_client=http) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    who = (await session.call_tool("whoami", {})).structured_content
        who["client_id"] = who["client_id"].replace(stack.idp, "IDP")
        who["aud"] = who["aud"].replace(stack.base, "BASE")
        answers[scope] = who
    return answers


def bearer(base: str, token: str | None) -> tuple[int, str]:
    headers = dict(ACCEPT)
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    r = httpx.post(f"{base}/mcp", json=INIT, headers=headers, timeout=10)
    return r.status_code, r.headers.get("www-authenticate", "").replace(base, "BASE")


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def by_hand(stack: Stack) -> dict[str, Any]:
    """The flow step by step with raw HTTP, and the attacks on it; what each step answers."""
    seen: dict[str, Any] = {}
    base = stack.base
    async with httpx.AsyncClient(timeout=20) as http:
        meta = (await http.get(f"{base}/.well-known/oauth-authorization-server")).json()
        seen["metadata"] = {
            k: v
            for k, v in meta.items()
            if k not in ("token_endpoint_auth_methods_supported", "client_id_metadata_document_supported")
        }
        prm = await http.get(f"{base}/.well-known/oauth-protected-resource/mcp")
        seen["prm"] = (prm.status_code, prm.json())
        bad = await http.post(f"{base}/register", json={"redirect_uris": ["https://evil.example/cb"]})
        seen["register evil"] = (bad.status_code, bad.json())
        bad = await http.post(f"{base}/register", json={"client_name": "x"})
        seen["register without uris"] = (bad.status_code, bad.json()["error"])
        bad = await http.post(f"{base}/register", json={"redirect_uris": [CLIENT_REDIRECT], "scope": "admin"})
        seen["register admin"] = (bad.status_code, bad.json())
        reg = await http.post(f"{base}/register", json={"redirect_uris": [CLIENT_REDIRECT], "client_name": "raw"})
        client = reg.json()
        seen["register"] = (
            reg.status_code,
            {k: v for k, v in client.items() if k not in ("client_id", "client_id_issued_at")},
        )
        cid = client["client_id"]
        unknown = await http.get(f"{base}/authorize", params={"client_id": "nobody", "state": "s"})
        seen["authorize unknown"] = (
            unknown.status_code,
            unknown.json()["error"],
            unknown.headers.get("link", "").replace(base, "BASE"),
        )
        wrong = await http.get(
            f"{base}/authorize",
            params={"client_id": cid, "redirect_uri": "https://evil.example/cb", "response_type": "code", "state": "s"},
        )
        seen["authorize wrong redirect"] = (wrong.status_code, wrong.json()["error"])
        no_pkce = await http.get(
            f"{base}/authorize",
            params={"client_id": cid, "redirect_uri": CLIENT_REDIRECT, "response_type": "code", "state": "s"},
        )
        q = parse_qs(urlsplit(no_pkce.headers["location"]).query)
        seen["authorize without pkce"] = (no_pkce.status_code, q["error"], q["state"])

    verifier, challenge = _pkce()
    authorize = f"{base}/authorize?" + urlencode(
        {
            "client_id": cid,
            "redirect_uri": CLIENT_REDIRECT,
            "response_type": "code",
            "state": "st1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "scope": "openid offline_access read",
            "resource": f"{base}/mcp",
        }
    )

    # An approval posted without the consent page's cookie (another browser) is refused.
    alice, mallory = Browser(), Browser()
    r = await alice.http.get(authorize)
    consent_url = urljoin(authorize, r.headers["location"])
    page = await alice.http.get(consent_url)
    _, fields = _form(page.text)
    forged = await mallory.http.post(consent_url, data={**fields, "action": "approve"})
    seen["approve from another browser"] = (forged.status_code, "mismatch" in forged.text)
    # The real flow, stopped at the provider's redirect back to the proxy.
    callback = await alice.go(authorize, until=f"{base}/auth/callback")
    # Followed in another browser (no binding cookie): refused before anything is exchanged.
    other = await mallory.http.get(callback)
    seen["callback in another browser"] = (other.status_code, "Authorization session mismatch" in other.text)
    done = await alice.http.get(callback)
    assert done.status_code == 302, done.text
    landing = done.headers["location"]
    q = parse_qs(urlsplit(landing).query)
    seen["callback"] = (
        done.status_code,
        landing.split("?")[0],
        q["state"],
        [i.replace(base, "BASE") for i in q["iss"]],
    )
    replay = await alice.http.get(callback)
    seen["callback replayed"] = (replay.status_code, "Invalid or expired authorization transaction" in replay.text)
    code = q["code"][0]

    async with httpx.AsyncClient(timeout=20) as http:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CLIENT_REDIRECT, "client_id": cid}
        bad = await http.post(f"{base}/token", data={**form, "code_verifier": "x" * 50})
        seen["token bad verifier"] = (bad.status_code, bad.json())
        good = await http.post(f"{base}/token", data={**form, "code_verifier": verifier})
        tokens = good.json()
        seen["token"] = (
            good.status_code,
            sorted(tokens),
            tokens["token_type"],
            tokens["scope"],
            good.headers["cache-control"],
        )
        again = await http.post(f"{base}/token", data={**form, "code_verifier": verifier})
        seen["code replayed"] = (again.status_code, again.json())
        claims = json.loads(base64.urlsafe_b64decode(tokens["access_token"].split(".")[1] + "=="))
        seen["claims"] = (
            sorted(claims),
            claims["iss"].replace(base, "BASE"),
            claims["aud"].replace(base, "BASE"),
            claims["client_id"] == cid,
        )
        seen["mcp with the token"] = bearer(base, tokens["access_token"])[0]
        seen["mcp with the refresh token"] = bearer(base, tokens["refresh_token"])
        seen["mcp without a token"] = bearer(base, None)
        seen["mcp with a forged token"] = bearer(base, tokens["access_token"][:-4] + "AAAA")
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": cid}
        wider = await http.post(f"{base}/token", data={**refresh, "scope": "write"})
        seen["refresh wider"] = (wider.status_code, wider.json()["error"])
        renewed = await http.post(f"{base}/token", data=refresh)
        fresh = renewed.json()
        seen["refresh"] = (renewed.status_code, sorted(fresh), fresh["refresh_token"] != tokens["refresh_token"])
        seen["mcp with the refreshed token"] = bearer(base, fresh["access_token"])[0]
        reused = await http.post(f"{base}/token", data=refresh)
        seen["refresh reused"] = (reused.status_code, reused.json())
        revoked = await http.post(
            f"{base}/revoke", data={"token": fresh["refresh_token"], "client_id": cid, "client_secret": ""}
        )
        seen["revoke"] = revoked.status_code
        after = await http.post(f"{base}/token", data={**refresh, "refresh_token": fresh["refresh_token"]})
        seen["refresh after revoke"] = (after.status_code, after.json()["error"])
    for b in (alice, mallory):
        await b.aclose()
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "consent"), [("proxy", "true"), ("proxy", "false"), ("oidc", "remember"), ("multi", "true")]
)
async def test_the_official_client_logs_in_through_the_proxy_as_with_fastmcp(
    node: Path, tmp_path: Path, kind: str, consent: str
) -> None:
    results = {}
    for impl in IMPLS:
        (tmp_path / impl).mkdir()
        stack = Stack(node, tmp_path / impl, impl, consent=consent, kind=kind)
        try:
            browser, memory = Browser(), Memory()
            result = await login_with_the_official_client(stack.base, browser, memory)
            result["iss"] = result["iss"].replace(stack.base, "BASE")
            result["whoami"]["aud"] = result["whoami"]["aud"].replace(stack.base, "BASE")
            result["whoami"]["client_id"] = result["whoami"]["client_id"].replace(stack.idp, "IDP")
            if kind == "multi":
                result["machine"] = await as_a_machine(stack)
            if consent == "remember":
                # Logging in again from the same browser: the remembered approval skips the consent page.
                memory.tokens = None
                browser.http.headers["sec-fetch-site"] = "same-origin"
                browser.seen.append("-- again --")
                again = await login_with_the_official_client(stack.base, browser, memory)
                assert again["add"] == result["add"] and again["whoami"]["sub"] == result["whoami"]["sub"]
            result["steps"] = [re.sub(r"/(interaction|auth)/[\w-]{20,}", r"/\1/UID", s) for s in browser.seen]
            await browser.aclose()
            results[impl] = result
        finally:
            stack.close()
    ours = results["fastmcp_rs"]
    client = '["users","proxy","' + "IDP" + '","alice"]' if kind == "multi" else "proxy"
    assert ours["whoami"] == {"sub": "alice", "scopes": ["read"], "aud": "BASE/mcp", "client_id": client}
    assert ours["add"] == {"result": 5}
    assert ours["iss"] == "BASE/"
    if consent == "remember":
        again = ours["steps"][ours["steps"].index("-- again --") :]
        assert "GET /consent 302" in again and "POST /consent 302" not in again
    if kind == "multi":
        admin = {
            "sub": "svc",
            "scopes": ["admin", "read"],
            "aud": "BASE/mcp",
            "client_id": '["machines","svc","IDP","svc"]',
        }
        assert ours["machine"] == {"read admin": admin, "read": 401}
    if consent == "false":
        assert not any("/consent" in step for step in ours["steps"])
    assert ours == results["fastmcp"]


@pytest.mark.anyio
async def test_the_flow_and_its_attacks_are_answered_as_fastmcp_does(node: Path, tmp_path: Path) -> None:
    results = {}
    for impl in IMPLS:
        (tmp_path / impl).mkdir()
        stack = Stack(node, tmp_path / impl, impl)
        try:
            seen = await by_hand(stack)
            seen["metadata"] = json.loads(json.dumps(seen["metadata"]).replace(stack.base, "BASE"))
            seen["prm"] = json.loads(json.dumps(seen["prm"]).replace(stack.base, "BASE"))
            results[impl] = seen
        finally:
            stack.close()
    ours, theirs = results["fastmcp_rs"], results["fastmcp"]
    assert ours["approve from another browser"] == (403, True)
    assert ours["callback in another browser"] == (403, True)
    assert ours["callback replayed"] == (400, True)
    assert ours["code replayed"][0] == 401 and ours["token bad verifier"][0] == 401
    assert ours["mcp with the token"] == 200 and ours["mcp with the refreshed token"] == 200
    assert ours["mcp with the refresh token"][0] == 401
    assert ours["refresh reused"][0] == 401
    assert {k: v for k, v in ours.items() if theirs.get(k) != v} == {}
    assert ours == theirs


@pytest.mark.anyio
async def test_logins_survive_a_restart_with_the_default_storage_as_in_fastmcp(node: Path, tmp_path: Path) -> None:
    results = {}
    for impl in IMPLS:
        (tmp_path / impl).mkdir()
        stack = Stack(node, tmp_path / impl, impl, storage="default")
        try:
            browser, memory = Browser(), Memory()
            await login_with_the_official_client(stack.base, browser, memory)
            await browser.aclose()
            stack.restart()
            seen = {"access token": bearer(stack.base, memory.tokens.access_token)[0]}
            refresh = {
                "grant_type": "refresh_token",
                "refresh_token": memory.tokens.refresh_token,
                "client_id": memory.client.client_id,
            }
            renewed = httpx.post(f"{stack.base}/token", data=refresh, timeout=20)
            seen["refresh"] = renewed.status_code
            seen["renewed token"] = bearer(stack.base, renewed.json()["access_token"])[0]
            results[impl] = seen
        finally:
            stack.close()
    assert results["fastmcp_rs"] == {"access token": 200, "refresh": 200, "renewed token": 200}
    assert results["fastmcp_rs"] == results["fastmcp"]
    stored = list((tmp_path / "fastmcp_rs" / "oauth-proxy").rglob("*"))
    assert stored and all(b"access_token" not in p.read_bytes() for p in stored if p.is_file())


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["github", "google"])
async def test_named_providers_send_users_where_fastmcp_does(node: Path, tmp_path: Path, kind: str) -> None:
    """GitHubProvider and GoogleProvider as thin configurations: their metadata, and the provider URL a user
    is sent to once they approve (the random state and PKCE challenge aside)."""
    results = {}
    for impl in IMPLS:
        (tmp_path / impl).mkdir()
        stack = Stack(node, tmp_path / impl, impl, kind=kind)
        try:
            base = stack.base
            async with httpx.AsyncClient(timeout=20) as http:
                meta = (await http.get(f"{base}/.well-known/oauth-authorization-server")).json()
                client = (await http.post(f"{base}/register", json={"redirect_uris": [CLIENT_REDIRECT]})).json()
                _, challenge = _pkce()
                start = await http.get(
                    f"{base}/authorize",
                    params={
                        "client_id": client["client_id"],
                        "redirect_uri": CLIENT_REDIRECT,
                        "response_type": "code",
                        "state": "s1",
                        "code_challenge": challenge,
                        "code_challenge_method": "S256",
                    },
                )
                consent_url = urljoin(base, start.headers["location"])
                page = await http.get(consent_url)
                _, fields = _form(page.text)
                approved = await http.post(consent_url, data={**fields, "action": "approve"})
            upstream = urlsplit(approved.headers["location"])
            params = {k: v[0] for k, v in parse_qs(upstream.query).items()}
            assert len(params.pop("state")) >= 40 and len(params.pop("code_challenge")) == 43
            params["redirect_uri"] = params["redirect_uri"].replace(base, "BASE")
            results[impl] = {
                "metadata": {
                    k: json.dumps(v).replace(base, "BASE")
                    for k, v in meta.items()
                    if k not in ("token_endpoint_auth_methods_supported", "client_id_metadata_document_supported")
                },
                "scope": client["scope"],
                "upstream": (approved.status_code, f"{upstream.scheme}://{upstream.netloc}{upstream.path}", params),
            }
        finally:
            stack.close()
    assert results["fastmcp_rs"] == results["fastmcp"]
    expected = (
        "https://github.com/login/oauth/authorize"
        if kind == "github"
        else "https://accounts.google.com/o/oauth2/v2/auth"
    )
    assert results["fastmcp_rs"]["upstream"][1] == expected
