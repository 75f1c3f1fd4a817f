"""``fastmcp.server.auth.providers.aws``: authentication (aws provider) is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["AWSCognitoProvider", "AWSCognitoTokenVerifier"]

_FEATURE = "authentication (aws provider)"

AWSCognitoProvider = stub("AWSCognitoProvider", _FEATURE, __name__)
AWSCognitoTokenVerifier = stub("AWSCognitoTokenVerifier", _FEATURE, __name__)
