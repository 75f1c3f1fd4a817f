"""``Tool`` and ``ToolResult``: a tool's listing and the conversion of what it returns into a
``CallToolResult``, as FastMCP 4 does them. A ``Tool`` subclass that implements ``run(arguments)`` is served
as it is; ``FunctionTool`` (``@mcp.tool``) wraps a function."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import pydantic
import pydantic_core

from .. import _mrtr
from .._components import annotations_dict, dump_icons, listing_meta
from ..utilities.types import Audio, File, Image

if TYPE_CHECKING:
    from .function_tool import FunctionTool

__all__ = ["InputRequiredToolResult", "Tool", "ToolResult"]

_CONTENT_BLOCK_NAMES = frozenset({"TextContent", "ImageContent", "AudioContent", "ResourceLink", "EmbeddedResource"})


def _default_title(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").title()


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
    if hasattr(item, "model_dump") and type(item).__name__ in _CONTENT_BLOCK_NAMES:
        return item.model_dump(mode="json", by_alias=True, exclude_none=True)
    return None


def _text(value: Any) -> dict[str, Any]:
    return {"type": "text", "text": value}


def _json_text(value: Any) -> str:
    return pydantic_core.to_json(value, fallback=str).decode()


def _single_block(item: Any) -> dict[str, Any]:
    block = _content_block(item)
    if block is not None:
        return block
    if isinstance(item, str):
        return _text(item)
    if isinstance(item, bytes):
        try:
            return _text(item.decode())
        except UnicodeDecodeError:
            import base64

            return _text(base64.b64encode(item).decode("ascii"))
    return _text(_json_text(_to_jsonable(item)))


def _is_content(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_content_block(v) is not None for v in value)
    return _content_block(value) is not None


def _to_content(value: Any) -> list[dict[str, Any]]:
    """A value → content blocks: ``None`` none; a content object or helper its block; a list holding content
    objects one block per item; anything else one text block (JSON unless it is a string)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        if not value:
            return []
        if any(_content_block(v) is not None for v in value):
            return [_single_block(item) for item in value]
    elif isinstance(value, str):
        return [_text(value)]
    elif (block := _content_block(value)) is not None:
        return [block]
    jsonable = _to_jsonable(value)
    if isinstance(jsonable, str):
        return [_text(jsonable)]
    return [_text(_json_text(jsonable))]


_SPECIAL_RESULT_NAMES = _CONTENT_BLOCK_NAMES | {"CallToolResult", "InputRequiredResult", *_mrtr._WRAPPERS}


def _plain_result_type(cls: type) -> bool:
    """Whether ``convert`` treats every value of type ``cls`` as plain data (the core asks once per type
    before it serializes a result natively): no content block, media helper, ``ToolResult``, ``CallToolResult``
    or input-required result. Unsure is ``False``: the value then takes ``convert`` itself."""
    if issubclass(cls, (Image, Audio, File, ToolResult, _mrtr.InputRequiredResult)):
        return False
    if cls.__module__.startswith("prefab_ui"):
        return False
    return not any(base.__name__ in _SPECIAL_RESULT_NAMES for base in cls.__mro__)


def _plain_result(value: Any) -> dict[str, Any]:
    dumped = value.model_dump(mode="json", by_alias=True, exclude_none=True)
    dumped.setdefault("isError", False)
    # The SDK 2.x model carries the 2026-07-28 era's ``resultType``; FastMCP 4 sends none on the handshake era.
    dumped.pop("resultType", None)
    return dumped


