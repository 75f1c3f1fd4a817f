"""``fastmcp.tools.tool_transform``: a tool made from another (``Tool.from_tool``), as FastMCP 4 makes it:
renamed, re-described, with arguments renamed, re-described, given defaults, made required, retyped or
hidden (``ArgTransform``), and optionally a function of yours in front (``transform_fn``) that calls the
original with ``await forward(...)`` (the new argument names) or ``await forward_raw(...)`` (the original's).

The new tool's input schema is the original's with those changes (``additionalProperties: false``); a call
is checked against it in the core, then the arguments are mapped back, hidden values added (a
``default_factory`` is called on every call), and the original tool run with them. Error texts are
FastMCP 4's. ``ToolTransformConfig`` / ``ArgTransformConfig`` are the declarative spellings."""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..utilities.types import NotSet
from .base import Tool, ToolResult

__all__ = [
    "ArgTransform",
    "ArgTransformConfig",
    "ToolTransformConfig",
    "TransformedTool",
    "apply_transformations_to_tools",
    "forward",
    "forward_raw",
]

_current: ContextVar[TransformedTool | None] = ContextVar("fastmcp_rs_transformed_tool", default=None)


@dataclasses.dataclass(kw_only=True)
class ArgTransform:
    """How one argument of the original tool changes (unset fields change nothing)."""

    name: Any = NotSet
    description: Any = NotSet
    default: Any = NotSet
    default_factory: Any = NotSet
    type: Any = NotSet
    hide: bool = False
    required: Any = NotSet
    examples: Any = NotSet

    def __post_init__(self) -> None:
        has_default = self.default is not NotSet
        has_factory = self.default_factory is not NotSet
        if has_default and has_factory:
            raise ValueError(
                "Cannot specify both 'default' and 'default_factory' in ArgTransform. Use either 'default' for "
                "a static value or 'default_factory' for a callable."
            )
        if has_factory and not self.hide:
            raise ValueError(
                "default_factory can only be used with hide=True. Visible parameters must use static 'default' "
                "values since JSON schema cannot represent dynamic factories."
            )
        if self.required is True and (has_default or has_factory):
            raise ValueError(
                "Cannot specify 'required=True' with 'default' or 'default_factory'. Required parameters cannot "
                "have defaults."
            )
        if self.hide and self.required is True:
            raise ValueError(
                "Cannot specify both 'hide=True' and 'required=True'. Hidden parameters cannot be required since "
                "clients cannot provide them."
            )
        if self.required is False:
            raise ValueError("Cannot specify 'required=False'. Set a default value instead.")


