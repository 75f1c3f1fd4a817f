"""FastMCP 3 / 4.1's skills providers (``fastmcp.server.providers.skills``, deprecated in 4.2), served under
FastMCP 4.2.3 (``MW_IMPL=fastmcp``) and fastmcp-rs for tests/test_skills.py. ``SKILLS_KIND``: ``directory``
(``SkillsDirectoryProvider($SKILLS_ROOT)``), ``single`` (``SkillProvider($SKILLS_ROOT/code-review)``) or
``claude`` (``ClaudeSkillsProvider()``, under ``$HOME``); ``SKILLS_FILES``: ``template`` or ``resources``."""

import os
import warnings

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.providers.skills import ClaudeSkillsProvider, SkillProvider, SkillsDirectoryProvider
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.providers.skills import ClaudeSkillsProvider, SkillProvider, SkillsDirectoryProvider

files = os.environ.get("SKILLS_FILES", "template")
kind = os.environ.get("SKILLS_KIND", "directory")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    if kind == "single":
        provider = SkillProvider(os.path.join(os.environ["SKILLS_ROOT"], "code-review"), supporting_files=files)
    elif kind == "claude":
        provider = ClaudeSkillsProvider(supporting_files=files)
    else:
        provider = SkillsDirectoryProvider(os.environ["SKILLS_ROOT"], supporting_files=files)
for warning in caught:
    print(f"warning {warning.category.__name__}: {warning.message}", file=__import__("sys").stderr, flush=True)

mcp = FastMCP("legacy skills", providers=[provider])

if __name__ == "__main__":
    mcp.run(show_banner=False)
