"""``fastmcp.server.middleware.response_limiting``: a tool result larger than ``max_size`` bytes (its JSON, as
FastMCP 4 measures it) is cut to fit and ends with ``truncation_suffix``; limited tools list no output
schema, since a cut result has no structured content."""

from __future__ import annotations

import logging
from typing import Any

import pydantic_core

from fastmcp_rs.tools.base import ToolResult

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["ResponseLimitingMiddleware"]

_log = logging.getLogger("fastmcp.server.middleware.response_limiting")
#: Room left for the JSON around the text (FastMCP 4's figure).
_OVERHEAD = 50


def _measured(result: ToolResult) -> int:
    """The size FastMCP 4 compares: its result model's JSON (each block with null annotations and ``_meta``)."""
    blocks = []
    for block in result.content:
        item = block.model_dump(by_alias=True) if hasattr(block, "model_dump") else dict(block)
        item.setdefault("annotations", None)
        item.setdefault("_meta", None)
        blocks.append(item)
    model = {
        "content": blocks,
        "structured_content": result.structured_content,
        "meta": result.meta,
        "is_error": result.is_error,
    }
    return len(pydantic_core.to_json(model, fallback=str))


def _text_of(block: Any) -> str | None:
    if hasattr(block, "text") and getattr(block, "type", None) == "text":
        return block.text
    if isinstance(block, dict) and block.get("type") == "text":
        return block.get("text")
    return None


class ResponseLimitingMiddleware(Middleware):
    def __init__(
        self,
        *,
        max_size: int = 1_000_000,
        truncation_suffix: str = "\n\n[Response truncated due to size limit]",
        tools: list[str] | None = None,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.max_size = max_size
        self.truncation_suffix = truncation_suffix
        self.tools = set(tools) if tools is not None else None

    def _limits(self, name: str) -> bool:
        return self.tools is None or name in self.tools

    def _truncated(self, text: str) -> str:
        target = self.max_size - len(self.truncation_suffix.encode()) - _OVERHEAD
        if target <= 0:
            return self.truncation_suffix
        encoded = text.encode()
        if len(encoded) <= target:
            return text + self.truncation_suffix
        return encoded[:target].decode("utf-8", errors="ignore") + self.truncation_suffix

    async def on_list_tools(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        tools = await call_next(context)
        listed = []
        for tool in tools:
            if self._limits(getattr(tool, "name", "")) and getattr(tool, "output_schema", None) is not None:
                tool = tool.model_copy(update={"output_schema": None})
            listed.append(tool)
        return listed

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        result = await call_next(context)
        name = getattr(context.message, "name", "")
        if not isinstance(result, ToolResult) or not self._limits(name):
            return result
        size = _measured(result)
        if size <= self.max_size:
            return result
        _log.warning("Tool %r response exceeds size limit: %d bytes > %d bytes, truncating", name, size, self.max_size)
        texts = [t for t in (_text_of(b) for b in result.content) if t is not None]
        text = (
            "\n\n".join(texts)
            if texts
            else pydantic_core.to_json(result.content, fallback=str).decode(errors="replace")
        )
        return ToolResult(content=self._truncated(text), meta=result.meta, is_error=result.is_error)
