"""``fastmcp.server.transforms.tool_transform``: tool transformation is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ToolTransform"]

_FEATURE = "tool transformation"

ToolTransform = stub("ToolTransform", _FEATURE, __name__)
