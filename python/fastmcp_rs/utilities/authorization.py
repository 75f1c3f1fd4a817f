"""``fastmcp.utilities.authorization``: per-component authorization (``auth=`` on ``@mcp.tool``,
``@mcp.resource``, ``@mcp.prompt``), FastMCP 4's checks: ``require_scopes``, ``restrict_tag`` and
``require_roles``, or any ``AuthContext -> bool`` callable (sync or async). All of a component's checks must
pass. ``require_scopes`` and ``restrict_tag`` are decided in the core; the others run in Python, on a worker
thread. A component the caller may not use is left out of its listing and answered as one that does not
exist. Over stdio nothing is checked (the client owns the process), as in FastMCP."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastmcp_rs.server.auth.auth import AccessToken

__all__ = [
    "AuthCheck",
    "AuthContext",
    "AuthorizationError",
    "require_roles",
    "require_scopes",
    "restrict_tag",
    "run_auth_checks",
]

_log = logging.getLogger("fastmcp_rs.auth")


@dataclasses.dataclass
class AuthContext:
    """What a check sees: the caller's token (``None`` without one) and the component."""

    token: AccessToken | None
    component: Any

    @property
    def tool(self) -> Any:
        from fastmcp_rs.tools.base import Tool

        return self.component if isinstance(self.component, Tool) else None


AuthCheck = Callable[[AuthContext], bool] | Callable[[AuthContext], Awaitable[bool]]


class AuthorizationError(Exception):
    """Raised by a check to refuse with its own message."""


class _RequireScopes:
    def __init__(self, scopes: tuple[str, ...]) -> None:
        self.required_scopes = frozenset(scopes)

    def __call__(self, ctx: AuthContext) -> bool:
        return ctx.token is not None and self.required_scopes <= set(ctx.token.scopes)

    def __repr__(self) -> str:
        return f"require_scopes({', '.join(map(repr, sorted(self.required_scopes)))})"


class _RestrictTag:
    def __init__(self, tag: str, scopes: list[str]) -> None:
        self.tag = tag
        self.required_scopes = frozenset(scopes)

    def __call__(self, ctx: AuthContext) -> bool:
        if self.tag not in (getattr(ctx.component, "tags", None) or set()):
            return True
        return ctx.token is not None and self.required_scopes <= set(ctx.token.scopes)


class _RequireRoles:
    def __init__(self, roles: tuple[str, ...], extract: Callable[[dict[str, Any]], Iterable[str]]) -> None:
        self.required_roles = frozenset(roles)
        self._extract = extract

    def __call__(self, ctx: AuthContext) -> bool:
        if ctx.token is None:
            return False
        try:
            found = self._extract(ctx.token.claims)
        except (KeyError, IndexError, TypeError):
            return False
        granted = {found} if isinstance(found, str) else set(found or ())
        return self.required_roles <= granted


def require_scopes(*scopes: str) -> AuthCheck:
    """Every one of ``scopes`` must be in the caller's token."""
    return _RequireScopes(scopes)


def restrict_tag(tag: str, *, scopes: list[str]) -> AuthCheck:
    """A component tagged ``tag`` needs ``scopes``; others pass."""
    return _RestrictTag(tag, list(scopes))


def require_roles(*roles: str, extract: Callable[[dict[str, Any]], Iterable[str]]) -> AuthCheck:
    """Every one of ``roles``, read from the token's claims by ``extract`` (``realm_access.roles`` on
    Keycloak, ``roles`` on Entra ID...). A claim that is missing denies."""
    if not roles:
        raise ValueError("require_roles() needs at least one role; a check with no roles would allow any caller")
    return _RequireRoles(roles, extract)


def _as_list(auth: Any) -> list[AuthCheck]:
    if auth is None:
        return []
    return list(auth) if isinstance(auth, (list, tuple)) else [auth]


def _run_one(check: AuthCheck, ctx: AuthContext, loop: asyncio.AbstractEventLoop | None) -> bool:
    try:
        outcome = check(ctx)
        if inspect.isawaitable(outcome):
            if loop is None:
                outcome = asyncio.run(_awaited(outcome))
            else:
                outcome = asyncio.run_coroutine_threadsafe(_awaited(outcome), loop).result(30)
        return bool(outcome)
    except AuthorizationError:
        raise
    except Exception:
        _log.exception("auth check %r failed; denying", check)
        return False


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def run_auth_checks(checks: AuthCheck | list[AuthCheck], ctx: AuthContext) -> bool:
    """Whether every check passes (stops at the first that does not)."""
    return all(_run_one(c, ctx, None) for c in _as_list(checks))


class ComponentChecks:
    """The opaque checks of every registered component, by the id the core knows them by."""

    def __init__(self) -> None:
        self._checks: dict[int, tuple[Any, list[AuthCheck]]] = {}
        self._next = 1
        self.loop: asyncio.AbstractEventLoop | None = None

    def resolve(self, component: Any) -> tuple[list[str], int | None] | None:
        """A component's ``auth=`` as the core takes it: the scopes it needs, and the id of the checks only
        Python can run."""
        checks = _as_list(getattr(component, "auth", None))
        if not checks:
            return None
        scopes: set[str] = set()
        opaque: list[AuthCheck] = []
        tags = getattr(component, "tags", None) or set()
        for check in checks:
            if isinstance(check, _RequireScopes):
                scopes |= check.required_scopes
            elif isinstance(check, _RestrictTag):
                if check.tag in tags:
                    scopes |= check.required_scopes
            elif callable(check):
                opaque.append(check)
            else:
                raise TypeError(f"auth= takes checks (callables), not {type(check).__name__}")
        check_id = None
        if opaque:
            check_id = self._next
            self._next += 1
            self._checks[check_id] = (component, opaque)
        return sorted(scopes), check_id

    def forget(self, check_id: int | None) -> None:
        if check_id is not None:
            self._checks.pop(check_id, None)

    def __call__(self, check_ids: list[int], token: dict[str, Any] | None) -> list[bool]:
        """Run by the core on a worker thread: one answer per id."""
        from fastmcp_rs.server.auth.auth import AccessToken

        access = AccessToken(**token) if token is not None else None
        answers = []
        for check_id in check_ids:
            entry = self._checks.get(check_id)
            if entry is None:
                answers.append(False)
                continue
            component, checks = entry
            ctx = AuthContext(token=access, component=component)
            try:
                answers.append(all(_run_one(c, ctx, self.loop) for c in checks))
            except AuthorizationError:
                answers.append(False)
        return answers
