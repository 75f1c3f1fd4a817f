"""The client side of Agent Skills, as FastMCP 4.2's ``Client`` has it: ``list_skills()`` / ``get_skill()``
(``skills/list`` / ``skills/get`` of the skills extension, for a client built with
``Client(extensions=[SkillsClientExtension()])`` on a 2026-07-28 connection), ``list_skill_resources()`` (the
``skill://.../SKILL.md`` resources of any server), and ``read_skill(uri)``: every file of a skill, each checked
against the size and SHA-256 digest its manifest promised (from ``skills/get``, else from the ``_manifest``
resource), returned as a ``Skill``. Also how ``Client(extensions=...)`` becomes the session's capability
advertisement, result claims and notification bindings."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

__all__: list[str] = []

logger = logging.getLogger("fastmcp.client")

SKILLS_EXTENSION_ID = "io.modelcontextprotocol/skills"
_INVALID_PARAMS, _METHOD_NOT_FOUND = -32602, -32601


def fold_extensions(extensions: Sequence[Any] | None) -> dict[str, Any]:
    """``Client(extensions=[...])`` as ``ClientSession`` takes it: ``extensions`` (each identifier's
    advertised settings), ``result_claims`` and ``notification_bindings``. An identifier given twice, or two
    extensions claiming one result type or notification, is refused."""
    from collections.abc import Mapping

    if isinstance(extensions, Mapping):
        raise TypeError("extensions= takes a sequence of ClientExtension instances")
    advertised: dict[str, dict[str, Any]] = {}
    claims: dict[str, tuple[Any, ...]] = {}
    bindings: list[Any] = []
    claimed: dict[str, str] = {}
    bound: dict[str, str] = {}
    for extension in extensions or ():
        identifier = getattr(extension, "identifier", None)
        if not identifier:
            raise ValueError(f"{type(extension).__name__} has no `identifier`: a ClientExtension must set one")
        if identifier in advertised:
            raise ValueError(f"extension identifier {identifier!r} is passed more than once")
        advertised[identifier] = dict(extension.settings())
        own = tuple(extension.claims())
        for claim in own:
            if claim.result_type in claimed:
                raise ValueError(
                    f"extensions {claimed[claim.result_type]!r} and {identifier!r} both claim resultType "
                    f"{claim.result_type!r}"
                )
            claimed[claim.result_type] = identifier
        if own:
            claims[identifier] = own
        for binding in extension.notifications():
            if binding.method in bound:
                raise ValueError(
                    f"extensions {bound[binding.method]!r} and {identifier!r} both bind notification method "
                    f"{binding.method!r}"
                )
            bound[binding.method] = identifier
            bindings.append(binding)
    folded: dict[str, Any] = {}
    if advertised:
        folded["extensions"] = advertised
    if claims:
        folded["result_claims"] = claims
    if bindings:
        folded["notification_bindings"] = bindings
    return folded


def _path_segments(uri: str) -> tuple[str, list[str]]:
    parsed = urlsplit(uri)
    if parsed.scheme != "skill":
        raise ValueError(f"Not a skill:// URI: {uri!r}")
    return parsed.netloc, [unquote(p) for p in parsed.path.split("/") if p]


class ClientSkillsMixin:
    """The skills methods of ``Client``."""

    def _skills_unavailable_reason(self: Any) -> str | None:
        """Why this connection cannot send skills requests (``None``: it can)."""
        from mcp_types.version import MODERN_PROTOCOL_VERSIONS

        if self.protocol_version is None:
            return "Client is not connected. Use the 'async with client:' context manager first."
        if self.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            return "The Skills extension requires a modern MCP connection"
        if SKILLS_EXTENSION_ID not in (self._session_kwargs.get("extensions") or {}):
            return (
                "This client did not opt into the Skills extension; pass SkillsClientExtension() in "
                "Client(extensions=[...])"
            )
        capabilities = self.server_capabilities
        offered = getattr(capabilities, "extensions", None) if capabilities is not None else None
        if not offered or SKILLS_EXTENSION_ID not in offered:
            return "The server does not advertise the Skills extension"
        return None

    def _require_skills(self: Any) -> None:
        reason = self._skills_unavailable_reason()
        if reason is not None:
            raise RuntimeError(reason)

    async def list_skills_mcp(self: Any, *, cursor: str | None = None, cache_mode: str = "use") -> Any:
        """One ``skills/list`` request: its whole result (skills, ``nextCursor``, caching hints)."""
        from ..skills.models import ListSkillsParams, ListSkillsRequest, ListSkillsResult

        self._require_skills()
        request = ListSkillsRequest(params=ListSkillsParams(cursor=cursor))
        return await self._request(self.session.send_request(request, ListSkillsResult))

    async def list_skills(self: Any, max_pages: int = 250, *, cache_mode: str = "use") -> list[Any]:
        """Every skill the server lists (``MCPSkill``), all pages."""
        return await self._all_pages(lambda c: self.list_skills_mcp(cursor=c), "skills", max_pages)

    async def get_skill_mcp(self: Any, uri: str, *, cache_mode: str = "use") -> Any:
        """One ``skills/get`` request for a skill's ``SKILL.md`` URI: its whole result."""
        from ..skills.models import GetSkillParams, GetSkillRequest, GetSkillResult

        self._require_skills()
        request = GetSkillRequest(params=GetSkillParams(uri=uri))
        return await self._request(self.session.send_request(request, GetSkillResult))

    async def get_skill(self: Any, uri: str, *, cache_mode: str = "use") -> Any:
        """The skill (``MCPSkill``) at a ``SKILL.md`` URI."""
        return (await self.get_skill_mcp(uri, cache_mode=cache_mode)).skill

    async def list_skill_resources(self: Any) -> list[Any]:
        """The ``SKILL.md`` resource of each skill a server serves as resources (for servers without the
        skills extension). A ``SKILL.md`` that another skill's manifest lists as one of its own files is a
        supporting file, not a skill, and is left out."""
        resources = await self.list_resources()
        uris = {str(r.uri) for r in resources}
        skills = [r for r in resources if str(r.uri).startswith("skill://") and str(r.uri).endswith("/SKILL.md")]
        skill_uris = sorted({str(r.uri) for r in skills}, key=lambda u: (len(u), u))
        supporting: set[str] = set()
        for uri in skill_uris:  # outer skills first: a supporting file never decides for another skill
            if uri in supporting:
                continue
            prefix = uri[: -len("SKILL.md")]
            nested = any(other != uri and other.startswith(prefix) for other in skill_uris)
            if not nested or f"{prefix}_manifest" not in uris:
                continue
            try:
                manifest = await self._manifest_from_resource(uri)
            except Exception:
                continue
            supporting.update(
                record.uri for path, record in manifest.items() if path != "SKILL.md" and record.uri.startswith(prefix)
            )
        return [r for r in skills if str(r.uri) not in supporting]

    async def read_skill(self: Any, uri: str, *, cache_mode: str = "use") -> Any:
        """Every file of the skill at a ``SKILL.md`` URI, each checked against its manifest's size and
        digest, as a ``Skill`` (``ValueError`` when a file does not match, or the files are not a skill)."""
        from ..skills.skill import Skill

        authority, segments = _path_segments(uri)
        if not segments or segments[-1] != "SKILL.md":
            raise ValueError(f"read_skill takes a skill's SKILL.md URI, got {uri!r}")
        manifest, entry = await self._skill_manifest(uri, cache_mode)
        files: dict[str, bytes] = {}
        for path, record in manifest.items():
            content = await self._read_skill_file(record.uri)
            if len(content) != record.size:
                raise ValueError(f"Skill file {path!r} is {len(content)} bytes; the manifest promised {record.size}")
            if f"sha256:{hashlib.sha256(content).hexdigest()}" != record.digest:
                raise ValueError(f"Skill file {path!r} does not match its manifest digest")
            files[path] = content
        skill = Skill.from_files(files)
        if entry is not None and json.dumps(skill.manifest.frontmatter.root, sort_keys=True) != json.dumps(
            entry.frontmatter.root, sort_keys=True
        ):
            raise ValueError(f"Skill at {uri!r} does not match its entry's frontmatter")
        expected = segments[-2] if len(segments) > 1 else unquote(authority)
        if skill.name != expected:
            raise ValueError(f"Skill at {uri!r} is named {skill.name!r} in its SKILL.md")
        return skill

    async def _skill_manifest(self: Any, uri: str, cache_mode: str) -> tuple[dict[str, Any], Any]:
        """The skill's files (path → ``SkillResource``), from ``skills/get`` when the extension was
        negotiated and knows the skill, else from its ``_manifest`` resource; and the entry, if any."""
        from mcp import MCPError

        if self._skills_unavailable_reason() is None:
            try:
                entry = await self.get_skill(uri, cache_mode=cache_mode)
            except MCPError as exc:
                if exc.error.code not in (_INVALID_PARAMS, _METHOD_NOT_FOUND):
                    raise
                entry = None
            if entry is not None:
                if entry.resources == "dynamic":
                    raise ValueError(f"Skill {uri!r} has no static manifest to read")
                depth = len(_path_segments(entry.uri)[1]) - 1
                manifest: dict[str, Any] = {}
                for record in entry.resources:
                    path = "/".join(_path_segments(record.uri)[1][depth:])
                    if path in manifest:
                        raise ValueError(f"Duplicate skill file path: {path!r}")
                    manifest[path] = record
                return manifest, entry
        return await self._manifest_from_resource(uri), None

    async def _manifest_from_resource(self: Any, uri: str) -> dict[str, Any]:
        from ..skills.models import SkillResource

        parsed = urlsplit(uri)
        prefix = parsed.path[: -len("SKILL.md")]
        manifest_uri = urlunsplit(parsed._replace(path=f"{prefix}_manifest"))
        try:
            data = json.loads((await self._read_skill_file(manifest_uri)).decode("utf-8"))
            files = {
                entry["path"]: SkillResource(
                    uri=urlunsplit(parsed._replace(path=prefix + quote(entry["path"], safe="/"))),
                    digest=entry["hash"],
                    size=entry["size"],
                )
                for entry in data["files"]
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"Invalid skill manifest at {manifest_uri}") from exc
        if not files:
            raise ValueError(f"Skill manifest at {manifest_uri} lists no files")
        return files

    async def _read_skill_file(self: Any, uri: str) -> bytes:
        contents = await self.read_resource(uri)
        if len(contents) != 1:
            raise ValueError(f"Expected one content block for {uri}, got {len(contents)}")
        (content,) = contents
        text = getattr(content, "text", None)
        if text is not None:
            return text.encode("utf-8")
        return base64.b64decode(content.blob)
