"""Resources: ``Resource`` and ``ResourceTemplate`` (subclass them with ``read``), ``FunctionResource`` /
``FunctionResourceTemplate`` (what ``@mcp.resource`` builds), ready-made ``TextResource``, ``BinaryResource``,
``FileResource``, ``HttpResource`` and ``DirectoryResource``, the ``ResourceResult`` a read may return, and
the standalone ``@resource`` decorator."""

from .base import Resource, ResourceContent, ResourceResult
from .function_resource import FunctionResource, resource
from .security import DEFAULT_RESOURCE_SECURITY, ResourceSecurity
from .template import FunctionResourceTemplate, ResourceTemplate
from .types import BinaryResource, DirectoryResource, FileResource, HttpResource, TextResource

__all__ = [
    "DEFAULT_RESOURCE_SECURITY",
    "BinaryResource",
    "DirectoryResource",
    "FileResource",
    "FunctionResource",
    "FunctionResourceTemplate",
    "HttpResource",
    "Resource",
    "ResourceContent",
    "ResourceResult",
    "ResourceSecurity",
    "ResourceTemplate",
    "TextResource",
    "resource",
]
