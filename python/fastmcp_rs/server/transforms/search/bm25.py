"""``fastmcp.server.transforms.search.bm25``: search transforms is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["BM25SearchTransform"]

_FEATURE = "search transforms"

BM25SearchTransform = stub("BM25SearchTransform", _FEATURE, __name__)
