"""``fastmcp.server.transforms.namespace``: transforms is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["Namespace"]

_FEATURE = "transforms"

Namespace = stub("Namespace", _FEATURE, __name__)
