"""The FastAPI shop behind tests/servers/openapi_shop.py: pydantic models in and out, path/query/header
parameters, a 201, a 204, a 404, a list body, a plain-text route, a name used by both a path parameter and a
body field, a discriminated union body, and a route that answers with the headers it was sent. Served in
process through an ASGI transport, or by uvicorn on a port (tests/test_openapi.py)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import FastAPI, Header, HTTPException, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field


class Category(str, Enum):
    tools = "tools"
    toys = "toys"


class ItemIn(BaseModel):
    name: str = Field(description="Display name", min_length=1)
    price: float = Field(gt=0, description="Price in euros")
    category: Category = Category.tools
    tags: list[str] = []
    description: str | None = None


class Item(ItemIn):
    id: int


class Page(BaseModel):
    items: list[Item]
    total: int


class Parcel(BaseModel):
    kind: Literal["parcel"]
    weight_kg: float


class Letter(BaseModel):
    kind: Literal["letter"]
    stamps: int = 1
    weight_kg: float | None = None


class Order(BaseModel):
    id: str
    quantity: int = Field(ge=1)


app = FastAPI(title="Shop API", version="1.0.0")
ITEMS: dict[int, Item] = {
    1: Item(id=1, name="Hammer", price=9.5, tags=["steel"]),
    2: Item(id=2, name="Kite", price=20, category=Category.toys),
}


@app.get("/items", tags=["items"], operation_id="list_items")
def list_items(
    limit: int = Query(10, ge=1, le=100, description="How many to return"),
    category: Category | None = None,
    tag: list[str] = Query(default=[]),  # noqa: B008 (FastAPI's way to declare a list query parameter)
) -> Page:
    """List items, optionally by category and tags."""
    found = [i for i in ITEMS.values() if (category is None or i.category == category) and set(tag) <= set(i.tags)]
    return Page(items=found[:limit], total=len(found))


@app.get("/items/{item_id}", tags=["items"])
def get_item(item_id: int) -> Item:
    """One item by id."""
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail=f"No item {item_id}")
    return ITEMS[item_id]


@app.post("/items", status_code=201, tags=["items", "admin"], summary="Create an item")
def create_item(item: ItemIn, x_request_id: str | None = Header(default=None)) -> Item:
    made = Item(id=max(ITEMS, default=0) + 1, **item.model_dump())
    ITEMS[made.id] = made
    return made


@app.put("/items/{item_id}", tags=["items", "admin"])
def update_item(item_id: int, item: ItemIn) -> Item:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail=f"No item {item_id}")
    ITEMS[item_id] = Item(id=item_id, **item.model_dump())
    return ITEMS[item_id]


@app.delete("/items/{item_id}", status_code=204, tags=["admin"])
def delete_item(item_id: int) -> Response:
    ITEMS.pop(item_id, None)
    return Response(status_code=204)


@app.post("/items/bulk", tags=["admin"])
def bulk_create(items: list[ItemIn]) -> list[Item]:
    made = []
    for item in items:
        new = Item(id=max(ITEMS, default=0) + 1, **item.model_dump())
        ITEMS[new.id] = new
        made.append(new)
    return made


@app.post("/orders/{id}", tags=["orders"])
def place_order(id: str, order: Order) -> dict[str, str | int]:
    return {"path_id": id, "body_id": order.id, "quantity": order.quantity}


@app.post("/shipments", tags=["orders"])
def ship(shipment: Annotated[Parcel | Letter, Field(discriminator="kind")]) -> dict[str, str]:
    """A discriminated union body (FastMCP 4 spreads the variants' fields into the arguments)."""
    return {"shipped": shipment.kind}


@app.get("/stats", summary="Shop statistics")
def stats() -> dict[str, float]:
    return {"items": float(len(ITEMS)), "mean_price": sum(i.price for i in ITEMS.values()) / max(len(ITEMS), 1)}


@app.get("/ping", response_class=PlainTextResponse)
def ping() -> str:
    return "pong"


@app.get("/count")
def count() -> int:
    return len(ITEMS)


@app.get("/whoami", tags=["debug"])
def whoami(
    x_tenant: str | None = Header(default=None), user_agent: str | None = Header(default=None)
) -> dict[str, str | None]:
    """The headers the API was sent (an MCP client's headers travel along)."""
    return {"tenant": x_tenant, "agent_is_httpx": str((user_agent or "").startswith("python-httpx"))}
