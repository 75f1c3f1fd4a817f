"""``fastmcp.apps.file_upload``: ``FileUpload``, a provider that lets the user drop files onto the server.

The model opens ``file_manager`` (a drop zone); the UI sends the dropped files to the backend tool
``store_files`` (base64, never through the model's context), and the model reads them with ``list_files``
and ``read_file``. What clients see is FastMCP 4's::

    mcp = FastMCP("My Server", providers=[FileUpload()])

Files are kept in memory, per client: the MCP session in the handshake era; on the 2026-07-28 era, which has
no sessions, the authenticated user, or the one client of a stdio server (an unauthenticated modern HTTP
request is refused: nothing identifies its client). ``max_total_size`` bounds the decoded bytes kept across
all clients and ``file_ttl_seconds`` how long a file is kept; expired files go at the next storage
operation. For storage of your own, override ``on_store``, ``on_list`` and ``on_read`` (each gets the
request's ``Context``) or ``_get_scope_key``.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from datetime import UTC, datetime
from typing import Any

from ..exceptions import ToolError
from .app import FastMCPApp

__all__ = ["FileUpload"]

try:
    from prefab_ui.app import PrefabApp
except ImportError as _exc:  # as FastMCP 4 says it
    raise ImportError("FileUpload requires prefab-ui. Install with: pip install 'fastmcp[apps]'") from _exc

from ..context import Context

#: Files read back as text whatever their MIME type says.
_TEXT_SUFFIXES = (".csv", ".json", ".txt", ".md", ".py", ".yaml", ".yml", ".toml")
_NO_CLIENT = (
    "File uploads are scoped to a client, and this unauthenticated request carries no client identity: MCP "
    "2026-07-28 HTTP connections have no session. Add authentication to the server, or override "
    "FileUpload._get_scope_key."
)


def _decoded_size(data: str) -> int:
    """How many bytes base64 text decodes to (counted, not decoded)."""
    if not data:
        return 0
    return len(data) * 3 // 4 - data[-2:].count("=")


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry["name"],
        "type": entry["type"],
        "size": entry["size"],
        "size_display": _size_text(entry["size"]),
        "uploaded_at": entry["uploaded_at"],
    }


class FileUpload(FastMCPApp):
    """Adds ``file_manager`` (the drop zone), ``store_files`` (for the UI), and ``list_files`` and
    ``read_file`` (for the model and the UI)."""

    def __init__(
        self,
        name: str = "Files",
        *,
        max_file_size: int = 10 * 1024 * 1024,
        max_total_size: int | None = None,
        file_ttl_seconds: float | None = None,
        title: str = "File Upload",
        description: str = (
            "Drop files to upload them to the server. The model can then read and analyze them without using the "
            "context window."
        ),
        drop_label: str = "Drop files here",
    ) -> None:
        if max_total_size is not None and max_total_size < 0:
            raise ValueError("max_total_size must be nonnegative")
        if file_ttl_seconds is not None and (not math.isfinite(file_ttl_seconds) or file_ttl_seconds <= 0):
            raise ValueError("file_ttl_seconds must be positive and finite")
        super().__init__(name)
        self._max_file_size = max_file_size
        self._max_total_size = max_total_size
        self._file_ttl_seconds = file_ttl_seconds
        self._title = title
        self._description = description
        self._drop_label = drop_label
        #: scope -> file name -> entry (``data`` is the base64 text as uploaded).
        self._store: dict[str, dict[str, dict[str, Any]]] = {}
        self._store_lock = threading.RLock()
        self._add_tools()

    def __repr__(self) -> str:
        return f"FileUpload({self.name!r})"

    # -- storage (override for your own) ----------------------------------------------------------------

    def _get_scope_key(self, ctx: Context) -> str:
        """Whose files a request sees: its session in the handshake era; on the 2026-07-28 era its
        authenticated user, or the process on stdio (one client); an unauthenticated modern HTTP request
        raises ``ToolError``."""
        handle = getattr(ctx, "_handle", None)
        if handle is None:
            return "__default__"
        if not handle.is_modern:
            return ctx.session_id or "__default__"
        token = handle.access_token
        if token:
            who = token.get("sub") or token.get("client_id")
            if who:
                return f"user:{who}"
        if ctx.transport in ("sse", "streamable-http"):
            raise ToolError(_NO_CLIENT)
        return "process"

    def _prune_expired(self, now: float) -> None:
        if self._file_ttl_seconds is None:
            return
        for scope in list(self._store):
            files = self._store[scope]
            for name in [n for n, e in files.items() if e["_expires_at"] <= now]:
                del files[name]
            if not files:
                del self._store[scope]

    def on_store(self, files: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
        """Keeps ``files`` (each with ``name``, ``size``, ``type`` and base64 ``data``) for the request's
        client; returns the summaries of all its files. A batch that would take the decoded bytes kept past
        ``max_total_size`` (replacements counted) is refused whole."""
        scope = self._get_scope_key(ctx)
        with self._store_lock:
            now = time.monotonic()
            self._prune_expired(now)
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            incoming: dict[str, dict[str, Any]] = {}
            for f in files:
                entry = {"name": f["name"], "size": f["size"], "type": f["type"], "data": f["data"]}
                entry["uploaded_at"] = stamp
                if self._file_ttl_seconds is not None:
                    entry["_expires_at"] = now + self._file_ttl_seconds
                incoming[f["name"]] = entry
            kept = self._store.get(scope, {})
            if self._max_total_size is not None:
                total = sum(_decoded_size(e["data"]) for s in self._store.values() for e in s.values())
                for name, entry in incoming.items():
                    total += _decoded_size(entry["data"])
                    if name in kept:
                        total -= _decoded_size(kept[name]["data"])
                if total > self._max_total_size:
                    raise ValueError(
                        f"Files exceed total storage size ({_size_text(total)} > {_size_text(self._max_total_size)})"
                    )
            kept = self._store.setdefault(scope, {})
            kept.update(incoming)
            return [_summary(e) for e in kept.values()]

    def on_list(self, ctx: Context) -> list[dict[str, Any]]:
        """The summaries of the request's client's files."""
        scope = self._get_scope_key(ctx)
        with self._store_lock:
            self._prune_expired(time.monotonic())
            return [_summary(e) for e in self._store.get(scope, {}).values()]

    def on_read(self, name: str, ctx: Context) -> dict[str, Any]:
        """One file: its metadata and its ``content`` (text files) or a ``content_base64`` preview (the first
        200 characters). Raises ``ValueError`` naming the files there are when there is no such file."""
        scope = self._get_scope_key(ctx)
        with self._store_lock:
            self._prune_expired(time.monotonic())
            files = self._store.get(scope, {})
            if name not in files:
                raise ValueError(f"File {name!r} not found. Available: {list(files)}")
            entry = files[name]
        out = {k: entry[k] for k in ("name", "size", "type", "uploaded_at")}
        if entry["type"].startswith("text/") or entry["name"].endswith(_TEXT_SUFFIXES):
            try:
                out["content"] = base64.b64decode(entry["data"]).decode("utf-8")
                return out
            except UnicodeDecodeError:
                pass
        out["content_base64"] = entry["data"][:200] + "..."
        return out

    # -- the tools --------------------------------------------------------------------------------------

    def _add_tools(self) -> None:
        upload = self

        def store_files(files: list[dict], ctx: Context) -> list[dict]:
            """Store uploaded files. Receives file objects with name, size, type, data (base64)."""
            for f in files:
                # The size that counts is the data's, not the one the client reports.
                size = _decoded_size(f.get("data", ""))
                if size > upload._max_file_size:
                    raise ValueError(
                        f"File {f.get('name', '?')!r} exceeds max size "
                        f"({_size_text(size)} > {_size_text(upload._max_file_size)})"
                    )
            return upload.on_store(files, ctx)

        def list_files(ctx: Context) -> list[dict]:
            """List all uploaded files with metadata."""
            return upload.on_list(ctx)

        def read_file(name: str, ctx: Context) -> dict:
            """Read an uploaded file's contents by name."""
            return upload.on_read(name, ctx)

        def file_manager(ctx: Context) -> PrefabApp:
            """Upload and manage files. Drop files here to send them to the server."""
            return upload._manager(ctx)

        self.tool()(store_files)
        self.tool(model=True)(list_files)
        self.tool(model=True)(read_file)
        self.ui()(file_manager)

    def _manager(self, ctx: Context) -> PrefabApp:
        from prefab_ui.actions import SetState, ShowToast
        from prefab_ui.actions.mcp import CallTool
        from prefab_ui.components import (
            H3,
            Badge,
            Button,
            Card,
            CardContent,
            CardFooter,
            CardHeader,
            Column,
            DropZone,
            Muted,
            Row,
            Separator,
            Small,
            Text,
        )
        from prefab_ui.components.control_flow import Else, ForEach, If
        from prefab_ui.rx import ERROR, RESULT, STATE, Rx

        stored = STATE.stored.length()
        upload_call = CallTool(
            "store_files",
            arguments={"files": Rx("pending")},
            on_success=[
                SetState("stored", RESULT),
                SetState("pending", []),
                ShowToast("Files uploaded!", variant="success"),
            ],
            on_error=ShowToast(ERROR, variant="error"),
        )
        with Card(css_class="max-w-2xl mx-auto") as view:
            with CardHeader(), Row(gap=2, align="center"):
                H3(self._title)
                with If(stored):
                    Badge(stored, variant="secondary")
            with CardContent(), Column(gap=4):
                Muted(self._description)
                DropZone(
                    name="pending",
                    icon="inbox",
                    label=self._drop_label,
                    description=f"Any file type, up to {_size_text(self._max_file_size)}",
                    multiple=True,
                    max_size=self._max_file_size,
                )
                with If(STATE.pending.length()), Column(gap=2):
                    with ForEach("pending"), Row(gap=2, align="center"), Column(gap=0):
                        Small(Rx("$item.name"))
                        Muted(Rx("$item.type"))
                    Button("Upload to Server", on_click=upload_call)
                with If(stored):
                    Separator()
                    Text("Uploaded", css_class="font-medium text-sm")
                    with ForEach("stored") as f, Row(gap=2, align="center", css_class="justify-between"):
                        with Column(gap=0):
                            Small(f.name)
                            Muted(f.uploaded_at)
                        with Row(gap=2):
                            Badge(f.type, variant="secondary")
                            Badge(f.size_display, variant="outline")
            with CardFooter(), Row(align="center", css_class="w-full"):
                with If(stored):
                    Muted(f"{stored} {stored.pluralize('file')} on server")
                with Else():
                    Muted("No files uploaded yet")
        return PrefabApp(view=view, state={"pending": [], "stored": self.on_list(ctx)})
