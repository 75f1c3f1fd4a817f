"""``fastmcp.server.transforms.search.base``: search transforms is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["BaseSearchTransform", "serialize_tools_for_output_json", "serialize_tools_for_output_markdown"]

_FEATURE = "search transforms"

BaseSearchTransform = stub("BaseSearchTransform", _FEATURE, __name__)
serialize_tools_for_output_json = stub("serialize_tools_for_output_json", _FEATURE, __name__)
serialize_tools_for_output_markdown = stub("serialize_tools_for_output_markdown", _FEATURE, __name__)
