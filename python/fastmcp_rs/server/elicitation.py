"""``fastmcp.server.elicitation``: the typed answers of ``ctx.elicit(...)`` and the schema helpers."""

from ..elicitation import (
    AcceptedElicitation,
    AcceptedUrlElicitation,
    CancelledElicitation,
    DeclinedElicitation,
    ElicitationResult,
    ElicitConfig,
    ScalarElicitationType,
    UrlElicitationResult,
    get_elicitation_schema,
    handle_elicit_accept,
    parse_elicit_response_type,
)

__all__ = [
    "AcceptedElicitation",
    "AcceptedUrlElicitation",
    "CancelledElicitation",
    "DeclinedElicitation",
    "ElicitConfig",
    "ElicitationResult",
    "ScalarElicitationType",
    "UrlElicitationResult",
    "get_elicitation_schema",
    "handle_elicit_accept",
    "parse_elicit_response_type",
]
