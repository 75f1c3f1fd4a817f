"""``FastMCP(strict_input_validation=True)`` (tests/test_strict_inputs.py). ``MW_IMPL=fastmcp`` serves it with
FastMCP 4; ``STRICT=0`` serves it lax."""

from __future__ import annotations

import datetime
import enum
import os

from pydantic import BaseModel

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
else:
    from fastmcp_rs import FastMCP

mcp = FastMCP("strict", strict_input_validation=os.environ.get("STRICT", "1") == "1")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Order(BaseModel):
    sku: str
    quantity: int
    due: datetime.date | None = None


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool
def ratio(x: float, flag: bool = False) -> str:
    return f"{x!r} {flag}"


@mcp.tool
def when(day: datetime.date, color: Color) -> str:
    return f"{day.isoformat()} {color.value}"


@mcp.tool
def total(xs: list[int], tags: dict[str, str] | None = None) -> int:
    return sum(xs)


@mcp.tool
def place(order: Order) -> dict:
    return order.model_dump(mode="json")


if __name__ == "__main__":
    mcp.run(show_banner=False)
