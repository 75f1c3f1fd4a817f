"""``fastmcp.server.transforms.prompts_as_tools``: transforms is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["PromptsAsTools"]

_FEATURE = "transforms"

PromptsAsTools = stub("PromptsAsTools", _FEATURE, __name__)
