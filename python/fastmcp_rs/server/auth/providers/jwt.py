"""``fastmcp.server.auth.providers.jwt``: ``JWTVerifier`` (a public key, an HMAC secret or a JWKS URL) and
``StaticTokenVerifier``. Both verify in the core; the options and the checks are FastMCP 4's."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import time
from typing import Any

from pydantic import SecretStr

from ..auth import AccessToken, TokenVerifier, parse_scopes

__all__ = ["JWKData", "JWKSData", "JWTVerifier", "RSAKeyPair", "StaticTokenVerifier"]

_ALGORITHMS = frozenset(
    {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "PS384", "PS512", "EdDSA"}
)


class JWTVerifier(TokenVerifier):
    """Checks JWT bearer tokens: the signature (``algorithm`` only) against ``public_key`` (PEM, or the
    shared secret for ``HS*``) or the keys at ``jwks_uri`` (kept an hour; fetched again when a token names a
    key not held, at most every ``jwks_refresh_interval`` seconds); ``exp`` (no leeway), ``nbf`` (30 s);
    ``issuer`` and ``audience`` when given; ``required_scopes`` from ``scope`` / ``scp``."""

    def __init__(
        self,
        *,
        public_key: str | bytes | None = None,
        jwks_uri: str | None = None,
        issuer: str | list[str] | None = None,
        audience: str | list[str] | None = None,
        algorithm: str | None = None,
        required_scopes: list[str] | None = None,
        base_url: str | None = None,
        ssrf_safe: bool = False,
        http_client: Any = None,
        jwks_refresh_interval: float = 30.0,
    ) -> None:
        super().__init__(base_url=base_url, required_scopes=required_scopes)
        if public_key is None and jwks_uri is None:
            raise ValueError("Either public_key or jwks_uri must be provided")
        if public_key is not None and jwks_uri is not None:
            raise ValueError("Provide either public_key or jwks_uri, not both")
        self.algorithm = algorithm or "RS256"
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"Unsupported algorithm: {self.algorithm}.")
        key = public_key.encode() if isinstance(public_key, str) else public_key
        if self.algorithm.startswith("HS"):
            if jwks_uri is not None:
                raise ValueError("HMAC algorithms (HS256, HS384, HS512) need a shared secret, not a JWKS URI")
            if key is not None and key.lstrip().startswith(b"-----BEGIN"):
                raise ValueError("HMAC algorithms need a shared secret, not a PEM key")
        if http_client is not None:
            raise NotImplementedError("JWTVerifier(http_client=...): the core fetches the JWKS itself")
        self.public_key = public_key
        self.jwks_uri = jwks_uri
        self.issuer = issuer
        self.audience = audience
        self.ssrf_safe = ssrf_safe
        self.jwks_refresh_interval = float(jwks_refresh_interval)

    #: Claims whose values count as scopes too, after ``scope`` / ``scp`` (a string of names or a list).
    _extra_scope_claims: tuple[str, ...] = ()

    @staticmethod
    def _listed(value: str | list[str] | None) -> list[str]:
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def _jwt_spec(self) -> dict[str, Any]:
        key = self.public_key.encode() if isinstance(self.public_key, str) else self.public_key
        return {
            "kind": "jwt",
            "public_key": key,
            "jwks_uri": self.jwks_uri,
            "algorithm": self.algorithm,
            "issuer": self._listed(self.issuer),
            "audience": self._listed(self.audience),
            "required_scopes": self.required_scopes,
            "jwks_refresh_interval": self.jwks_refresh_interval,
            "extra_scope_claims": list(self._extra_scope_claims),
        }

    def _customized(self) -> bool:
        """Whether a subclass changed how a token is judged (its own ``verify_token``, ``load_access_token`` or
        ``_extract_scopes``): then the core awaits this object's ``verify_token``, as FastMCP 4 would."""
        cls = type(self)
        return (
            cls.verify_token is not JWTVerifier.verify_token
            or cls.load_access_token is not JWTVerifier.load_access_token
            or cls._extract_scopes is not JWTVerifier._extract_scopes
        )

    def _verifier_spec(self, loop: asyncio.AbstractEventLoop | None) -> dict[str, Any]:
        return super()._verifier_spec(loop) if self._customized() else self._jwt_spec()

    def _extract_scopes(self, claims: dict[str, Any]) -> list[str]:
        """The token's scopes: ``scope``, else ``scp`` (a space-separated string or a list), then the values of
        ``_extra_scope_claims``. A subclass may redefine it (the core then leaves scopes to it)."""
        scopes: list[str] = []
        for name in ("scope", "scp"):
            if isinstance(claims.get(name), str):
                scopes = claims[name].split()
                break
            if isinstance(claims.get(name), list):
                scopes = list(claims[name])
                break
        for name in self._extra_scope_claims:
            value = claims.get(name)
            scopes += value.split() if isinstance(value, str) else [str(v) for v in value or ()]
        return scopes

    async def verify_token(self, token: str) -> AccessToken | None:
        return await self.load_access_token(token)

    async def load_access_token(self, token: str) -> AccessToken | None:
        """The token's ``AccessToken`` if it is valid (signature, claims, required scopes), else ``None``."""
        from fastmcp_rs import _core

        spec = self._jwt_spec()
        own_scopes = type(self)._extract_scopes is not JWTVerifier._extract_scopes
        if own_scopes:
            spec["required_scopes"], spec["extra_scope_claims"] = [], []
        found = await asyncio.to_thread(_core.verify_token, spec, token)
        if found is None:
            return None
        if own_scopes:
            found["scopes"] = list(self._extract_scopes(found.get("claims") or {}))
            if any(s not in found["scopes"] for s in self.required_scopes):
                return None
        return AccessToken(**found)


