"""``FunctionTool``: a tool made from a function (what ``@mcp.tool`` builds), and the standalone ``@tool``
decorator that marks a function for a later ``mcp.add_tool(fn)``."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, overload

import pydantic
import pydantic_core

from .._components import decorator_options, mark
from ..utilities.types import NotSet
from .base import Tool, ToolResult, _result_serializer
from .function_parsing import ParsedFunction, _result_shape

__all__ = ["FunctionTool", "tool"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(kw_only=True, eq=False)
class FunctionTool(Tool):
    """A tool that calls ``fn``. Built by ``FunctionTool.from_function`` / ``@mcp.tool`` (schemas from the
    signature), or directly: ``FunctionTool(fn=f, name="x", parameters={...})`` lists the given JSON Schema
    verbatim, while the arguments are still validated against ``fn``'s signature, as FastMCP does."""

    fn: Callable[..., Any]
    name: str = ""
    parameters: dict[str, Any] = None  # type: ignore[assignment]  # None: from the signature
    run_in_thread: bool = True
    task: Any = None
    _parsed: ParsedFunction | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._parsed is None:
            self._parsed = ParsedFunction.from_function(
                self.fn, name=self.name or None, allow_var_kwargs=True, derive_output_schema=False
            )
        if not self.name:
            self.name = self._parsed.name
        if self.parameters is None:
            self.parameters = self._parsed.input_schema
        if self.task not in (None, False):
            from ..utilities.tasks import TaskConfig, task_mode

            TaskConfig(mode=task_mode(self.task)).validate_function(self.fn, self.name)
        super().__post_init__()

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
        annotations: Any = None,
        output_schema: Any = NotSet,
        meta: dict[str, Any] | None = None,
        task: Any = None,
        timeout: float | None = None,
        auth: Any = None,
        run_in_thread: bool | None = None,
        enabled: bool = True,
        structured_output: bool | None = None,
        context_kwarg: str | None = None,
    ) -> FunctionTool:
        """A tool for ``fn``: input schema from its signature, output schema from its return annotation
        (``output_schema=None`` or the SDK v1 ``structured_output=False`` for none)."""
        options = dict(
            name=name,
            version=version,
            title=title,
            description=description,
            icons=icons,
            tags=tags,
            annotations=annotations,
            meta=meta,
            task=task,
            timeout=timeout,
            auth=auth,
            run_in_thread=run_in_thread,
        )
        given = any(v is not None for v in options.values()) or output_schema is not NotSet
        stored = None if given else decorator_options(fn, "tool")
        if stored is not None:
            options.update(stored)
            output_schema = options.pop("output_schema", NotSet)
            enabled = options.pop("enabled", enabled)
            structured_output = options.pop("structured_output", structured_output)
        if structured_output is False and output_schema is NotSet:
            output_schema = None
        parsed = ParsedFunction.from_function(fn, name=options["name"], derive_output_schema=output_schema is NotSet)
        options["meta"] = _with_prefab_ui(options["meta"], parsed.return_type)
        return cls(
            fn=fn,
            name=options["name"] or parsed.name,
            version=options["version"],
            title=options["title"],
            description=options["description"] if options["description"] is not None else parsed.description,
            icons=options["icons"],
            tags=set(options["tags"] or ()),
            annotations=options["annotations"],
            parameters=parsed.input_schema,
            output_schema=parsed.output_schema if output_schema is NotSet else output_schema,
            meta=options["meta"],
            task=options["task"],
            timeout=options["timeout"],
            auth=options["auth"],
            run_in_thread=True if options["run_in_thread"] is None else options["run_in_thread"],
            enabled=enabled,
            _parsed=parsed,
        )

    # -- what the core calls -------------------------------------------------------------------------

    @property
    def is_async(self) -> bool:
        assert self._parsed is not None
        return self._parsed.is_async

    @property
    def context_param(self) -> str | None:
        assert self._parsed is not None
        return self._parsed.context_param

    @property
    def _result_adapter(self) -> pydantic.TypeAdapter[Any] | None:
        assert self._parsed is not None
        return self._parsed.result_adapter

    def _native_spec(self) -> dict[str, Any]:
        parsed = self._parsed
        assert parsed is not None
        # A schema given in place of the generated one is listed (and checked natively) as it is, but says
        # nothing of what the function accepts: its arguments always go through the function's validator,
        # unless the function takes any keyword arguments at all.
        raw_schema = self.parameters is not parsed.input_schema
        shape = _result_shape(
            parsed.return_type,
            self.output_schema,
            explicit=self.output_schema is not parsed.output_schema,
            adapter=parsed.result_adapter,
        )
        return dict(
            func=parsed.invoke,
            is_async=parsed.is_async,
            prepare=self.prepare,
            # A subclass's own `prepare` is called as it is.
            prepare_json=self.prepare_json if type(self).prepare is FunctionTool.prepare else None,
            convert=self.convert,
            context_param=parsed.context_param,
            plain_arguments=parsed.takes_any_arguments if raw_schema else parsed.plain_arguments,
            result_shape=shape,
            result_json=_dump_json(parsed.result_adapter) if shape and shape.startswith("json") else None,
            timeout=self.timeout,
        )

    def prepare(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Validates and coerces arguments as pydantic's lax mode does; the error text is pydantic's."""
        assert self._parsed is not None
        try:
            _, kwargs = self._parsed.validator.validate_python(arguments)
        except pydantic_core.ValidationError as exc:
            from ..exceptions import ValidationError

            raise ValidationError(str(exc)) from None
        return kwargs

    def prepare_json(self, arguments: bytes) -> dict[str, Any] | None:
        """``prepare`` from the arguments' JSON text: models are built straight from it, without the dicts and
        lists a Python value of it would need first. ``None`` when pydantic's JSON mode refuses the arguments:
        the core then calls ``prepare``, whose verdict and error text are the ones FastMCP gives."""
        assert self._parsed is not None
        try:
            _, kwargs = self._parsed.validator.validate_json(arguments)
        except Exception:
            return None
        return kwargs

    def prepare_strict(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """``prepare`` for a server with ``strict_input_validation``: pydantic's strict mode, on the arguments as
        JSON (so an enum's value or a date's text still validates, but ``"10"`` for an ``int`` does not)."""
        assert self._parsed is not None
        try:
            if _is_json_data(arguments):
                _, kwargs = self._parsed.validator.validate_json(pydantic_core.to_json(arguments), strict=True)
            else:
                _, kwargs = self._parsed.validator.validate_python(arguments, strict=True)
        except pydantic_core.ValidationError as exc:
            from ..exceptions import ValidationError

            raise ValidationError(str(exc)) from None
        return kwargs

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        """Calls the function with validated ``arguments`` (inside a request, its ``Context`` too)."""
        kwargs = self.prepare(arguments)
        if self.context_param is not None:
            from .._context import get_context

            kwargs[self.context_param] = get_context()
        assert self._parsed is not None
        value = self._parsed.invoke(**kwargs)
        if inspect.isawaitable(value):
            value = await value
        return self.convert_result(value)


def _is_json_data(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_json_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_data(v) for k, v in value.items())
    return False


def _with_prefab_ui(meta: dict[str, Any] | None, return_type: Any) -> dict[str, Any] | None:
    """``app=True``, or no ``app`` and a Prefab return type: the tool renders with Prefab's renderer (its
    ``_meta.ui.resourceUri`` names it until the listing names the shared renderer resource)."""
    ui = (meta or {}).get("ui")
    if ui is True or (ui is None and return_type is not None and _returns_prefab(return_type)):
        from ..apps._prefab import prefab_available
        from ..apps.config import PREFAB_PLACEHOLDER_URI

        if prefab_available():
            return {**(meta or {}), "ui": {"resourceUri": PREFAB_PLACEHOLDER_URI}}
    return meta


def _returns_prefab(return_type: Any) -> bool:
    import sys

    if "prefab_ui" not in sys.modules:
        return False
    from ..apps._prefab import is_prefab_type

    return is_prefab_type(return_type)


def _dump_json(adapter: Any) -> Callable[[Any], bytes]:
    """The serializer the core calls for a result: the JSON ``convert`` parses back, which is also its text
    (the core leaves a result with NaN/Infinity tokens to ``convert``, which refuses it)."""
    return functools.partial(_result_serializer(adapter).to_json, warnings=False)


@overload
def tool(name_or_fn: F, **options: Any) -> F: ...


@overload
def tool(name_or_fn: str | None = None, **options: Any) -> Callable[[F], F]: ...


def tool(name_or_fn: Any = None, *, name: str | None = None, **options: Any) -> Any:
    """Marks a function as a tool without a server: ``mcp.add_tool(fn)`` registers it later with these
    options. ``@tool``, ``@tool()``, ``@tool("name")``, ``@tool(name=..., tags=...)``; returns ``fn``."""
    if isinstance(name_or_fn, classmethod):
        raise TypeError("To decorate a classmethod, use @classmethod above @tool")
    if callable(name_or_fn) and not isinstance(name_or_fn, str):
        return mark(name_or_fn, "tool", {"name": name, **options})
    if isinstance(name_or_fn, str) and name is not None:
        raise TypeError("Cannot specify name both as first argument and keyword")
    tool_name = name_or_fn if isinstance(name_or_fn, str) else name

    def decorator(fn: F) -> F:
        return mark(fn, "tool", {"name": tool_name, **options})

    return decorator
