"""``fastmcp.server.transforms.search.regex``: search transforms is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["RegexSearchTransform"]

_FEATURE = "search transforms"

RegexSearchTransform = stub("RegexSearchTransform", _FEATURE, __name__)
