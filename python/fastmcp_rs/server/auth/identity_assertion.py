"""``fastmcp.server.auth.identity_assertion``: authentication is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["IdentityAssertion", "IdentityAssertionError", "IdentityAssertionValidator"]

_FEATURE = "authentication"

IdentityAssertion = stub("IdentityAssertion", _FEATURE, __name__)
IdentityAssertionError = stub("IdentityAssertionError", _FEATURE, __name__)
IdentityAssertionValidator = stub("IdentityAssertionValidator", _FEATURE, __name__)
