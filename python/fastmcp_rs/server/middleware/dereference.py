"""``fastmcp.server.middleware.dereference``: ``DereferenceRefsMiddleware`` inlines the ``$defs`` references of
tools' input and output schemas and of resource templates' parameters in listings, for clients that do not
follow ``$ref`` (recursive schemas are left as they are). ``FastMCP(dereference_schemas=True)``, the default,
already lists dereferenced schemas; the middleware is for servers that turned that off, or for schemas a
later middleware or a provider adds."""

from __future__ import annotations

from typing import Any

from fastmcp_rs._schema import dereference

from .middleware import CallNext, Middleware, MiddlewareContext

__all__ = ["DereferenceRefsMiddleware"]


def _has_ref(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "$ref" in schema or any(_has_ref(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_ref(v) for v in schema)
    return False


def _needs(schema: Any) -> bool:
    return isinstance(schema, dict) and ("$defs" in schema or _has_ref(schema))


class DereferenceRefsMiddleware(Middleware):
    """Dereferences ``$ref`` in listed component schemas."""

    async def on_list_tools(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        listed = []
        for tool in await call_next(context):
            if isinstance(tool, dict):
                tool = dict(tool)
                for key in ("inputSchema", "outputSchema"):
                    if _needs(tool.get(key)):
                        tool[key] = dereference(tool[key])
            else:
                updates = {}
                if _needs(tool.parameters):
                    updates["parameters"] = dereference(tool.parameters)
                if _needs(tool.output_schema):
                    updates["output_schema"] = dereference(tool.output_schema)
                if updates:
                    tool = tool.model_copy(update=updates)
            listed.append(tool)
        return listed

    async def on_list_resource_templates(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        listed = []
        for template in await call_next(context):
            parameters = getattr(template, "parameters", None)
            if not isinstance(template, dict) and _needs(parameters):
                template = template.model_copy(update={"parameters": dereference(parameters)})
            listed.append(template)
        return listed
