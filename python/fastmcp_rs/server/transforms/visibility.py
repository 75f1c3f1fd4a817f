"""``fastmcp.server.transforms.visibility``: ``Visibility(enabled, names=, keys=, tags=, components=,
match_all=)`` shows or hides the components that match every criterion given, as ``server.enable()`` /
``server.disable()`` do (later rules win; a rule with no criteria matches nothing, ``match_all=True``
everything). The per-session ``enable_components`` / ``disable_components`` / ``reset_visibility`` are not
supported yet: they import, and raise ``NotImplementedError`` when used."""

from __future__ import annotations

import warnings
from typing import Any

from fastmcp_rs._unsupported import stub

__all__ = ["Visibility", "disable_components", "enable_components", "is_enabled", "reset_visibility"]

_FEATURE = "visibility transforms"


class Visibility:
    def __init__(
        self,
        enabled: bool,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[str] | None = None,
        match_all: bool = False,
    ) -> None:
        if version is not None:
            raise NotImplementedError("Visibility(version=...): version criteria are not supported by fastmcp-rs yet")
        missing = sorted(k for k in keys or () if "@" not in k)
        if missing:
            warnings.warn(
                f"Component keys are missing the '@' version delimiter and will match nothing: {missing}. A key "
                "always ends in '@' for an unversioned component (e.g. 'tool:my_tool@') or '@<version>' for a "
                "versioned one. Read the value from `component.key`, or filter by `names` instead.",
                UserWarning,
                stacklevel=2,
            )
        self.enabled = enabled
        self.names, self.keys, self.tags = names, keys, tags
        self.components, self.match_all = components, match_all

    def __repr__(self) -> str:
        return f"Visibility({self.enabled!r})"


disable_components = stub("disable_components", _FEATURE, __name__)
enable_components = stub("enable_components", _FEATURE, __name__)
is_enabled = stub("is_enabled", _FEATURE, __name__)
reset_visibility = stub("reset_visibility", _FEATURE, __name__)
