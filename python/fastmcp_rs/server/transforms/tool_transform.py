"""``fastmcp.server.transforms.tool_transform``: ``ToolTransform({name: ToolTransformConfig(...)})`` changes
the server's tools as it lists and serves them: each named tool is replaced, in its place in the listing, by
the tool ``ToolTransformConfig.apply`` makes of it (renamed, re-described, arguments changed; see
``fastmcp.tools.tool_transform``); a renamed tool's old name is unknown; ``enabled=False`` hides it."""

from __future__ import annotations

from typing import Any

from fastmcp_rs.tools.tool_transform import ToolTransformConfig

from . import _Builtin

__all__ = ["ToolTransform"]


class ToolTransform(_Builtin):
    def __init__(self, transforms: dict[str, ToolTransformConfig | dict[str, Any]]) -> None:
        self.transforms = {
            name: config if isinstance(config, ToolTransformConfig) else ToolTransformConfig(**config)
            for name, config in transforms.items()
        }
        targets: dict[str, str] = {}
        for name, config in self.transforms.items():
            target = config.name or name
            if target in targets:
                raise ValueError(
                    f"ToolTransform has duplicate target name {target!r}: both {targets[target]!r} and {name!r} "
                    "map to it"
                )
            targets[target] = name

    def __repr__(self) -> str:
        return f"ToolTransform({sorted(self.transforms)!r})"
