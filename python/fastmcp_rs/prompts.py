"""Prompts: what ``@mcp.prompt`` builds from a function — its listing (arguments from the signature), the
conversion of its string arguments, and the rendering of what it returns, as FastMCP 4 does them."""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import pydantic
import pydantic_core
from pydantic.fields import FieldInfo

from . import _schema
from .context import Context
from .exceptions import FastMCPError, PromptError
from .tools import _find_context_param, _inspect_callable, _listing_meta, _resolved_hints
from .utilities.types import Audio, File, Image

if TYPE_CHECKING:
    from ._core import RequestHandle
    from .server import FastMCP

__all__ = ["AssistantMessage", "Message", "Prompt", "PromptMessage", "PromptResult", "UserMessage"]

Role = Literal["user", "assistant"]


def _content(content: Any) -> dict[str, Any]:
    if isinstance(content, str):
        return {"text": content, "type": "text"}
    if isinstance(content, Image):
        return content.to_image_content()
    if isinstance(content, Audio):
        return content.to_audio_content()
    if isinstance(content, File):
        return content.to_resource_content()
    if hasattr(content, "model_dump") and type(content).__name__ in {
        "TextContent",
        "ImageContent",
        "AudioContent",
        "EmbeddedResource",
        "ResourceLink",
    }:
        return content.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"text": pydantic_core.to_json(content, fallback=str).decode(), "type": "text"}


class Message:
    """One prompt message: ``Message("text")`` (a user message), ``Message(x, role="assistant")``. Content
    that is not text or a content block is sent as its JSON text."""

    __slots__ = ("content", "role")

    def __init__(self, content: Any, role: Role = "user") -> None:
        if role not in ("user", "assistant"):
            raise ValueError(f"role must be 'user' or 'assistant', not {role!r}")
        self.content = content
        self.role: Role = role

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.content!r}, role={self.role!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.content, self.role) == (other.content, other.role)

    def to_wire(self) -> dict[str, Any]:
        return {"content": _content(self.content), "role": self.role}


PromptMessage = Message


class UserMessage(Message):
    """SDK v1 spelling: a user message."""

    __slots__ = ()

    def __init__(self, content: Any, role: Role = "user") -> None:
        super().__init__(content, role)


class AssistantMessage(Message):
    """SDK v1 spelling: an assistant message."""

    __slots__ = ()

    def __init__(self, content: Any, role: Role = "assistant") -> None:
        super().__init__(content, role)


