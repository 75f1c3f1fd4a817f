"""``fastmcp.server.middleware.authorization``: ``AuthMiddleware(auth=check | [checks])`` applies the same
checks to every component: listings leave out what the caller may not use, and a call, read or prompt it may
not use is refused with FastMCP 4's texts (``Authorization failed for tool 'x': insufficient scope (required:
admin)``, ``... not found or not authorized``, ``... insufficient permissions``). A tool's refusal is an
``isError`` result, a resource's or prompt's a JSON-RPC error. Nothing is checked over stdio, as in FastMCP
(an in-process ``Client(mcp)`` is checked)."""

from __future__ import annotations

import logging
from typing import Any

from fastmcp_rs.exceptions import AuthorizationError, InsufficientScopeError
from fastmcp_rs.utilities.authorization import AuthCheck, AuthContext, _RequireScopes, _RestrictTag, _run_one

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["AuthMiddleware"]

_log = logging.getLogger("fastmcp.server.middleware.authorization")


def _over_http() -> bool:
    """Whether checks apply: every transport but stdio (an in-process client included, as in FastMCP)."""
    from fastmcp_rs._context import _current_handle

    handle = _current_handle()
    return handle is not None and not handle.trusted_transport


def _token() -> Any:
    from fastmcp_rs.server.dependencies import get_access_token

    return get_access_token()


class AuthMiddleware(Middleware):
    def __init__(self, auth: AuthCheck | list[AuthCheck]) -> None:
        self.auth: list[AuthCheck] = list(auth) if isinstance(auth, (list, tuple)) else [auth]

    def _allows(self, component: Any) -> bool:
        ctx = AuthContext(token=_token(), component=component)
        try:
            return all(_run_one(check, ctx, None) for check in self.auth)
        except AuthorizationError:
            return False

    def _shortfall(self, component: Any) -> tuple[bool, list[str]]:
        """Whether the caller passes, and if not the scopes it lacks (none when an opaque check failed or
        there is no token: then it is a matter of permissions)."""
        token = _token()
        ctx = AuthContext(token=token, component=component)
        missing: set[str] = set()
        opaque_failed = False
        for check in self.auth:
            if _run_one(check, ctx, None):
                continue
            if isinstance(check, (_RequireScopes, _RestrictTag)) and token is not None:
                missing |= set(check.required_scopes) - set(token.scopes)
            else:
                opaque_failed = True
        ok = not missing and not opaque_failed
        return ok, [] if opaque_failed else sorted(missing)

    def _enforce(self, kind: str, key: str, component: Any, context: MiddlewareContext[Any]) -> None:
        if context.fastmcp_context is None:
            _log.warning(f"AuthMiddleware: fastmcp_context is None for {kind} '{key}'. Denying access for security.")
            raise AuthorizationError(f"Authorization failed for {kind} '{key}': missing context")
        if component is None:
            raise AuthorizationError(f"Authorization failed for {kind} '{key}': not found or not authorized")
        ok, missing = self._shortfall(component)
        if ok:
            return
        if missing:
            raise InsufficientScopeError(
                missing,
                message=f"Authorization failed for {kind} '{key}': insufficient scope (required: {', '.join(missing)})",
            )
        raise AuthorizationError(f"Authorization failed for {kind} '{key}': insufficient permissions")

    async def _filtered(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        items = await call_next(context)
        if not _over_http():
            return items
        return [item for item in items if isinstance(item, dict) or self._allows(item)]

    on_list_tools = _filtered
    on_list_resources = _filtered
    on_list_resource_templates = _filtered
    on_list_prompts = _filtered

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if _over_http():
            name = getattr(context.message, "name", "")
            server = getattr(context.fastmcp_context, "fastmcp", None)
            tool = None
            if server is not None:
                try:
                    tool = await server.get_tool(name)
                except Exception:
                    tool = None
            self._enforce("tool", name, tool, context)
        return await call_next(context)

    async def check_resource_access(self, context: MiddlewareContext[Any]) -> None:
        if not _over_http():
            return
        uri = str(getattr(context.message, "uri", ""))
        server = getattr(context.fastmcp_context, "fastmcp", None)
        component = None
        if server is not None:
            # The component that serves the URI (the static resource, else the template that matches).
            found = server._native.find_resource(uri)
            component = getattr(found[0], "__self__", None) if found is not None else None
        self._enforce("resource", uri, component, context)

    async def on_get_prompt(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if _over_http():
            name = getattr(context.message, "name", "")
            server = getattr(context.fastmcp_context, "fastmcp", None)
            prompt = server._prompts.get(name) if server is not None else None
            self._enforce("prompt", name, prompt, context)
        return await call_next(context)
