"""Parameter descriptions from Google-style docstrings are read as FastMCP 4.2.3 reads them (griffe): an
argument's continuation lines are kept as lines, with what they are indented beyond twice the item's indent."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp_rs._schema import parse_docstring


def multi_line(a: int, b: int, c: int, d: int) -> None:
    """Summary.

    More text.

    Args:
        a: one line
        b: first
            second
              deeper
           odd
        c:
            only continuation
        d: with blank

            after blank
    Returns:
        x
    """


def two_space(x: int) -> None:
    """Do.

    Args:
      x (int): two-space base
        cont at 2*base
       between
    """


def no_summary(x: int, y: int) -> None:
    """Args:
    x: the first
    y: the second
    """


@pytest.mark.parametrize("fn", [multi_line, two_space, no_summary])
def test_docstring_read_as_fastmcp4_reads_it(fn: Any) -> None:
    reference = pytest.importorskip("fastmcp.utilities.docstring_parsing").parse_docstring(fn)
    assert parse_docstring(fn) == (reference.description, reference.parameters)


def test_continuation_lines_stay_lines() -> None:
    _, params = parse_docstring(multi_line)
    assert params["b"] == "first\nsecond\n  deeper\nodd"
    assert params["d"] == "with blank\n\nafter blank"
