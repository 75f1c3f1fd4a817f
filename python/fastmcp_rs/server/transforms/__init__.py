"""``fastmcp.server.transforms``: transforms is not supported by fastmcp-rs yet. The names import; using them
raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

from ...utilities.versions import VersionSpec
from .namespace import Namespace
from .prompts_as_tools import PromptsAsTools
from .resources_as_tools import ResourcesAsTools
from .tool_transform import ToolTransform
from .version_filter import VersionFilter
from .visibility import Visibility, is_enabled

__all__ = [
    "Namespace",
    "PromptsAsTools",
    "ResourcesAsTools",
    "ToolTransform",
    "Transform",
    "VersionFilter",
    "VersionSpec",
    "Visibility",
    "is_enabled",
]

_FEATURE = "transforms"

Transform = stub("Transform", _FEATURE, __name__)