class PromptResult:
    """A full ``prompts/get`` result: messages plus its own description and ``_meta``."""

    def __init__(
        self, messages: str | list[Message], description: str | None = None, meta: dict[str, Any] | None = None
    ) -> None:
        if isinstance(messages, str):
            messages = [Message(messages)]
        for i, m in enumerate(messages):
            if not isinstance(m, Message):
                raise TypeError(
                    f"messages[{i}] must be Message, got {type(m).__name__}. Use Message({m!r}) to wrap the value."
                )
        self.messages = list(messages)
        self.description = description
        self.meta = meta

    def to_wire(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.meta:
            result["_meta"] = self.meta
        if self.description is not None:
            result["description"] = self.description
        result["messages"] = [m.to_wire() for m in self.messages]
        return result


def _hint(annotation: Any) -> str | None:
    """FastMCP's note for non-string arguments: the JSON schema their (JSON-encoded) value must match."""
    if annotation is inspect.Parameter.empty or annotation is str:
        return None
    try:
        schema = pydantic.TypeAdapter(annotation).json_schema()
    except Exception:
        return None
    return (
        f"Provide a value matching the following JSON schema: {json.dumps(schema, separators=(',', ':'))}. "
        "Encode non-string values as JSON."
    )


@dataclasses.dataclass
class Prompt:
    """A registered prompt: the function plus everything derived from it once."""

    fn: Callable[..., Any]
    name: str
    title: str | None
    description: str | None
    tags: set[str]
    meta: dict[str, Any] | None
    arguments: list[dict[str, Any]]
    is_async: bool
    context_param: str | None
    enabled: bool = True
    server: FastMCP | None = None
    _adapters: dict[str, tuple[Any, pydantic.TypeAdapter[Any]]] = dataclasses.field(default_factory=dict)

    kind: Literal["prompt"] = "prompt"

    @property
    def key(self) -> str:
        return self.name

    @property
    def required(self) -> list[str]:
        return [a["name"] for a in self.arguments if a["required"]]

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        tags: set[str] | None = None,
        meta: dict[str, Any] | None = None,
        enabled: bool = True,
        server: FastMCP | None = None,
    ) -> Prompt:
        call, fn_name, is_async = _inspect_callable(fn, "prompt", name)
        context_param = _find_context_param(call)
        hints = _resolved_hints(call)
        doc_description, param_docs = _schema.parse_docstring(fn)
        arguments: list[dict[str, Any]] = []
        adapters: dict[str, tuple[Any, pydantic.TypeAdapter[Any]]] = {}
        for p in inspect.signature(call).parameters.values():
            if p.name == context_param:
                continue
            if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                raise ValueError("Functions with *args or **kwargs are not supported as prompts")
            annotation = hints.get(p.name, p.annotation)
            text = param_docs.get(p.name)
            default = p.default
            if isinstance(default, FieldInfo):
                text = text or default.description
                default = default.default if default.default is not pydantic_core.PydanticUndefined else p.empty
            if getattr(annotation, "__metadata__", None):
                for extra in annotation.__metadata__:
                    if isinstance(extra, FieldInfo) and extra.description:
                        text = text or extra.description
            hint = _hint(annotation)
            if hint:
                text = f"{text}\n\n{hint}" if text else hint
            argument: dict[str, Any] = {}
            if text:
                argument["description"] = text
            argument["name"] = p.name
            argument["required"] = default is inspect.Parameter.empty
            arguments.append(argument)
            if annotation is not inspect.Parameter.empty and annotation is not str:
                adapters[p.name] = (annotation, pydantic.TypeAdapter(annotation))
        return cls(
            fn=fn,
            name=name or fn_name,
            title=title,
            description=description if description is not None else doc_description,
            tags=set(tags or ()),
            meta=dict(meta) if meta else None,
            arguments=arguments,
            is_async=is_async,
            context_param=context_param,
            enabled=enabled,
            server=server,
            _adapters=adapters,
        )

    def to_mcp_prompt(self) -> dict[str, Any]:
        """The ``prompts/list`` entry, as FastMCP 4 lists it."""
        entry: dict[str, Any] = {"_meta": _listing_meta(self.meta, self.tags), "arguments": self.arguments}
        if self.description is not None:
            entry["description"] = self.description
        entry["name"] = self.name
        if self.title is not None:
            entry["title"] = self.title
        return entry

    # -- rendering (invoked by the native core) ------------------------------------------------------

    def _convert(self, name: str, value: Any) -> Any:
        found = self._adapters.get(name)
        if found is None or not isinstance(value, str):
            return value
        annotation, adapter = found
        try:
            try:
                lax = adapter.validate_python(value)
            except pydantic.ValidationError:
                return adapter.validate_json(value)
            if isinstance(lax, str):
                return value
            try:
                return adapter.validate_json(value)
            except pydantic.ValidationError:
                return lax
        except pydantic.ValidationError as exc:
            raise PromptError(
                f"Could not convert argument {name!r} with value {value!r} to expected type "
                f"{annotation!r}. Error: {exc}"
            ) from None

    def render(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        """Called by the core: the ``prompts/get`` result, or (async functions) a coroutine that gives it."""
        known = {a["name"] for a in self.arguments}
        kwargs = {k: self._convert(k, v) for k, v in arguments.items() if k in known}
        if self.context_param is not None:
            kwargs[self.context_param] = Context(handle, self.server)
        if self.is_async:
            return self._render_async(kwargs)
        try:
            return self._result(self.fn(**kwargs))
        except FastMCPError:
            raise
        except Exception as exc:
            raise PromptError(f"Error rendering prompt {self.name!r}: {exc}") from exc

    async def _render_async(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._result(await self.fn(**kwargs))
        except FastMCPError:
            raise
        except Exception as exc:
            raise PromptError(f"Error rendering prompt {self.name!r}: {exc}") from exc

    def _result(self, value: Any) -> dict[str, Any]:
        if isinstance(value, PromptResult):
            return value.to_wire()
        if isinstance(value, str):
            messages = [Message(value)]
        elif isinstance(value, (list, tuple)):
            messages = []
            for i, item in enumerate(value):
                if isinstance(item, str):
                    messages.append(Message(item))
                elif isinstance(item, Message):
                    messages.append(item)
                else:
                    raise TypeError(
                        f"messages[{i}] must be Message or str, got {type(item).__name__}. "
                        f"Use Message({item!r}) to wrap the value."
                    )
        else:
            raise TypeError(f"Prompt must return str, list[Message], or PromptResult, got {type(value).__name__}")
        result: dict[str, Any] = {}
        if self.meta:
            result["_meta"] = self.meta
        if self.description is not None:
            result["description"] = self.description
        result["messages"] = [m.to_wire() for m in messages]
        return result
