"""Answering a server's ``elicitation/create`` requests (``ctx.elicit(...)``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeAlias, TypeVar

import mcp.types as mcp_types
from mcp.client.session import ClientRequestContext as RequestContext
from mcp.types import ElicitRequestFormParams, ElicitRequestParams
from mcp.types import ElicitResult as _WireElicitResult
from pydantic_core import to_jsonable_python

from ._hydrate import schema_to_type

__all__ = ["ElicitRequestParams", "ElicitResult", "ElicitationHandler", "create_elicitation_callback"]

T = TypeVar("T")


class ElicitResult(_WireElicitResult, Generic[T]):
    """An explicit answer: ``ElicitResult(action="decline")``, ``ElicitResult(action="accept", content=...)``."""

    content: T | None = None  # type: ignore[assignment]


ElicitationHandler: TypeAlias = Callable[[str, Any, ElicitRequestParams, RequestContext], Awaitable[Any]]
"""``async def handler(message, response_type, params, context)``: return the data (accepted: an instance of
``response_type``, a dict, or a bare value for a one-field ``value`` form) or an ``ElicitResult``."""

_EMPTY_FORM = {"type": "object", "properties": {}}


def _check_form(content: dict[str, Any], schema: dict[str, Any]) -> None:
    from jsonschema.validators import validator_for
    from referencing import Registry

    validator_for(schema)(schema, registry=Registry()).validate(content)


def create_elicitation_callback(handler: ElicitationHandler) -> Callable[..., Awaitable[Any]]:
    """The ``elicitation_callback`` mcp's ``ClientSession`` takes. The handler gets a Python type built from
    the requested schema (a dataclass for a form); what it returns is checked against that schema, and an
    exception becomes an error answer carrying its text."""

    async def elicitation_callback(context: Any, params: ElicitRequestParams) -> Any:
        try:
            form = isinstance(params, ElicitRequestFormParams)
            schema = params.requested_schema if form else None
            response_type = schema_to_type(schema) if schema and schema != _EMPTY_FORM else None
            answer = await handler(params.message, response_type, params, context)
            if not isinstance(answer, _WireElicitResult):
                answer = ElicitResult(action="accept", content=answer)
            content = to_jsonable_python(answer.content)
            if content is not None and not isinstance(content, dict):
                if schema and set((schema.get("properties") or {}).keys()) == {"value"}:
                    content = {"value": content}
                else:
                    raise ValueError(
                        f"Elicitation responses must be serializable as a JSON object (dict). Received: {content!r}"
                    )
            if answer.action == "accept" and content is not None and schema:
                _check_form(content, schema)
            return _WireElicitResult(action=answer.action, content=content, _meta=answer.meta)
        except Exception as exc:
            return mcp_types.ErrorData(code=mcp_types.INTERNAL_ERROR, message=str(exc))

    return elicitation_callback
