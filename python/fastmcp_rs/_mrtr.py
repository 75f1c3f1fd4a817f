"""Multi-round-trip requests (MCP 2026-07-28, SEP-2322).

On the modern era a server never sends the client a request. A tool, prompt or resource that needs the
user (elicitation), the client's model (sampling) or its roots answers with an *input-required* result; the
client asks, then sends the same request again with the answers (``inputResponses``) and the state the
server handed out (``requestState``, sealed by the core).

Two ways in, both served here:

- explicit, as FastMCP 4 spells it: return ``InputRequiredResult(input_requests=..., request_state=...)``
  (``mcp.types``/``mcp_types``, or ``fastmcp_rs.InputRequiredResult`` without the SDK) and read
  ``ctx.input_responses`` / ``ctx.request_state`` on the retry;
- transparent, which FastMCP 4 does not do: ``ctx.elicit()``, ``ctx.sample()``, ``ctx.list_roots()`` and the
  SDK-style ``ctx.session.*`` calls work unchanged. On the modern era the function runs again from the
  start on each retry; each call is keyed by its order (``elicit-0``, ``sample-1``...), answered calls
  return their answer at once, and the first one without an answer ends the run with an input-required
  result. Answers from earlier rounds travel (encrypted) in the request state. Code before the first such
  call runs once per round, so side effects there repeat.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["InputRequiredResult", "InputRequiredSignal", "ask", "is_input_required", "to_wire"]

#: Marks a request state that carries the answers of transparent calls (not a state the user set).
_AUTO = "\x00fastmcp-rs/answers:"

_WRAPPERS = ("InputRequiredToolResult", "InputRequiredPromptResult", "InputRequiredResourceResult")

_KEY_PREFIX = {"elicitation/create": "elicit", "sampling/createMessage": "sample", "roots/list": "roots"}

_ACTIONS = ("accept", "decline", "cancel")


class InputRequiredResult:
    """What to answer when the request cannot finish without the client: input requests (a dict of key →
    ``{"method": ..., "params": ...}`` or an SDK request model) and/or an opaque state string the retry
    brings back. The SDK's ``mcp.types.InputRequiredResult`` is accepted the same way."""

    __slots__ = ("input_requests", "request_state")

    def __init__(self, input_requests: dict[str, Any] | None = None, request_state: str | None = None) -> None:
        if not input_requests and request_state is None:
            raise ValueError("InputRequiredResult requires at least one of input_requests or request_state")
        self.input_requests = input_requests
        self.request_state = request_state

    def __repr__(self) -> str:
        return f"InputRequiredResult(input_requests={self.input_requests!r}, request_state={self.request_state!r})"


class InputRequiredSignal(BaseException):
    """Ends a run whose transparent client call has no answer yet. A ``BaseException``, so a tool's own
    ``except Exception`` does not swallow it; the core answers with ``result``."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("input required")
        self.result = result


def is_input_required(value: Any) -> bool:
    if isinstance(value, InputRequiredResult):
        return True
    name = type(value).__name__
    if name in _WRAPPERS:
        return True
    return name == "InputRequiredResult" and hasattr(value, "input_requests")


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


def to_wire(value: Any) -> dict[str, Any]:
    """An input-required value (any of its spellings) → the result the core sends (it seals the state)."""
    if type(value).__name__ in _WRAPPERS:
        value = value.input_required
    result: dict[str, Any] = {"resultType": "input_required"}
    requests = getattr(value, "input_requests", None)
    if requests:
        wire: dict[str, Any] = {}
        for key, request in dict(requests).items():
            request = _plain(request)
            if not isinstance(request, dict) or "method" not in request:
                raise TypeError(f"input request {key!r} must be a request with a method, got {request!r}")
            wire[str(key)] = {"method": request["method"], "params": request.get("params") or {}}
        result["inputRequests"] = wire
    state = getattr(value, "request_state", None)
    if state is not None:
        result["requestState"] = str(state)
    if len(result) == 1:
        raise ValueError("InputRequiredResult requires at least one of input_requests or request_state")
    return result


def user_state(raw: str | None) -> str | None:
    """``ctx.request_state``: the state the user's own code handed out (not the transparent calls' one)."""
    if raw is None or raw.startswith(_AUTO):
        return None
    return raw


def _prior(raw: str | None) -> dict[str, Any]:
    """The transparent calls' state: ``answers`` (key → [digest of the question, answer]) and ``pending``
    (key → digest of the question the last round asked)."""
    if raw is None or not raw.startswith(_AUTO):
        return {}
    try:
        state = json.loads(raw[len(_AUTO) :])
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _digest(method: str, params: dict[str, Any]) -> str:
    """What a question was: its method and params (an answer is reused only for the same question)."""
    text = json.dumps([method, params], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _well_formed(method: str, answer: Any) -> bool:
    """Whether an answer has the shape of its method's result (a malformed one is asked for again)."""
    if not isinstance(answer, dict):
        return False
    if method == "elicitation/create":
        content = answer.get("content")
        return answer.get("action") in _ACTIONS and (content is None or isinstance(content, dict))
    if method == "sampling/createMessage":
        return isinstance(answer.get("content"), (dict, list)) and "role" in answer
    if method == "roots/list":
        return isinstance(answer.get("roots"), list)
    return True


def ask(handle: Any, method: str, params: dict[str, Any]) -> Any:
    """A transparent client call on the modern era: its answer if the client already gave it, else the
    signal that ends this round with an input-required result."""
    index = handle.next_input_index()
    key = f"{_KEY_PREFIX.get(method, 'input')}-{index}"
    if method == "elicitation/create":
        params = {k: v for k, v in params.items() if k != "elicitationId"}
    digest = _digest(method, params)
    state = _prior(handle.input_state)
    answers = {k: v for k, v in dict(state.get("answers") or {}).items() if isinstance(v, list) and len(v) == 2}
    pending = dict(state.get("pending") or {})
    responses = handle.input_responses if isinstance(handle.input_responses, dict) else {}
    # Answers of earlier rounds (sealed), then the client's answers to the questions the last round asked;
    # an answer counts only for the very question it was given to.
    for k, asked in pending.items():
        if k not in answers and k in responses and _well_formed(_method_of(k), responses[k]):
            answers[k] = [asked, responses[k]]
    known = answers.get(key)
    if known is not None and known[0] == digest:
        return known[1]
    answers.pop(key, None)
    raise InputRequiredSignal(
        {
            "resultType": "input_required",
            "inputRequests": {key: {"method": method, "params": params}},
            "requestState": _AUTO + json.dumps({"answers": answers, "pending": {key: digest}}, separators=(",", ":")),
        }
    )


def _method_of(key: str) -> str:
    prefix = key.rsplit("-", 1)[0]
    return next((m for m, p in _KEY_PREFIX.items() if p == prefix), "")
