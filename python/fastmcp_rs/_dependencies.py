"""Dependency injection for tool, resource and prompt functions, on ``uncalled-for`` (the engine FastMCP 4
uses): a parameter whose default is a ``Depends(...)``, ``Shared(...)``, ``CallArgument()`` or one of the
markers of ``fastmcp_rs.server.dependencies`` (``CurrentHeaders()``, ``Progress()``, ...) is resolved for
each call and left out of the component's schema.

A function without such parameters is served as it is: no wrapper, no cost. One that has them is served
through an ``async`` wrapper (:func:`with_dependencies`) whose signature lacks them; it resolves them on the
server's event loop, calls the function (a ``def`` one on a worker thread, as FastMCP 4 does), and tears down
generator dependencies after the result, generators included, is complete. The ``Context`` parameter is not
one of them: the core fills it in, as for any function.

``Shared(...)`` values live for a run of the server: :func:`shared_scope` opens their scope as the server
starts and closes it (their generator dependencies too) as it stops."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

try:  # uncalled-for needs Python 3.11 (as FastMCP 4 does)
    import uncalled_for
    from uncalled_for import (
        CycleError,
        FailedDependency,
        Provider,
        SharedContext,
        get_annotation_dependencies,
        get_call_argument_parameters,
        get_dependency_parameters,
        resolved_dependencies,
    )
except ImportError:  # pragma: no cover - Python 3.10
    uncalled_for = None  # type: ignore[assignment]

    class Provider:  # type: ignore[no-redef]
        """Stands in for ``uncalled_for.Provider`` on Python 3.10, where dependency injection is not available."""

        def __class_getitem__(cls, _item: Any) -> type:
            return cls

        async def __aexit__(self, *_exc: Any) -> None:
            return None

    class CycleError(ValueError):  # type: ignore[no-redef]
        """Dependencies that reference each other."""


__all__ = ["CycleError", "Provider", "injected_parameters", "resolved_arguments", "shared_scope", "with_dependencies"]

#: The values of ``SharedContext``'s context variables for the run being served (innermost last): calls
#: start in contexts of their own, so the wrapper installs these in each call's context.
_shared_scopes: list[dict[Any, Any]] = []


def injected_parameters(call: Callable[..., Any], context_param: str | None = None) -> set[str]:
    """The names of ``call``'s parameters that dependencies supply (not the ``Context`` one)."""
    if uncalled_for is None:
        names = {n for n, p in inspect.signature(call).parameters.items() if isinstance(p.default, Provider)}
        names.discard(context_param)  # type: ignore[arg-type]
        if names:
            raise NotImplementedError("dependency injection (Depends, Progress, ...) needs Python 3.11 or later")
        return names
    names = set(get_dependency_parameters(call))
    names.discard(context_param)  # type: ignore[arg-type]
    return names


def with_dependencies(
    call: Callable[..., Any],
    context_param: str | None = None,
    *,
    hints: dict[str, Any] | None = None,
    run_in_thread: bool = True,
    hide_context: bool = False,
) -> Callable[..., Any]:
    """``call`` itself when nothing is injected; otherwise an ``async`` wrapper whose signature and
    annotations are ``call``'s without the injected parameters (with the ones its ``CallArgument`` references
    ask for, and its return annotation), which resolves them for every call. The ``Context`` parameter stays
    for the core to fill in, unless ``hide_context`` (then the wrapper finds the current one)."""
    from ._components import resolved_hints

    hints = resolved_hints(call) if hints is None else hints
    names = injected_parameters(call, context_param)
    wrapping = get_annotation_dependencies(call) if uncalled_for is not None else {}
    sessions = _user_sessions(call, hints)
    hidden = names | set(sessions) | ({context_param} if hide_context and context_param else set())
    if not hidden and not wrapping:
        return call
    found = get_call_argument_parameters(call) if uncalled_for is not None else []
    referenced = [p for p in found if p.name not in hidden]
    referenced_names = {p.name for p in referenced}
    signature = inspect.signature(call)
    kept = [p for n, p in signature.parameters.items() if n not in hidden]
    variadic = [p for p in kept if p.kind is inspect.Parameter.VAR_KEYWORD]
    kept = [p for p in kept if p.kind is not inspect.Parameter.VAR_KEYWORD]
    is_async = inspect.iscoroutinefunction(inspect.unwrap(call)) or inspect.iscoroutinefunction(call)
    fill_context = context_param if hide_context and context_param and context_param not in names else None

    async def wrapper(**kwargs: Any) -> Any:
        if fill_context is not None:
            from ._context import get_context

            kwargs[fill_context] = get_context()
        for name, dependency in sessions.items():
            kwargs[name] = await dependency.__aenter__()
        async with resolved_arguments(call, kwargs, keep=context_param) as resolved:
            arguments = {k: v for k, v in resolved.items() if k not in referenced_names}
            if is_async:
                result = await call(**arguments)
            elif run_in_thread:
                result = await asyncio.to_thread(call, **arguments)
            else:
                result = call(**arguments)
            if inspect.isawaitable(result):
                result = await result
            # Generators finish while the dependencies they read are still open.
            if inspect.isasyncgen(result):
                return [item async for item in result]
            if inspect.isgenerator(result):
                return list(result)
            return result

    fn_name = getattr(call, "__name__", "wrapper")
    wrapper.__signature__ = signature.replace(parameters=[*kept, *referenced, *variadic])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {k: v for k, v in hints.items() if k not in hidden} | {
        p.name: p.annotation for p in referenced
    }
    wrapper.__name__ = fn_name
    wrapper.__qualname__ = getattr(call, "__qualname__", fn_name)
    wrapper.__doc__ = getattr(call, "__doc__", None)
    wrapper.__module__ = getattr(call, "__module__", __name__)
    return wrapper


