"""Tools: what ``@mcp.tool`` builds from a function — its listing, its argument validator and its result
converter. Built once at decoration time; the native core calls them per request."""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, Literal, Union, get_args, get_origin

import pydantic
import pydantic_core
from pydantic.experimental.arguments_schema import generate_arguments_schema
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from . import _schema
from .context import Context
from .utilities.types import Audio, File, Image

__all__ = ["Tool"]

_MISSING = object()

_ANNOTATION_ORDER = ("title", "destructiveHint", "idempotentHint", "openWorldHint", "readOnlyHint")


def _is_context_annotation(annotation: Any) -> bool:
    if annotation is inspect.Parameter.empty:
        return False
    if isinstance(annotation, str):
        return annotation.split(".")[-1].strip("'\"") == "Context"
    if inspect.isclass(annotation) and issubclass(annotation, Context):
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_context_annotation(a) for a in get_args(annotation) if a is not type(None))
    # The official SDK's Context (mcp.server.fastmcp.Context) is accepted too.
    return getattr(annotation, "__name__", None) == "Context" and "mcp" in getattr(annotation, "__module__", "")


def _resolved_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        return dict(getattr(fn, "__annotations__", {}))


def _find_context_param(fn: Callable[..., Any]) -> str | None:
    hints = _resolved_hints(fn)
    for name, param in inspect.signature(fn).parameters.items():
        if _is_context_annotation(hints.get(name, param.annotation)):
            return name
    return None


_PLAIN_SCALARS = (str, int, bool)


