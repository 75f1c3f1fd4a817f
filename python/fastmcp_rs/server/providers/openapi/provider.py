"""``fastmcp.server.providers.openapi.provider``: OpenAPI servers is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["OpenAPIProvider"]

_FEATURE = "OpenAPI servers"

OpenAPIProvider = stub("OpenAPIProvider", _FEATURE, __name__)
