"""Skills as objects (FastMCP 4.2's ``Skill`` and ``SkillCatalogProvider``), for tests/test_skills.py: one made
from its parts under a path of its own, one read from ``$SKILLS_ROOT/code-review``, and a catalog whose
``load_skills()`` reads ``$SKILLS_LIVE`` whenever it is asked (so skills added there appear). ``MW_IMPL=fastmcp``
serves it with FastMCP 4 itself."""

import os
from pathlib import Path

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.skills import Skill
    from fastmcp.skills.provider import SkillCatalogProvider
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.skills import Skill
    from fastmcp_rs.skills.provider import SkillCatalogProvider

made = Skill(
    name="triage",
    description="Triage incoming issues by severity.",
    instructions="# Triage\n\nLabel first, then assign.\n",
    files={"labels.json": '{"p0": "outage"}', "flow/steps.md": "1. read\n2. label\n", "icon.png": b"\x89PNG\x00\x01"},
    frontmatter={"version": "1.2", "tags": ["ops"]},
)
read = Skill.from_directory(Path(os.environ["SKILLS_ROOT"]) / "code-review")


class LiveSkills(SkillCatalogProvider):
    async def load_skills(self):
        live = Path(os.environ["SKILLS_LIVE"])
        return [Skill.from_directory(p) for p in sorted(live.iterdir()) if (p / "SKILL.md").is_file()]


mcp = FastMCP(
    "skill catalog", providers=[SkillCatalogProvider({"team/triage": made, "code-review": read}), LiveSkills()]
)

if __name__ == "__main__":
    mcp.run(show_banner=False)
