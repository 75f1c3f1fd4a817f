"""Agent Skills (issue 13): ``SkillsDirectoryProvider`` over a folder of skills (nested skill paths, a
supporting text file in a subfolder, a binary file, a hidden folder and a folder that is not a skill), under
FastMCP 4.2.3 and fastmcp-rs, driven by the official client over stdio: the listing, every read (text, blob,
manifest) and an unknown file must be the same; a folder that is not a valid skill stops both servers at
start with the same message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "skilled.py"
IMPLS = ("fastmcp", "fastmcp_rs")


def skill(folder: Path, name: str, description: str, body: str = "Do the thing.\n") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = f'---\nname: {name}\ndescription: {description}\nversion: "2.1"\ntags: [a, b]\n---\n\n# {name}\n\n{body}'
    (folder / "SKILL.md").write_text(text)


def tree(root: Path) -> Path:
    skill(root / "code-review", "code-review", "Review code for quality")
    (root / "code-review" / "notes").mkdir()
    (root / "code-review" / "notes" / "checklist.txt").write_text("1. tests\n2. names\n")
    (root / "code-review" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01")
    (root / "code-review" / "data.json").write_text('{"k": 1}')
    skill(root / "ops" / "deploy", "deploy", "Deploy the service, blue/green")
    skill(root / ".hidden" / "secret", "secret", "Never listed")
    (root / "misc").mkdir()
    (root / "misc" / "readme.txt").write_text("not a skill")
    return root


async def walk(impl: str, root: Path) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "SKILLS_ROOT": str(root)}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = (await session.list_resources()).resources
        seen["resources"] = [r.model_dump(mode="json", exclude_none=True) for r in listed]
        seen["templates"] = (await session.list_resource_templates()).resource_templates
        for r in listed:
            seen[f"read {r.uri}"] = [
                c.model_dump(mode="json", exclude_none=True) for c in (await session.read_resource(r.uri)).contents
            ]
        for uri in ("skill://code-review/nope.md", "skill://nope/SKILL.md"):
            try:
                await session.read_resource(uri)
                seen[uri] = "read"
            except MCPError as e:
                seen[uri] = (e.error.code, e.error.message)
    return seen


@pytest.mark.anyio
async def test_skills_are_served_as_fastmcp_serves_them(tmp_path: Path) -> None:
    root = tree(tmp_path / "skills")
    seen = {impl: await walk(impl, root) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    names = [r["name"] for r in ours["resources"]]
    assert names[:5] == [
        "code-review/SKILL.md",
        "code-review/data.json",
        "code-review/logo.png",
        "code-review/notes/checklist.txt",
        "code-review/_manifest",
    ]
    assert "ops/deploy/SKILL.md" in names and not any("secret" in n for n in names)
    assert "blob" in ours["read skill://code-review/logo.png"][0]


def test_an_invalid_skill_folder_stops_the_server_as_in_fastmcp(tmp_path: Path) -> None:
    root = tree(tmp_path / "skills")
    (root / "Bad_Skill").mkdir()
    (root / "Bad_Skill" / "SKILL.md").write_text("# no frontmatter\n")
    skill(root / "misnamed", "other-name", "Folder and name differ")
    skill(root / "colon", "colon", "Not YAML: a colon")
    skill(root / "loud", "LOUD", "Upper-case name")
    errors = {}
    for impl in IMPLS:
        env = {**os.environ, "MW_IMPL": impl, "SKILLS_ROOT": str(root)}
        proc = subprocess.run(
            [sys.executable, str(SERVER)], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        errors[impl] = [line for line in lines if line.startswith("- ") or "not valid Agent Skills" in line]
    assert errors["fastmcp_rs"] == errors["fastmcp"]
    assert len(errors["fastmcp_rs"]) == 5  # the count, and one line for each of the four invalid folders
    assert any("Bad_Skill" in line and "Fix: rename the folder to 'bad-skill'" in line for line in errors["fastmcp_rs"])
