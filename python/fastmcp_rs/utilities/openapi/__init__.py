"""``fastmcp.utilities.openapi``: reading an OpenAPI document into routes (``parse_openapi_to_http_routes``),
the JSON Schemas its tools list, and the requests they send."""

from .director import RequestDirector
from .models import HttpMethod, HTTPRoute, JsonSchema, ParameterInfo, ParameterLocation, RequestBodyInfo, ResponseInfo
from .parser import parse_openapi_to_http_routes
from .schemas import convert_openapi_schema_to_json_schema, extract_output_schema_from_responses

__all__ = [
    "HTTPRoute",
    "HttpMethod",
    "JsonSchema",
    "ParameterInfo",
    "ParameterLocation",
    "RequestBodyInfo",
    "RequestDirector",
    "ResponseInfo",
    "convert_openapi_schema_to_json_schema",
    "extract_output_schema_from_responses",
    "parse_openapi_to_http_routes",
]
