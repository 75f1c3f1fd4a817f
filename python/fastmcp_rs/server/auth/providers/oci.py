"""``fastmcp.server.auth.providers.oci``: authentication (oci provider) is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["OCIProvider"]

_FEATURE = "authentication (oci provider)"

OCIProvider = stub("OCIProvider", _FEATURE, __name__)
