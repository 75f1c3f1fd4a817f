"""``fastmcp.tools.tool_transform``: tool transformation is not supported yet (the names import; using them
raises ``NotImplementedError``)."""

from .._unsupported import stub

__all__ = [
    "ArgTransform",
    "ArgTransformConfig",
    "ToolTransformConfig",
    "TransformedTool",
    "apply_transformations_to_tools",
    "forward",
    "forward_raw",
]

ArgTransform = stub("ArgTransform", "tool transformation", __name__)
ArgTransformConfig = stub("ArgTransformConfig", "tool transformation", __name__)
ToolTransformConfig = stub("ToolTransformConfig", "tool transformation", __name__)
TransformedTool = stub("TransformedTool", "tool transformation", __name__)
apply_transformations_to_tools = stub("apply_transformations_to_tools", "tool transformation", __name__)
forward = stub("forward", "tool transformation", __name__)
forward_raw = stub("forward_raw", "tool transformation", __name__)
