"""What a tool function's signature gives, worked out once at registration: the input schema FastMCP lists,
the pydantic validator for its arguments, the output schema of its return annotation, and which native fast
paths (arguments passed as they are, results shaped in Rust) give exactly what the Python path would."""

from __future__ import annotations

import dataclasses
import inspect
import sys
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, Literal, Union, get_args, get_origin

import pydantic
import pydantic_core
from pydantic.experimental.arguments_schema import generate_arguments_schema
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from .. import _schema
from .._components import find_context_param, inspect_callable, resolved_hints
from .._dependencies import with_dependencies
from ..utilities.types import Audio, File, Image

__all__ = ["ParsedFunction"]

_PLAIN_SCALARS = (str, int, bool)

_CONTENT_TYPE_NAMES = frozenset(
    {"TextContent", "ImageContent", "AudioContent", "ResourceLink", "EmbeddedResource", "CallToolResult"}
)


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


def _is_content_class(annotation: Any) -> bool:
    """MCP content and result classes (and our ``ToolResult``): returned as they are, so no output schema."""
    if not inspect.isclass(annotation):
        return False
    from .base import ToolResult

    if issubclass(annotation, ToolResult):
        return True
    return annotation.__name__ in _CONTENT_TYPE_NAMES and "mcp" in (annotation.__module__ or "")


def _contains(annotation: Any, targets: tuple[type, ...]) -> bool:
    if inspect.isclass(annotation) and issubclass(annotation, targets):
        return True
    return any(_contains(a, targets) for a in get_args(annotation))


def _no_output_schema(annotation: Any) -> bool:
    if annotation in (inspect.Signature.empty, None, type(None), Any, list, tuple, Sequence):
        return True
    if _is_prefab(annotation):
        return True
    if get_origin(annotation) in (list, tuple, Sequence) and all(a in (Any, Ellipsis) for a in get_args(annotation)):
        return True
    if _contains(annotation, (bytes, Image, Audio, File)):
        return True
    return _is_content_class(annotation) or any(_is_content_class(a) for a in get_args(annotation))


def _model_of_annotated_class(annotation: Any) -> type[pydantic.BaseModel] | None:
    """A model of a plain class's own annotated attributes (``name: str``, ``age: int = 0``), as SDK v1 made
    one for structured output; ``None`` for anything else."""
    if not inspect.isclass(annotation) or annotation.__module__ == "builtins":
        return None
    own = vars(annotation).get("__annotations__") or {}
    if not own or dataclasses.is_dataclass(annotation) or typing.is_typeddict(annotation):
        return None
    try:
        hints = typing.get_type_hints(annotation)
        fields: dict[str, Any] = {
            name: (hints.get(name, Any), getattr(annotation, name, ...)) for name in own if not name.startswith("_")
        }
        return pydantic.create_model(  # type: ignore[call-overload,no-any-return]
            annotation.__name__, __config__=pydantic.ConfigDict(from_attributes=True), **fields
        )
    except Exception:
        return None


class _FromAttributes:
    """Dumps an instance of a plain annotated class through its model (read from its attributes)."""

    __slots__ = ("model",)

    def __init__(self, model: type[pydantic.BaseModel]) -> None:
        self.model = model

    def dump_python(self, value: Any, mode: str = "python", warnings: bool = True) -> Any:
        return self.model.model_validate(value).model_dump(mode=mode, warnings=warnings)


def _declared_result_model(annotation: Any) -> Any:
    if get_origin(annotation) is not typing.Annotated:
        return None
    base, *extras = get_args(annotation)
    if not (inspect.isclass(base) and base.__name__ == "CallToolResult"):
        return None
    return next((e for e in extras if inspect.isclass(e)), None)


