"""``fastmcp.skills``: Agent Skills served as ``skill://`` resources (``fastmcp_rs.skills.provider``) and
through the skills extension of the 2026-07-28 era (``fastmcp_rs.skills.extension``, its wire models in
``fastmcp_rs.skills.models``); skills as objects (``Skill``, ``SkillFile``, ``SkillManifest``:
``fastmcp_rs.skills.skill``); the client's side, ``SkillsClientExtension`` (``fastmcp_rs.skills.client``, which
needs the ``mcp`` client)."""

from typing import Any

from .models import GetSkillResult, ListSkillsResult, MCPSkill, SkillFrontmatter, SkillResource
from .provider import SkillsDirectoryProvider
from .skill import Skill, SkillFile, SkillManifest

__all__ = [
    "GetSkillResult",
    "ListSkillsResult",
    "MCPSkill",
    "Skill",
    "SkillFile",
    "SkillFrontmatter",
    "SkillManifest",
    "SkillResource",
    "SkillsClientExtension",
    "SkillsDirectoryProvider",
]


def __getattr__(name: str) -> Any:
    if name == "SkillsClientExtension":
        from .client import SkillsClientExtension

        return SkillsClientExtension
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
