"""``fastmcp-rs version``."""

from __future__ import annotations

import platform
from pathlib import Path

import fastmcp_rs

__all__ = ["PROTOCOL_VERSIONS", "latest_protocol_version", "protocol_versions", "version_info", "version_text"]

# The handshake versions the native core negotiates (src/protocol/version.rs), newest first; used when the
# extension does not export them itself.
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")


def protocol_versions() -> tuple[str, ...]:
    """The MCP protocol versions served, newest first."""
    exported = getattr(fastmcp_rs, "PROTOCOL_VERSIONS", None) or getattr(
        getattr(fastmcp_rs, "_core", None), "PROTOCOL_VERSIONS", None
    )
    if exported:
        return tuple(sorted((str(v) for v in exported), reverse=True))
    return PROTOCOL_VERSIONS


def latest_protocol_version() -> str:
    return protocol_versions()[0]


def version_info() -> dict[str, str]:
    return {
        "fastmcp-rs version": fastmcp_rs.__version__,
        "MCP protocol versions": ", ".join(protocol_versions()),
        "Python version": platform.python_version(),
        "Platform": platform.platform(),
        "fastmcp-rs root path": str(Path(fastmcp_rs.__file__ or ".").resolve().parents[1]),
    }


def version_text() -> str:
    info = version_info()
    width = max(len(k) for k in info) + 1
    return "\n".join(f"{k + ':':<{width}} {v}" for k, v in info.items())