class StaticTokenVerifier(TokenVerifier):
    """A fixed table of tokens, for development and service accounts: ``{token: {"client_id": ...,
    "scopes": [...], "expires_at": epoch seconds (optional)}}``."""

    def __init__(self, tokens: dict[str, dict[str, Any]], required_scopes: list[str] | None = None) -> None:
        super().__init__(required_scopes=required_scopes)
        for entry in tokens.values():
            if "client_id" not in entry:
                raise KeyError("client_id")
        self.tokens = tokens

    def _entry(self, token: str, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "token": token,
            "client_id": str(entry["client_id"]),
            "scopes": list(parse_scopes(entry.get("scopes")) or []),
            "expires_at": entry.get("expires_at"),
            "subject": entry.get("sub"),
            "claims": dict(entry),
        }

    def _verifier_spec(self, loop: asyncio.AbstractEventLoop | None) -> dict[str, Any]:
        tokens = [self._entry(t, e) for t, e in self.tokens.items()]
        return {"kind": "static", "tokens": tokens, "required_scopes": self.required_scopes}

    async def verify_token(self, token: str) -> AccessToken | None:
        import hmac

        for known, entry in self.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                data = self._entry(known, entry)
                if data["expires_at"] is not None and data["expires_at"] < time.time():
                    return None
                if not set(self.required_scopes) <= set(data["scopes"]):
                    return None
                return AccessToken(**data)
        return None


JWKData = dict
JWKSData = dict


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class RSAKeyPair:
    """An RSA key pair for testing JWT authentication: ``JWTVerifier(public_key=pair.public_key, ...)`` checks
    what ``pair.create_token(...)`` signs (RS256). Needs the ``cryptography`` package."""

    private_key: SecretStr
    public_key: str

    @classmethod
    def generate(cls) -> RSAKeyPair:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        ).decode()
        public_pem = (
            key.public_key()
            .public_bytes(encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        return cls(private_key=SecretStr(private_pem), public_key=public_pem)

    def create_token(
        self,
        subject: str = "fastmcp-user",
        issuer: str = "https://fastmcp.example.com",
        audience: str | list[str] | None = None,
        scopes: list[str] | None = None,
        expires_in_seconds: int = 3600,
        additional_claims: dict[str, Any] | None = None,
        kid: str | None = None,
    ) -> str:
        """A signed JWT: ``sub``, ``iss``, ``iat``, ``exp``, then ``aud`` and ``scope`` (space-separated) when
        given, then ``additional_claims``."""
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        header: dict[str, Any] = {"alg": "RS256"}
        if kid:
            header["kid"] = kid
        now = int(time.time())
        payload: dict[str, Any] = {"sub": subject, "iss": issuer, "iat": now, "exp": now + expires_in_seconds}
        if audience:
            payload["aud"] = audience
        if scopes:
            payload["scope"] = " ".join(scopes)
        if additional_claims:
            payload.update(additional_claims)
        signing_input = f"{_b64_json(header)}.{_b64_json(payload)}"
        key = serialization.load_pem_private_key(self.private_key.get_secret_value().encode(), password=None)
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
        return f"{signing_input}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64_json(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())
