"""``fastmcp.server.middleware.timing``: middleware is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["DetailedTimingMiddleware", "TimingMiddleware"]

_FEATURE = "middleware"

DetailedTimingMiddleware = stub("DetailedTimingMiddleware", _FEATURE, __name__)
TimingMiddleware = stub("TimingMiddleware", _FEATURE, __name__)
