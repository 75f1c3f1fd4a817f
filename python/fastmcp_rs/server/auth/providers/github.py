"""``fastmcp.server.auth.providers.github``: authentication (github provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["GitHubProvider", "GitHubTokenVerifier"]

_FEATURE = "authentication (github provider)"

GitHubProvider = stub("GitHubProvider", _FEATURE, __name__)
GitHubTokenVerifier = stub("GitHubTokenVerifier", _FEATURE, __name__)
