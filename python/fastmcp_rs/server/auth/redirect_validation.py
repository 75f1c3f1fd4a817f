"""``fastmcp.server.auth.redirect_validation``: which redirect URIs an ``OAuthProxy`` accepts from its clients.

- ``javascript:``, ``data:``, ``file:`` and ``vbscript:`` never.
- ``allowed_patterns=None`` accepts any other URI; ``[]`` none; a list, the URIs that match one of its
  patterns: same scheme; the same host, or ``*.example.com`` for its subdomains (not the apex); the same port,
  any with ``*``, any for a loopback host written without one; and the path by ``fnmatch`` (``/`` or none
  matches every path). URIs with user info, a backslash in the authority or ``.``/``..`` segments never match.
- A ``web`` client may only use ``https`` on a host other than loopback; a ``native`` one (the default) may use
  ``http`` only on loopback, and any other safe scheme (``myapp://``, ``vscode://``).
"""

from __future__ import annotations

import fnmatch
import ipaddress
from urllib.parse import unquote, urlsplit

__all__ = [
    "DEFAULT_LOCALHOST_PATTERNS",
    "is_loopback_host",
    "matches_allowed_pattern",
    "validate_redirect_uri",
    "validate_redirect_uri_for_application_type",
]

DEFAULT_LOCALHOST_PATTERNS = ["http://localhost:*", "http://127.0.0.1:*"]
_UNSAFE_SCHEMES = frozenset({"javascript", "data", "file", "vbscript"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _scheme(uri: str) -> str:
    return uri.split(":", 1)[0].strip().lower() if ":" in uri else ""


def _port(parts: object, scheme: str) -> int | None:
    try:
        port = parts.port  # type: ignore[attr-defined]
    except ValueError:
        return -1
    return port if port is not None else _DEFAULT_PORTS.get(scheme)


def _suspicious(uri: str) -> bool:
    parts = urlsplit(uri)
    authority = uri.split("//", 1)[1].split("/", 1)[0] if "//" in uri else ""
    if "@" in parts.netloc or "\\" in authority:
        return True
    segments = parts.path.split("/")
    return any(seg in (".", "..") or unquote(seg) in (".", "..") for seg in segments)


def matches_allowed_pattern(uri: str, pattern: str) -> bool:
    """Whether ``uri`` matches one allow-list ``pattern`` (see the module's documentation)."""
    if _suspicious(uri):
        return False
    target, rule = urlsplit(uri), urlsplit(pattern.replace(":*", ":0", 1) if ":*" in pattern else pattern)
    scheme = target.scheme.lower()
    if scheme != rule.scheme.lower():
        return False
    host, rule_host = (target.hostname or "").lower(), (rule.hostname or "").lower()
    if rule_host.startswith("*."):
        if not (host.endswith(rule_host[1:]) and host != rule_host[2:]):
            return False
    elif host != rule_host:
        return False
    any_port = ":*" in pattern.split("//", 1)[-1].split("/", 1)[0]
    if not any_port:
        written = rule.port if rule.netloc and ":" in rule.netloc.rsplit("]", 1)[-1] else None
        if not (written is None and is_loopback_host(rule_host)) and _port(target, scheme) != _port(rule, scheme):
            return False
    if rule.path in ("", "/"):
        return True
    return fnmatch.fnmatchcase(target.path or "/", rule.path)


def validate_redirect_uri(redirect_uri: object, allowed_patterns: list[str] | None) -> bool:
    """Whether a client may register or use ``redirect_uri``."""
    if redirect_uri is None:
        return True
    uri = str(redirect_uri)
    if _scheme(uri) in _UNSAFE_SCHEMES:
        return False
    if allowed_patterns is None:
        return True
    return any(matches_allowed_pattern(uri, p) for p in allowed_patterns)


def validate_redirect_uri_for_application_type(redirect_uri: object, application_type: str | None) -> bool:
    uri = str(redirect_uri)
    scheme = _scheme(uri)
    if scheme in _UNSAFE_SCHEMES:
        return False
    host = urlsplit(uri).hostname
    if application_type == "web":
        return scheme == "https" and not is_loopback_host(host)
    if scheme == "http":
        return is_loopback_host(host)
    return bool(scheme)
