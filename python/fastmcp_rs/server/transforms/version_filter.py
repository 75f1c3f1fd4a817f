"""``fastmcp.server.transforms.version_filter``: transforms is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["VersionFilter"]

_FEATURE = "transforms"

VersionFilter = stub("VersionFilter", _FEATURE, __name__)