class ToolResult:
    """A tool's full result: ``content`` (a string, content objects, ``Image``/``Audio``/``File``, or any
    value, shown as JSON text), ``structured_content`` (a dict, or a model that dumps to one) and a
    result-level ``meta``. Without ``content`` the structured content is also shown as text."""

    __slots__ = ("content", "is_error", "meta", "structured_content")

    def __init__(
        self,
        content: Any = None,
        structured_content: Any = None,
        meta: dict[str, Any] | None = None,
        is_error: bool = False,
    ) -> None:
        if content is None and structured_content is None:
            raise ValueError("Either content or structured_content must be provided")
        if structured_content is not None and type(structured_content).__module__.startswith("prefab_ui"):
            from ..apps._prefab import is_prefab_value, payload_of

            if is_prefab_value(structured_content):
                structured_content = payload_of(structured_content)
        if content is None:
            content = structured_content
        self.content: list[dict[str, Any]] = _to_content(content)
        if structured_content is not None:
            structured_content = _to_jsonable(structured_content)
            if not isinstance(structured_content, dict):
                raise ValueError(
                    "structured_content must be a dict or None. "
                    f"Got {type(structured_content).__name__}: {structured_content!r}. "
                    "Tools should wrap non-dict values based on their output_schema."
                )
        self.structured_content: dict[str, Any] | None = structured_content
        self.meta = meta
        self.is_error = bool(is_error)

    def __repr__(self) -> str:
        return (
            f"ToolResult(content={self.content!r}, structured_content={self.structured_content!r}, "
            f"meta={self.meta!r}, is_error={self.is_error!r})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ToolResult) and self.to_mcp_result() == other.to_mcp_result()

    def to_mcp_result(self) -> dict[str, Any]:
        """The ``CallToolResult`` as it goes on the wire."""
        result: dict[str, Any] = {}
        if self.meta is not None:
            result["_meta"] = self.meta
        # SDK content objects (what ``mcp.call_tool()`` and middleware give) as their wire form.
        result["content"] = [
            c.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(c, "model_dump") else c
            for c in self.content
        ]
        result["isError"] = self.is_error
        if self.structured_content is not None:
            result["structuredContent"] = self.structured_content
        return result

    @classmethod
    def from_mcp_result(cls, result: Any) -> ToolResult:
        """From a ``CallToolResult`` (an SDK object or its wire dict)."""
        wire = _plain_result(result) if hasattr(result, "model_dump") else dict(result)
        made = cls.__new__(cls)
        made.content = list(wire.get("content") or [])
        made.structured_content = wire.get("structuredContent")
        made.meta = wire.get("_meta")
        made.is_error = bool(wire.get("isError", False))
        return made


def _prefab_ui_meta(meta: dict[str, Any] | None) -> bool:
    ui = (meta or {}).get("ui")
    if not isinstance(ui, dict) or "resourceUri" not in ui:
        return False
    from ..apps._prefab import is_prefab_tool_meta

    return is_prefab_tool_meta(meta)


def _prefab_result(tool: Tool, value: Any) -> dict[str, Any]:
    """A Prefab app or component a tool returned: its payload as structured content (references to an app's
    tools rewritten to the names the serving server lists them under)."""
    from ..apps._prefab import RENDERED_TEXT, payload_of, rebind_payload

    app = ((tool.meta or {}).get("fastmcp") or {}).get("app")
    payload = payload_of(value, app if isinstance(app, str) else None)
    from .._context import _serving

    if _serving:
        rebind_payload(payload, _serving[-1]._tool_named_by_identity)
    return {"content": [{"type": "text", "text": RENDERED_TEXT}], "isError": False, "structuredContent": payload}


def _run_arguments(value: Any) -> dict[str, Any]:
    return dict(value)


@dataclasses.dataclass(kw_only=True, eq=False)
class Tool:
    """A tool: its listing and how it runs. Subclass it and implement ``async def run(self, arguments)``
    (returning a ``ToolResult`` or any value) for a tool that is not a function; its ``parameters`` are
    listed as they are and its arguments handed over unchanged."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from .._components import auto_dataclass

        auto_dataclass(cls)

    name: str
    title: str | None = None
    description: str | None = None
    parameters: dict[str, Any] = dataclasses.field(default_factory=lambda: {"properties": {}, "type": "object"})
    output_schema: dict[str, Any] | None = None
    annotations: Any = None
    tags: set[str] = dataclasses.field(default_factory=set)
    meta: dict[str, Any] | None = None
    icons: list[Any] | None = None
    version: str | int | None = None
    timeout: float | None = None
    enabled: bool = True
    auth: Any = None

    def __post_init__(self) -> None:
        self.annotations = annotations_dict(self.annotations)
        self.tags = set(self.tags or ())
        self.meta = dict(self.meta) if self.meta else None
        if self.version is not None:
            self.version = str(self.version)
        if self.output_schema is not None:
            from .function_parsing import _check_output_schema

            _check_output_schema(self.output_schema)

    @property
    def key(self) -> str:
        return self.name

    @property
    def wrap_result(self) -> bool:
        return bool((self.output_schema or {}).get("x-fastmcp-wrap-result"))

    @classmethod
    def from_function(cls, fn: Callable[..., Any], **options: Any) -> FunctionTool:
        """A ``FunctionTool`` for ``fn`` (the options of ``@mcp.tool``)."""
        from .function_tool import FunctionTool

        return FunctionTool.from_function(fn, **options)

    @classmethod
    def from_tool(cls, tool: Tool, **options: Any) -> Tool:
        """A tool made from ``tool``: renamed, re-described, its arguments changed (``transform_args`` of
        ``ArgTransform``), or a function of yours in front (``transform_fn``); see ``tool_transform``."""
        from .tool_transform import TransformedTool

        return TransformedTool.from_tool(tool, **options)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Tool:
        """A copy with some fields replaced (pydantic's spelling, as FastMCP components are models)."""
        import copy

        made = copy.deepcopy(self) if deep else copy.copy(self)
        for field, value in (update or {}).items():
            setattr(made, field, value)
        return made

    # -- listing ---------------------------------------------------------------------------------------

    # SDK v1's ``await mcp.list_tools()`` gave ``mcp.types.Tool`` objects; code written for it reads these.
    @property
    def inputSchema(self) -> dict[str, Any]:
        return self.to_mcp_tool()["inputSchema"]

    @property
    def outputSchema(self) -> dict[str, Any] | None:
        return self.to_mcp_tool().get("outputSchema")

    def to_mcp_tool(self) -> dict[str, Any]:
        """The ``tools/list`` entry, as FastMCP 4 lists it."""
        entry: dict[str, Any] = {"_meta": listing_meta(self.meta, self.tags, self)}
        if _prefab_ui_meta(self.meta):
            from ..apps._prefab import wire_ui

            entry["_meta"]["ui"] = wire_ui(self.meta["ui"])  # type: ignore[index]
        if self.annotations:
            entry["annotations"] = self.annotations
        if self.description is not None:
            entry["description"] = self.description
        task = getattr(self, "task", None)
        if task not in (None, False):
            from ..utilities.tasks import task_mode

            mode = task_mode(task)
            if mode != "forbidden":
                entry["execution"] = {"taskSupport": mode}
        icons = dump_icons(self.icons)
        if icons:
            entry["icons"] = icons
        entry["inputSchema"] = self.parameters
        entry["name"] = self.name
        if self.output_schema is not None:
            entry["outputSchema"] = self.output_schema
        entry["title"] = self.title or (self.annotations or {}).get("title") or _default_title(self.name)
        return entry

    # -- running -----------------------------------------------------------------------------------------

    async def run(self, arguments: dict[str, Any]) -> Any:
        """Runs the tool; returns a ``ToolResult`` (or a value, converted as a function's would be)."""
        raise NotImplementedError("Subclasses must implement run()")

    async def _run_from_core(self, **arguments: Any) -> Any:
        return await self.run(arguments)

    def _native_spec(self) -> dict[str, Any]:
        """What the core needs to serve this tool (worked out once, when it is registered)."""
        return dict(
            func=self._run_from_core,
            is_async=True,
            prepare=_run_arguments,
            convert=self.convert,
            context_param=None,
            plain_arguments=True,
            result_shape=None,
            timeout=self.timeout,
        )

    @property
    def _result_adapter(self) -> pydantic.TypeAdapter[Any] | None:
        return None

    def convert_result(self, value: Any) -> ToolResult:
        """A return value → ``ToolResult``, as the tool answers it."""
        if isinstance(value, ToolResult):
            return value
        return ToolResult.from_mcp_result(self.convert(value))

    #: FastMCP 2/3's ``FastMCP(tool_serializer=...)``, set by the server serving this tool.
    _text_serializer: ClassVar[Callable[[Any], str] | None] = None

    def convert(self, value: Any) -> dict[str, Any]:
        """A return value → ``CallToolResult``; under a server's ``tool_serializer``, a value that is not text
        or content already has its text content written by it (its ``structuredContent`` unchanged)."""
        result = self._convert(value)
        serializer = self._text_serializer
        if serializer is None or not _serializable_text(value, result):
            return result
        return {**result, "content": [{"type": "text", "text": serializer(value)}]}

    def _convert(self, value: Any) -> dict[str, Any]:
        """A return value → ``CallToolResult`` (plain dicts and lists, for the native serializer).

        As FastMCP 4 does it: the value is serialized to JSON for the return annotation (non-finite floats
        refused), and the text content is made from that (so a ``True`` returned under ``-> int`` reads ``1``)."""
        if _mrtr.is_input_required(value):
            return _mrtr.to_wire(value)
        if isinstance(value, ToolResult):
            return value.to_mcp_result()
        if type(value).__module__.startswith("prefab_ui"):
            from ..apps._prefab import is_prefab_value

            if is_prefab_value(value):
                return _prefab_result(self, value)
        if type(value).__name__ == "CallToolResult" and hasattr(value, "model_dump"):
            return _plain_result(value)
        if isinstance(value, bytes):
            return {"content": _to_content(value), "isError": False}
        is_content = _is_content(value)
        if self.output_schema is None and is_content:
            return {"content": _to_content(value), "isError": False}
        try:
            structured = self._structured(value)
        except (pydantic_core.PydanticSerializationError, UnicodeDecodeError) as exc:
            if self.output_schema is None:
                return {"content": _to_content(value), "isError": False}
            from ..exceptions import ToolError

            raise ToolError(
                f"Could not serialize the return value of tool {self.name!r} for its output schema: {exc}. "
                "If this is unexpected, set the tool's output_schema to None to disable automatic serialization."
            ) from exc
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
        """The value as its annotation's JSON says it (parsed back); raises ``ToolError`` for NaN/Infinity,
        which JSON cannot carry, and the serializer's own errors for what it cannot write."""
        adapter = self._result_adapter
        if adapter is not None and not isinstance(adapter, pydantic.TypeAdapter):
            # SDK v1's ordinary classes with type hints: their own adapter says what they dump to.
            return adapter.dump_python(value, mode="json", warnings=False)
        payload = _result_serializer(adapter).to_json(value, warnings=False)
        data = json.loads(payload)
        if b"NaN" in payload or b"Infinity" in payload:
            _reject_nonfinite(data, "$")
        return data


_ANY_SERIALIZER: list[pydantic_core.SchemaSerializer] = []
_SERIALIZERS: dict[int, tuple[Any, pydantic_core.SchemaSerializer]] = {}


def _serializable_text(value: Any, result: dict[str, Any]) -> bool:
    """Whether ``tool_serializer`` writes this result's text: not for text, bytes, content, ready results or
    errors."""
    return not (
        value is None
        or isinstance(value, (str, bytes, ToolResult))
        or _is_content(value)
        or _mrtr.is_input_required(value)
        or type(value).__name__ == "CallToolResult"
        or result.get("isError")
    )


def _result_serializer(adapter: Any) -> pydantic_core.SchemaSerializer:
    """The annotation's serializer writing JSON with NaN/Infinity kept as tokens (so they can be refused
    rather than silently written as ``null``), as FastMCP 4 serializes results; one per adapter."""
    if not isinstance(adapter, pydantic.TypeAdapter):
        if not _ANY_SERIALIZER:
            _ANY_SERIALIZER.append(_constants_serializer(pydantic.TypeAdapter(Any)))
        return _ANY_SERIALIZER[0]
    cached = _SERIALIZERS.get(id(adapter))
    if cached is None or cached[0] is not adapter:
        cached = _SERIALIZERS[id(adapter)] = (adapter, _constants_serializer(adapter))
    return cached[1]


def _constants_serializer(adapter: pydantic.TypeAdapter[Any]) -> pydantic_core.SchemaSerializer:
    return pydantic_core.SchemaSerializer(adapter.core_schema, config={"ser_json_inf_nan": "constants"})


def _reject_nonfinite(value: Any, path: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        from ..exceptions import ToolError

        raise ToolError(
            f"Tool result contains a non-finite float ({value!r}) at {path}; JSON cannot represent NaN or Infinity"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nonfinite(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _reject_nonfinite(item, f"{path}[{index}]")


class InputRequiredToolResult(ToolResult):
    """A tool call's leg that asks the client for input (SEP-2322): ``input_required`` is the
    ``InputRequiredResult`` (ours or the SDK's) the client answers; it is sent as that, never as content. A
    tool (or middleware) may return it as it returns any ``ToolResult``."""

    __slots__ = ("input_required",)

    def __init__(self, input_required: Any) -> None:
        super().__init__(content=[])
        self.input_required = input_required

    def __repr__(self) -> str:
        return f"InputRequiredToolResult({self.input_required!r})"

    def to_mcp_result(self) -> dict[str, Any]:
        return _mrtr.to_wire(self)
