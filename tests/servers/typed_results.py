"""Tools whose return annotations pydantic serializes: models, lists and dicts of them, optional ones, dates,
UUIDs, decimals, enums, aliases and custom serializers, strings that need escaping, values that do not match
their annotation, and lists that hold content or a full result. fastmcp-rs writes such results to JSON once
and splices the text block and ``structuredContent`` from those bytes; the wire-comparison test serves this
file on FastMCP 4 too and compares every answer.

`python typed_results.py`. With `RESULTS_IMPL=fastmcp` the same file runs on FastMCP 4 itself.
"""

import dataclasses
import datetime as dt
import enum
import os
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_serializer
from typing_extensions import TypedDict

if os.environ.get("RESULTS_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.tools import ToolResult
    from fastmcp.utilities.types import Image
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.tools import ToolResult
    from fastmcp_rs.utilities.types import Image

mcp = FastMCP("typed-results", version="1.0.0")


class Tier(enum.Enum):
    GOLD = "gold"
    SILVER = "silver"


class Customer(BaseModel):
    id: int
    name: str
    email: str
    tier: Tier
    balance: float
    active: bool
    since: dt.date
    key: uuid.UUID
    credit: Decimal
    nickname: str | None = None


class Aliased(BaseModel):
    user_name: str = Field(serialization_alias="userName")
    secret: str = Field(exclude=True)
    when: dt.datetime

    @field_serializer("when")
    def _when(self, value: dt.datetime) -> str:
        return value.strftime("%d/%m/%Y")


class Point(TypedDict):
    x: float
    y: float


@dataclasses.dataclass
class Pair:
    left: int
    right: list[str]


def _customer(i: int) -> Customer:
    return Customer(
        id=i,
        name=f'Customer "{i}" \\ ünïcode ✓ \n\t\x01',
        email=f"c{i}@example.com",
        tier=Tier.GOLD if i % 2 else Tier.SILVER,
        balance=i * 1.5 + 1e20 * (i == 3),
        active=i % 2 == 0,
        since=dt.date(2024, 1, 1 + i),
        key=uuid.UUID(int=i),
        credit=Decimal("10.25") * i,
        nickname=None if i % 3 else f"nick{i}",
    )


@mcp.tool
def customers(n: int = 3) -> list[Customer]:
    return [_customer(i) for i in range(n)]


@mcp.tool
def customer(i: int = 1) -> Customer:
    return _customer(i)


@mcp.tool
def maybe_customer(found: bool = False) -> Customer | None:
    return _customer(2) if found else None


@mcp.tool
def by_id(n: int = 2) -> dict[int, Customer]:
    return {i: _customer(i) for i in range(n)}


@mcp.tool
def aliased() -> Aliased:
    return Aliased(user_name="ada", secret="s3cret", when=dt.datetime(2025, 5, 17, 12, 30))


@mcp.tool
def aliased_list() -> list[Aliased]:
    return [Aliased(user_name="bob", secret="x", when=dt.datetime(2020, 1, 2))]


@mcp.tool
def point() -> Point:
    return {"x": 1.0, "y": -2.5}


@mcp.tool
def pair() -> Pair:
    return Pair(left=3, right=["a", "b"])


@mcp.tool
def when() -> dt.datetime:
    return dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


@mcp.tool
def key() -> uuid.UUID:
    return uuid.UUID(int=42)


@mcp.tool
def money() -> Decimal:
    return Decimal("3.14159")


@mcp.tool
def tier() -> Tier:
    return Tier.GOLD


@mcp.tool
def mode() -> Literal["fast", "slow"]:
    return "fast"


@mcp.tool
def ratio(whole: bool = True) -> float:
    return 2 if whole else 0.1 + 0.2


@mcp.tool
def floats() -> list[float]:
    return [1.0, 1e20, 1.5e-7, 3, float("inf"), float("nan")]


@mcp.tool
def tuple_result() -> tuple[int, str, Customer]:
    return (1, "two", _customer(0))


@mcp.tool
def tags() -> set[str]:
    return {"only"}


@mcp.tool
def labelled() -> Annotated[str, Field(description="a label")]:
    return 'quote " and backslash \\ and newline \n'


@mcp.tool
def empty() -> list[Customer]:
    return []


@mcp.tool
def blank() -> Annotated[str, Field(description="nothing")]:
    return ""


@mcp.tool
def wrong_type() -> Customer:
    # Not what the annotation says: serialized by inference, as FastMCP does it.
    return {"id": 1, "anything": ["goes", 2]}  # type: ignore[return-value]


@mcp.tool
def wrong_list() -> list[Customer]:
    return "not a list"  # type: ignore[return-value]


@mcp.tool
def images_in_list() -> list[Any | Customer]:
    return [Image(data=b"\x89PNG\r\n", format="png"), _customer(1)]


@mcp.tool
def full_result_anyway() -> list[Customer]:
    return ToolResult(content="handmade", structured_content={"result": []})  # type: ignore[return-value]


@mcp.tool
def nested() -> dict[str, list[Customer]]:
    return {"gold": [_customer(1)], "silver": [_customer(2), _customer(4)]}


@mcp.tool(output_schema=None)
def unschemaed() -> list[Customer]:
    return [_customer(0)]


@mcp.tool(output_schema=None)
def unschemaed_model() -> Customer:
    return _customer(5)


@mcp.tool
async def async_customers(n: int = 2) -> list[Customer]:
    return [_customer(i) for i in range(n)]


@mcp.tool
def raises() -> list[Customer]:
    raise ValueError("no customers today")


if __name__ == "__main__":
    mcp.run()
