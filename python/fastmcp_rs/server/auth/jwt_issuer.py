"""``fastmcp.server.auth.jwt_issuer``: the HS256 tokens an ``OAuthProxy`` hands its clients (never the upstream
provider's own), with FastMCP 4's claims and key derivation, so a token is bound to this server (``iss``) and
its MCP endpoint (``aud``), and a refresh token is never accepted as an access token (``token_use``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
from typing import Any

__all__ = ["JWTIssuer", "derive_jwt_key"]

_log = logging.getLogger("fastmcp.server.auth.jwt_issuer")
_SALT = b"fastmcp-jwt-signing-key"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 HKDF with SHA-256."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def derive_jwt_key(
    *, high_entropy_material: str | None = None, low_entropy_material: str | None = None, salt: str
) -> bytes:
    """A 32-byte key as URL-safe base64 text: HKDF for a secret that is already random (a client secret),
    PBKDF2 (1,000,000 rounds; 10 with ``FASTMCP_TEST_MODE``) for one a person chose."""
    if (high_entropy_material is None) == (low_entropy_material is None):
        raise ValueError("give exactly one of high_entropy_material and low_entropy_material")
    if high_entropy_material is not None:
        key = hkdf_sha256(high_entropy_material.encode(), salt.encode(), b"Fernet")
    else:
        rounds = 10 if os.environ.get("FASTMCP_TEST_MODE", "").lower() in ("1", "true", "yes") else 1_000_000
        key = hashlib.pbkdf2_hmac("sha256", str(low_entropy_material).encode(), salt.encode(), rounds, 32)
    return base64.urlsafe_b64encode(key)


def signing_key(jwt_signing_key: str | bytes | None, client_secret: str | None) -> bytes:
    """The HMAC key as FastMCP 4 derives it: bytes as given; a string stretched with PBKDF2; else the upstream
    client secret through HKDF."""
    if isinstance(jwt_signing_key, bytes):
        return jwt_signing_key
    if isinstance(jwt_signing_key, str):
        if len(jwt_signing_key) < 12:
            _log.warning("jwt_signing_key is shorter than 12 characters: use a long random value")
        return derive_jwt_key(low_entropy_material=jwt_signing_key, salt=_SALT.decode())
    if client_secret is None:
        raise ValueError("jwt_signing_key is required when there is no upstream client secret")
    return derive_jwt_key(high_entropy_material=client_secret, salt=_SALT.decode())


class JWTIssuer:
    """Issues and verifies this server's HS256 access and refresh tokens."""

    def __init__(self, issuer: str, audience: str, signing_key: bytes) -> None:
        self.issuer = issuer
        self.audience = audience
        self._key = signing_key

    def _sign(self, claims: dict[str, Any]) -> str:
        header = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    def _claims(
        self, client_id: str, scopes: list[str], jti: str, expires_in: int, upstream_claims: dict[str, Any] | None
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "client_id": client_id,
            "scope": " ".join(scopes),
            "exp": now + int(expires_in),
            "iat": now,
            "jti": jti,
        }
        if upstream_claims:
            claims["upstream_claims"] = upstream_claims
        return claims

    def issue_access_token(
        self,
        client_id: str,
        scopes: list[str],
        jti: str,
        expires_in: int = 3600,
        upstream_claims: dict[str, Any] | None = None,
        subject: str | None = None,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        claims = self._claims(client_id, scopes, jti, expires_in, upstream_claims)
        if subject is not None:
            claims["sub"] = subject
        claims.update(extra_claims or {})
        return self._sign(claims)

    def issue_refresh_token(
        self,
        client_id: str,
        scopes: list[str],
        jti: str,
        expires_in: int,
        upstream_claims: dict[str, Any] | None = None,
    ) -> str:
        claims = self._claims(client_id, scopes, jti, expires_in, upstream_claims)
        claims["token_use"] = "refresh"
        return self._sign(claims)

    def verify_token(self, token: str, expected_token_use: str = "access") -> dict[str, Any]:
        """The claims of a valid token; raises ``ValueError`` otherwise (signature, algorithm, use, expiry,
        issuer, audience)."""
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64url_decode(header_b64))
            claims = json.loads(_b64url_decode(payload_b64))
            signature = _b64url_decode(signature_b64)
        except Exception as e:
            raise ValueError("malformed token") from e
        if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
            raise ValueError("unexpected token algorithm")
        expected = hmac.new(self._key, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise ValueError("bad signature")
        if claims.get("token_use", "access") != expected_token_use:
            raise ValueError("wrong token use")
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp < time.time():
            raise ValueError("token expired")
        if claims.get("iss") != self.issuer or claims.get("aud") != self.audience:
            raise ValueError("token for another issuer or audience")
        return claims