class ArgTransformConfig(BaseModel):
    """The declarative ``ArgTransform`` (in ``ToolTransformConfig.arguments``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    default: str | int | float | bool | None = None
    hide: bool = False
    required: Literal[True] | None = None
    examples: Any = None

    def to_arg_transform(self) -> ArgTransform:
        fields = {k: getattr(self, k) for k in self.model_fields_set}
        return ArgTransform(**fields)


class ToolTransformConfig(BaseModel):
    """The declarative ``Tool.from_tool`` options (``FastMCP(tool_transformations={...})``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    version: str | None = None
    title: str | None = None
    description: str | None = None
    tags: set[str] | None = None
    meta: dict[str, Any] | None = None
    enabled: bool = True
    arguments: dict[str, ArgTransformConfig] = {}

    def apply(self, tool: Tool) -> TransformedTool:
        options = {k: getattr(self, k) for k in self.model_fields_set if k not in ("arguments", "enabled")}
        args = {name: config.to_arg_transform() for name, config in self.arguments.items()}
        return TransformedTool.from_tool(tool, transform_args=args, **options)


@dataclasses.dataclass(kw_only=True, eq=False)
class TransformedTool(Tool):
    """A tool made from ``parent_tool`` (see the module's documentation)."""

    parent_tool: Tool
    fn: Callable[..., Any] | None = None
    forwarding: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_tool(
        cls,
        tool: Tool,
        *,
        name: str | None = None,
        version: Any = NotSet,
        title: Any = NotSet,
        description: Any = NotSet,
        tags: set[str] | None = None,
        annotations: Any = NotSet,
        output_schema: Any = NotSet,
        meta: Any = NotSet,
        transform_args: dict[str, ArgTransform] | None = None,
        transform_fn: Callable[..., Any] | None = None,
        **_ignored: Any,
    ) -> TransformedTool:
        transform_args = dict(transform_args or {})
        parent_schema = tool.parameters or {"type": "object", "properties": {}}
        properties = dict(parent_schema.get("properties") or {})
        required = set(parent_schema.get("required") or ())
        unknown = sorted(set(transform_args) - set(properties))
        if unknown:
            raise ValueError(
                f"Unknown arguments in transform_args: {', '.join(unknown)}. Parent tool `{tool.name}` has: "
                f"{', '.join(sorted(properties))}"
            )
        new_properties: dict[str, Any] = {}
        new_required: list[str] = []
        mapping: dict[str, str] = {}  # new name -> parent name
        hidden: dict[str, ArgTransform] = {}
        defaults: dict[str, Any] = {}
        defs = dict(parent_schema.get("$defs") or {})
        for old, schema in properties.items():
            change = transform_args.get(old, ArgTransform())
            schema = copy.deepcopy(schema)
            if change.hide:
                if old in required and change.default is NotSet and change.default_factory is NotSet:
                    raise ValueError(
                        f"Hidden parameter '{old}' has no default value in parent tool and no default or "
                        "default_factory provided in ArgTransform. Either provide a default or default_factory in "
                        "ArgTransform or don't hide required parameters."
                    )
                if change.default is not NotSet or change.default_factory is not NotSet:
                    hidden[old] = change
                continue
            new = change.name if change.name is not NotSet else old
            if new in new_properties:
                raise ValueError(f"Multiple arguments would be mapped to the same names: {new}")
            if change.type is not NotSet:
                from pydantic import TypeAdapter

                made = TypeAdapter(change.type).json_schema()
                defs.update(made.pop("$defs", {}))
                kept = {
                    k: v for k, v in schema.items() if k in ("description", "default", "examples") or k.startswith("x-")
                }
                schema = {**made, **kept}
            if change.description is not NotSet:
                if change.description is None:
                    schema.pop("description", None)
                else:
                    schema["description"] = change.description
            is_required = old in required
            if change.required is True:
                schema.pop("default", None)
                is_required = True
            if change.default is not NotSet:
                schema["default"] = change.default
                is_required = False
            if change.examples is not NotSet:
                schema["examples"] = change.examples
            if "default" in schema:
                defaults[new] = schema["default"]
            new_properties[new] = schema
            mapping[new] = old
            if is_required:
                new_required.append(new)
        parameters: dict[str, Any] = {"type": "object", "properties": new_properties}
        if new_required:
            parameters["required"] = new_required
        parameters["additionalProperties"] = False
        if defs:
            parameters["$defs"] = defs
        out_schema = tool.output_schema
        declared = None
        if transform_fn is not None:
            from .function_tool import FunctionTool

            accepts_any = any(p.kind == p.VAR_KEYWORD for p in inspect.signature(transform_fn).parameters.values())
            declared = FunctionTool.from_function(_named_only(transform_fn), name=name or tool.name)
            if not accepts_any:
                missing = sorted(set(new_properties) - set(declared.parameters.get("properties", {})))
                if missing:
                    raise ValueError(
                        f"Function missing parameters required after transformation: {', '.join(missing)}. "
                        f"Function declares: {', '.join(sorted(declared.parameters.get('properties', {})))}"
                    )
            overlay = dict(declared.parameters.get("properties", {}))
            overlay.update(new_properties)
            parameters["properties"] = overlay
            returns = inspect.signature(transform_fn).return_annotation
            if returns is ToolResult or returns == "ToolResult":
                out_schema = None
            elif returns is not inspect.Signature.empty:
                out_schema = declared.output_schema
        if output_schema is not NotSet:
            out_schema = output_schema
        merged_meta = tool.meta
        if meta is not NotSet:
            keep = {k: v for k, v in (tool.meta or {}).items() if k in ("fastmcp", "ui")}
            merged_meta = {**(meta or {}), **keep} if (meta or keep) else None
        made = cls(
            name=name or tool.name,
            title=tool.title if title is NotSet else title,
            description=tool.description if description is NotSet else description,
            parameters=parameters,
            output_schema=out_schema,
            annotations=tool.annotations if annotations is NotSet else annotations,
            tags=set(tool.tags) if tags is None else set(tags),
            meta=merged_meta,
            parent_tool=tool,
            fn=transform_fn,
            forwarding={
                "mapping": mapping,
                "hidden": hidden,
                "defaults": defaults,
                "required": new_required,
                "declared": declared,
            },
        )
        for field in ("icons", "auth", "timeout", "version"):
            if hasattr(tool, field) and hasattr(made, field):
                setattr(made, field, getattr(tool, field))
        if version is not NotSet:
            made.version = version
        return made

    async def forward_call(self, arguments: dict[str, Any]) -> ToolResult:
        """Pure forwarding: the new arguments checked, mapped to the original's, hidden values added."""
        mapping, hidden = self.forwarding["mapping"], self.forwarding["hidden"]
        unknown = sorted(set(arguments) - set(mapping))
        if unknown:
            raise TypeError(f"Got unexpected keyword argument(s): {', '.join(unknown)}")
        given = {**self.forwarding["defaults"], **arguments}
        missing = sorted(n for n in self.forwarding["required"] if n not in given)
        if missing:
            raise TypeError(f"Missing required argument(s): {', '.join(missing)}")
        parent_args = {mapping[k]: v for k, v in given.items()}
        for old, change in hidden.items():
            parent_args[old] = change.default_factory() if change.default_factory is not NotSet else change.default
        from ..exceptions import ValidationError

        try:
            return await _run(self.parent_tool, parent_args)
        except ValidationError as e:  # the parent's, worded as FastMCP 4 words it here (no links)
            import re

            raise ValidationError(re.sub(r"\n +For further information visit \S+", "", str(e))) from None

    async def run(self, arguments: dict[str, Any]) -> Any:
        if self.fn is None:
            return await self.forward_call(arguments)
        token = _current.set(self)
        try:
            declared = self.forwarding["declared"]
            given = {**self.forwarding["defaults"], **arguments}
            named = set(declared.parameters.get("properties", {}))
            kwargs = declared.prepare({k: v for k, v in given.items() if k in named})
            if declared.context_param is not None:
                from .._context import get_context

                kwargs[declared.context_param] = get_context()
            value = self.fn(**kwargs, **{k: v for k, v in given.items() if k not in named})  # type: ignore[misc]
            if inspect.isawaitable(value):
                value = await value
        finally:
            _current.reset(token)
        return declared.convert_result(value)

    def convert_result(self, value: Any) -> ToolResult:
        if isinstance(value, ToolResult):
            return value
        return super().convert_result(value)


def _named_only(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as its schema is made: without its ``**kwargs`` (they pass through to the original tool)."""
    signature = inspect.signature(fn)
    if not any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
        return fn
    kept = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]

    def shape(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    shape.__name__ = getattr(fn, "__name__", "transform_fn")
    shape.__doc__ = fn.__doc__
    shape.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    shape.__annotations__ = {k: v for k, v in getattr(fn, "__annotations__", {}).items() if k != "kwargs"}
    if inspect.iscoroutinefunction(fn):

        async def ashape(*args: Any, **kwargs: Any) -> Any:
            return await fn(*args, **kwargs)

        for attr in ("__name__", "__doc__", "__signature__", "__annotations__"):
            setattr(ashape, attr, getattr(shape, attr))
        return ashape
    return shape


async def _run(tool: Tool, arguments: dict[str, Any]) -> ToolResult:
    result = await tool.run(arguments)
    return result if isinstance(result, ToolResult) else tool.convert_result(result)


async def forward(**kwargs: Any) -> ToolResult:
    """Inside a ``transform_fn``: runs the original tool with these (new-name) arguments, mapped and
    completed as a call without ``transform_fn`` would be."""
    tool = _current.get()
    if tool is None:
        raise RuntimeError("forward() can only be called within a transformed tool")
    return await tool.forward_call(kwargs)


async def forward_raw(**kwargs: Any) -> ToolResult:
    """Inside a ``transform_fn``: runs the original tool with exactly these (original-name) arguments."""
    tool = _current.get()
    if tool is None:
        raise RuntimeError("forward_raw() can only be called within a transformed tool")
    return await _run(tool.parent_tool, kwargs)


def apply_transformations_to_tools(
    tools: dict[str, Tool], transformations: dict[str, ToolTransformConfig]
) -> dict[str, Tool]:
    """``{name: tool}`` with each named tool replaced by its transformed version (under its new name)."""
    out: dict[str, Tool] = {}
    for key, tool in tools.items():
        config = transformations.get(key)
        if config is None:
            out[key] = tool
        else:
            made = config.apply(tool)
            out[made.name] = made
    return out
