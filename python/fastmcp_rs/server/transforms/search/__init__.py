"""``fastmcp.server.transforms.search``: ``RegexSearchTransform`` and ``BM25SearchTransform`` list a search
tool and ``call_tool`` in place of the server's whole catalogue (``always_visible`` tools stay listed), as
FastMCP 4 does."""

from collections.abc import Callable, Sequence
from typing import Any

from .base import BaseSearchTransform, serialize_tools_for_output_json, serialize_tools_for_output_markdown
from .bm25 import BM25SearchTransform
from .regex import RegexSearchTransform

__all__ = [
    "BM25SearchTransform",
    "BaseSearchTransform",
    "RegexSearchTransform",
    "SearchResultSerializer",
    "serialize_tools_for_output_json",
    "serialize_tools_for_output_markdown",
]

#: What ``search_result_serializer=`` takes: the matching tools → the search tool's result.
SearchResultSerializer = Callable[[Sequence[Any]], Any]
