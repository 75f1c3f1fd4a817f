"""``fastmcp.skills.skill``: agent skills as objects (FastMCP 4.2's authoring class).

A ``Skill`` is an immutable snapshot of a skill's files: made from its parts (``Skill(name=, description=,
instructions=, files=, frontmatter=)``, its ``SKILL.md`` written from them), from a mapping of relative paths to
text or bytes (``Skill.from_files``), or read once from a folder (``Skill.from_directory``, the folder named as
the skill). Its ``SKILL.md`` frontmatter is checked against the Agent Skills specification as a folder's is
(``fastmcp_rs.skills.provider``). ``SkillCatalogProvider`` serves them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .models import MCPSkill, SkillFrontmatter

__all__ = ["Skill", "SkillFile", "SkillManifest"]

MAX_SKILL_FILES = 512
MAX_SKILL_BYTES = 16 * 1024 * 1024


class SkillFile(BaseModel):
    """One file of a skill: its digest and size (not its bytes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    size: int = Field(ge=0)


class SkillManifest(BaseModel):
    """A skill's frontmatter and files (every file, ``SKILL.md`` included, by relative path)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    frontmatter: SkillFrontmatter
    files: dict[str, SkillFile]

    def to_mcp_skill(self, path: str | None = None) -> MCPSkill:
        """The skills extension's entry for the skill served at ``skill://{path}/``."""
        prefix = f"skill://{quote(path or str(self.frontmatter.root['name']), safe='/')}/"
        return MCPSkill(
            uri=f"{prefix}SKILL.md",
            frontmatter=self.frontmatter.model_copy(deep=True),
            resources=[
                {"uri": prefix + quote(p, safe="/"), "digest": f.digest, "size": f.size}  # type: ignore[misc]
                for p, f in self.files.items()
            ],
        )


def _relative(path: Any) -> str:
    if not isinstance(path, str) or not path:
        raise ValueError("Skill file paths must be non-empty strings")
    if path.startswith("/") or PureWindowsPath(path).drive or "\\" in path or "\x00" in path:
        raise ValueError(f"Skill file path must be relative POSIX: {path!r}")
    if any(part in {"", ".", ".."} for part in path.split("/")):
        raise ValueError(f"Skill file path contains an invalid segment: {path!r}")
    return path


def _check_files(sizes: Mapping[str, int]) -> None:
    for path in sizes:
        _relative(path)
    if "SKILL.md" not in sizes:
        raise ValueError("A skill must contain SKILL.md")
    if len(sizes) > MAX_SKILL_FILES:
        raise ValueError(f"A skill may contain at most {MAX_SKILL_FILES} files")
    if sum(sizes.values()) > MAX_SKILL_BYTES:
        raise ValueError(f"A skill may contain at most {MAX_SKILL_BYTES} bytes")
    for path in sizes:
        parts = path.split("/")
        for index in range(1, len(parts)):
            if "/".join(parts[:index]) in sizes:
                raise ValueError(f"Skill file is also used as a directory: {path!r}")


class Skill:
    """An immutable agent skill (see the module docstring)."""

    __slots__ = ("_files", "_manifest")
    _files: Mapping[str, bytes]
    _manifest: SkillManifest

    def __init__(
        self,
        *,
        name: str,
        description: str,
        instructions: str,
        files: Mapping[str, str | bytes] | None = None,
        frontmatter: Mapping[str, JsonValue] | None = None,
    ) -> None:
        import yaml

        extra = dict(frontmatter or {})
        for key in ("name", "description"):
            if key in extra:
                raise ValueError(f"Pass {key!r} as a Skill argument, not frontmatter")
        header = yaml.safe_dump(
            {"name": name, "description": description, **extra}, sort_keys=False, allow_unicode=True
        )
        contents: dict[str, str | bytes] = {"SKILL.md": f"---\n{header}---\n{instructions}"}
        for path, content in (files or {}).items():
            if path == "SKILL.md":
                raise ValueError("Pass SKILL.md content as `instructions`")
            contents[path] = content
        self._take(contents)

    def _take(self, files: Mapping[str, str | bytes]) -> None:
        from .provider import _frontmatter

        data = {p: c.encode("utf-8") if isinstance(c, str) else bytes(c) for p, c in files.items()}
        _check_files({p: len(c) for p, c in data.items()})
        data = dict(sorted(data.items()))
        manifest = SkillManifest(
            frontmatter=SkillFrontmatter(_frontmatter(data["SKILL.md"].decode("utf-8-sig"))),
            files={
                p: SkillFile(digest="sha256:" + hashlib.sha256(c).hexdigest(), size=len(c)) for p, c in data.items()
            },
        )
        object.__setattr__(self, "_files", MappingProxyType(data))
        object.__setattr__(self, "_manifest", manifest)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Skill is immutable")

    @classmethod
    def from_files(cls, files: Mapping[str, str | bytes]) -> Skill:
        """A skill from relative paths mapped to text or bytes (``SKILL.md`` with valid frontmatter among them)."""
        skill = object.__new__(cls)
        skill._take(files)
        return skill

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str]) -> Skill:
        """A folder read once (symlinks and special files refused; the folder named as its skill)."""
        from .provider import _folder_files

        root = Path(path).absolute()
        files = _folder_files(root)
        skill = cls.from_files(files)
        if skill.name != root.name:
            raise ValueError(f"Skill folder {root.name!r} must match its SKILL.md name {skill.name!r}")
        return skill

    @property
    def name(self) -> str:
        return str(self._manifest.frontmatter.root["name"])

    @property
    def description(self) -> str:
        return str(self._manifest.frontmatter.root["description"])

    @property
    def frontmatter(self) -> SkillFrontmatter:
        return self._manifest.frontmatter.model_copy(deep=True)

    @property
    def manifest(self) -> SkillManifest:
        return self._manifest

    @property
    def files(self) -> Mapping[str, bytes]:
        """Every file's bytes, by relative path (``SKILL.md`` included)."""
        return self._files

    def to_mcp_skill(self, path: str | None = None) -> MCPSkill:
        return self._manifest.to_mcp_skill(path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Skill) and dict(self._files) == dict(other._files)

    def __hash__(self) -> int:
        return hash(tuple(f.digest for f in self._manifest.files.values()))

    def __repr__(self) -> str:
        return f"Skill(name={self.name!r}, files={len(self._files)})"
