"""Two ``FormInput`` providers (tests/test_apps.py), one with an ``on_submit`` callback and a boolean field a
browser may leave out, served by FastMCP 4.2.3 (``fastmcp``) or by fastmcp-rs (``fastmcp-rs run``, which
serves these imports)."""

from typing import Literal

from fastmcp import FastMCP
from fastmcp.apps.form import FormInput
from pydantic import BaseModel, Field


class Contact(BaseModel):
    name: str = Field(description="Full name")
    email: str
    subscribe: bool = True
    urgent: bool


class Ticket(BaseModel):
    title: str
    severity: Literal["low", "high"] = "low"


def save_contact(contact: Contact) -> str:
    return f"saved {contact.name} <{contact.email}> subscribe={contact.subscribe} urgent={contact.urgent}"


mcp = FastMCP(
    "Forms",
    providers=[
        FormInput(model=Contact, on_submit=save_contact, title="New contact", submit_text="Save"),
        FormInput(model=Ticket, tool_name="file_ticket", send_message=True),
    ],
)

if __name__ == "__main__":
    mcp.run(show_banner=False)
