"""``fastmcp.skills``: Agent Skills served as ``skill://`` resources (``fastmcp_rs.skills.provider``) and
through the skills extension of the 2026-07-28 era (``fastmcp_rs.skills.extension``, its wire models in
``fastmcp_rs.skills.models``); skills as objects (``Skill``, ``SkillFile``, ``SkillManifest``:
``fastmcp_rs.skills.skill``). The client side (``SkillsClientExtension``) imports, and raises
``NotImplementedError`` when used."""

from .._unsupported import stub
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

_FEATURE = "the skills client (SkillsClientExtension)"
SkillsClientExtension = stub("SkillsClientExtension", _FEATURE, __name__)
