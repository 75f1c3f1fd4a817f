"""Answering a server's ``sampling/createMessage`` requests (``ctx.sample(...)``) with your own LLM call."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import mcp.types as mcp_types
from mcp.client.session import ClientRequestContext as RequestContext
from mcp.types import CreateMessageRequestParams as SamplingParams
from mcp.types import CreateMessageResult, SamplingMessage

__all__ = [
    "RequestContext",
    "SamplingHandler",
    "SamplingHandlerResult",
    "SamplingMessage",
    "SamplingParams",
    "create_sampling_callback",
]

SamplingHandlerResult: TypeAlias = "str | CreateMessageResult | mcp_types.CreateMessageResultWithTools"
SamplingHandler: TypeAlias = Callable[
    [list[SamplingMessage], SamplingParams, RequestContext], "SamplingHandlerResult | Awaitable[SamplingHandlerResult]"
]
"""``handler(messages, params, context)``, sync or async, returning the reply text or a full result."""

MODEL_NAME = "fastmcp-rs-client"


def create_sampling_callback(handler: SamplingHandler) -> Callable[..., Awaitable[Any]]:
    """The ``sampling_callback`` mcp's ``ClientSession`` takes. A ``str`` reply becomes an assistant text
    message; an exception becomes an error answer carrying its text."""

    async def sampling_callback(context: Any, params: SamplingParams) -> Any:
        try:
            result: Any = handler(params.messages, params, context)
            if inspect.isawaitable(result):
                result = await result
            if isinstance(result, str):
                return CreateMessageResult(
                    role="assistant", model=MODEL_NAME, content=mcp_types.TextContent(type="text", text=result)
                )
            return result
        except Exception as exc:
            return mcp_types.ErrorData(code=mcp_types.INTERNAL_ERROR, message=str(exc))

    return sampling_callback
