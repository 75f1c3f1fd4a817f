"""Modules that share their name with a decorator of their package: FastMCP 2's ``fastmcp.tools.tool``,
``fastmcp.prompts.prompt`` and ``fastmcp.resources.resource`` are modules where FastMCP 4's are the decorators
``tool``, ``prompt`` and ``resource``. Importing such a module makes it the package's attribute in place of the
decorator (Python's import does that), so the module is made callable as the decorator: ``from
fastmcp_rs.tools import tool`` then ``@tool`` goes on working whichever was imported first."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

__all__: list[str] = []


def call_as(module_name: str, decorator: Callable[..., Any]) -> None:
    """Makes the module ``module_name`` (already in ``sys.modules``) call ``decorator`` when called."""

    class DecoratorModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return decorator(*args, **kwargs)

    sys.modules[module_name].__class__ = DecoratorModule
