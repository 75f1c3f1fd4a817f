"""The token verifiers of the named providers (issue 12, section 1) against local stand-ins for GitHub's and
Google's APIs, served over real HTTP on 127.0.0.1: what each answer of the API makes of a token (accepted
with its scopes and claims, refused, or "try again later"), as FastMCP 4's verifiers decide it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastmcp_rs.server.auth import TokenVerificationError
from fastmcp_rs.server.auth.providers.github import GitHubTokenVerifier
from fastmcp_rs.server.auth.providers.google import GoogleTokenVerifier

#: token → (status of /user, scopes header of /user/repos or None for a 503 there)
GITHUB = {
    "full": (200, "repo, user, read:org"),
    "app": (200, ""),
    "bad": (401, None),
    "down": (503, None),
    "limited": (403, None),
    "no-scopes": (200, None),
}
#: token → the tokeninfo answer (None: 400)
GOOGLE = {
    "good": {
        "aud": "g-app",
        "sub": "1234",
        "scope": "openid https://www.googleapis.com/auth/userinfo.email",
        "expires_in": "3599",
        "email": "ada@example.com",
        "email_verified": "true",
    },
    "other-app": {"aud": "someone-else", "sub": "1234", "scope": "openid", "expires_in": "3599"},
    "narrow": {"aud": "g-app", "sub": "1234", "scope": "openid", "expires_in": "3599"},
    "bad": None,
}


class Api(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        token = self.headers.get("authorization", "").removeprefix("Bearer ")
        path = self.path.split("?")[0]
        if path == "/user":
            status, _ = GITHUB.get(token, (401, None))
            extra = {"x-ratelimit-remaining": "0"} if token == "limited" else {}
            body = {"id": 42, "login": "ada", "name": "Ada", "email": None} if status == 200 else {"message": "no"}
            self._send(status, body, extra)
        elif path == "/user/repos":
            _, scopes = GITHUB.get(token, (401, None))
            if scopes is None:
                self._send(503, {"message": "unavailable"})
            else:
                self._send(200, [], {"x-oauth-scopes": scopes})
        elif path == "/tokeninfo":
            info = GOOGLE.get(token)
            self._send(200 if info else 400, info or {"error": "invalid_token"})
        elif path == "/userinfo":
            self._send(200, {"name": "Ada Lovelace", "picture": "https://example.com/a.png", "locale": "en"})
        else:
            self._send(404, {})


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.anyio
async def test_github_tokens_are_checked_with_github_s_api(api: str) -> None:
    class LocalGitHub(GitHubTokenVerifier):
        api_base = api

    verifier = LocalGitHub(required_scopes=["user"])
    full = await verifier.verify_token("full")
    assert full is not None
    assert (full.client_id, full.subject, full.scopes) == ("42", "42", ["repo", "user", "read:org"])
    assert full.claims["login"] == "ada" and full.claims["github_user_data"]["name"] == "Ada"
    app = await verifier.verify_token("app")  # a GitHub App's token lists no scopes: taken as `user`
    assert app is not None and app.scopes == ["user"]
    assert await verifier.verify_token("bad") is None
    for transient in ("down", "limited", "no-scopes"):
        with pytest.raises(TokenVerificationError):
            await verifier.verify_token(transient)
    assert await LocalGitHub(required_scopes=["admin:org"]).verify_token("full") is None


@pytest.mark.anyio
async def test_github_answers_are_kept_only_when_asked(api: str) -> None:
    class LocalGitHub(GitHubTokenVerifier):
        api_base = api

    cached = LocalGitHub(required_scopes=["user"], cache_ttl_seconds=60)
    first = await cached.verify_token("full")
    GITHUB["full"] = (401, None)  # revoked at GitHub
    try:
        assert await cached.verify_token("full") == first
        assert await LocalGitHub(required_scopes=["user"]).verify_token("full") is None
    finally:
        GITHUB["full"] = (200, "repo, user, read:org")


@pytest.mark.anyio
async def test_google_tokens_are_checked_with_tokeninfo(api: str) -> None:
    class LocalGoogle(GoogleTokenVerifier):
        tokeninfo_url = f"{api}/tokeninfo"
        userinfo_url = f"{api}/userinfo"

    verifier = LocalGoogle(required_scopes=["openid", "email"], audience="g-app")
    assert verifier.required_scopes == ["openid", "https://www.googleapis.com/auth/userinfo.email"]
    good = await verifier.verify_token("good")
    assert good is not None and good.client_id == good.subject == "1234"
    assert good.claims["email"] == "ada@example.com" and good.claims["name"] == "Ada Lovelace"
    assert good.expires_at is not None
    for refused in ("other-app", "narrow", "bad"):
        assert await verifier.verify_token(refused) is None
