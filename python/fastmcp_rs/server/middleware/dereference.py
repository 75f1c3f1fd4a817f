"""``fastmcp.server.middleware.dereference``: middleware is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["DereferenceRefsMiddleware"]

_FEATURE = "middleware"

DereferenceRefsMiddleware = stub("DereferenceRefsMiddleware", _FEATURE, __name__)
