"""``fastmcp.server.auth.providers.debug``: ``DebugTokenVerifier``, a verifier that leaves the verdict to a
function of the token (sync or async; by default every non-empty token passes). For tests, development, and
opaque tokens that nothing else can check. A passing token gets ``client_id``, ``scopes`` and the claim
``{"token": <the token>}``; a blank token, a false verdict or an exception in the function refuses it."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from ..auth import AccessToken, TokenVerifier

__all__ = ["DebugTokenVerifier"]

_log = logging.getLogger("fastmcp.server.auth.providers.debug")


def _accept_all(token: str) -> bool:
    return True


class DebugTokenVerifier(TokenVerifier):
    """Accepts the tokens ``validate(token)`` says are valid. Bypasses every standard check: use it only where
    that is what you mean."""

    def __init__(
        self,
        validate: Callable[[str], bool] | Callable[[str], Awaitable[bool]] = _accept_all,
        client_id: str = "debug-client",
        scopes: list[str] | None = None,
        required_scopes: list[str] | None = None,
    ) -> None:
        super().__init__(required_scopes=required_scopes)
        self.validate = validate
        self.client_id = client_id
        self.scopes = list(scopes or [])

    async def verify_token(self, token: str) -> AccessToken | None:
        if not token or not token.strip():
            _log.debug("Rejecting empty token")
            return None
        try:
            verdict = self.validate(token)
            if inspect.isawaitable(verdict):
                verdict = await verdict
        except Exception as exc:
            _log.debug("Token validation error: %s", exc, exc_info=True)
            return None
        if not verdict:
            _log.debug("Token validation failed: callable returned False")
            return None
        return AccessToken(
            token=token, client_id=self.client_id, scopes=list(self.scopes), expires_at=None, claims={"token": token}
        )
