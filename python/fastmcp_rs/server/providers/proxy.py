"""``fastmcp.server.providers.proxy``: proxy servers is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = [
    "FastMCPProxy",
    "ProxyClient",
    "ProxyPrompt",
    "ProxyProvider",
    "ProxyResource",
    "ProxyTemplate",
    "ProxyTool",
    "StatefulProxyClient",
]

_FEATURE = "proxy servers"

FastMCPProxy = stub("FastMCPProxy", _FEATURE, __name__)
ProxyClient = stub("ProxyClient", _FEATURE, __name__)
ProxyPrompt = stub("ProxyPrompt", _FEATURE, __name__)
ProxyProvider = stub("ProxyProvider", _FEATURE, __name__)
ProxyResource = stub("ProxyResource", _FEATURE, __name__)
ProxyTemplate = stub("ProxyTemplate", _FEATURE, __name__)
ProxyTool = stub("ProxyTool", _FEATURE, __name__)
StatefulProxyClient = stub("StatefulProxyClient", _FEATURE, __name__)
