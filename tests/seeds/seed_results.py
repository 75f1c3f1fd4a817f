"""Seed server: return values of every plain shape, to pin the native result conversion to FastMCP's.

Each tool returns what its ``kind`` argument picks, under one return annotation: plain data that the core
converts itself, and look-alikes (bools under ``int``, ints under ``float``, tuples, enums, non-str
keys, floats that pydantic writes as ``1e+20``) that must give exactly what FastMCP gives. Integers beyond
64 bits are a known gap (README) and left out.
"""

from __future__ import annotations

import enum
from typing import Any

from fastmcp_rs import FastMCP

mcp = FastMCP("Results")


class Color(str, enum.Enum):
    RED = "red"


VALUES: dict[str, Any] = {
    "int": 3,
    "neg": -(2**63),
    "bool": True,
    "float": 2.5e-5,
    "huge": 1e20,
    "whole": 3.0,
    "str": 'Zoë ✓ \u2028 \x1f "q"',
    "empty_str": "",
    "none": None,
    "list": [1, "a", None, True, 0.1],
    "empty_list": [],
    "tuple": (1, 2),
    "dict": {"a": 1, "b": [1.5, {"c": None}], "d": "x"},
    "float_dict": {"price": 1e16, "small": 1e-7, "n": 12345678901234567.0},
    "int_keys": {1: "one", 2: "two"},
    "enum": Color.RED,
    "nested_tuple": {"pair": (1, "x")},
    "nan": float("nan"),
}


@mcp.tool()
def untyped(kind: str):  # no return annotation, on purpose
    return VALUES[kind]


@mcp.tool()
def as_int(kind: str) -> int:
    return VALUES[kind]


@mcp.tool()
def as_str(kind: str) -> str:
    return VALUES[kind]


@mcp.tool()
def as_bool(kind: str) -> bool:
    return VALUES[kind]


@mcp.tool()
def as_float(kind: str) -> float:
    return VALUES[kind]


@mcp.tool()
def as_dict(kind: str) -> dict:
    return VALUES[kind]


@mcp.tool()
def as_str_any_dict(kind: str) -> dict[str, Any]:
    return VALUES[kind]


@mcp.tool()
def as_list(kind: str) -> list:
    return VALUES[kind]


@mcp.tool()
def as_int_list(kind: str) -> list[int]:
    return VALUES[kind]


@mcp.tool()
def as_any(kind: str) -> Any:
    return VALUES[kind]


@mcp.tool()
async def async_as_dict(kind: str) -> dict:
    return VALUES[kind]


if __name__ == "__main__":
    mcp.run()