@contextlib.asynccontextmanager
async def resolved_arguments(
    call: Callable[..., Any], arguments: dict[str, Any], keep: str | None = None
) -> AsyncIterator[dict[str, Any]]:
    """``arguments`` with ``call``'s dependencies resolved, for the length of the block (generator
    dependencies are torn down as it ends). A value in ``arguments`` for an injected parameter is dropped:
    what a client sends never stands in for an injected value; but ``keep`` names the one the server itself
    supplied (the ``Context``)."""
    if uncalled_for is None:
        injected_parameters(call)  # refuses, on Python 3.10, a function that has some
        yield dict(arguments)
        return
    dependencies = get_dependency_parameters(call)
    kwargs = {k: v for k, v in arguments.items() if k not in dependencies or k == keep}
    tokens = _enter_shared_scope()
    try:
        async with resolved_dependencies(call, kwargs) as resolved:
            for value in resolved.values():
                if isinstance(value, FailedDependency):
                    _raise_failed(value, getattr(call, "__name__", repr(call)))
            yield {**kwargs, **resolved}
    finally:
        _leave_shared_scope(tokens)


def _user_sessions(call: Callable[..., Any], hints: dict[str, Any]) -> dict[str, Any]:
    """``session: UserSession`` parameters (application sessions), which are injected too."""
    if not any(_names_user_session(h) for h in hints.values()):
        return {}
    from .server.sessions import user_session_parameters

    return user_session_parameters(call, hints)


def _names_user_session(hint: Any) -> bool:
    return "UserSession" in getattr(hint, "__name__", "") or "UserSession" in repr(hint)


def _raise_failed(failed: Any, fn_name: str) -> None:
    """A dependency that raised: FastMCP's own errors (``ToolError`` ...) and cycles reach the client as they
    are; anything else as FastMCP 4 words it, with the cause chained."""
    from .exceptions import FastMCPError

    error = failed.error
    if isinstance(error, (FastMCPError, CycleError)):
        raise error
    raise RuntimeError(f"Failed to resolve dependency '{failed.parameter}' for {fn_name}") from error


def _enter_shared_scope() -> list[tuple[Any, Any]] | None:
    if not _shared_scopes or SharedContext.resolved.get(None) is not None:
        return None
    return [(var, var.set(value)) for var, value in _shared_scopes[-1].items()]


def _leave_shared_scope(tokens: list[tuple[Any, Any]] | None) -> None:
    for var, token in reversed(tokens or ()):
        var.reset(token)


@contextlib.asynccontextmanager
async def shared_scope() -> AsyncIterator[None]:
    """The scope of ``Shared(...)`` dependencies for one run of a server."""
    if uncalled_for is None:
        yield
        return
    async with SharedContext():
        snapshot = {var: var.get() for var in (SharedContext.resolved, SharedContext.lock, SharedContext.stack)}
        _shared_scopes.append(snapshot)
        try:
            yield
        finally:
            _shared_scopes.remove(snapshot)
