"""``FunctionPrompt``: a prompt made from a function (what ``@mcp.prompt`` builds) — its arguments from the
signature, the conversion of its string arguments, and its rendering; and the standalone ``@prompt``
decorator that marks a function for a later ``mcp.add_prompt(fn)``."""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic
import pydantic_core
from pydantic.fields import FieldInfo

from .. import _schema
from .._components import decorator_options, find_context_param, inspect_callable, mark, resolved_hints
from .._context import Context
from .._dependencies import with_dependencies
from ..exceptions import FastMCPError, PromptError
from .base import Prompt, PromptArgument, PromptResult

if TYPE_CHECKING:
    from .._core import RequestHandle

__all__ = ["FunctionPrompt", "prompt"]

F = TypeVar("F", bound=Callable[..., Any])


def _hint_for_postponed(annotation: Any) -> str | None:
    """The note for an argument whose annotation was postponed (a string): given for ``str`` too."""
    if annotation is str:
        return (
            'Provide a value matching the following JSON schema: {"type":"string"}. Encode non-string values as JSON.'
        )
    return _hint(annotation)


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


@dataclasses.dataclass(kw_only=True, eq=False)
class FunctionPrompt(Prompt):
    """A prompt that calls ``fn``; string arguments are converted to the parameters' types."""

    fn: Callable[..., Any]
    name: str = ""
    is_async: bool = False
    context_param: str | None = None
    _adapters: dict[str, tuple[Any, pydantic.TypeAdapter[Any]]] = dataclasses.field(default_factory=dict, repr=False)
    #: Parameters whose default is a ``Field(...)``: filled with the field's default when omitted.
    _field_defaults: dict[str, FieldInfo] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_function(  # type: ignore[override]
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        version: str | int | None = None,
        title: str | None = None,
        description: str | None = None,
        icons: list[Any] | None = None,
        tags: set[str] | None = None,
        meta: dict[str, Any] | None = None,
        auth: Any = None,
        enabled: bool = True,
        server: Any = None,
    ) -> FunctionPrompt:
        options: dict[str, Any] = dict(
            name=name, version=version, title=title, description=description, icons=icons, tags=tags, meta=meta
        )
        if all(v is None for v in options.values()):
            stored = decorator_options(fn, "prompt")
            if stored:
                enabled = stored.pop("enabled", enabled)
                options.update({k: v for k, v in stored.items() if k in options})
        call, fn_name, is_async = inspect_callable(fn, "prompt", options["name"])
        hints = resolved_hints(call)
        context_param = find_context_param(call, hints)
        injected = with_dependencies(call, context_param, hints=hints)
        if injected is not call:  # dependencies resolved for each call, and left out of the arguments
            call = fn = injected
            is_async = True
            hints = dict(call.__annotations__)
        doc_description, param_docs = _schema.parse_docstring(fn)
        arguments: list[PromptArgument] = []
        adapters: dict[str, tuple[Any, pydantic.TypeAdapter[Any]]] = {}
        field_defaults: dict[str, FieldInfo] = {}
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
                has_default = default.default is not pydantic_core.PydanticUndefined or bool(default.default_factory)
                if has_default:
                    field_defaults[p.name] = default
                default = default.default if has_default else p.empty
            if getattr(annotation, "__metadata__", None):
                for extra in annotation.__metadata__:
                    if isinstance(extra, FieldInfo) and extra.description:
                        text = text or extra.description
            # FastMCP 4 looks at the signature's own annotation: a postponed one (`from __future__ import
            # annotations`) is a string, never `str` itself, so even a string argument gets the note there.
            hint = _hint(annotation) if not isinstance(p.annotation, str) else _hint_for_postponed(annotation)
            if hint:
                text = f"{text}\n\n{hint}" if text else hint
            arguments.append(PromptArgument(name=p.name, description=text, required=default is inspect.Parameter.empty))
            if annotation is not inspect.Parameter.empty and annotation is not str:
                adapters[p.name] = (annotation, pydantic.TypeAdapter(annotation))
        return cls(
            fn=fn,
            name=options["name"] or fn_name,
            version=options["version"],
            title=options["title"],
            description=options["description"] if options["description"] is not None else doc_description,
            icons=options["icons"],
            tags=set(options["tags"] or ()),
            meta=options["meta"],
            arguments=arguments,
            auth=auth,
            enabled=enabled,
            server=server,
            is_async=is_async,
            context_param=context_param,
            _adapters=adapters,
            _field_defaults=field_defaults,
        )

    # -- rendering -------------------------------------------------------------------------------------

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

    def __post_init__(self) -> None:
        super().__post_init__()
        self._names = frozenset(a.name for a in self.arguments)

    def _kwargs(self, arguments: dict[str, Any]) -> dict[str, Any]:
        known = self._names
        kwargs = {k: self._convert(k, v) for k, v in arguments.items() if k in known}
        for name, field in self._field_defaults.items():
            if name not in kwargs:
                kwargs[name] = field.get_default(call_default_factory=True)
        return kwargs

    async def render(self, arguments: dict[str, Any] | None = None) -> PromptResult:
        """Calls the function with ``arguments`` (inside a request, its ``Context`` too)."""
        kwargs = self._kwargs(arguments or {})
        if self.context_param is not None:
            from .._context import get_context

            kwargs[self.context_param] = get_context()
        value = self.fn(**kwargs)
        if inspect.isawaitable(value):
            value = await value
        return self.convert_result(value)

    @property
    def _serves_async(self) -> bool:
        return self.is_async

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        kwargs = self._kwargs(arguments)
        if self.context_param is not None:
            kwargs[self.context_param] = Context(handle, self.server)
        if self.is_async:
            return self._serve_fn_async(kwargs)
        try:
            return self._wire(self.fn(**kwargs))
        except FastMCPError:
            raise
        except Exception as exc:
            raise PromptError(f"Error rendering prompt {self.name!r}: {exc}") from exc

    async def _serve_fn_async(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._wire(await self.fn(**kwargs))
        except FastMCPError:
            raise
        except Exception as exc:
            raise PromptError(f"Error rendering prompt {self.name!r}: {exc}") from exc


def prompt(name_or_fn: Any = None, *, name: str | None = None, **options: Any) -> Any:
    """Marks a function as a prompt without a server: ``mcp.add_prompt(fn)`` registers it later with these
    options. ``@prompt``, ``@prompt()``, ``@prompt("name")``; returns ``fn``."""
    if callable(name_or_fn) and not isinstance(name_or_fn, str):
        return mark(name_or_fn, "prompt", {"name": name, **options})
    if isinstance(name_or_fn, str) and name is not None:
        raise TypeError("Cannot specify name both as first argument and keyword")
    prompt_name = name_or_fn if isinstance(name_or_fn, str) else name

    def decorator(fn: F) -> F:
        return mark(fn, "prompt", {"name": prompt_name, **options})

    return decorator
