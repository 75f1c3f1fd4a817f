"""``fastmcp.server.auth.providers.discord``: authentication (discord provider) is not supported by fastmcp-rs
yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["DiscordProvider", "DiscordTokenVerifier"]

_FEATURE = "authentication (discord provider)"

DiscordProvider = stub("DiscordProvider", _FEATURE, __name__)
DiscordTokenVerifier = stub("DiscordTokenVerifier", _FEATURE, __name__)
