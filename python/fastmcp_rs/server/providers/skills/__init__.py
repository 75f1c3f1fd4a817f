"""``fastmcp.server.providers.skills``: the skills providers of FastMCP 3 and 4.1, which FastMCP 4.2 deprecated
and still serves. They are served here as FastMCP 4.2.3 serves them, with its deprecation warning.

- ``SkillProvider(skill_path, main_file_name="SKILL.md", supporting_files="template")``: one skill folder as
  ``skill://{name}/SKILL.md`` (``text/markdown``, described by its frontmatter's ``description``, else its
  first line) and ``skill://{name}/_manifest`` (its files' paths, sizes and SHA-256 digests, as JSON), both
  listed with ``_meta.fastmcp.skill``. The other files are read through the template
  ``skill://{name}/{path*}`` (``supporting_files="template"``, read as they are on disk when read) or are
  listed one by one (``"resources"``).
- ``SkillsDirectoryProvider(roots, reload=False, main_file_name="SKILL.md", supporting_files="template")``: a
  ``SkillProvider`` for each folder of each root that has the main file, the first root winning a name, in the
  order the file system gives them; with ``reload=True`` the roots are scanned again at each listing.
- ``ClaudeSkillsProvider`` and the other vendors' (``Cursor``, ``VSCode``, ``Codex``, ``Gemini``, ``Goose``,
  ``Copilot``, ``OpenCode``): the same over that tool's skills folder in the home directory.

The replacement, ``fastmcp_rs.skills.provider.SkillsDirectoryProvider``, checks each folder against the Agent
Skills specification and serves the skills extension too; the deprecation warning says whether the folders
found already pass.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import mimetypes
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from ....exceptions import FastMCPDeprecationWarning
from ....resources.base import Resource
from ....resources.template import ResourceTemplate
from ..base import Provider

__all__ = [
    "ClaudeSkillsProvider",
    "CodexSkillsProvider",
    "CopilotSkillsProvider",
    "CursorSkillsProvider",
    "GeminiSkillsProvider",
    "GooseSkillsProvider",
    "OpenCodeSkillsProvider",
    "SkillProvider",
    "SkillsDirectoryProvider",
    "VSCodeSkillsProvider",
]

_log = logging.getLogger("fastmcp.server.providers.skills")
_SPEC = "https://agentskills.io/specification"
mimetypes.add_type("text/markdown", ".md")

SupportingFiles = Literal["template", "resources"]


def _within(base: Path, relative: str) -> Path:
    """``relative`` under ``base`` (resolved), refused when it leads out of it."""
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        raise ValueError(f"Invalid path: Path {path} escapes base {base}")
    return path


def _frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML frontmatter (every scalar a string, as written) and the rest of a skill's main file."""
    import re

    import yaml

    text = text.removeprefix("\ufeff")
    if not text.startswith("---"):
        return {}, text
    end = re.search(r"\n---\s*\n", text[3:])
    if end is None:
        return {}, text
    block, rest = text[3 : 3 + end.start()], text[3 + end.end() :]
    try:
        parsed = yaml.load(block, Loader=yaml.BaseLoader)  # every scalar a string; BaseLoader builds no objects
    except (yaml.YAMLError, RecursionError):
        return {}, rest
    return (parsed if isinstance(parsed, dict) else {}), rest


def _description(frontmatter: dict[str, Any], body: str, name: str) -> str:
    description = frontmatter.get("description", "")
    if not isinstance(description, str):
        description = ""
    if not description:
        for line in body.strip().split("\n"):
            line = line.strip()
            if line.startswith("#"):
                description = line.lstrip("#").strip()[:200]
                break
            if line:
                description = line[:200]
                break
    return description or f"Skill: {name}"


