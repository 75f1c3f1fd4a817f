"""Several versions of one component (``version=`` on the decorators), as FastMCP 4 serves them.

Versions are ordered as PEP 440 versions after a leading ``v`` is dropped (``1 == 1.0``, ``10 > 2``); a
version that is not PEP 440 sorts above every one that is, and those among themselves as strings. The highest
is listed, with ``_meta.fastmcp.version`` and every version in ``versions`` (highest first), and served by
default; a request picks another with ``_meta.fastmcp.version`` (a string). A version nobody registered is
answered as an unknown component. A name is either versioned in all its registrations or in none.

A tool with more than one version has its calls dispatched in Python, by the version asked for; a tool with
one version keeps its native path, with the version asked for checked first."""

from __future__ import annotations

from typing import Any

from ..utilities.versions import version_key

__all__: list[str] = []


def same_version(a: str, b: str) -> bool:
    return version_key(a)[:2] == version_key(b)[:2]


def requested_version(meta: Any) -> str | None:
    """The version a request asks for (``_meta.fastmcp.version``, a string), if any."""
    if not isinstance(meta, dict):
        return None
    fastmcp = meta.get("fastmcp")
    if not isinstance(fastmcp, dict):
        return None
    version = fastmcp.get("version")
    return version if isinstance(version, str) else None


_TYPE_WORDS = {"tool": "tool", "resource": "resource", "template": "resourcetemplate", "prompt": "prompt"}
_NAME_WORDS = {"tool": "name", "resource": "URI", "template": "URI template", "prompt": "name"}


def check_mixing(kind: str, key: str, new_version: str | None, existing: dict[str, Any] | None, current: Any) -> None:
    """FastMCP 4 refuses a name registered both with and without a version."""
    word, what = _TYPE_WORDS[kind], _NAME_WORDS[kind]
    if new_version is not None and current is not None and getattr(current, "version", None) is None:
        raise ValueError(
            f"Cannot add versioned {word} {key!r} (version={new_version!r}): an unversioned {word} with this "
            f"{what} already exists. Either version all components or none."
        )
    if new_version is None and existing:
        example = next(iter(existing))
        raise ValueError(
            f"Cannot add unversioned {word} {key!r}: versioned {word}s with this {what} already exist (e.g., "
            f"version={example!r}). Either version all components or none."
        )


def ordered(versions: dict[str, Any]) -> list[str]:
    """The versions, highest first."""
    return sorted(versions, key=version_key, reverse=True)


def pick(versions: dict[str, Any], asked: str | None) -> Any:
    """The component of the version asked for (the highest when none is); ``None`` when there is none."""
    if asked is None:
        return versions[ordered(versions)[0]]
    for version, component in versions.items():
        if same_version(version, asked):
            return component
    return None


def pin_checked(func: Any, is_async: bool, name: str, version: str) -> Any:
    """A one-version tool's function, refusing a request pinned to another version as an unknown tool."""
    import functools

    from .._context import _current_handle
    from ..exceptions import ToolError

    def check() -> None:
        handle = _current_handle()
        asked = requested_version(handle.meta if handle is not None else None)
        if asked is not None and not same_version(asked, version):
            raise ToolError(f"Unknown tool: {name!r}")

    if is_async:

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            check()
            return await func(*args, **kwargs)

        return run_async

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        check()
        return func(*args, **kwargs)

    return run
