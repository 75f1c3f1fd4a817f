"""``fastmcp.skills.provider``: ``SkillsDirectoryProvider(roots, reload=False)`` serves the Agent Skills
(https://agentskills.io/specification) found under ``roots`` as ``skill://`` resources, as FastMCP 4 does.

A skill is a folder that holds a ``SKILL.md`` starting with YAML frontmatter (``name``, a lowercase slug that
is also the folder's name, and ``description``); folders are found recursively, in sorted order, hidden ones
skipped, and a skill's own subfolders are part of it. Each file of a skill is a resource
(``skill://{path}/{file}``, its MIME type guessed from its name, ``SKILL.md`` described by the frontmatter),
in path order, followed by ``skill://{path}/_manifest``: the files' paths, sizes and SHA-256 digests as JSON.
Text files are read as text, others as blobs. A folder that is not a valid skill stops the server at start,
with a message saying how to fix it. With ``reload=True`` the roots are scanned again whenever a client
lists resources (the last valid scan is kept if one fails); otherwise the files are read once.

A server given one serves the skills extension of the 2026-07-28 era too (``skills/list``, ``skills/get``;
``fastmcp_rs.skills.extension``), registered automatically as FastMCP 4 registers it. ``SkillCatalogProvider``
serves ``Skill`` objects (``fastmcp_rs.skills.skill``) the same way, and ``SkillManifestProvider`` skills
known by their manifests, whose files are read only when a client reads them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import mimetypes
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..resources.base import Resource
from ..server.providers.base import Provider

__all__ = [
    "SkillCatalogProvider",
    "SkillFileResource",
    "SkillManifestProvider",
    "SkillManifestResource",
    "SkillsDirectoryProvider",
]

_log = logging.getLogger("fastmcp.skills.provider")

MAX_SKILL_FILES = 512
MAX_SKILL_BYTES = 16 * 1024 * 1024
_FRONTMATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---(?:\r?\n|\Z)", re.S)
_NAME = re.compile(r"^(?!-)(?!.*--)[a-z0-9-]+(?<!-)$")
_SPEC = "https://agentskills.io/specification"


def _mime(name: str) -> str:
    if name.lower().endswith(".md"):
        return "text/markdown"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _uri(path: str, file: str) -> str:
    from urllib.parse import quote

    return f"skill://{quote(path, safe='/')}/{quote(file, safe='/')}"


@dataclasses.dataclass(kw_only=True, eq=False)
class SkillFileResource(Resource):
    """One file of a skill: its bytes as they were when the skills were scanned (``data``), or, served by a
    ``SkillManifestProvider``, read from it (``provider.read_file(resource)``) each time a client reads it."""

    data: bytes = b""
    provider: Any = dataclasses.field(default=None, repr=False)
    skill_path: str = ""
    file_path: str = ""
    file: Any = None

    async def read(self) -> Any:
        data = self.data if self.provider is None else await self.provider.read_file(self)
        if (self.mime_type or "").startswith("text/"):
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return data


@dataclasses.dataclass(kw_only=True, eq=False)
class SkillManifestResource(Resource):
    """A skill's ``_manifest``: its files' paths, sizes and digests."""

    manifest: dict[str, Any] = dataclasses.field(default_factory=dict)

    async def read(self) -> str:
        return json.dumps(self.manifest, indent=2)


class _Invalid(ValueError):
    pass


def _frontmatter(text: str) -> dict[str, Any]:
    import yaml

    found = _FRONTMATTER.match(text)
    if found is None:
        raise _Invalid("SKILL.md must begin with YAML frontmatter")

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Any, node: Any) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise _Invalid("frontmatter mapping keys must be strings")
            if key in seen:
                raise _Invalid(f"duplicate frontmatter key: {key}")
            seen[key] = loader.construct_object(value_node, deep=True)
        return seen

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        data = yaml.load(found.group(1), Loader=Loader)
    except _Invalid:
        raise
    except yaml.YAMLError as exc:
        raise _Invalid(f"frontmatter is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise _Invalid("frontmatter must be a mapping")
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        raise _Invalid("frontmatter must contain only finite JSON values") from None
    name, description = data.get("name"), data.get("description")
    if not isinstance(name, str) or len(name) > 64 or not _NAME.fullmatch(name):
        raise _Invalid(
            "name must be 1-64 lowercase letters, digits, or hyphens; it cannot start or end with a hyphen or "
            "contain consecutive hyphens"
        )
    if not isinstance(description, str) or not description.strip() or len(description) > 1024:
        raise _Invalid("description must contain 1-1024 characters")
    if "license" in data and not isinstance(data["license"], str):
        raise _Invalid("license must be a string")
    tools = data.get("allowed-tools")
    if "allowed-tools" in data and not (
        isinstance(tools, str) or (isinstance(tools, list) and all(isinstance(t, str) for t in tools))
    ):
        raise _Invalid("allowed-tools must be a string or a list of strings")
    compatibility = data.get("compatibility")
    if "compatibility" in data and not isinstance(compatibility, str):
        raise _Invalid("compatibility must be a string")
    if isinstance(compatibility, str) and not 1 <= len(compatibility) <= 500:
        raise _Invalid("compatibility must contain 1-500 characters")
    if "metadata" in data and not isinstance(data["metadata"], dict):
        raise _Invalid("metadata must be a mapping")
    return data


def _slug(folder: str) -> str:
    slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", folder.lower()))
    return slug.strip("-")[:64] or "my-skill"


@dataclasses.dataclass
class _Skill:
    path: str
    name: str
    description: str
    files: dict[str, bytes]
    frontmatter: dict[str, Any] = dataclasses.field(default_factory=dict)


def _read_skill(folder: Path, path: str) -> _Skill:
    files = _folder_files(folder)
    frontmatter = _frontmatter(files["SKILL.md"].decode("utf-8-sig"))
    if frontmatter["name"] != folder.name:
        raise _Invalid(f"Skill folder {folder.name!r} must match its SKILL.md name {frontmatter['name']!r}")
    return _Skill(path, frontmatter["name"], frontmatter["description"], dict(sorted(files.items())), frontmatter)


def _folder_files(folder: Path) -> dict[str, bytes]:
    """A skill folder's files by relative path, read once (symlinks, special files and too much refused)."""
    files: dict[str, bytes] = {}
    total = 0
    for entry in sorted(folder.rglob("*")):
        rel = entry.relative_to(folder).as_posix()
        if entry.is_symlink():
            raise _Invalid(f"skill contains a symlink: {rel}")
        if entry.is_dir():
            continue
        if not entry.is_file():
            raise _Invalid(f"skill contains a non-regular file: {rel}")
        data = entry.read_bytes()
        total += len(data)
        files[rel] = data
        if len(files) > MAX_SKILL_FILES:
            raise _Invalid(f"A skill may contain at most {MAX_SKILL_FILES} files")
        if total > MAX_SKILL_BYTES:
            raise _Invalid(f"A skill may contain at most {MAX_SKILL_BYTES} bytes")
    if "SKILL.md" not in files:
        raise _Invalid("A skill must contain SKILL.md")
    return files


