"""``fastmcp.server.auth.providers.supabase``: authentication (supabase provider) is not supported by fastmcp-rs
yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["SupabaseProvider"]

_FEATURE = "authentication (supabase provider)"

SupabaseProvider = stub("SupabaseProvider", _FEATURE, __name__)
