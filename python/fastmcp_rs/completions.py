"""``completion/complete``: the server's one completion handler, called with the reference (a prompt or a
resource template), the argument being completed and the arguments already given."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .exceptions import McpError

if TYPE_CHECKING:
    from ._core import RequestHandle

__all__ = ["Completion", "CompletionArgument", "CompletionContext", "PromptReference", "ResourceTemplateReference"]

#: At most this many values go in one answer (the MCP limit).
MAX_VALUES = 100

try:  # The official types, when installed, so that `isinstance(ref, mcp_types.PromptReference)` holds.
    from mcp_types import (  # type: ignore[import-not-found]
        Completion,
        CompletionArgument,
        CompletionContext,
        PromptReference,
        ResourceTemplateReference,
    )
except ImportError:  # pragma: no cover - exercised without the mcp package

    @dataclasses.dataclass
    class PromptReference:  # type: ignore[no-redef]
        name: str
        title: str | None = None
        type: str = "ref/prompt"

    @dataclasses.dataclass
    class ResourceTemplateReference:  # type: ignore[no-redef]
        uri: str
        type: str = "ref/resource"

    @dataclasses.dataclass
    class CompletionArgument:  # type: ignore[no-redef]
        name: str
        value: str

    @dataclasses.dataclass
    class CompletionContext:  # type: ignore[no-redef]
        arguments: dict[str, str] | None = None

    @dataclasses.dataclass
    class Completion:  # type: ignore[no-redef]
        values: list[str]
        total: int | None = None
        has_more: bool | None = None


def _reference(ref: dict[str, Any]) -> Any:
    if ref.get("type") == "ref/prompt":
        return PromptReference(type="ref/prompt", name=str(ref.get("name", "")), title=ref.get("title"))
    return ResourceTemplateReference(type="ref/resource", uri=str(ref.get("uri", "")))


def _normalize(result: Any) -> dict[str, Any]:
    if result is None:
        return {"completion": {"values": []}}
    if isinstance(result, str):
        raise McpError(
            "A completion handler returned a str; return a list of strings (for example, [value]) or a Completion "
            "instead.",
            code=0,
        )
    if isinstance(result, (list, tuple)):
        values, total, has_more = [str(v) for v in result], None, None
    else:
        values = [str(v) for v in getattr(result, "values", [])]
        total = getattr(result, "total", None)
        has_more = getattr(result, "has_more", getattr(result, "hasMore", None))
    if len(values) > MAX_VALUES:
        total = total if total is not None else len(values)
        values, has_more = values[:MAX_VALUES], True
    completion: dict[str, Any] = {}
    if has_more is not None:
        completion["hasMore"] = has_more
    if total is not None:
        completion["total"] = total
    completion["values"] = values
    return {"completion": completion}


class CompletionRunner:
    """Adapts the user's handler to the core's calling convention (`params`, handle) → result dict."""

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.handler = handler
        self.is_async = inspect.iscoroutinefunction(inspect.unwrap(handler))

    def _arguments(self, params: dict[str, Any]) -> tuple[Any, Any, Any]:
        argument = params.get("argument") or {}
        context = params.get("context")
        return (
            _reference(params.get("ref") or {}),
            CompletionArgument(name=str(argument.get("name", "")), value=str(argument.get("value", ""))),
            None if context is None else CompletionContext(arguments=context.get("arguments")),
        )

    def complete(self, params: dict[str, Any], handle: RequestHandle) -> Any:
        ref, argument, context = self._arguments(params)
        if self.is_async:
            return self._complete_async(ref, argument, context)
        try:
            return _normalize(self.handler(ref, argument, context))
        except McpError:
            raise
        except Exception as exc:  # FastMCP answers handler failures with code 0 and the exception's text
            raise McpError(str(exc), code=0) from exc

    async def _complete_async(self, ref: Any, argument: Any, context: Any) -> dict[str, Any]:
        try:
            return _normalize(await self.handler(ref, argument, context))
        except McpError:
            raise
        except Exception as exc:
            raise McpError(str(exc), code=0) from exc
