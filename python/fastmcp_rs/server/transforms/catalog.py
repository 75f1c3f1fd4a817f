"""``fastmcp.server.transforms.catalog``: transforms is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["CatalogTransform"]

_FEATURE = "transforms"

CatalogTransform = stub("CatalogTransform", _FEATURE, __name__)
