"""``fastmcp.server.proxy``: FastMCP 2/3's place for the proxy classes (``FastMCPProxy``, ``ProxyClient``,
``ProxyProvider``...). Deprecated there (since 3) and here, with the same ``FastMCPDeprecationWarning``: import
from ``fastmcp.server.providers.proxy``, whose objects these are."""

import warnings

from ..exceptions import FastMCPDeprecationWarning
from .providers.proxy import (
    ClientFactoryT,
    FastMCPProxy,
    ProxyClient,
    ProxyPrompt,
    ProxyProvider,
    ProxyResource,
    ProxyTemplate,
    ProxyTool,
    StatefulProxyClient,
)

warnings.warn(
    "fastmcp.server.proxy is deprecated. Use fastmcp.server.providers.proxy instead.",
    FastMCPDeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "ClientFactoryT",
    "FastMCPProxy",
    "ProxyClient",
    "ProxyPrompt",
    "ProxyProvider",
    "ProxyResource",
    "ProxyTemplate",
    "ProxyTool",
    "StatefulProxyClient",
]
