"""Prompts: ``Message`` / ``PromptResult`` (what a prompt returns), ``Prompt`` (subclass it with ``render``),
``FunctionPrompt`` (what ``@mcp.prompt`` builds) and the standalone ``@prompt`` decorator. ``UserMessage`` and
``AssistantMessage`` are the SDK v1 spellings."""

from .base import AssistantMessage, Message, Prompt, PromptArgument, PromptMessage, PromptResult, UserMessage
from .function_prompt import FunctionPrompt, prompt

__all__ = [
    "AssistantMessage",
    "FunctionPrompt",
    "Message",
    "Prompt",
    "PromptArgument",
    "PromptMessage",
    "PromptResult",
    "UserMessage",
    "prompt",
]
