"""``fastmcp.server.transforms.resources_as_tools``: transforms is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ResourcesAsTools"]

_FEATURE = "transforms"

ResourcesAsTools = stub("ResourcesAsTools", _FEATURE, __name__)
