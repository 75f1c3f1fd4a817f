"""Where an ``OAuthProxy`` keeps client registrations and tokens when no ``client_storage`` is given, as
FastMCP 4 does: encrypted files under ``$FASTMCP_HOME/oauth-proxy/<key digest>/`` (``FASTMCP_HOME`` defaults
to the user data directory, ``~/.local/share/fastmcp`` on Linux), so clients stay logged in across restarts.

Each entry is one file named by the SHA-256 of its collection and key, holding its deadline and value,
encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``) under a key derived from the
proxy's JWT signing key; an entry that does not decrypt (another key) reads as missing. Without
``cryptography`` installed, entries are kept in memory instead, and a warning says so."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._kv import MemoryStore
from .jwt_issuer import hkdf_sha256

__all__: list[str] = []

_log = logging.getLogger("fastmcp.server.auth.oauth_proxy")
_SWEEP_INTERVAL = 3600.0


def fastmcp_home() -> Path:
    if os.environ.get("FASTMCP_HOME"):
        return Path(os.environ["FASTMCP_HOME"])
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir("fastmcp"))
    except ImportError:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
        return Path(base) / "fastmcp"


class EncryptedFileStore:
    """FastMCP's key-value interface over encrypted files (see the module's documentation)."""

    def __init__(self, directory: Path, key: bytes) -> None:
        from cryptography.fernet import Fernet

        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fernet = Fernet(key)
        self._last_sweep = 0.0

    def _path(self, key: str, collection: str | None) -> Path:
        name = hashlib.sha256(f"{collection or ''}\0{key}".encode()).hexdigest()
        return self.directory / name

    def _read(self, path: Path) -> dict[str, Any] | None:
        from cryptography.fernet import InvalidToken

        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            entry = json.loads(self._fernet.decrypt(sealed))
        except (InvalidToken, ValueError):
            return None
        deadline = entry.get("deadline")
        if deadline is not None and deadline <= time.time():
            path.unlink(missing_ok=True)
            return None
        return entry.get("value")

    def _write(self, path: Path, value: Mapping[str, Any], ttl: float | None) -> None:
        entry = {"deadline": None if ttl is None else time.time() + ttl, "value": dict(value)}
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(self._fernet.encrypt(json.dumps(entry).encode()))
        os.replace(temporary, path)

    def _sweep(self) -> None:
        for path in self.directory.iterdir():
            if path.suffix != ".tmp":
                self._read(path)

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._read, self._path(key, collection))

    async def put(
        self, key: str, value: Mapping[str, Any], *, collection: str | None = None, ttl: float | None = None
    ) -> None:
        await asyncio.to_thread(self._write, self._path(key, collection), value, ttl)
        if time.monotonic() - self._last_sweep > _SWEEP_INTERVAL:
            self._last_sweep = time.monotonic()
            await asyncio.to_thread(self._sweep)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        path = self._path(key, collection)
        existed = path.exists()
        await asyncio.to_thread(path.unlink, missing_ok=True)
        return existed


def default_store(signing_key: bytes) -> Any:
    """The encrypted file store of a proxy signing with ``signing_key``; in memory without ``cryptography``."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        _log.warning(
            "cryptography is not installed: the OAuth proxy keeps clients and tokens in memory, and they are "
            "lost when the server stops (install cryptography, or pass client_storage=)"
        )
        return MemoryStore(max_entries=100_000)
    key = base64.urlsafe_b64encode(hkdf_sha256(signing_key, b"fastmcp-storage-encryption-key", b"Fernet"))
    directory = fastmcp_home() / "oauth-proxy" / hashlib.sha256(key).hexdigest()[:12]
    return EncryptedFileStore(directory, key)
