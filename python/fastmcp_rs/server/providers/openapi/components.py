"""``fastmcp.server.providers.openapi.components``: OpenAPI servers is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["OpenAPIResource", "OpenAPIResourceTemplate", "OpenAPITool"]

_FEATURE = "OpenAPI servers"

OpenAPIResource = stub("OpenAPIResource", _FEATURE, __name__)
OpenAPIResourceTemplate = stub("OpenAPIResourceTemplate", _FEATURE, __name__)
OpenAPITool = stub("OpenAPITool", _FEATURE, __name__)
