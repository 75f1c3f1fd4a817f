"""``fastmcp.server.transforms.search``: search transforms is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

from .base import serialize_tools_for_output_json, serialize_tools_for_output_markdown
from .bm25 import BM25SearchTransform
from .regex import RegexSearchTransform

__all__ = [
    "BM25SearchTransform",
    "RegexSearchTransform",
    "SearchResultSerializer",
    "serialize_tools_for_output_json",
    "serialize_tools_for_output_markdown",
]

_FEATURE = "search transforms"

SearchResultSerializer = stub("SearchResultSerializer", _FEATURE, __name__)