def _folders(root: Path) -> list[tuple[Path, str]]:
    """The skill folders under ``root``, in sorted order (hidden entries skipped; a skill's subfolders are
    its own)."""
    found: list[tuple[Path, str]] = []

    def walk(directory: Path) -> None:
        try:
            entries = sorted(directory.iterdir())
        except OSError as exc:
            _log.warning("Skipping unreadable skills folder %s: %s", directory, exc)
            return
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            if (entry / "SKILL.md").is_file():
                target = entry.resolve() if entry.is_symlink() else entry
                found.append((target, entry.relative_to(root).as_posix()))
            elif not entry.is_symlink():
                walk(entry)

    if root.is_dir():
        walk(root)
    return found


def _catalog(skills: Any) -> dict[str, Any]:
    """Skills by the path each is served at (checked: paths relative, each ending with its skill's name)."""
    from collections.abc import Mapping

    from .skill import Skill, _relative

    if isinstance(skills, Mapping):
        catalog = {_relative(path): skill for path, skill in skills.items()}
    else:
        catalog = {}
        for skill in skills:
            if not isinstance(skill, Skill):
                raise TypeError(f"Expected a Skill, got {type(skill).__name__}")
            if skill.name in catalog:
                raise ValueError(f"Duplicate skill name: {skill.name!r}")
            catalog[skill.name] = skill
    for path, skill in catalog.items():
        if not isinstance(skill, Skill):
            raise TypeError(f"Expected a Skill at {path!r}, got {type(skill).__name__}")
        if path.rsplit("/", 1)[-1] != skill.name:
            raise ValueError(f"Skill path {path!r} must end with the skill's name {skill.name!r}")
    paths = sorted(catalog)
    for a in paths:
        for b in paths:
            if a != b and b.startswith(f"{a}/"):
                raise ValueError(f"Skill path {b!r} is inside skill path {a!r}")
    return catalog


