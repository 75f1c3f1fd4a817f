"""``fastmcp.server.middleware.error_handling``: middleware is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ErrorHandlingMiddleware", "RetryMiddleware"]

_FEATURE = "middleware"

ErrorHandlingMiddleware = stub("ErrorHandlingMiddleware", _FEATURE, __name__)
RetryMiddleware = stub("RetryMiddleware", _FEATURE, __name__)
