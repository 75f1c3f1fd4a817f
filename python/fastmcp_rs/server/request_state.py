"""How ``requestState`` is protected (2026-07-28, SEP-2322).

A state handed out with an input-required result comes back from the client, so the core seals it: it is
encrypted and authenticated (XChaCha20-Poly1305), bound to the request it belongs to (method, tool, prompt
or URI, a digest of the arguments, the server's name) and to an expiry. A state that was altered, expired,
or replayed on another request is refused with ``-32602`` ("Invalid or expired requestState").

``FastMCP(request_state_security=RequestStateSecurity(keys=[...], ttl=600.0))`` as FastMCP 4 spells it
(this class, or the SDK's ``mcp.server.request_state.RequestStateSecurity``): the first key seals and every
key opens, so keys can be rotated and shared by every instance behind a load balancer. Without it, a
random key of this process is used (states do not survive a restart or reach another instance).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["RequestStateSecurity", "security_options"]

_MIN_KEY = 32


class RequestStateSecurity:
    """The keys and lifetime of sealed request states (``keys[0]`` seals, every key opens)."""

    def __init__(
        self,
        *,
        keys: Sequence[bytes | bytearray | str] | None = None,
        codec: Any = None,
        ttl: float = 600.0,
        bind_principal: Any = None,
        audience: str | None = None,
    ) -> None:
        if codec is not None:
            raise NotImplementedError(
                "RequestStateSecurity(codec=...) is not supported by fastmcp-rs: the core seals states itself; "
                "pass keys=[...]"
            )
        if keys is None:
            raise ValueError("RequestStateSecurity takes keys=")
        if not (math.isfinite(ttl) and ttl > 0):
            raise ValueError(f"request-state ttl must be a positive finite number, got {ttl!r}")
        self.keys = _check_keys(keys)
        self.ttl = float(ttl)
        self.audience = audience

    @classmethod
    def ephemeral(cls, *, ttl: float = 600.0, audience: str | None = None) -> RequestStateSecurity:
        """A key made now and held only by this process (what a server uses without one)."""
        return cls(keys=[os.urandom(32)], ttl=ttl, audience=audience)


def _check_keys(keys: Sequence[bytes | bytearray | str]) -> list[bytes]:
    if isinstance(keys, (bytes, bytearray, str)):
        raise TypeError("keys must be a sequence of keys, not a single key")
    out: list[bytes] = []
    for key in keys:
        raw = key.encode() if isinstance(key, str) else bytes(key)
        if len(raw) < _MIN_KEY:
            raise ValueError(f"request-state keys must be at least {_MIN_KEY} bytes")
        if raw in out:
            raise ValueError("request-state keys must be distinct")
        out.append(raw)
    if not out:
        raise ValueError("RequestStateSecurity needs at least one key")
    return out


def _sdk_keys(security: Any) -> list[bytes] | None:
    """The keys of the SDK's own ``RequestStateSecurity(keys=[...])`` (recorded when its codec was built)."""
    return getattr(getattr(security, "codec", None), "_fastmcp_rs_keys", None)


def security_options(security: Any) -> dict[str, Any]:
    """The core's ``request_state_keys`` / ``request_state_ttl`` for a ``request_state_security=``."""
    if security is None:
        return {}
    if isinstance(security, RequestStateSecurity):
        return {"request_state_keys": security.keys, "request_state_ttl": security.ttl}
    keys = _sdk_keys(security)
    if keys is None:
        raise NotImplementedError(
            "request_state_security: only keys=[...] can be used by fastmcp-rs (a custom codec cannot); build it "
            "with RequestStateSecurity(keys=[...]) after importing fastmcp_rs"
        )
    return {"request_state_keys": _check_keys(keys), "request_state_ttl": float(getattr(security, "ttl", 600.0))}


def _record_sdk_keys(module: Any) -> None:
    """Makes the SDK's key codec remember its keys, so a ``RequestStateSecurity`` built with the SDK's class
    can be handed to the core."""
    codec = getattr(module, "AESGCMRequestStateCodec", None)
    if codec is None or getattr(codec, "_fastmcp_rs_wrapped", False):
        return
    original = codec.__init__

    def __init__(self: Any, keys: Any, *args: Any, **kwargs: Any) -> None:
        original(self, keys, *args, **kwargs)
        self._fastmcp_rs_keys = [k.encode() if isinstance(k, str) else bytes(k) for k in keys]

    codec.__init__ = __init__
    codec._fastmcp_rs_wrapped = True


class _SdkHook:
    """Wraps the SDK's codec when (if ever) ``mcp.server.request_state`` is imported."""

    _NAME = "mcp.server.request_state"

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != self._NAME:
            return None
        import importlib.util

        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            original_exec(module)
            _record_sdk_keys(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install_sdk_hook() -> None:
    module = sys.modules.get(_SdkHook._NAME)
    if module is not None:
        _record_sdk_keys(module)
    elif not any(isinstance(f, _SdkHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _SdkHook())
