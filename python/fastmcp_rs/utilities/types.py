"""Binary content helpers: return these from a tool to send image, audio or file content blocks."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable
from pathlib import Path
from types import EllipsisType
from typing import Any, TypeAlias

import pydantic

__all__ = ["Audio", "FastMCPBaseModel", "File", "Image", "NotSet", "NotSetT", "get_fn_name", "issubclass_safe"]

#: "Not given" for options where ``None`` means something (``output_schema=None`` turns the schema off).
NotSet = ...
NotSetT: TypeAlias = EllipsisType


class FastMCPBaseModel(pydantic.BaseModel):
    """Base model with FastMCP's configuration (extra fields refused)."""

    model_config = pydantic.ConfigDict(extra="forbid")


def get_fn_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def issubclass_safe(cls: Any, base: type) -> bool:
    """``issubclass`` that answers False for things that are not classes."""
    try:
        return isinstance(cls, type) and issubclass(cls, base)
    except TypeError:
        return False


class _BinaryContent:
    _kind = "application"
    _default_mime = "application/octet-stream"

    def __init__(
        self,
        path: str | Path | None = None,
        data: bytes | None = None,
        format: str | None = None,
        annotations: Any | None = None,
    ) -> None:
        if (path is None) == (data is None):
            raise ValueError("Exactly one of path or data must be provided")
        self.path = Path(path) if path is not None else None
        self.data = data
        self._format = format
        self.annotations = annotations

    def _mime_type(self) -> str:
        if self._format:
            return f"{self._kind}/{self._format.lower()}"
        if self.path is not None:
            guessed, _ = mimetypes.guess_type(self.path.name)
            if guessed:
                return guessed
        return self._default_mime

    def _read(self) -> bytes:
        if self.path is not None:
            return self.path.read_bytes()
        assert self.data is not None
        return self.data

    def _b64(self) -> str:
        return base64.b64encode(self._read()).decode()

    def _block(self, kind: str, mime_type: str | None) -> dict[str, Any]:
        block: dict[str, Any] = {"type": kind, "data": self._b64(), "mimeType": mime_type or self._mime_type()}
        if self.annotations is not None:
            block["annotations"] = _plain(self.annotations)
        return block


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", by_alias=True, exclude_none=True) if dump else value


class Image(_BinaryContent):
    """An image from a path or bytes; becomes an ``image`` content block."""

    _kind = "image"
    _default_mime = "image/png"

    def to_image_content(self, mime_type: str | None = None) -> dict[str, Any]:
        return self._block("image", mime_type)


class Audio(_BinaryContent):
    """Audio from a path or bytes; becomes an ``audio`` content block."""

    _kind = "audio"
    _default_mime = "audio/wav"

    def to_audio_content(self, mime_type: str | None = None) -> dict[str, Any]:
        return self._block("audio", mime_type)


class File(_BinaryContent):
    """A file from a path or bytes; becomes an embedded ``resource`` content block."""

    def __init__(
        self,
        path: str | Path | None = None,
        data: bytes | None = None,
        format: str | None = None,
        name: str | None = None,
        annotations: Any | None = None,
    ) -> None:
        super().__init__(path=path, data=data, format=format, annotations=annotations)
        self.name = name or (self.path.stem if self.path is not None else "file")

    def to_resource_content(self, mime_type: str | None = None) -> dict[str, Any]:
        mime = mime_type or self._mime_type()
        suffix = self.path.suffix if self.path is not None else (f".{self._format}" if self._format else "")
        resource: dict[str, Any] = {"uri": f"file:///{self.name}{suffix}", "mimeType": mime}
        raw = self._read()
        if mime.startswith("text/"):
            resource["text"] = raw.decode()
        else:
            resource["blob"] = base64.b64encode(raw).decode()
        block: dict[str, Any] = {"type": "resource", "resource": resource}
        if self.annotations is not None:
            block["annotations"] = _plain(self.annotations)
        return block
