"""``fastmcp.client.auth``: ``BearerAuth`` (``Client(url, auth=BearerAuth(token))``, the same as
``auth="<token>"``). The OAuth flows (``OAuth``, client credentials, private-key JWT) are not supported by
``fastmcp_rs.Client`` yet: the names import, and using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

from .bearer import BearerAuth

__all__ = [
    "BearerAuth",
    "ClientCredentialsOAuthProvider",
    "OAuth",
    "PrivateKeyJWTOAuthProvider",
    "SignedJWTParameters",
    "static_assertion_provider",
]

_FEATURE = "the client's OAuth flows"
ClientCredentialsOAuthProvider = stub("ClientCredentialsOAuthProvider", _FEATURE, __name__)
OAuth = stub("OAuth", _FEATURE, __name__)
PrivateKeyJWTOAuthProvider = stub("PrivateKeyJWTOAuthProvider", _FEATURE, __name__)
SignedJWTParameters = stub("SignedJWTParameters", _FEATURE, __name__)
static_assertion_provider = stub("static_assertion_provider", _FEATURE, __name__)
