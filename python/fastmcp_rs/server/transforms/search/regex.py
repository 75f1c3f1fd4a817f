"""``fastmcp.server.transforms.search.regex``: ``RegexSearchTransform``, a search tool taking a
case-insensitive regular expression (``pattern``, at most 1000 characters) matched anywhere in each tool's
searchable text, tools taken in listing order up to ``max_results``. Patterns FastMCP 4's engine refuses
(lookarounds, backreferences) or that do not compile find nothing."""

from __future__ import annotations

import re
from typing import Any

from .base import BaseSearchTransform, searchable_text

__all__ = ["RegexSearchTransform"]

_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\\[1-9]|\(\?P=")
_MAX_PATTERN = 1000


class RegexSearchTransform(BaseSearchTransform):
    _description = (
        "Search for tools matching a regex pattern.\n\nReturns matching tool definitions in the same format as "
        "list_tools.\nInvalid, unsupported, or overlong patterns return an empty list."
    )
    _parameter = (
        "pattern",
        "Case-insensitive regex pattern for tool names, descriptions, and parameters, up to 1000 characters; "
        "lookarounds and backreferences are not supported",
    )

    def _search(self, tools: list[Any], query: str) -> list[Any]:
        if len(query) > _MAX_PATTERN or _UNSUPPORTED.search(query):
            return []
        try:
            compiled = re.compile(query, re.IGNORECASE)
        except re.error:
            return []
        found = []
        for tool in tools:
            if compiled.search(searchable_text(tool)):
                found.append(tool)
                if len(found) >= self.max_results:
                    break
        return found
