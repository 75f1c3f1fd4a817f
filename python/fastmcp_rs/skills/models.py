"""``fastmcp.skills.models``: the wire models of the skills extension (SEP-2640): a skill (``MCPSkill``) is its
``SKILL.md`` URI, its frontmatter and its files (``SkillResource``: URI, ``sha256:`` digest, size), listed by
``skills/list`` (``ListSkillsResult``) and fetched by ``skills/get`` (``GetSkillResult``). Results carry the
2026-07-28 era's caching hints (``ttlMs`` 0, ``cacheScope`` private, as FastMCP 4 gives them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, RootModel

__all__ = [
    "GetSkillParams",
    "GetSkillRequest",  # noqa: F822 (made on first use: it needs the mcp client)
    "GetSkillResult",
    "ListSkillsParams",
    "ListSkillsRequest",  # noqa: F822
    "ListSkillsResult",
    "MCPSkill",
    "SkillFrontmatter",
    "SkillResource",
]

_SHA256 = r"^sha256:[0-9a-f]{64}$"


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class SkillFrontmatter(RootModel[dict[str, JsonValue]]):
    """A ``SKILL.md``'s YAML frontmatter (``name``, ``description`` and whatever else it says)."""

    def __getitem__(self, key: str) -> JsonValue:
        return self.root[key]


class SkillResource(_Wire):
    """One file of a skill."""

    uri: str
    digest: str = Field(pattern=_SHA256)
    size: int = Field(ge=0)


class MCPSkill(_Wire):
    """A skill as ``skills/list`` and ``skills/get`` give it."""

    uri: str
    frontmatter: SkillFrontmatter
    resources: list[SkillResource] | Literal["dynamic"]
    meta: dict[str, JsonValue] | None = Field(default=None, alias="_meta")


class _Params(_Wire):
    meta: dict[str, Any] | None = Field(default=None, alias="_meta")


class ListSkillsParams(_Params):
    cursor: str | None = None


class GetSkillParams(_Params):
    uri: str


class _Cacheable(_Wire):
    ttl_ms: int = Field(default=0, alias="ttlMs")
    cache_scope: Literal["public", "private"] = Field(default="private", alias="cacheScope")
    result_type: Literal["complete"] = Field(default="complete", alias="resultType")
    meta: dict[str, Any] | None = Field(default=None, alias="_meta")


class ListSkillsResult(_Cacheable):
    skills: list[MCPSkill]
    next_cursor: str | None = Field(default=None, alias="nextCursor")


class GetSkillResult(_Cacheable):
    skill: MCPSkill


def _request_models() -> tuple[type, type]:
    """The client's request envelopes (``mcp_types.Request``), made when the SDK's types are installed."""
    import mcp_types

    class ListSkillsRequest(mcp_types.Request[ListSkillsParams, Literal["skills/list"]]):
        """The ``skills/list`` request a client sends."""

        method: Literal["skills/list"] = "skills/list"
        params: ListSkillsParams

    class GetSkillRequest(mcp_types.Request[GetSkillParams, Literal["skills/get"]]):
        """The ``skills/get`` request a client sends."""

        method: Literal["skills/get"] = "skills/get"
        params: GetSkillParams

    for cls in (ListSkillsRequest, GetSkillRequest):
        cls.__module__ = __name__
    return ListSkillsRequest, GetSkillRequest


def __getattr__(name: str) -> Any:
    if name in ("ListSkillsRequest", "GetSkillRequest"):
        models = dict(zip(("ListSkillsRequest", "GetSkillRequest"), _request_models(), strict=True))
        globals().update(models)
        return models[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
