"""``fastmcp.server.providers.skills``: skills providers is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ClaudeSkillsProvider", "SkillProvider", "SkillsDirectoryProvider"]

_FEATURE = "skills providers"

ClaudeSkillsProvider = stub("ClaudeSkillsProvider", _FEATURE, __name__)
SkillProvider = stub("SkillProvider", _FEATURE, __name__)
SkillsDirectoryProvider = stub("SkillsDirectoryProvider", _FEATURE, __name__)
