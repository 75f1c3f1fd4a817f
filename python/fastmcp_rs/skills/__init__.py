"""``fastmcp.skills``: Agent Skills served as ``skill://`` resources (``fastmcp_rs.skills.provider``). The
skills extension's own models and client (``Skill``, ``SkillsClientExtension``, ...) import, and raise
``NotImplementedError`` when used."""

from .._unsupported import stub
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

_FEATURE = "the skills extension"
GetSkillResult = stub("GetSkillResult", _FEATURE, __name__)
ListSkillsResult = stub("ListSkillsResult", _FEATURE, __name__)
MCPSkill = stub("MCPSkill", _FEATURE, __name__)
Skill = stub("Skill", _FEATURE, __name__)
SkillFile = stub("SkillFile", _FEATURE, __name__)
SkillFrontmatter = stub("SkillFrontmatter", _FEATURE, __name__)
SkillManifest = stub("SkillManifest", _FEATURE, __name__)
SkillResource = stub("SkillResource", _FEATURE, __name__)
SkillsClientExtension = stub("SkillsClientExtension", _FEATURE, __name__)
