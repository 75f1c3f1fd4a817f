"""Skills as objects (FastMCP 4.2's ``Skill`` and ``SkillCatalogProvider``), for tests/test_skills.py: one made
from its parts under a path of its own, one read from ``$SKILLS_ROOT/code-review``, and a catalog whose
``load_skills()`` reads ``$SKILLS_LIVE`` whenever it is asked (so skills added there appear), and a
``SkillManifestProvider`` that knows a skill by its manifest and reads each file from a blob store only when a
client reads it (the ``reads`` tool tells which it read). ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself."""

import os
from pathlib import Path

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.skills import Skill
    from fastmcp.skills.provider import SkillCatalogProvider, SkillManifestProvider
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.skills import Skill
    from fastmcp_rs.skills.provider import SkillCatalogProvider, SkillManifestProvider

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


review = Skill(
    name="review",
    description="Review a change before it merges.",
    instructions="# Review\n\nRead the diff first.\n",
    files={"rubric.md": "- correctness\n- tests\n", "badge.bin": b"\x00\xffbadge"},
)
BLOBS = {review.manifest.files[path].digest: data for path, data in review.files.items()}
READS: list[str] = []


class StoredSkills(SkillManifestProvider):
    async def load_manifests(self):
        return {"stored/review": review.manifest}

    async def read_file(self, resource):
        READS.append(f"{resource.skill_path}:{resource.file_path}")
        return BLOBS[resource.file.digest]


mcp = FastMCP(
    "skill catalog",
    providers=[SkillCatalogProvider({"team/triage": made, "code-review": read}), LiveSkills(), StoredSkills()],
)


@mcp.tool
def reads() -> list[str]:
    return READS


if __name__ == "__main__":
    mcp.run(show_banner=False)
