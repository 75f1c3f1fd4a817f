"""``fastmcp.server.transforms.visibility``: visibility transforms is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["Visibility", "disable_components", "enable_components", "is_enabled", "reset_visibility"]

_FEATURE = "visibility transforms"

Visibility = stub("Visibility", _FEATURE, __name__)
disable_components = stub("disable_components", _FEATURE, __name__)
enable_components = stub("enable_components", _FEATURE, __name__)
is_enabled = stub("is_enabled", _FEATURE, __name__)
reset_visibility = stub("reset_visibility", _FEATURE, __name__)