def _from_catalog(catalog: dict[str, Any]) -> list[_Skill]:
    return [
        _Skill(path, skill.name, skill.description, dict(skill.files), dict(skill.manifest.frontmatter.root))
        for path, skill in catalog.items()
    ]


class SkillManifestProvider(Provider):
    """Skills served from their manifests (``SkillManifest``: frontmatter, and each file's digest and size),
    each file read only when a client reads it: for skills kept in object storage or a database. Subclass it
    and override ``load_manifests()`` (the skills by the path each is served under; asked again whenever a
    client lists resources or skills) and ``read_file(resource)`` (a file's bytes; ``resource.skill_path``,
    ``resource.file_path`` and ``resource.file`` say which). Served as ``SkillCatalogProvider`` serves
    skills: ``skill://`` resources and the skills extension."""

    def __init__(self) -> None:
        super().__init__()
        self._manifests: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def required_extensions(self) -> Sequence[Any]:
        """The skills extension, registered on the server this provider is given to."""
        from .extension import SkillsExtension

        return (SkillsExtension(),)

    async def load_manifests(self) -> Any:
        """The skills to serve: a mapping of the path each is served under to its ``SkillManifest``."""
        raise NotImplementedError

    async def read_file(self, resource: SkillFileResource) -> bytes:
        """The content of the skill file a client reads."""
        raise NotImplementedError

    async def _refresh_skills(self) -> None:
        from .skill import SkillManifest, _relative

        loaded = {_relative(path): manifest for path, manifest in (await self.load_manifests()).items()}
        for path, manifest in loaded.items():
            if not isinstance(manifest, SkillManifest):
                raise TypeError(f"Expected a SkillManifest at {path!r}, got {type(manifest).__name__}")
        _check_paths({path: str(m.frontmatter.root["name"]) for path, m in loaded.items()})
        self._manifests = loaded

    def _skill_entries(self) -> list[dict[str, Any]]:
        return [
            manifest.to_mcp_skill(path).model_dump(mode="json", by_alias=True, exclude_none=True)
            for path, manifest in self._manifests.items()
        ]

    async def _list_resources(self) -> Sequence[Resource]:
        await self._refresh_skills()
        resources: list[Resource] = []
        for path, manifest in self._manifests.items():
            frontmatter = manifest.frontmatter.root
            for file_path, file in manifest.files.items():
                resources.append(
                    SkillFileResource(
                        uri=_uri(path, file_path),
                        name=f"{path}/{file_path}",
                        description=frontmatter.get("description") if file_path == "SKILL.md" else None,
                        mime_type=_mime(file_path),
                        provider=self,
                        skill_path=path,
                        file_path=file_path,
                        file=file,
                    )
                )
            listing = {
                "skill": frontmatter["name"],
                "files": [{"path": p, "size": f.size, "hash": f.digest} for p, f in manifest.files.items()],
            }
            resources.append(
                SkillManifestResource(
                    uri=_uri(path, "_manifest"),
                    name=f"{path}/_manifest",
                    description=f"File listing for {frontmatter['name']}",
                    mime_type="application/json",
                    manifest=listing,
                )
            )
        return resources


def _check_paths(names: dict[str, str]) -> None:
    """Each skill path ends with its skill's name, and none is inside another."""
    for path, name in names.items():
        if path.rsplit("/", 1)[-1] != name:
            raise ValueError(f"Skill path {path!r} must end with the skill's name {name!r}")
    for path in names:
        parts = path.split("/")
        for index in range(1, len(parts)):
            if "/".join(parts[:index]) in names:
                raise ValueError(f"Skill path {path!r} is nested inside another skill")


