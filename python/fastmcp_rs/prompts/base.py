"""Prompts: ``Message`` and ``PromptResult`` (what a prompt returns), ``PromptArgument``, and ``Prompt`` (subclass
it with ``render``; ``FunctionPrompt`` is what ``@mcp.prompt`` builds). The SDK v1 spellings ``UserMessage``
and ``AssistantMessage`` live here too, as in ``mcp.server.fastmcp.prompts.base``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import pydantic_core

from .. import _mrtr
from .._components import dump_icons, listing_meta
from ..exceptions import FastMCPError, PromptError
from ..utilities.types import Audio, File, Image

if TYPE_CHECKING:
    from .._core import RequestHandle
    from ..server import FastMCP
    from .function_prompt import FunctionPrompt

__all__ = [
    "AssistantMessage",
    "Message",
    "Prompt",
    "PromptArgument",
    "PromptMessage",
    "PromptResult",
    "UserMessage",
]

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


@dataclasses.dataclass
class PromptArgument:
    """One argument a prompt takes, as ``prompts/list`` shows it."""

    name: str
    description: str | None = None
    required: bool = False
    title: str | None = None

    def to_wire(self) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if self.description:
            entry["description"] = self.description
        entry["name"] = self.name
        entry["required"] = self.required
        if self.title is not None:
            entry["title"] = self.title
        return entry

    def model_dump(self, *, by_alias: bool = False, exclude_none: bool = False, **_: Any) -> dict[str, Any]:
        dumped = dataclasses.asdict(self)
        return {k: v for k, v in dumped.items() if v is not None} if exclude_none else dumped


def _messages(value: Any) -> list[Message]:
    if isinstance(value, str):
        return [Message(value)]
    if isinstance(value, (list, tuple)):
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
        return messages
    raise TypeError(f"Prompt must return str, list[Message], or PromptResult, got {type(value).__name__}")


@dataclasses.dataclass(kw_only=True, eq=False)
class Prompt:
    """A prompt: its listing and how it renders. Subclass it and implement ``async def render(self,
    arguments)`` returning a ``str``, a list of ``str``/``Message`` or a ``PromptResult``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from .._components import auto_dataclass

        auto_dataclass(cls)

    name: str
    title: str | None = None
    description: str | None = None
    arguments: list[PromptArgument] = dataclasses.field(default_factory=list)
    tags: set[str] = dataclasses.field(default_factory=set)
    meta: dict[str, Any] | None = None
    icons: list[Any] | None = None
    version: str | int | None = None
    enabled: bool = True
    auth: Any = None
    server: FastMCP | None = dataclasses.field(default=None, repr=False)

    kind: Literal["prompt"] = dataclasses.field(default="prompt", init=False, repr=False)

    def __post_init__(self) -> None:
        self.tags = set(self.tags or ())
        self.meta = dict(self.meta) if self.meta else None
        self.arguments = [a if isinstance(a, PromptArgument) else PromptArgument(**a) for a in self.arguments or ()]

    @property
    def key(self) -> str:
        return self.name

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with some fields replaced (pydantic's spelling, as FastMCP components are models)."""
        import copy

        made = copy.deepcopy(self) if deep else copy.copy(self)
        for field, value in (update or {}).items():
            setattr(made, field, value)
        return made

    @property
    def required(self) -> list[str]:
        return [a.name for a in self.arguments if a.required]

    @classmethod
    def from_function(cls, fn: Callable[..., Any], **options: Any) -> FunctionPrompt:
        """A ``FunctionPrompt`` for ``fn`` (the options of ``@mcp.prompt``)."""
        from .function_prompt import FunctionPrompt

        return FunctionPrompt.from_function(fn, **options)

    def to_mcp_prompt(self) -> dict[str, Any]:
        """The ``prompts/list`` entry, as FastMCP 4 lists it."""
        entry: dict[str, Any] = {
            "_meta": listing_meta(self.meta, self.tags, self),
            "arguments": [a.to_wire() for a in self.arguments],
        }
        if self.description is not None:
            entry["description"] = self.description
        icons = dump_icons(self.icons)
        if icons:
            entry["icons"] = icons
        entry["name"] = self.name
        if self.title is not None:
            entry["title"] = self.title
        return entry

    # -- rendering ------------------------------------------------------------------------------------

    async def render(self, arguments: dict[str, Any] | None = None) -> Any:
        """Renders the prompt: a ``str``, a list of ``str``/``Message``, or a ``PromptResult``."""
        raise NotImplementedError("Subclasses must implement render()")

    def convert_result(self, value: Any) -> PromptResult:
        if isinstance(value, PromptResult):
            return value
        return PromptResult(_messages(value), description=self.description, meta=self.meta)

    @property
    def _serves_async(self) -> bool:
        return True

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        """Called by the core: the ``prompts/get`` result, or a coroutine that gives it."""
        return self._serve_async(arguments)

    async def _serve_async(self, arguments: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._wire(await self.render(arguments))
        except FastMCPError:
            raise
        except Exception as exc:
            raise PromptError(f"Error rendering prompt {self.name!r}: {exc}") from exc

    def _wire(self, value: Any) -> dict[str, Any]:
        if _mrtr.is_input_required(value):
            return _mrtr.to_wire(value)
        if isinstance(value, PromptResult):
            return value.to_wire()
        messages = _messages(value)
        result: dict[str, Any] = {}
        if self.meta:
            result["_meta"] = self.meta
        if self.description is not None:
            result["description"] = self.description
        result["messages"] = [m.to_wire() for m in messages]
        return result
