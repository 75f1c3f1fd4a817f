"""An OpenAPI 3.0 document written by hand, for what FastAPI never generates: ``nullable``, ``readOnly`` and
``writeOnly`` fields, boolean exclusive bounds, an ``allOf`` body, header and cookie parameters, ``deepObject``,
``pipeDelimited`` and non-exploded arrays, a form body, a text body, a 204, operations named by their summary
or by an operationId with ``__``, server variables. The API behind it (an ASGI app called in process) answers
every request with what it received, so the test sees the requests FastMCP 4 and fastmcp-rs send, side by
side (tests/test_openapi.py)."""

from __future__ import annotations

import json

import httpx
from fastmcp import FastMCP
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


async def echo(request: Request) -> Response:
    body = (await request.body()).decode()
    seen = {
        "method": request.method,
        "path": request.url.path,
        "query": sorted(request.query_params.multi_items()),
        "headers": {
            k: v for k, v in sorted(request.headers.items()) if k.startswith("x-") or k in ("cookie", "content-type")
        },
        "body": body,
    }
    if request.url.path.endswith("/raw"):
        return Response(status_code=204)
    if request.url.path.endswith("/forms"):
        return PlainTextResponse(f"received {json.dumps(seen, sort_keys=True)}")
    if request.url.path.endswith("/search"):
        return JSONResponse([json.dumps(seen, sort_keys=True)])
    if request.url.path.endswith("/teapot"):
        return JSONResponse({"error": "short and stout", "seen": seen}, status_code=418)
    return JSONResponse({"id": 7, "name": "echo", "nickname": None, "seen": json.dumps(seen, sort_keys=True)})


api = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])])

PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "description": "The pet's name"},
        "nickname": {"type": "string", "nullable": True},
        "secret": {"type": "string", "writeOnly": True},
        "seen": {"type": "string"},
    },
}

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Echo", "version": "1"},
    "servers": [{"url": "http://echo.test/{version}", "variables": {"version": {"default": "v1"}}}],
    "paths": {
        "/pets/{petId}": {
            "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
            "get": {
                "operationId": "getPet__byId",
                "tags": ["pets"],
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    {
                        "name": "fields",
                        "in": "query",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                        "description": "Fields to return",
                    },
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {
                        "description": "A pet",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    },
                    "404": {"description": "No such pet"},
                },
            },
            "delete": {
                "summary": "Remove the pet!",
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": "Gone", "content": {"application/json": {"schema": {"type": "object"}}}}
                },
            },
        },
        "/pets": {
            "post": {
                "operationId": "getPet__create",
                "requestBody": {
                    "required": True,
                    "description": "The new pet",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}},
                },
                "responses": {
                    "201": {
                        "description": "Made",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    }
                },
            }
        },
        "/search": {
            "get": {
                "operationId": "search",
                "description": "Search with every query style.",
                "parameters": [
                    {
                        "name": "filter",
                        "in": "query",
                        "style": "deepObject",
                        "explode": True,
                        "schema": {
                            "type": "object",
                            "properties": {"kind": {"type": "string"}, "max": {"type": "integer"}},
                        },
                    },
                    {
                        "name": "tags",
                        "in": "query",
                        "style": "pipeDelimited",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "default": 5},
                    },
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}, "example": "cats"},
                ],
                "responses": {
                    "200": {
                        "description": "Matches",
                        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}},
                    }
                },
            }
        },
        "/forms": {
            "post": {
                "operationId": "submit_form",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "count": {"type": "integer"},
                                    "meta": {"type": "object", "properties": {"a": {"type": "string"}}},
                                },
                                "required": ["name"],
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "Text", "content": {"text/plain": {}}}},
            }
        },
        "/raw": {
            "put": {
                "operationId": "put_raw",
                "requestBody": {
                    "required": True,
                    "content": {"text/plain": {"schema": {"type": "string", "title": "Raw Text"}}},
                },
                "responses": {"204": {"description": "Stored"}},
            }
        },
        "/teapot": {
            "get": {
                "operationId": "brew",
                "responses": {
                    "200": {"description": "Never", "content": {"application/json": {"schema": {"type": "object"}}}}
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Pet": PET,
            "NewPet": {
                "allOf": [
                    {"$ref": "#/components/schemas/Pet"},
                    {
                        "type": "object",
                        "properties": {"age": {"type": "integer", "nullable": True}},
                        "required": ["age"],
                    },
                ]
            },
        }
    },
}

client = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://echo.test/v1")
mcp = FastMCP.from_openapi(SPEC, client=client, name="Echo API", mcp_names={"search": "find_things"})
