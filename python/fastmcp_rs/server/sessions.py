"""``fastmcp.server.sessions``: application sessions is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = [
    "CurrentSession",
    "InvalidSession",
    "OptionalCurrentSession",
    "Session",
    "SessionAuthError",
    "SessionProvider",
    "UserSession",
    "create_session",
    "current_principal",
    "end_session",
    "session_id_parameter_names",
    "session_storage_key",
]

_FEATURE = "application sessions"

CurrentSession = stub("CurrentSession", _FEATURE, __name__)
InvalidSession = stub("InvalidSession", _FEATURE, __name__)
OptionalCurrentSession = stub("OptionalCurrentSession", _FEATURE, __name__)
Session = stub("Session", _FEATURE, __name__)
SessionAuthError = stub("SessionAuthError", _FEATURE, __name__)
SessionProvider = stub("SessionProvider", _FEATURE, __name__)
UserSession = stub("UserSession", _FEATURE, __name__)
create_session = stub("create_session", _FEATURE, __name__)
current_principal = stub("current_principal", _FEATURE, __name__)
end_session = stub("end_session", _FEATURE, __name__)
session_id_parameter_names = stub("session_id_parameter_names", _FEATURE, __name__)
session_storage_key = stub("session_storage_key", _FEATURE, __name__)
