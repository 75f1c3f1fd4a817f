"""``fastmcp.server.providers.aggregate``: providers is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["AggregateProvider"]

_FEATURE = "providers"

AggregateProvider = stub("AggregateProvider", _FEATURE, __name__)
