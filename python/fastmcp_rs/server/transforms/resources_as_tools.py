"""``fastmcp.server.transforms.resources_as_tools``: ``ResourcesAsTools(mcp)`` gives clients that only use
tools the server's resources, as two read-only tools listed after the others: ``list_resources`` (resources,
then templates, as indented JSON) and ``read_resource`` (one read by URI: its text, base64 for bytes, or a
JSON list when there are several contents). Names, descriptions, schemas, results and error texts are
FastMCP 4's."""

from __future__ import annotations

import base64
import json
import re
from typing import Annotated, Any

from pydantic import Field

from ..._context import Context
from ...exceptions import ToolError
from . import _Builtin
from .prompts_as_tools import _require_server

__all__ = ["ResourcesAsTools"]

_LIST = (
    "List all available resources and resource templates.\n\nReturns JSON with resource metadata. Static "
    "resources have a\n'uri' field, while templates have a 'uri_template' field with\nplaceholders like {name}."
)
_READ = (
    "Read a resource by its URI.\n\nFor static resources, provide the exact URI. For templated\nresources, provide "
    "the URI with template parameters filled in.\n\nReturns the resource content as a string. Binary content is\n"
    "base64-encoded."
)


def _template_match(template: str, uri: str) -> dict[str, str] | None:
    """The parameters of ``uri`` under an RFC 6570 ``template`` (``{x}``, ``{x*}``; ``{?q}`` queries)."""
    base, _, query = template.partition("{?")
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", base):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            pattern += f"(?P<{name[:-1]}>.+)" if name.endswith("*") else f"(?P<{name}>[^/?]+)"
        else:
            pattern += re.escape(part)
    path, _, given = uri.partition("?")
    found = re.fullmatch(pattern, path if query else uri)
    if found is None:
        return None
    params = dict(found.groupdict())
    if query and given:
        from urllib.parse import parse_qsl

        wanted = query.rstrip("}").split(",")
        params.update({k: v for k, v in parse_qsl(given) if k in wanted})
    return params


class ResourcesAsTools(_Builtin):
    """The server's resources as the tools ``list_resources`` and ``read_resource``."""

    def __init__(self, server: Any) -> None:
        _require_server(server, "ResourcesAsTools")
        self._server = server

    def __repr__(self) -> str:
        return f"ResourcesAsTools({self._server!r})"

    def _tools(self) -> list[Any]:
        from ...tools.function_tool import FunctionTool

        fallback = self._server

        async def list_resources(ctx: Context) -> str:
            server = ctx.fastmcp or fallback
            listed: list[dict[str, Any]] = [
                {"uri": r.uri, "name": r.name, "description": r.description, "mime_type": r.mime_type or "text/plain"}
                for r in await server.list_resources()
            ]
            listed.extend(
                {"uri_template": t.uri_template, "name": t.name, "description": t.description}
                for t in await server.list_resource_templates()
            )
            return json.dumps(listed, indent=2)

        async def read_resource(
            uri: Annotated[str, Field(description="The URI of the resource to read")], ctx: Context
        ) -> str:
            server = ctx.fastmcp or fallback
            resources = {r.uri: r for r in await server.list_resources()}
            try:
                result = await _read(server, resources, uri)
            except (ToolError, _Unknown):
                raise
            except Exception as e:
                raise ToolError(f"Error reading resource {uri!r}: {e}") from e
            contents = list(result.contents)
            if len(contents) == 1:
                body = contents[0].content
                return base64.b64encode(body).decode() if isinstance(body, bytes) else body
            return json.dumps(
                [
                    {
                        "content": base64.b64encode(c.content).decode() if isinstance(c.content, bytes) else c.content,
                        "mime_type": c.mime_type,
                    }
                    for c in contents
                ]
            )

        return [
            FunctionTool.from_function(
                list_resources, name="list_resources", description=_LIST, annotations={"readOnlyHint": True}
            ),
            FunctionTool.from_function(
                read_resource, name="read_resource", description=_READ, annotations={"readOnlyHint": True}
            ),
        ]


class _Unknown(ValueError):
    """No resource or template answers this URI."""


async def _read(server: Any, resources: dict[str, Any], uri: str) -> Any:
    from ...resources.base import ResourceResult, _default_mime, _render

    if uri in resources:
        resource = resources[uri]
        return resource.convert_result(await resource.read())
    for template in await server.list_resource_templates():
        params = _template_match(template.uri_template, uri)
        if params is not None:
            value = await template.read(params)
            mime = template.mime_type or _default_mime(uri)
            return ResourceResult._from_wire(_render(value, uri, mime, template.meta))
    raise _Unknown(f"Unknown resource: {uri!r}")
