"""What tools, resources and prompts share: how a callable is inspected once at registration (its real
callable, name, async-ness, type hints and ``Context`` parameter), how annotations and ``_meta`` are listed,
and the metadata the standalone ``@tool`` / ``@resource`` / ``@prompt`` decorators leave on a function."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin

from ._context import Context, _CurrentContext

__all__: list[str] = []

#: The attribute the standalone decorators (``fastmcp_rs.tools.tool`` ...) set on a function.
META_ATTRIBUTE = "__fastmcp__"

_ANNOTATION_ORDER = ("title", "destructiveHint", "idempotentHint", "openWorldHint", "readOnlyHint")


def is_context_annotation(annotation: Any) -> bool:
    if annotation is inspect.Parameter.empty:
        return False
    if isinstance(annotation, str):
        return annotation.split("[", 1)[0].split(".")[-1].strip("'\" ") == "Context"
    origin = get_origin(annotation)
    if origin is not None and inspect.isclass(origin) and issubclass(origin, Context):
        return True  # Context[ServerSession, AppContext]
    if inspect.isclass(annotation) and issubclass(annotation, Context):
        return True
    if origin in (Union, types.UnionType):
        return any(is_context_annotation(a) for a in get_args(annotation) if a is not type(None))
    if origin is typing.Annotated:
        return is_context_annotation(get_args(annotation)[0])
    # The official SDK's Context (mcp.server.fastmcp.Context) is accepted too.
    target = origin if origin is not None else annotation
    return getattr(target, "__name__", None) == "Context" and "mcp" in getattr(target, "__module__", "")


def resolved_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        return dict(getattr(fn, "__annotations__", {}))


def find_context_param(fn: Callable[..., Any], hints: dict[str, Any] | None = None) -> str | None:
    """The parameter that receives the ``Context``: annotated ``Context`` or defaulting to ``CurrentContext()``."""
    hints = resolved_hints(fn) if hints is None else hints
    for name, param in inspect.signature(fn).parameters.items():
        if isinstance(param.default, _CurrentContext) or is_context_annotation(hints.get(name, param.annotation)):
            return name
    return None


def annotations_dict(annotations: Any) -> dict[str, Any] | None:
    if annotations is None:
        return None
    if hasattr(annotations, "model_dump"):
        raw = annotations.model_dump(by_alias=True, exclude_none=True)
    else:
        raw = {k: v for k, v in dict(annotations).items() if v is not None}
    ordered = {k: raw[k] for k in _ANNOTATION_ORDER if k in raw}
    ordered.update({k: v for k, v in raw.items() if k not in ordered})
    return ordered


def inspect_callable(fn: Callable[..., Any], kind: str, name: str | None) -> tuple[Callable[..., Any], str, bool]:
    """What every decorator needs of a function: the callable to inspect (a callable object's ``__call__``),
    its name, and whether it is async."""
    if isinstance(fn, staticmethod):
        fn = fn.__func__
    if inspect.isclass(fn) or not callable(fn):
        raise TypeError(f"@{kind} expects a function, got {fn!r}")
    call = fn if (inspect.isfunction(fn) or inspect.ismethod(fn)) else type(fn).__call__.__get__(fn)
    fn_name = getattr(fn, "__name__", None) or type(fn).__name__
    if fn_name == "<lambda>" and name is None:
        raise ValueError("You must provide a name for lambda functions")
    is_async = inspect.iscoroutinefunction(inspect.unwrap(call)) or inspect.iscoroutinefunction(call)
    return call, fn_name, is_async


def listing_meta(meta: dict[str, Any] | None, tags: set[str], component: Any = None) -> dict[str, Any]:
    """The ``_meta`` FastMCP lists for a component: the user's meta, then its sorted tags under ``fastmcp``,
    and for a versioned one its ``version`` and every registered ``versions`` (highest first)."""
    fastmcp = {**(meta or {}).get("fastmcp", {}), "tags": sorted(tags)}
    version = getattr(component, "version", None)
    if version is not None:
        fastmcp["version"] = str(version)
        fastmcp["versions"] = list(getattr(component, "_versions", None) or [str(version)])
    return {**(meta or {}), "fastmcp": fastmcp}


def dump_icons(icons: Any) -> list[Any] | None:
    if not icons:
        return None
    return [
        i.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(i, "model_dump") else i for i in icons
    ]


def decorator_options(fn: Any, kind: str) -> dict[str, Any] | None:
    """The options a standalone decorator (``@tool(...)``) stored on ``fn``, if it was that kind."""
    target = fn.__func__ if isinstance(fn, (staticmethod, classmethod, types.MethodType)) else fn
    stored = getattr(target, META_ATTRIBUTE, None)
    if isinstance(stored, dict) and stored.get("type") == kind:
        return {k: v for k, v in stored.items() if k != "type"}
    return None


def mark(fn: Any, kind: str, options: dict[str, Any]) -> Any:
    """Stores the standalone decorator's options on the function (returned unchanged)."""
    target = fn.__func__ if isinstance(fn, (staticmethod, types.MethodType)) else fn
    setattr(target, META_ATTRIBUTE, {"type": kind, **options})
    return fn


def auto_dataclass(cls: type) -> None:
    """Makes a user's subclass of a component class take its annotated fields as keyword arguments, as the
    pydantic models FastMCP's components are do (``class MyTool(Tool): operation: str``). Classes of this
    package are dataclasses already."""
    import dataclasses
    import inspect

    if cls.__module__.split(".", 1)[0] == "fastmcp_rs" or "__dataclass_fields__" in cls.__dict__:
        return
    if not inspect.get_annotations(cls):
        return
    dataclasses.dataclass(kw_only=True, eq=False)(cls)
