"""``fastmcp.utilities.openapi.models``: one OpenAPI operation as the OpenAPI provider sees it (what a
``route_map_fn`` or ``mcp_component_fn`` of yours receives)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "HTTPRoute",
    "HttpMethod",
    "JsonSchema",
    "ParameterInfo",
    "ParameterLocation",
    "RequestBodyInfo",
    "ResponseInfo",
]

HttpMethod = Literal["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]
ParameterLocation = Literal["path", "query", "header", "cookie"]
JsonSchema = dict[str, Any]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class ParameterInfo(_Model):
    """A parameter of the operation (its ``in`` is ``location``)."""

    name: str
    location: ParameterLocation
    required: bool = False
    schema_: JsonSchema = Field(default_factory=dict, alias="schema")
    description: str | None = None
    explode: bool | None = None
    style: str | None = None


class RequestBodyInfo(_Model):
    """The request body: a schema per media type, in the spec's order."""

    required: bool = False
    content_schema: dict[str, JsonSchema] = Field(default_factory=dict)
    description: str | None = None
    encoding: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ResponseInfo(_Model):
    """A response: a schema per media type."""

    description: str | None = None
    content_schema: dict[str, JsonSchema] = Field(default_factory=dict)


class HTTPRoute(_Model):
    """One operation: its method and path, what it takes and what it answers. ``flat_param_schema`` is the
    tool's input schema (parameters and body fields side by side), ``parameter_map`` where each of its
    arguments goes (``{"location": "query", "openapi_name": "limit"}``)."""

    path: str
    method: HttpMethod
    operation_id: str | None = None
    summary: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    parameters: list[ParameterInfo] = Field(default_factory=list)
    request_body: RequestBodyInfo | None = None
    responses: dict[str, ResponseInfo] = Field(default_factory=dict)
    request_schemas: dict[str, JsonSchema] = Field(default_factory=dict)
    response_schemas: dict[str, JsonSchema] = Field(default_factory=dict)
    extensions: dict[str, Any] = Field(default_factory=dict)
    openapi_version: str | None = None
    flat_param_schema: JsonSchema = Field(default_factory=dict)
    parameter_map: dict[str, dict[str, str]] = Field(default_factory=dict)
