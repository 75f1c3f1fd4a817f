"""A small fastmcp_rs server for the TypeScript v2 client tests (tests/test_ts_v2_client.py), served over stdio.

It answers both protocol eras on the one pipe: the handshake era (``initialize``) and the stateless 2026-07-28
era (``server/discover`` and the per-request ``_meta`` envelope). ``interview`` asks the client three things in
a row (an elicitation, a sampling request and its roots): on the 2026 era each one is an input-required
result that the client answers and retries, on the handshake era each one is a server→client request.

`python modern_app.py` serves stdio.
"""

from fastmcp_rs import Context, FastMCP
from pydantic import BaseModel, Field

mcp = FastMCP("modern-app", version="3.1.4", instructions="Adds numbers, reports weather and interviews users.")


class Name(BaseModel):
    name: str = Field(description="Your name")


class Weather(BaseModel):
    city: str
    celsius: float
    conditions: list[str]


@mcp.tool
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool
async def interview(topic: str, ctx: Context) -> str:
    """Asks for the user's name, has the client's model write a line about the topic, then counts the roots."""
    answer = await ctx.elicit("What is your name?", Name)
    if answer.action != "accept":
        return f"no name ({answer.action})"
    reply = await ctx.sample(f"Write one line about {topic} for {answer.data.name}", max_tokens=50)
    roots = await ctx.list_roots()
    uris = ",".join(str(root.uri) for root in roots)
    return f"name={answer.data.name}; sampled={reply.text}; roots={len(roots)} [{uris}]"


@mcp.tool
def weather(city: str) -> Weather:
    """A fixed forecast, as a structured result."""
    return Weather(city=city, celsius=21.5, conditions=["sunny", "breezy"])


@mcp.tool
def explode(reason: str) -> str:
    """Always fails."""
    raise ValueError(f"exploded: {reason}")


@mcp.resource("data://motd", mime_type="text/plain")
def motd() -> str:
    """The message of the day."""
    return "Stay curious."


@mcp.resource("users://{user_id}/card")
def user_card(user_id: int) -> dict:
    """A user's card by numeric id."""
    return {"id": user_id, "name": f"user-{user_id}", "even": user_id % 2 == 0}


@mcp.prompt
def review(code: str, language: str = "python") -> str:
    """Asks for a code review."""
    return f"Please review this {language} code:\n{code}"


@mcp.prompt
async def polish(topic: str, ctx: Context) -> str:
    """Has the client's model draft a line about the topic, and asks to polish it."""
    draft = await ctx.sample(f"Draft one line about {topic}", max_tokens=50)
    return f"Polish this line about {topic}: {draft.text}"


@mcp.resource("greeting://me")
async def greeting(ctx: Context) -> str:
    """A greeting for whoever reads it: asks for their name first."""
    answer = await ctx.elicit("What is your name?", Name)
    return f"Welcome, {answer.data.name}!" if answer.action == "accept" else f"Welcome, stranger ({answer.action})."


if __name__ == "__main__":
    mcp.run()
