"""``fastmcp.skills``: Agent Skills served as ``skill://`` resources (``fastmcp_rs.skills.provider``) and
through the skills extension of the 2026-07-28 era (``fastmcp_rs.skills.extension``, its wire models in
``fastmcp_rs.skills.models``). Skill objects and the client side (``Skill``, ``SkillFile``, ``SkillManifest``,
``SkillsClientExtension``) import, and raise ``NotImplementedError`` when used."""

from .._unsupported import stub
from .models import GetSkillResult, ListSkillsResult, MCPSkill, SkillFrontmatter, SkillResource
from .provider import SkillsDirectoryProvider

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

_FEATURE = "skill objects and the skills client (Skill, SkillCatalogProvider, SkillsClientExtension)"
Skill = stub("Skill", _FEATURE, __name__)
SkillFile = stub("SkillFile", _FEATURE, __name__)
SkillManifest = stub("SkillManifest", _FEATURE, __name__)
SkillsClientExtension = stub("SkillsClientExtension", _FEATURE, __name__)
