"""``fastmcp.server.auth.providers.azure``: authentication (azure provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["AzureJWTVerifier", "AzureProvider", "EntraOBOToken"]

_FEATURE = "authentication (azure provider)"

AzureJWTVerifier = stub("AzureJWTVerifier", _FEATURE, __name__)
AzureProvider = stub("AzureProvider", _FEATURE, __name__)
EntraOBOToken = stub("EntraOBOToken", _FEATURE, __name__)
