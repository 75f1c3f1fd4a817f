"""``fastmcp.server.providers``: where a server's components come from besides its own decorators
(``LocalProvider``, ``FileSystemProvider``, ``ProxyProvider``, ``OpenAPIProvider``, the skills providers, and
``Provider`` for writing your own: see ``fastmcp_rs.server.providers.base``)."""

from .aggregate import AggregateProvider
from .base import Provider
from .fastmcp_provider import FastMCPProvider
from .filesystem import FileSystemProvider
from .local_provider import LocalProvider
from .openapi import OpenAPIProvider
from .proxy import ProxyProvider
from .skills import ClaudeSkillsProvider, SkillProvider, SkillsDirectoryProvider

__all__ = [
    "AggregateProvider",
    "ClaudeSkillsProvider",
    "FastMCPProvider",
    "FileSystemProvider",
    "LocalProvider",
    "OpenAPIProvider",
    "Provider",
    "ProxyProvider",
    "SkillProvider",
    "SkillsDirectoryProvider",
]
