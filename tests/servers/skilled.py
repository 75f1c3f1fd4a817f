"""Agent Skills under ``$SKILLS_ROOT`` served as resources (tests/test_skills.py). ``MW_IMPL=fastmcp`` serves
it with FastMCP 4 itself."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.skills.provider import SkillsDirectoryProvider
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.skills.provider import SkillsDirectoryProvider

mcp = FastMCP("skills", providers=[SkillsDirectoryProvider(os.environ["SKILLS_ROOT"])])

if __name__ == "__main__":
    mcp.run(show_banner=False)