class SkillCatalogProvider(SkillManifestProvider):
    """``Skill`` objects (``fastmcp_rs.skills.skill``) served as ``skill://`` resources and through the skills
    extension, each under ``skill://{path}/`` (``path``: its name, or the key of a mapping given, whose last
    segment must be that name). Override ``load_skills()`` to serve skills that change: it is asked again
    whenever a client lists resources."""

    def __init__(self, skills: Any = None) -> None:
        super().__init__()
        self._static = _catalog(skills or ())
        self._skills = _from_catalog(self._static)

    async def load_manifests(self) -> Any:
        return {path: skill.manifest for path, skill in _catalog(await self.load_skills()).items()}

    async def read_file(self, resource: SkillFileResource) -> bytes:
        return resource.data

    async def _refresh_skills(self) -> None:
        if type(self).load_skills is not SkillCatalogProvider.load_skills:
            self._skills = _from_catalog(_catalog(await self.load_skills()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._static)!r})"

    async def load_skills(self) -> Any:
        """The skills to serve (a sequence of ``Skill``, or a mapping of paths to them)."""
        return self._static

    def _skill_entries(self) -> list[dict[str, Any]]:
        """Each skill as the skills extension describes it (``MCPSkill``'s wire form): its ``SKILL.md`` URI,
        its frontmatter, and its files' URIs, digests and sizes."""
        return [
            {
                "uri": _uri(skill.path, "SKILL.md"),
                "frontmatter": skill.frontmatter,
                "resources": [
                    {"uri": _uri(skill.path, f), "digest": "sha256:" + hashlib.sha256(d).hexdigest(), "size": len(d)}
                    for f, d in skill.files.items()
                ],
            }
            for skill in self._skills
        ]

    async def _list_resources(self) -> Sequence[Resource]:
        await self._refresh_skills()
        return self._resources()

    def _resources(self) -> list[Resource]:
        resources: list[Resource] = []
        for skill in self._skills:
            for file, data in skill.files.items():
                resources.append(
                    SkillFileResource(
                        uri=_uri(skill.path, file),
                        name=f"{skill.path}/{file}",
                        description=skill.description if file == "SKILL.md" else None,
                        mime_type=_mime(file),
                        data=data,
                    )
                )
            manifest = {
                "skill": skill.name,
                "files": [
                    {"path": f, "size": len(d), "hash": "sha256:" + hashlib.sha256(d).hexdigest()}
                    for f, d in skill.files.items()
                ],
            }
            resources.append(
                SkillManifestResource(
                    uri=_uri(skill.path, "_manifest"),
                    name=f"{skill.path}/_manifest",
                    description=f"File listing for {skill.name}",
                    mime_type="application/json",
                    manifest=manifest,
                )
            )
        return resources


class SkillsDirectoryProvider(SkillCatalogProvider):
    """The skills under one or more folders (see the module docstring); the first root wins a path."""

    def __init__(
        self, roots: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *, reload: bool = False
    ) -> None:
        Provider.__init__(self)
        self._static = {}
        if isinstance(roots, (str, os.PathLike)):
            roots = [roots]
        self.roots = [Path(r).expanduser().absolute() for r in roots]
        self.reload = reload
        self._skills = self._scan()

    def __repr__(self) -> str:
        return f"SkillsDirectoryProvider(roots={self.roots!r}, reload={self.reload!r})"

    def _scan(self) -> list[_Skill]:
        skills: dict[str, _Skill] = {}
        invalid: list[str] = []
        for root in self.roots:
            for folder, path in _folders(root):
                if path in skills:
                    continue
                if any(path.startswith(f"{p}/") or p.startswith(f"{path}/") for p in skills):
                    _log.warning("Skipping skill %r nested in another skill", path)
                    continue
                try:
                    skills[path] = _read_skill(folder, path)
                except (_Invalid, OSError, UnicodeDecodeError) as exc:
                    invalid.append(self._invalid(folder, exc))
        if invalid:
            raise ValueError(
                f"{len(invalid)} skill folder(s) are not valid Agent Skills ({_SPEC}):\n" + "\n".join(invalid)
            )
        return list(skills.values())

    @staticmethod
    def _invalid(folder: Path, exc: BaseException) -> str:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, OSError) or any(word in reason for word in ("symlink", "non-regular", "at most")):
            return f"- {folder}: {reason}"
        slug = _slug(folder.name)
        rename = f"rename the folder to {slug!r} and " if slug != folder.name else ""
        return (
            f"- {folder}: {reason}. Fix: {rename}start SKILL.md with "
            f"'---\\nname: {slug}\\ndescription: <what it does and when to use it>\\n---'"
        )

    async def _refresh_skills(self) -> None:
        if self.reload:
            import anyio

            try:
                self._skills = await anyio.to_thread.run_sync(self._scan)
            except ValueError as exc:
                _log.error("Keeping the last valid skills; %s", exc)
