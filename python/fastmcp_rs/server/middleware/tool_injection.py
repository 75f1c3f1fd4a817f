"""``fastmcp.server.middleware.tool_injection``: middleware is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ToolInjectionMiddleware"]

_FEATURE = "middleware"

ToolInjectionMiddleware = stub("ToolInjectionMiddleware", _FEATURE, __name__)
