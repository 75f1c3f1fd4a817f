"""``fastmcp.server.middleware.caching``: response caching middleware is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = [
    "CallToolSettings",
    "GetPromptSettings",
    "ListPromptsSettings",
    "ListResourcesSettings",
    "ListToolsSettings",
    "ReadResourceSettings",
    "ResponseCachingMiddleware",
    "ResponseCachingStatistics",
    "SharedMethodSettings",
]

_FEATURE = "response caching middleware"

CallToolSettings = stub("CallToolSettings", _FEATURE, __name__)
GetPromptSettings = stub("GetPromptSettings", _FEATURE, __name__)
ListPromptsSettings = stub("ListPromptsSettings", _FEATURE, __name__)
ListResourcesSettings = stub("ListResourcesSettings", _FEATURE, __name__)
ListToolsSettings = stub("ListToolsSettings", _FEATURE, __name__)
ReadResourceSettings = stub("ReadResourceSettings", _FEATURE, __name__)
ResponseCachingMiddleware = stub("ResponseCachingMiddleware", _FEATURE, __name__)
ResponseCachingStatistics = stub("ResponseCachingStatistics", _FEATURE, __name__)
SharedMethodSettings = stub("SharedMethodSettings", _FEATURE, __name__)