def _files(folder: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        real = path.resolve()
        if not real.is_relative_to(folder):
            continue
        data = real.read_bytes()
        found.append(
            {
                "path": path.relative_to(folder).as_posix(),
                "size": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            }
        )
    return found


def _read_file(path: Path) -> str | bytes:
    mime, _ = mimetypes.guess_type(str(path))
    data = path.read_bytes()
    return data.decode("utf-8") if mime and mime.startswith("text/") else data


@dataclasses.dataclass
class _Skill:
    name: str
    description: str
    path: Path
    main_file: str
    files: list[dict[str, Any]]
    frontmatter: dict[str, Any]

    @property
    def prefix(self) -> str:
        return f"skill://{quote(self.name, safe='')}/"


@dataclasses.dataclass(kw_only=True, eq=False)
class _SkillMainResource(Resource):
    """A skill's main file or its ``_manifest``."""

    skill: Any = dataclasses.field(default=None, repr=False)
    is_manifest: bool = False

    def to_mcp_resource(self) -> dict[str, Any]:
        entry = super().to_mcp_resource()
        entry["_meta"]["fastmcp"]["skill"] = {"name": self.skill.name, "is_manifest": self.is_manifest}
        return entry

    async def read(self) -> str:
        if self.is_manifest:
            return json.dumps({"skill": self.skill.name, "files": self.skill.files}, indent=2)
        return _within(self.skill.path, self.skill.main_file).read_bytes().decode("utf-8")


@dataclasses.dataclass(kw_only=True, eq=False)
class _SkillFileResource(Resource):
    """A supporting file of a skill, listed (``supporting_files="resources"``)."""

    skill: Any = dataclasses.field(default=None, repr=False)
    file_path: str = ""

    def to_mcp_resource(self) -> dict[str, Any]:
        entry = super().to_mcp_resource()
        entry["_meta"]["fastmcp"]["skill"] = {"name": self.skill.name}
        return entry

    async def read(self) -> str | bytes:
        path = _within(self.skill.path, self.file_path)
        if not path.exists():
            raise FileNotFoundError(f"File not found: {self.file_path}")
        return _read_file(path)


@dataclasses.dataclass(kw_only=True, eq=False)
class _SkillFileTemplate(ResourceTemplate):
    """A skill's supporting files, read by path (``supporting_files="template"``)."""

    skill: Any = dataclasses.field(default=None, repr=False)

    async def read(self, arguments: dict[str, Any]) -> str | bytes:
        relative = arguments.get("path", "")
        path = _within(self.skill.path, relative)
        if not path.exists():
            raise FileNotFoundError(f"File not found: {relative}")
        if not path.is_file():
            raise ValueError(f"Not a file: {relative}")
        return _read_file(path)


def _readiness(invalid: list[str], main_file_name: str) -> str:
    rename = f"Rename each `{main_file_name}` to `SKILL.md` first. " if main_file_name != "SKILL.md" else ""
    intro = (
        "The replacement serves skills through the MCP skills extension as well as `skill://` resources, and it "
        f"stops the server at startup if a folder is not a valid Agent Skill ({_SPEC}). {rename}"
    )
    if main_file_name != "SKILL.md":
        return intro + "The folders can only be checked once they use `SKILL.md`."
    if not invalid:
        return intro + "Every skill folder found already passes."
    return intro + "Fix these folders first:\n" + "\n".join(invalid)


def _invalid_folders(folders: list[Path]) -> list[str]:
    """What the replacement would say of each folder that is not a valid Agent Skill."""
    from ....skills.provider import SkillsDirectoryProvider as Replacement
    from ....skills.provider import _read_skill

    invalid = []
    for folder in folders:
        try:
            _read_skill(folder, folder.name)
        except (OSError, ValueError, UnicodeDecodeError, KeyError) as exc:
            invalid.append(Replacement._invalid(folder, exc))
    return invalid


def _deprecation_warnings_on() -> bool:
    from .... import settings

    return bool(getattr(settings, "deprecation_warnings", True))


class SkillProvider(Provider):
    """One skill folder's files as resources (deprecated in FastMCP 4.2; see the module docstring)."""

    def __init__(
        self,
        skill_path: str | os.PathLike[str],
        main_file_name: str = "SKILL.md",
        supporting_files: SupportingFiles = "template",
        *,
        _from_directory_provider: bool = False,
    ) -> None:
        super().__init__()
        self._skill_path = Path(skill_path).resolve()
        self._main_file_name = main_file_name
        self._supporting_files = supporting_files
        if not _from_directory_provider and _deprecation_warnings_on():
            warnings.warn(
                "`SkillProvider` is deprecated and will be removed in FastMCP 4.3. Replace it with `from "
                "fastmcp.skills import Skill`, `from fastmcp.skills.provider import SkillCatalogProvider` and "
                f"`SkillCatalogProvider([Skill.from_directory({str(self._skill_path)!r})])`. "
                + _readiness(_invalid_folders([self._skill_path]), main_file_name),
                FastMCPDeprecationWarning,
                stacklevel=2,
            )
        self._skill = self._load()

    def _load(self) -> _Skill:
        if not self._skill_path.exists():
            raise FileNotFoundError(f"Skill directory not found: {self._skill_path}")
        main = _within(self._skill_path, self._main_file_name)
        if not main.exists():
            raise FileNotFoundError(
                f"Main skill file not found: {main}. Expected {self._main_file_name} in {self._skill_path}"
            )
        frontmatter, body = _frontmatter(main.read_text(encoding="utf-8"))
        name = self._skill_path.name
        return _Skill(
            name=name,
            description=_description(frontmatter, body, name),
            path=self._skill_path,
            main_file=self._main_file_name,
            files=_files(self._skill_path),
            frontmatter=frontmatter,
        )

    @property
    def skill_info(self) -> _Skill:
        return self._skill

    def __repr__(self) -> str:
        return f"SkillProvider(skill_path={self._skill_path!r}, supporting_files={self._supporting_files!r})"

    async def _list_resources(self) -> Sequence[Resource]:
        skill = self._skill
        listed: list[Resource] = [
            _SkillMainResource(
                uri=f"{skill.prefix}{quote(self._main_file_name, safe='/')}",
                name=f"{skill.name}/{self._main_file_name}",
                description=skill.description,
                mime_type="text/markdown",
                skill=skill,
            ),
            _SkillMainResource(
                uri=f"{skill.prefix}_manifest",
                name=f"{skill.name}/_manifest",
                description=f"File listing for {skill.name}",
                mime_type="application/json",
                skill=skill,
                is_manifest=True,
            ),
        ]
        if self._supporting_files == "resources":
            for file in skill.files:
                if file["path"] == self._main_file_name:
                    continue
                mime, _ = mimetypes.guess_type(file["path"])
                listed.append(
                    _SkillFileResource(
                        uri=f"{skill.prefix}{quote(file['path'], safe='/')}",
                        name=f"{skill.name}/{file['path']}",
                        description=f"File from {skill.name} skill",
                        mime_type=mime or "application/octet-stream",
                        skill=skill,
                        file_path=file["path"],
                    )
                )
        return listed

    async def _list_resource_templates(self) -> Sequence[ResourceTemplate]:
        if self._supporting_files != "template":
            return []
        skill = self._skill
        return [
            _SkillFileTemplate(
                uri_template=f"{skill.prefix}{{path*}}",
                name=f"{skill.name}_files",
                description=f"Access files within {skill.name}",
                mime_type="application/octet-stream",
                parameters={"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
                skill=skill,
            )
        ]


class SkillsDirectoryProvider(Provider):
    """A ``SkillProvider`` for each skill folder under ``roots`` (deprecated in FastMCP 4.2; see the module
    docstring)."""

    def __init__(
        self,
        roots: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        reload: bool = False,
        main_file_name: str = "SKILL.md",
        supporting_files: SupportingFiles = "template",
    ) -> None:
        super().__init__()
        if isinstance(roots, (str, os.PathLike)):
            roots = [roots]
        self._roots = [Path(r).resolve() for r in roots]
        self._reload = reload
        self._main_file_name = main_file_name
        self._supporting_files = supporting_files
        self.providers: list[SkillProvider] = []
        if _deprecation_warnings_on():
            old = f"`{type(self).__name__}`"
            if not type(self).__module__.startswith("fastmcp_rs."):
                old += " (a subclass of `fastmcp.server.providers.skills.SkillsDirectoryProvider`)"
            paths = [str(root) for root in self._roots]
            folders = [f for root in self._roots if root.is_dir() for f in sorted(root.iterdir()) if f.is_dir()]
            candidates = [f for f in folders if (f / "SKILL.md").is_file()]
            warnings.warn(
                f"{old} is deprecated and will be removed in FastMCP 4.3. Replace it with `from "
                "fastmcp.skills.provider import SkillsDirectoryProvider` and "
                f"`SkillsDirectoryProvider({paths!r}{', reload=True' if reload else ''})`. "
                + _readiness(_invalid_folders(candidates), main_file_name),
                FastMCPDeprecationWarning,
                stacklevel=2 + type(self).__mro__.index(SkillsDirectoryProvider),
            )
        self._discover()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(roots={self._roots!r}, reload={self._reload!r})"

    def _discover(self) -> None:
        found: list[SkillProvider] = []
        names: set[str] = set()
        for root in self._roots:
            if not root.exists():
                continue
            for entry in root.iterdir():
                try:
                    folder = entry.resolve(strict=True)
                except (OSError, RuntimeError):
                    _log.warning("Skipping skill directory that cannot be used: %s", entry.name)
                    continue
                if not folder.is_dir() or not (folder / self._main_file_name).exists() or folder.name in names:
                    continue
                try:
                    found.append(
                        SkillProvider(
                            folder,
                            main_file_name=self._main_file_name,
                            supporting_files=self._supporting_files,
                            _from_directory_provider=True,
                        )
                    )
                    names.add(folder.name)
                except (OSError, ValueError, UnicodeDecodeError):
                    _log.exception("Failed to load skill: %s", folder.name)
        self.providers = found

    async def _list_resources(self) -> Sequence[Resource]:
        if self._reload:
            self._discover()
        return [r for p in self.providers for r in await p._list_resources()]

    async def _list_resource_templates(self) -> Sequence[ResourceTemplate]:
        return [t for p in self.providers for t in await p._list_resource_templates()]


def _vendor(class_name: str, *folders: str, doc: str) -> type[SkillsDirectoryProvider]:
    """A provider over fixed folders (relative ones are under the home directory)."""

    def __init__(
        self: SkillsDirectoryProvider,
        reload: bool = False,
        supporting_files: SupportingFiles = "template",
    ) -> None:
        roots = [Path(f) if os.path.isabs(f) else Path.home() / f for f in folders]
        SkillsDirectoryProvider.__init__(
            self, roots=roots, reload=reload, main_file_name="SKILL.md", supporting_files=supporting_files
        )

    return type(class_name, (SkillsDirectoryProvider,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


ClaudeSkillsProvider = _vendor("ClaudeSkillsProvider", ".claude/skills", doc="Skills in ``~/.claude/skills``.")
CursorSkillsProvider = _vendor("CursorSkillsProvider", ".cursor/skills", doc="Skills in ``~/.cursor/skills``.")
VSCodeSkillsProvider = _vendor("VSCodeSkillsProvider", ".copilot/skills", doc="Skills in ``~/.copilot/skills``.")
CodexSkillsProvider = _vendor(
    "CodexSkillsProvider",
    "/etc/codex/skills",
    ".codex/skills",
    doc="Skills in ``/etc/codex/skills`` (first) and ``~/.codex/skills``.",
)
GeminiSkillsProvider = _vendor("GeminiSkillsProvider", ".gemini/skills", doc="Skills in ``~/.gemini/skills``.")
GooseSkillsProvider = _vendor(
    "GooseSkillsProvider", ".config/agents/skills", doc="Skills in ``~/.config/agents/skills``."
)
CopilotSkillsProvider = _vendor("CopilotSkillsProvider", ".copilot/skills", doc="Skills in ``~/.copilot/skills``.")
OpenCodeSkillsProvider = _vendor(
    "OpenCodeSkillsProvider", ".config/opencode/skills", doc="Skills in ``~/.config/opencode/skills``."
)
