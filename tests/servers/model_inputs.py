"""Tools whose arguments are pydantic types of many kinds (tests/test_model_inputs.py). fastmcp-rs validates
such arguments from their JSON text; FastMCP 4 from a dict. ``MW_IMPL=fastmcp`` serves it with FastMCP 4.
Every tool answers with the ``repr`` of what it was given, so types and values are compared, not only JSON."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import os
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator
from pydantic_core import core_schema
from typing_extensions import TypedDict

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
else:
    from fastmcp_rs import FastMCP

mcp = FastMCP("model-inputs")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    city: str
    postcode: str = Field(pattern=r"^\d{4}$")


class Order(BaseModel):
    customer: str
    quantity: int = Field(gt=0)
    unit_price: decimal.Decimal
    tags: set[str] = set()
    address: Address | None = None
    code: str = Field(default="none", alias="skuCode")

    @field_validator("customer", mode="before")
    @classmethod
    def strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def legacy_qty(cls, data: Any) -> Any:
        if isinstance(data, dict) and "qty" in data:
            data = {**data, "quantity": data.pop("qty")}
        return data


@dataclasses.dataclass
class Window:
    start: datetime.datetime
    end: datetime.datetime | None = None


class Filter(TypedDict, total=False):
    colors: list[Color]
    since: datetime.date


def _even(value: int) -> int:
    if value % 2:
        raise ValueError("must be even")
    return value


class PyOnly:
    """A type that JSON mode refuses (only null) and Python mode takes (any string): the arguments then take
    the Python-mode path, as they do in FastMCP."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return core_schema.json_or_python_schema(
            json_schema=core_schema.none_schema(),
            python_schema=core_schema.no_info_plain_validator_function(lambda v: f"py:{v}"),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string"}


@mcp.tool
def place(orders: list[Order], window: Window | None = None) -> str:
    return repr((orders, window))


@mcp.tool
def scalars(
    when: datetime.datetime,
    ident: uuid.UUID,
    day: datetime.date,
    gap: datetime.timedelta,
    blob: bytes,
    pair: tuple[int, str],
    amount: decimal.Decimal,
    flag: bool = False,
    ratio: float = 0.0,
) -> str:
    return repr((when, ident, day, gap, blob, pair, amount, flag, ratio))


@mcp.tool
def choose(
    color: Color,
    mode: Literal["fast", "slow"],
    count: Annotated[int, AfterValidator(_even)],
    weights: dict[int, float],
    maybe: int | str | None = None,
    filt: Filter | None = None,
    frozen: frozenset[int] = frozenset(),
) -> str:
    return repr((color, mode, count, sorted(weights.items()), maybe, filt, sorted(frozen)))


@mcp.tool
def fallback(value: PyOnly, n: int = 1) -> str:
    return repr((value, n))


if __name__ == "__main__":
    mcp.run(show_banner=False)
