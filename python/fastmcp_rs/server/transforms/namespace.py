"""``fastmcp.server.transforms.namespace``: ``Namespace(prefix)`` serves every component of a server (or of a
provider) under a prefix, as a mount with ``namespace=`` does: tools and prompts as ``{prefix}_{name}``,
resources and templates as ``scheme://{prefix}/...``. Several apply in the order they were added."""

from __future__ import annotations

import re

from . import _Builtin

__all__ = ["Namespace"]

_URI = re.compile(r"^([^:]+://)(.*?)$", re.S)


class Namespace(_Builtin):
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._name_prefix = f"{prefix}_"

    def __repr__(self) -> str:
        return f"Namespace({self._prefix!r})"

    def _transform_name(self, name: str) -> str:
        return f"{self._name_prefix}{name}"

    def _reverse_name(self, name: str) -> str | None:
        return name[len(self._name_prefix) :] if name.startswith(self._name_prefix) else None

    def _transform_uri(self, uri: str) -> str:
        found = _URI.match(uri)
        return f"{found.group(1)}{self._prefix}/{found.group(2)}" if found else uri

    def _reverse_uri(self, uri: str) -> str | None:
        found = _URI.match(uri)
        if not found:
            return uri
        head = f"{self._prefix}/"
        return f"{found.group(1)}{found.group(2)[len(head) :]}" if found.group(2).startswith(head) else None
