"""``fastmcp.server.middleware.response_limiting``: middleware is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ResponseLimitingMiddleware"]

_FEATURE = "middleware"

ResponseLimitingMiddleware = stub("ResponseLimitingMiddleware", _FEATURE, __name__)
