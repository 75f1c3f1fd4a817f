"""``fastmcp.server.providers.filesystem``: filesystem providers is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["FileSystemProvider"]

_FEATURE = "filesystem providers"

FileSystemProvider = stub("FileSystemProvider", _FEATURE, __name__)
