"""Providers (tests/test_providers.py): a ``LocalProvider`` shared by two servers through different
``VersionFilter``s, one added with a namespace, and a ``FileSystemProvider`` over
``tests/servers/provided_components``. ``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself; ``PROVIDED``
picks the server (``v1``, ``v2`` or ``fs``)."""

import os
from pathlib import Path

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.providers import FileSystemProvider, LocalProvider
    from fastmcp.server.transforms import VersionFilter
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.providers import FileSystemProvider, LocalProvider
    from fastmcp_rs.server.transforms import VersionFilter

shared = LocalProvider()


@shared.tool(version="1.0")
def convert(value: str) -> str:
    return value.upper()


@shared.tool(version="1.5")
def convert(value: str, times: int = 1) -> str:  # noqa: F811
    return value.upper() * times


@shared.tool(version="2.0")
def convert(value: str, times: int = 1, sep: str = "-") -> str:  # noqa: F811
    return sep.join([value.upper()] * times)


@shared.tool
def ping() -> str:
    return "pong"


v1 = FastMCP("v1", providers=[shared])
v1.add_transform(VersionFilter(version_lt="2.0"))


@v1.tool
def own() -> str:
    return "v1's own"


v2 = FastMCP("v2")
v2.add_provider(shared, namespace="api")
v2.add_transform(VersionFilter(version_gte="2.0", include_unversioned=False))

fs = FastMCP("fs", providers=[FileSystemProvider(Path(__file__).parent / "provided_components")])

if __name__ == "__main__":
    {"v1": v1, "v2": v2, "fs": fs}[os.environ.get("PROVIDED", "v1")].run(show_banner=False)
