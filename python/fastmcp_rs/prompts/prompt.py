"""``fastmcp.prompts.prompt``: FastMCP 2's module for prompts (``Prompt``, ``FunctionPrompt``,
``PromptArgument``, and ``Message`` / ``PromptMessage`` / ``PromptResult`` for what a prompt returns), the same
objects as ``fastmcp.prompts.base`` / ``fastmcp.prompts.function_prompt`` (FastMCP 3's places); no warning, as in
FastMCP 2. ``PromptMessage(role=..., content=TextContent(type="text", text=...))`` builds a message as it did
there; ``TextContent`` is ``mcp.types.TextContent`` (a look-alike model when ``mcp`` is not installed), loaded
when first asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._callable_module import call_as
from .base import Message, Prompt, PromptArgument, PromptMessage, PromptResult
from .function_prompt import FunctionPrompt, prompt

if TYPE_CHECKING:
    from mcp.types import TextContent

__all__ = [
    "FunctionPrompt",
    "Message",
    "Prompt",
    "PromptArgument",
    "PromptMessage",
    "PromptResult",
    "TextContent",
]


def __getattr__(name: str) -> Any:
    if name == "TextContent":
        from .._sdk_types import sdk_type

        return sdk_type("TextContent")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# `import fastmcp_rs.prompts.prompt` puts this module where the `prompt` decorator was: calling it decorates.
call_as(__name__, prompt)
