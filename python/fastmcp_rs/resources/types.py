"""Ready-made resources: ``TextResource``, ``BinaryResource``, ``FileResource``, ``HttpResource`` and
``DirectoryResource``. Their reads are plain (blocking) calls, which the core runs on its worker threads."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ResourceError
from .base import Resource, ResourceContent, ResourceResult, _default_mime

if TYPE_CHECKING:
    from .._core import RequestHandle

__all__ = ["BinaryResource", "DirectoryResource", "FileResource", "HttpResource", "TextResource"]


@dataclasses.dataclass(kw_only=True, eq=False)
class _ContentResource(Resource):
    """A resource whose contents come from ``_contents()``; a subclass that overrides ``read`` is read that
    way instead."""

    def _contents(self) -> str | bytes:
        raise NotImplementedError

    def _result(self) -> ResourceResult:
        return ResourceResult([ResourceContent(self._contents(), mime_type=self.mime_type, meta=self.meta)])

    async def read(self) -> ResourceResult:
        return self._result()

    @property
    def _serves_async(self) -> bool:
        return type(self).read is not _ContentResource.read

    def _serve(self, arguments: dict[str, Any], handle: RequestHandle) -> Any:
        if self._serves_async:
            return super()._serve(arguments, handle)
        return self._result()._to_wire(handle.tool_name)


@dataclasses.dataclass(kw_only=True, eq=False)
class TextResource(_ContentResource):
    """A resource that reads from a string."""

    text: str

    def __post_init__(self) -> None:
        super().__post_init__()
        self.mime_type = self.mime_type or _default_mime(self.uri)

    def _contents(self) -> str:
        return self.text


@dataclasses.dataclass(kw_only=True, eq=False)
class BinaryResource(_ContentResource):
    """A resource that reads from bytes."""

    data: bytes

    def __post_init__(self) -> None:
        super().__post_init__()
        self.mime_type = self.mime_type or "text/plain"

    def _contents(self) -> bytes:
        return self.data


def _absolute(path: Any) -> Path:
    path = Path(path)
    if not path.is_absolute():
        raise ValueError("Path must be absolute")
    return path


@dataclasses.dataclass(kw_only=True, eq=False)
class FileResource(_ContentResource):
    """A resource that reads a file: as text (``encoding``), or as bytes with ``is_binary=True`` (the default
    when ``mime_type`` is not ``text/*``)."""

    path: Path
    is_binary: bool | None = None
    encoding: str | None = "utf-8"

    def __post_init__(self) -> None:
        self.path = _absolute(self.path)
        super().__post_init__()
        self.mime_type = self.mime_type or "text/plain"
        if self.is_binary is None:
            self.is_binary = not self.mime_type.startswith("text/")

    def _contents(self) -> str | bytes:
        try:
            return self.path.read_bytes() if self.is_binary else self.path.read_text(encoding=self.encoding)
        except Exception as exc:
            raise ResourceError(f"Error reading file {self.path}") from exc


@dataclasses.dataclass(kw_only=True, eq=False)
class HttpResource(_ContentResource):
    """A resource that reads the body of an HTTP GET (text)."""

    url: str

    def __post_init__(self) -> None:
        super().__post_init__()
        self.mime_type = self.mime_type or "application/json"

    def _contents(self) -> str:
        import urllib.request

        with urllib.request.urlopen(self.url, timeout=30) as response:
            charset = response.headers.get_content_charset() or "utf-8"
            return response.read().decode(charset, errors="replace")


@dataclasses.dataclass(kw_only=True, eq=False)
class DirectoryResource(_ContentResource):
    """A resource that lists the files in a directory (``recursive``, filtered by a glob ``pattern``) as
    ``{"files": [relative paths]}``."""

    path: Path
    recursive: bool = False
    pattern: str | None = None

    def __post_init__(self) -> None:
        self.path = _absolute(self.path)
        super().__post_init__()
        self.mime_type = self.mime_type or "application/json"

    def list_files(self) -> list[Path]:
        if not self.path.exists():
            raise FileNotFoundError(f"Directory not found: {self.path}")
        if not self.path.is_dir():
            raise NotADirectoryError(f"Not a directory: {self.path}")
        found = self.path.rglob(self.pattern or "*") if self.recursive else self.path.glob(self.pattern or "*")
        return [p for p in found if p.is_file()]

    def _contents(self) -> str:
        try:
            files = [str(f.relative_to(self.path)) for f in self.list_files()]
        except Exception as exc:
            raise ResourceError(f"Error reading directory {self.path}") from exc
        return json.dumps({"files": files}, indent=2)
