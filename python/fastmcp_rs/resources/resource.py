"""``fastmcp.resources.resource``: FastMCP 2's module for static resources (``Resource``, subclassed with
``read``, and ``FunctionResource``, what ``@mcp.resource`` builds), with the ``ResourceContent`` /
``ResourceResult`` a read may return. The same objects as ``fastmcp.resources.base`` /
``fastmcp.resources.function_resource`` (FastMCP 3's places); no warning, as in FastMCP 2."""

from .._callable_module import call_as
from .base import Resource, ResourceContent, ResourceResult
from .function_resource import FunctionResource, resource

__all__ = ["FunctionResource", "Resource", "ResourceContent", "ResourceResult"]

# `import fastmcp_rs.resources.resource` puts this module where the `resource` decorator was: calling it decorates.
call_as(__name__, resource)
