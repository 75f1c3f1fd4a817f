"""Agent Skills under ``$SKILLS_ROOT`` served as resources and through the skills extension
(tests/test_skills.py). ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself. ``SKILLS_MORE`` adds a second
root under the namespace ``more``, ``SKILLS_PAGE`` sets ``list_page_size``, ``SKILLS_HIDE`` disables one
resource by URI."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.skills.provider import SkillsDirectoryProvider
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.skills.provider import SkillsDirectoryProvider

page = int(os.environ["SKILLS_PAGE"]) if os.environ.get("SKILLS_PAGE") else None
mcp = FastMCP("skills", providers=[SkillsDirectoryProvider(os.environ["SKILLS_ROOT"])], list_page_size=page)
if more := os.environ.get("SKILLS_MORE"):
    mcp.add_provider(SkillsDirectoryProvider(more), namespace="more")
if hidden := os.environ.get("SKILLS_HIDE"):
    mcp.disable(names={hidden})

if __name__ == "__main__":
    mcp.run(show_banner=False)