def _is_object_schema(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "object" or "properties" in schema:
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema.get("$defs", {}).get(ref[len("#/$defs/") :], {})
        return target.get("type") == "object" or "properties" in target
    return False


def _check_output_schema(schema: Any) -> None:
    if not isinstance(schema, dict) or not _is_object_schema(schema):
        raise ValueError(
            f'Output schemas must represent object types ("type": "object") due to MCP spec limitations. '
            f"Received: {schema!r}"
        )


_AS_IS_ANNOTATIONS = (inspect.Signature.empty, Any, dict, list, dict[str, Any], list[Any], None, type(None))


def _is_prefab(annotation: Any) -> bool:
    """A Prefab UI type (rendered, not serialized): only when ``prefab_ui`` is loaded at all."""
    if "prefab_ui" not in sys.modules:
        return False
    from ..apps._prefab import is_prefab_type

    return is_prefab_type(annotation)


def _result_shape(annotation: Any, schema: dict[str, Any] | None, *, explicit: bool, adapter: Any) -> str | None:
    """Which native result conversion (if any) gives exactly what ``Tool.convert`` gives for plain JSON data.

    Only annotations whose serializer hands plain data back unchanged qualify: ``float`` turns ints into
    floats and ``int`` turns bools into ints, so those (and anything richer) stay on the Python path. For
    ``int``/``str``/``bool`` the core also checks the value's exact type."""
    if _is_prefab(annotation):
        return None
    as_is = any(annotation is a or annotation == a for a in _AS_IS_ANNOTATIONS)
    # Anything else pydantic serializes (models, lists of them, dates, ...) is written to JSON once by the
    # annotation's serializer, and the result spliced from those bytes.
    by_json = isinstance(adapter, pydantic.TypeAdapter)
    if schema is None:
        if as_is or adapter is None:
            return "untyped"
        return "json-untyped" if by_json else None
    wrap = bool(schema.get("x-fastmcp-wrap-result"))
    if explicit:
        return None if not by_json or as_is else "json-wrapped" if wrap else "json"
    if as_is and by_json:
        # `-> dict` / `-> list` / `-> Any`: the same serializer `convert` uses, once (a large dict is then
        # written to JSON once instead of walked, written for its text and written again).
        return "json-wrapped" if wrap else "json"
    if as_is:
        return "any-wrapped" if wrap else "any"
    if wrap and annotation in (int, str, bool):
        return annotation.__name__
    if by_json:
        return "json-wrapped" if wrap else "json"
    return None


def _output_schema_for(annotation: Any) -> dict[str, Any] | None:
    """The outputSchema FastMCP derives from a return annotation (non-objects wrapped in ``result``).
    ``Annotated[CallToolResult, Model]`` (the SDK's spelling for a result returned as it is, whose structured
    content follows ``Model``) takes ``Model``'s schema."""
    declared = _declared_result_model(annotation)
    if declared is not None:
        return _output_schema_for(declared)
    if _no_output_schema(annotation):
        return None
    try:
        raw = pydantic.TypeAdapter(annotation).json_schema(mode="serialization", by_alias=False)
    except Exception:
        return None
    if _is_object_schema(raw):
        return _compress(raw)

    @dataclasses.dataclass
    class _WrappedResult:
        result: annotation  # type: ignore[valid-type]

    wrapped = pydantic.TypeAdapter(_WrappedResult).json_schema(mode="serialization", by_alias=False)
    schema = _compress(wrapped)
    schema["x-fastmcp-wrap-result"] = True
    return schema


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


@dataclasses.dataclass
class ParsedFunction:
    """A tool function, inspected once."""

    fn: Callable[..., Any]
    name: str
    description: str | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    return_type: Any
    is_async: bool
    context_param: str | None
    #: JSON arguments that pass ``input_schema`` can be passed to the function as they are.
    plain_arguments: bool
    #: The function takes nothing but ``**kwargs`` (besides the ``Context``): any arguments pass as they are.
    takes_any_arguments: bool
    validator: pydantic_core.SchemaValidator
    result_adapter: pydantic.TypeAdapter[Any] | None
    #: What a call invokes: ``fn``, or, when dependencies are injected, the ``async`` wrapper that resolves them.
    invoke: Callable[..., Any] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.invoke is None:
            self.invoke = self.fn

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        allow_var_kwargs: bool = False,
        derive_output_schema: bool = True,
    ) -> ParsedFunction:
        call, fn_name, is_async = inspect_callable(fn, "tool", name)
        signature = inspect.signature(call)
        kinds = {p.kind for p in signature.parameters.values()}
        if inspect.Parameter.VAR_POSITIONAL in kinds:
            raise ValueError("Functions with *args are not supported as tools")
        if inspect.Parameter.VAR_KEYWORD in kinds and not allow_var_kwargs:
            raise ValueError("Functions with **kwargs are not supported as tools")
        hints = resolved_hints(call)
        context_param = find_context_param(call, hints)
        invoke = fn
        injected = with_dependencies(call, context_param, hints=hints)
        if injected is not call:
            call = invoke = injected
            is_async = True
            signature = inspect.signature(call)
            hints = dict(call.__annotations__)

        def skip_context(_index: int, param_name: str, _annotation: Any) -> Literal["skip"] | None:
            return "skip" if param_name == context_param else None

        core_schema = generate_arguments_schema(call, schema_type="arguments", parameters_callback=skip_context)
        validator = pydantic_core.SchemaValidator(
            core_schema, config=pydantic_core.CoreConfig(title=f"call[{fn_name}]")
        )
        raw = GenerateJsonSchema().generate(core_schema, mode="validation")
        params = [p for p in signature.parameters.values() if p.name != context_param]
        # A `Field(...)` default is a marker, not a value: pydantic fills the field's own default when the
        # argument is omitted, so such tools always take the validator path.
        plain = all(
            _is_plain(hints.get(p.name, p.annotation)) and not isinstance(p.default, FieldInfo)
            for p in params
            if p.kind is not inspect.Parameter.VAR_KEYWORD
        ) and all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params)
        return_type = hints.get("return", signature.return_annotation)
        adapter: Any = None
        schema_type = return_type
        if return_type not in (inspect.Signature.empty, None, type(None)):
            try:
                adapter = pydantic.TypeAdapter(return_type)
            except Exception:
                model = _model_of_annotated_class(return_type)
                if model is not None:  # SDK v1: "ordinary classes with type hints work for structured output"
                    adapter, schema_type = _FromAttributes(model), model
        input_schema = _schema.input_schema(raw, call)
        if any("SessionId" in repr(h) for h in hints.values()):
            from ..server.sessions import describe_session_ids

            describe_session_ids(call, input_schema)
        return cls(
            fn=fn,
            name=fn_name,
            description=_schema.parse_docstring(fn)[0],
            input_schema=input_schema,
            output_schema=_output_schema_for(schema_type) if derive_output_schema else None,
            return_type=return_type,
            is_async=is_async,
            context_param=context_param,
            plain_arguments=plain,
            takes_any_arguments=all(p.kind is inspect.Parameter.VAR_KEYWORD for p in params) and bool(params),
            validator=validator,
            result_adapter=adapter,
            invoke=invoke,
        )