def _is_plain(annotation: Any) -> bool:
    """True when JSON values that pass the schema check are already what pydantic would hand the
    function (no models, enums, floats, dates... to build)."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return True
    if annotation in _PLAIN_SCALARS or annotation is type(None):
        return True
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *extras = get_args(annotation)
        # Field constraints are checked natively; anything that transforms (validators) is not plain.
        return all(isinstance(e, (str, FieldInfo)) for e in extras) and _is_plain(base)
    if origin is Literal:
        return all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        # A union of several non-null types depends on pydantic's smart-union choice.
        members = [a for a in get_args(annotation) if a is not type(None)]
        return len(members) == 1 and _is_plain(members[0])
    if origin is list:
        args = get_args(annotation)
        return not args or _is_plain(args[0])
    if origin is dict:
        args = get_args(annotation)
        return not args or (args[0] is str and _is_plain(args[1]))
    return False


def _annotations_dict(annotations: Any) -> dict[str, Any] | None:
    if annotations is None:
        return None
    if hasattr(annotations, "model_dump"):
        raw = annotations.model_dump(by_alias=True, exclude_none=True)
    else:
        raw = {k: v for k, v in dict(annotations).items() if v is not None}
    ordered = {k: raw[k] for k in _ANNOTATION_ORDER if k in raw}
    ordered.update({k: v for k, v in raw.items() if k not in ordered})
    return ordered


def _inspect_callable(fn: Callable[..., Any], kind: str, name: str | None) -> tuple[Callable[..., Any], str, bool]:
    """What every decorator needs of a function: the callable to inspect (a callable object's ``__call__``),
    its name, and whether it is async."""
    if inspect.isclass(fn) or not callable(fn):
        raise TypeError(f"@{kind} expects a function, got {fn!r}")
    call = fn if (inspect.isfunction(fn) or inspect.ismethod(fn)) else type(fn).__call__.__get__(fn)
    fn_name = getattr(fn, "__name__", None) or type(fn).__name__
    if fn_name == "<lambda>" and name is None:
        raise ValueError("You must provide a name for lambda functions")
    is_async = inspect.iscoroutinefunction(inspect.unwrap(call)) or inspect.iscoroutinefunction(call)
    return call, fn_name, is_async


def _listing_meta(meta: dict[str, Any] | None, tags: set[str]) -> dict[str, Any]:
    """The ``_meta`` FastMCP lists for a component: the user's meta, then its sorted tags under ``fastmcp``."""
    return {**(meta or {}), "fastmcp": {**(meta or {}).get("fastmcp", {}), "tags": sorted(tags)}}


def _default_title(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").title()


def _contains(annotation: Any, targets: tuple[type, ...]) -> bool:
    if inspect.isclass(annotation) and issubclass(annotation, targets):
        return True
    return any(_contains(a, targets) for a in get_args(annotation))


def _is_content_class(annotation: Any) -> bool:
    return inspect.isclass(annotation) and _is_content_type_name(annotation)


def _is_content_type_name(cls: type) -> bool:
    return cls.__name__ in {
        "TextContent",
        "ImageContent",
        "AudioContent",
        "ResourceLink",
        "EmbeddedResource",
        "CallToolResult",
        "ToolResult",
    } and "mcp" in (cls.__module__ or "")


def _no_output_schema(annotation: Any) -> bool:
    if annotation in (inspect.Signature.empty, None, type(None), Any, list, tuple, Sequence):
        return True
    if get_origin(annotation) in (list, tuple, Sequence) and all(a in (Any, Ellipsis) for a in get_args(annotation)):
        return True
    if _contains(annotation, (bytes, Image, Audio, File)):
        return True
    return _is_content_class(annotation) or any(_is_content_class(a) for a in get_args(annotation))


def _is_object_schema(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "object" or "properties" in schema:
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema.get("$defs", {}).get(ref[len("#/$defs/") :], {})
        return target.get("type") == "object" or "properties" in target
    return False


_AS_IS_ANNOTATIONS = (inspect.Signature.empty, Any, dict, list, dict[str, Any], list[Any], None, type(None))


def _result_shape(
    annotation: Any, schema: dict[str, Any] | None, wrap: bool, *, explicit: bool, adapter: Any
) -> str | None:
    """Which native result conversion (if any) gives exactly what ``Tool.convert`` gives for plain JSON data.

    Only annotations whose serializer hands plain data back unchanged qualify: ``float`` turns ints into
    floats and ``int`` turns bools into ints, so those (and anything richer) stay on the Python path. For
    ``int``/``str``/``bool`` the core also checks the value's exact type."""
    as_is = any(annotation is a or annotation == a for a in _AS_IS_ANNOTATIONS)
    if schema is None:
        return "untyped" if as_is or adapter is None else None
    if explicit:
        return None
    if as_is:
        return "any-wrapped" if wrap else "any"
    if wrap and annotation in (int, str, bool):
        return annotation.__name__
    return None


def _output_schema_for(annotation: Any) -> tuple[dict[str, Any] | None, bool]:
    """The outputSchema FastMCP derives from a return annotation, and whether results are wrapped."""
    if _no_output_schema(annotation):
        return None, False
    try:
        raw = pydantic.TypeAdapter(annotation).json_schema(mode="serialization", by_alias=False)
    except Exception:
        return None, False
    if _is_object_schema(raw):
        schema = _compress(raw)
        return schema, False

    @dataclasses.dataclass
    class _WrappedResult:
        result: annotation  # type: ignore[valid-type]

    wrapped = pydantic.TypeAdapter(_WrappedResult).json_schema(mode="serialization", by_alias=False)
    schema = _compress(wrapped)
    schema["x-fastmcp-wrap-result"] = True
    return schema, True


def _compress(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve_root_ref(schema)
    schema = _schema.prune_titles(schema)
    schema = _schema.drop_unused_defs(schema)
    return _schema.dereference(schema)


def _resolve_root_ref(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    defs = schema.get("$defs")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and isinstance(defs, dict) and len(schema) == 2:
        name = ref[len("#/$defs/") :]
        target = dict(defs.get(name, {}))
        rest = {k: v for k, v in defs.items() if k != name or _refs_itself(defs, name)}
        if rest:
            target["$defs"] = rest
        return target
    return schema


def _refs_itself(defs: dict[str, Any], name: str) -> bool:
    found: set[str] = set()
    _schema._refs_in(defs.get(name), found)
    return name in found


def _order_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """FastMCP lists ``properties, required, type`` first, then the other keys in their original order."""
    head = {k: schema[k] for k in ("properties", "required", "type") if k in schema}
    head.update({k: v for k, v in schema.items() if k not in head})
    return head


def _to_jsonable(value: Any) -> Any:
    return pydantic_core.to_jsonable_python(value, fallback=str)


def _content_block(item: Any) -> dict[str, Any] | None:
    """The content block for a helper or MCP content object; None for anything else."""
    if isinstance(item, Image):
        return item.to_image_content()
    if isinstance(item, Audio):
        return item.to_audio_content()
    if isinstance(item, File):
        return item.to_resource_content()
    cls = type(item)
    if hasattr(item, "model_dump") and cls.__name__ in {
        "TextContent",
        "ImageContent",
        "AudioContent",
        "ResourceLink",
        "EmbeddedResource",
    }:
        return item.model_dump(mode="json", by_alias=True, exclude_none=True)
    return None


def _text(value: Any) -> dict[str, Any]:
    return {"type": "text", "text": value}


def _json_text(value: Any) -> str:
    return pydantic_core.to_json(value, fallback=str).decode()


@dataclasses.dataclass
class Tool:
    """A registered tool: the function plus everything derived from it once."""

    fn: Callable[..., Any]
    name: str
    title: str | None
    description: str | None
    parameters: dict[str, Any]
    output_schema: dict[str, Any] | None
    wrap_result: bool
    tags: set[str]
    annotations: dict[str, Any] | None
    meta: dict[str, Any] | None
    timeout: float | None
    is_async: bool
    context_param: str | None
    plain_arguments: bool
    result_shape: str | None = None
    enabled: bool = True
    _validator: pydantic_core.SchemaValidator | None = None
    _result_adapter: pydantic.TypeAdapter[Any] | None = None

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        tags: set[str] | None = None,
        annotations: Any = None,
        meta: dict[str, Any] | None = None,
        output_schema: Any = _MISSING,
        timeout: float | None = None,
        enabled: bool = True,
    ) -> Tool:
        call, fn_name, is_async = _inspect_callable(fn, "tool", name)
        signature = inspect.signature(call)
        for param in signature.parameters.values():
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                raise ValueError("Functions with *args are not supported as tools")
            if param.kind is inspect.Parameter.VAR_KEYWORD:
                raise ValueError("Functions with **kwargs are not supported as tools")
        context_param = _find_context_param(call)

        def skip_context(_index: int, param_name: str, _annotation: Any) -> Literal["skip"] | None:
            return "skip" if param_name == context_param else None

        core_schema = generate_arguments_schema(call, schema_type="arguments", parameters_callback=skip_context)
        validator = pydantic_core.SchemaValidator(
            core_schema, config=pydantic_core.CoreConfig(title=f"call[{fn_name}]")
        )
        raw = GenerateJsonSchema().generate(core_schema, mode="validation")
        parameters = _input_schema(raw, call)

        doc_description, _ = _schema.parse_docstring(fn)
        hints = _resolved_hints(call)
        # A `Field(...)` default is a marker, not a value: pydantic fills the field's own default when the
        # argument is omitted, so such tools always take the validator path.
        plain = all(
            _is_plain(hints.get(p.name, p.annotation)) and not isinstance(p.default, FieldInfo)
            for p in signature.parameters.values()
            if p.name != context_param
        )
        return_annotation = hints.get("return", signature.return_annotation)
        if output_schema is _MISSING:
            schema, wrap = _output_schema_for(return_annotation)
        elif output_schema is None:
            schema, wrap = None, False
        else:
            if not isinstance(output_schema, dict) or output_schema.get("type") != "object":
                raise ValueError('Output schemas must represent object types ("type": "object")')
            schema, wrap = output_schema, bool(output_schema.get("x-fastmcp-wrap-result"))
        adapter = None
        if return_annotation not in (inspect.Signature.empty, None, type(None)):
            try:
                adapter = pydantic.TypeAdapter(return_annotation)
            except Exception:
                adapter = None
        annotations_dict = _annotations_dict(annotations)
        shape = _result_shape(return_annotation, schema, wrap, explicit=output_schema is not _MISSING, adapter=adapter)
        return cls(
            fn=fn,
            name=name or fn_name,
            title=title,
            description=description if description is not None else doc_description,
            parameters=parameters,
            output_schema=schema,
            wrap_result=wrap,
            tags=set(tags or ()),
            annotations=annotations_dict,
            meta=dict(meta) if meta else None,
            timeout=timeout,
            is_async=is_async,
            context_param=context_param,
            plain_arguments=plain,
            result_shape=shape,
            enabled=enabled,
            _validator=validator,
            _result_adapter=adapter,
        )

    # -- listing ---------------------------------------------------------------------------------------

    def to_mcp_tool(self) -> dict[str, Any]:
        """The ``tools/list`` entry, as FastMCP 4 lists it."""
        entry: dict[str, Any] = {"_meta": _listing_meta(self.meta, self.tags)}
        if self.annotations:
            entry["annotations"] = self.annotations
        if self.description is not None:
            entry["description"] = self.description
        entry["inputSchema"] = self.parameters
        entry["name"] = self.name
        if self.output_schema is not None:
            entry["outputSchema"] = self.output_schema
        entry["title"] = self.title or (self.annotations or {}).get("title") or _default_title(self.name)
        return entry

    # -- calls (invoked by the native core) ----------------------------------------------------------

    def prepare(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Validates and coerces arguments as pydantic's lax mode does; the error text is pydantic's."""
        assert self._validator is not None
        try:
            _, kwargs = self._validator.validate_python(arguments)
        except pydantic_core.ValidationError as exc:
            from .exceptions import ValidationError

            raise ValidationError(str(exc)) from None
        return kwargs

    def convert(self, value: Any) -> dict[str, Any]:
        """A return value → ``CallToolResult`` (plain dicts and lists, for the native serializer).

        As FastMCP does it: the value is first serialized for the return annotation, and the text content is
        made from that (so a ``True`` returned under ``-> int`` reads ``1``)."""
        if _is_content_type_name(type(value)) and type(value).__name__ in ("CallToolResult", "ToolResult"):
            return _plain_result(value)
        is_content = _is_content(value)
        if self.output_schema is None and is_content:
            return {"content": _to_content(value), "isError": False}
        structured = self._structured(value)
        result: dict[str, Any] = {"content": _to_content(value if is_content else structured), "isError": False}
        if self.output_schema is None:
            if isinstance(structured, dict):
                result["structuredContent"] = structured
            return result
        if self.wrap_result:
            return {"_meta": {"fastmcp": {"wrap_result": True}}, **result, "structuredContent": {"result": structured}}
        if structured is None:
            return result
        if not isinstance(structured, dict):
            raise ValueError(
                "structured_content must be a dict or None. "
                f"Got {type(structured).__name__}: {structured!r}. "
                "Tools should wrap non-dict values based on their output_schema."
            )
        result["structuredContent"] = structured
        return result

    def _structured(self, value: Any) -> Any:
        if self._result_adapter is not None:
            try:
                return self._result_adapter.dump_python(value, mode="json", warnings=False)
            except Exception:
                pass
        return _to_jsonable(value)


def _is_content(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_content_block(v) is not None for v in value)
    return _content_block(value) is not None


def _to_content(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    block = _content_block(value)
    if block is not None:
        return [block]
    if isinstance(value, (list, tuple)):
        if not value:
            return []
        if any(_content_block(v) is not None for v in value):
            blocks = []
            for item in value:
                b = _content_block(item)
                if b is not None:
                    blocks.append(b)
                elif isinstance(item, str):
                    blocks.append(_text(item))
                else:
                    blocks.append(_text(_json_text(_to_jsonable(item))))
            return blocks
    if isinstance(value, str):
        return [_text(value)]
    jsonable = _to_jsonable(value)
    if isinstance(jsonable, str):
        return [_text(jsonable)]
    return [_text(_json_text(jsonable))]


def _plain_result(value: Any) -> dict[str, Any]:
    dumped = value.model_dump(mode="json", by_alias=True, exclude_none=True)
    dumped.setdefault("isError", False)
    return dumped


def _input_schema(raw: dict[str, Any], fn: Callable[..., Any]) -> dict[str, Any]:
    """FastMCP's input schema: titles pruned (explicit Field titles restored on parameters), docstring
    descriptions added, references inlined."""
    raw_props = raw.get("properties", {})
    explicit_titles = {
        name: prop["title"]
        for name, prop in raw_props.items()
        if isinstance(prop, dict)
        and isinstance(prop.get("title"), str)
        and prop["title"] != GenerateJsonSchema.get_title_from_name(GenerateJsonSchema(), name)
    }
    schema = _schema.drop_unused_defs(_schema.prune_titles(raw))
    props = schema.get("properties", {})
    for name, title in explicit_titles.items():
        if name in props:
            props[name].pop("title", None)
            props[name]["title"] = title
    _, param_docs = _schema.parse_docstring(fn)
    for name, text in param_docs.items():
        if name in props and "description" not in props[name] and text:
            props[name]["description"] = text
    schema.setdefault("properties", {})
    schema = _schema.dereference(schema)
    return _order_schema(schema)
