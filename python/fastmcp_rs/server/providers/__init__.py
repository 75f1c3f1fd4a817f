"""``fastmcp.server.providers``: providers is not supported by fastmcp-rs yet. The names import; using them
raises ``NotImplementedError``."""

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
