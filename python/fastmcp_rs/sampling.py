"""Sampling: the ``sampling/createMessage`` params for ``ctx.sample(...)`` and the reply's content."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

__all__: list[str] = []


def _message(m: Any) -> dict[str, Any]:
    if isinstance(m, str):
        return {"role": "user", "content": {"type": "text", "text": m}}
    if hasattr(m, "model_dump"):
        return m.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(m, dict):
        return m
    role = getattr(m, "role", "user")
    content = getattr(m, "content", m)
    if isinstance(content, str):
        content = {"type": "text", "text": content}
    elif hasattr(content, "model_dump"):
        content = content.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"role": role, "content": content}


def request_params(
    messages: Any,
    *,
    max_tokens: int,
    system_prompt: str | None = None,
    temperature: float | None = None,
    model_preferences: Any = None,
    include_context: str | None = None,
    stop_sequences: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
    **_ignored: Any,
) -> dict[str, Any]:
    if isinstance(messages, (str, dict)) or not isinstance(messages, (list, tuple)):
        messages = [messages]
    params: dict[str, Any] = {"messages": [_message(m) for m in messages]}
    if model_preferences is not None:
        if isinstance(model_preferences, str):
            model_preferences = {"hints": [{"name": model_preferences}]}
        elif isinstance(model_preferences, list):
            model_preferences = {"hints": [{"name": n} for n in model_preferences]}
        elif hasattr(model_preferences, "model_dump"):
            model_preferences = model_preferences.model_dump(mode="json", by_alias=True, exclude_none=True)
        params["modelPreferences"] = model_preferences
    if system_prompt is not None:
        params["systemPrompt"] = system_prompt
    if include_context is not None:
        params["includeContext"] = include_context
    if temperature is not None:
        params["temperature"] = temperature
    params["maxTokens"] = max_tokens
    if stop_sequences:
        params["stopSequences"] = list(stop_sequences)
    if metadata:
        params["metadata"] = metadata
    return params


def content_object(content: dict[str, Any]) -> Any:
    """The reply's content block as an object (``.type``, ``.text`` / ``.data``, ``.mimeType``)."""
    return SimpleNamespace(**{"mime_type": content.get("mimeType"), **content})


async def run_fallback_handler(handler: Any, params: dict[str, Any], request_context: Any) -> dict[str, Any]:
    """FastMCP 2/3's ``FastMCP(sampling_handler=...)``: the server's own model answers ``ctx.sample()`` (when the
    client cannot, or always). ``handler(messages, params, request_context)``, sync or async, gets the SDK's
    ``SamplingMessage`` list and ``CreateMessageRequestParams`` and returns text or a ``CreateMessageResult``."""
    import inspect

    try:
        from mcp.types import CreateMessageRequestParams
    except ImportError:  # no SDK: plain objects with the same fields
        from types import SimpleNamespace

        typed: Any = SimpleNamespace(**params)
        messages: Any = params["messages"]
    else:
        typed = CreateMessageRequestParams.model_validate(params)
        messages = typed.messages
    answer = handler(messages, typed, request_context)
    if inspect.isawaitable(answer):
        answer = await answer
    if isinstance(answer, str):
        return {"role": "assistant", "content": {"type": "text", "text": answer}, "model": "fastmcp-sampling-handler"}
    if hasattr(answer, "model_dump"):
        return answer.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(answer, dict):
        return answer
    raise TypeError(f"sampling_handler returned {type(answer).__name__}; return text or a CreateMessageResult")
