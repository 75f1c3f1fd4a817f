"""The consent step of an ``OAuthProxy``: the page, its CSRF token, and the signed cookies that bind an
approval to the browser that gave it, so a callback URL replayed or passed to someone else is refused.

Cookies (``Path=/``, ``HttpOnly``, ``SameSite=lax``, ``Secure`` behind https, named ``__Host-...`` there and
``__...`` over http), each ``<payload>.<base64 HMAC-SHA256>`` keyed by the upstream client secret (or the JWT
signing key):

- ``MCP_CONSENT_STATE_<digest of the CSRF token>``: the transaction the rendered page is for (15 minutes);
- ``MCP_CONSENT_BINDING_<digest of the transaction>``: the consent token set on approval, checked at the
  callback against the one stored with the transaction (15 minutes);
- ``MCP_APPROVED_CLIENTS`` / ``MCP_DENIED_CLIENTS``: remembered decisions, with
  ``require_authorization_consent="remember"`` (a year)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import time
from typing import Any

__all__: list[str] = []

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'"
STATE_TTL = 900
REMEMBER_TTL = 365 * 24 * 3600
_MAX_STATE_COOKIES = 10
_MAX_REMEMBERED = 25


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Cookies:
    """Signs, names and reads the consent cookies of one proxy."""

    def __init__(self, key: bytes, secure: bool) -> None:
        self._key = key
        self.secure = secure

    def name(self, base: str) -> str:
        return f"__Host-{base}" if self.secure else f"__{base}"

    def sign(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return f"{payload}.{base64.b64encode(mac).decode()}"

    def verify(self, value: str | None) -> str | None:
        if not value or "." not in value:
            return None
        payload, _, mac = value.rpartition(".")
        expected = base64.b64encode(hmac.new(self._key, payload.encode(), hashlib.sha256).digest()).decode()
        return payload if hmac.compare_digest(expected, mac) else None

    def set(self, response: Any, base: str, payload: str, max_age: int) -> None:
        response.set_cookie(
            self.name(base),
            self.sign(payload),
            max_age=max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def expire(self, response: Any, name: str) -> None:
        response.set_cookie(name, "", max_age=0, path="/", secure=self.secure, httponly=True, samesite="lax")

    # -- the state cookie: which transaction a rendered page is for --------------------------------------

    @staticmethod
    def state_base(csrf: str) -> str:
        return f"MCP_CONSENT_STATE_{digest(csrf)[:32]}"

    def set_state(self, request: Any, response: Any, csrf: str, txn_id: str) -> None:
        payload = base64.b64encode(json.dumps({"txn": txn_id, "iat": time.time()}).encode()).decode()
        self.set(response, self.state_base(csrf), payload, STATE_TTL)
        prefix = self.name("MCP_CONSENT_STATE_")
        held = []
        for name, value in request.cookies.items():
            if name.startswith(prefix):
                state = self._state(value)
                held.append((state.get("iat", 0) if state else 0, name))
        held.sort()
        for _, name in held[: max(0, len(held) + 1 - _MAX_STATE_COOKIES)]:
            self.expire(response, name)

    def _state(self, value: str | None) -> dict[str, Any] | None:
        payload = self.verify(value)
        if payload is None:
            return None
        try:
            state = json.loads(base64.b64decode(payload))
        except Exception:
            return None
        return state if isinstance(state, dict) else None

    def state_matches(self, request: Any, csrf: str, txn_id: str) -> bool:
        state = self._state(request.cookies.get(self.name(self.state_base(csrf))))
        return state is not None and state.get("txn") == txn_id

    def expire_states_of(self, request: Any, response: Any, txn_id: str) -> None:
        prefix = self.name("MCP_CONSENT_STATE_")
        for name, value in request.cookies.items():
            if name.startswith(prefix):
                state = self._state(value)
                if state is not None and state.get("txn") == txn_id:
                    self.expire(response, name)

    # -- the binding cookie: which approval a callback belongs to ----------------------------------------

    @staticmethod
    def binding_base(txn_id: str) -> str:
        return f"MCP_CONSENT_BINDING_{digest(txn_id)[:32]}"

    def binding(self, request: Any, txn_id: str) -> str | None:
        return self.verify(request.cookies.get(self.name(self.binding_base(txn_id))))

    # -- remembered decisions ----------------------------------------------------------------------------

    def remembered(self, request: Any, base: str) -> list[str]:
        payload = self.verify(request.cookies.get(self.name(base)))
        if payload is None:
            return []
        try:
            keys = json.loads(base64.b64decode(payload))
        except Exception:
            return []
        return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []

    def remember(self, request: Any, response: Any, base: str, key: str) -> None:
        keys = [k for k in self.remembered(request, base) if k != key] + [key]
        payload = base64.b64encode(json.dumps(keys[-_MAX_REMEMBERED:]).encode()).decode()
        self.set(response, base, payload, REMEMBER_TTL)


def client_key(client_id: str, redirect_uri: str, scopes: list[str]) -> str:
    """What a remembered decision is about: the client, where it is sent back to, and the scopes."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(redirect_uri)
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else parts.path
    normalized = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
    return digest(json.dumps([client_id, normalized, sorted(set(scopes))], separators=(",", ":")))


