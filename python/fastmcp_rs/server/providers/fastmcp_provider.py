"""``fastmcp.server.providers.fastmcp_provider``: mounting servers (FastMCPProvider) is not supported by fastmcp-
rs yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = [
    "FastMCPProvider",
    "FastMCPProviderPrompt",
    "FastMCPProviderResource",
    "FastMCPProviderResourceTemplate",
    "FastMCPProviderTool",
]

_FEATURE = "mounting servers (FastMCPProvider)"

FastMCPProvider = stub("FastMCPProvider", _FEATURE, __name__)
FastMCPProviderPrompt = stub("FastMCPProviderPrompt", _FEATURE, __name__)
FastMCPProviderResource = stub("FastMCPProviderResource", _FEATURE, __name__)
FastMCPProviderResourceTemplate = stub("FastMCPProviderResourceTemplate", _FEATURE, __name__)
FastMCPProviderTool = stub("FastMCPProviderTool", _FEATURE, __name__)
