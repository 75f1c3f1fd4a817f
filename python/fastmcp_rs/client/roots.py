"""The roots a client offers the server (answers ``roots/list``)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import mcp.types as mcp_types
import pydantic

__all__ = ["RootsHandler", "RootsList", "convert_roots_list", "create_roots_callback"]

RootsList: TypeAlias = "list[str] | list[mcp_types.Root] | list[str | mcp_types.Root]"
RootsHandler: TypeAlias = Callable[[Any], "RootsList | Awaitable[RootsList]"]


def convert_roots_list(roots: Any) -> list[mcp_types.Root]:
    converted = []
    for root in roots:
        if isinstance(root, mcp_types.Root):
            converted.append(root)
        elif isinstance(root, (str, pydantic.AnyUrl)):
            converted.append(mcp_types.Root(uri=pydantic.FileUrl(str(root))))
        else:
            raise ValueError(f"Invalid root: {root!r}")
    return converted


def create_roots_callback(handler: Any) -> Callable[[Any], Awaitable[Any]]:
    """The ``list_roots_callback`` for a fixed list of roots or a (sync or async) ``handler(context)``."""
    if isinstance(handler, (list, tuple)):
        fixed = convert_roots_list(handler)

        async def fixed_roots(context: Any) -> mcp_types.ListRootsResult:
            return mcp_types.ListRootsResult(roots=fixed)

        return fixed_roots
    if not callable(handler):
        raise ValueError(f"Invalid roots handler: {handler!r}")

    async def roots_callback(context: Any) -> mcp_types.ListRootsResult | mcp_types.ErrorData:
        try:
            roots = handler(context)
            if inspect.isawaitable(roots):
                roots = await roots
            return mcp_types.ListRootsResult(roots=convert_roots_list(roots))
        except Exception as exc:
            return mcp_types.ErrorData(code=mcp_types.INTERNAL_ERROR, message=str(exc))

    return roots_callback
