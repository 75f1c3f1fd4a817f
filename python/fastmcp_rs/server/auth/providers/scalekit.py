"""``fastmcp.server.auth.providers.scalekit``: authentication (scalekit provider) is not supported by fastmcp-rs
yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ScalekitProvider"]

_FEATURE = "authentication (scalekit provider)"

ScalekitProvider = stub("ScalekitProvider", _FEATURE, __name__)