_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f5f5f7;margin:0;padding:3rem 1rem;color:#1d1d1f}"
    ".card{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;"
    "box-shadow:0 2px 12px rgba(0,0,0,.08)}h1{font-size:1.4rem;margin-top:0}"
    "dt{font-weight:600;margin-top:.8rem}dd{margin:0;word-break:break-all}"
    ".actions{display:flex;gap:.8rem;margin-top:1.6rem}button{flex:1;padding:.7rem;border-radius:8px;"
    "border:1px solid #ccc;font-size:1rem;cursor:pointer}button[value=approve]{background:#0a66c2;color:#fff;"
    "border-color:#0a66c2}.error{color:#b00020}"
)


def _page(title: str, body: str, csp: str | None) -> str:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">' if csp else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{meta}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f'<style>{_STYLE}</style></head><body><div class="card">{body}</div></body></html>'
    )


def consent_page(
    *,
    server_name: str,
    client_name: str,
    redirect_uri: str,
    scopes: list[str],
    txn_id: str,
    csrf: str,
    csp: str | None,
) -> str:
    scope_text = ", ".join(scopes) if scopes else "(none)"
    body = (
        "<h1>Authorize access</h1>"
        f"<p><strong>{html.escape(client_name)}</strong> asks to use <strong>{html.escape(server_name)}</strong> "
        "on your behalf.</p><dl>"
        f"<dt>Application</dt><dd>{html.escape(client_name)}</dd>"
        f"<dt>Sends you back to</dt><dd>{html.escape(redirect_uri)}</dd>"
        f"<dt>Access asked for</dt><dd>{html.escape(scope_text)}</dd></dl>"
        '<form method="POST" action="">'
        f'<input type="hidden" name="txn_id" value="{html.escape(txn_id)}">'
        f'<input type="hidden" name="csrf_token" value="{html.escape(csrf)}">'
        '<input type="hidden" name="submit" value="true">'
        '<div class="actions"><button type="submit" name="action" value="deny">Deny</button>'
        '<button type="submit" name="action" value="approve">Allow</button></div></form>'
    )
    return _page("Authorize access", body, csp)


def tiny_error(message: str) -> str:
    return f"<h1>Error</h1><p>{html.escape(message)}</p>"


def error_page(title: str, message: str, detail: str | None = None, csp: str | None = CSP) -> str:
    extra = f"<p>{html.escape(detail)}</p>" if detail else ""
    body = f'<h1>{html.escape(title)}</h1><div class="info-box error"><p>{html.escape(message)}</p></div>{extra}'
    return _page(title, body, csp)
