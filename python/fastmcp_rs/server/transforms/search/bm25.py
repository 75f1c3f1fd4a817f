"""``fastmcp.server.transforms.search.bm25``: ``BM25SearchTransform``, a search tool taking a natural-language
``query`` and ranking tools by BM25 (Okapi, k1 = 1.5, b = 0.75) over their searchable text: words of two or
more letters or digits, NFKC-normalized and case-folded. The best ``max_results`` with a positive score are
returned, ties in listing order."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Any

from .base import BaseSearchTransform, searchable_text

__all__ = ["BM25SearchTransform"]

_WORD = re.compile(r"[^\W_]{2,}")
K1 = 1.5
B = 0.75


def tokenize(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


class BM25SearchTransform(BaseSearchTransform):
    _description = (
        "Search for tools using natural language.\n\nReturns matching tool definitions ranked by relevance,\n"
        "in the same format as list_tools."
    )
    _parameter = ("query", "Natural language query to search for tools")

    def _search(self, tools: list[Any], query: str) -> list[Any]:
        documents = [tokenize(searchable_text(tool)) for tool in tools]
        if not documents:
            return []
        n = len(documents)
        average = sum(len(d) for d in documents) / n or 1.0
        frequencies = [Counter(d) for d in documents]
        df: Counter[str] = Counter()
        for counts in frequencies:
            df.update(counts.keys())
        words = tokenize(query)
        scored = []
        for index, (document, counts) in enumerate(zip(documents, frequencies, strict=True)):
            score = 0.0
            for word in words:
                tf = counts.get(word, 0)
                if not tf:
                    continue
                idf = math.log((n - df[word] + 0.5) / (df[word] + 0.5) + 1)
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(document) / average))
            if score > 0:
                scored.append((score, index))
        scored.sort(key=lambda pair: -pair[0])
        return [tools[i] for _, i in scored[: self.max_results]]
