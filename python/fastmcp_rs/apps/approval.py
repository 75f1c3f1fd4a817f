"""``fastmcp.apps.approval``: ``Approval``, a provider that asks the user to approve or reject an action.

The model calls ``request_approval(summary, details=...)``; the user sees a card with the summary and two
buttons, and the one they click sends ``"<summary>" — I selected: <label>`` into the conversation. What
clients see (the tool, its description and the card) is FastMCP 4's::

    mcp = FastMCP("My Server", providers=[Approval()])
    mcp.add_provider(Approval(title="Deploy Gate", approve_text="Ship it", reject_variant="destructive"))
"""

from __future__ import annotations

from typing import Any, Literal

from .app import FastMCPApp

__all__ = ["Approval"]

try:
    from prefab_ui.app import PrefabApp
except ImportError as _exc:  # as FastMCP 4 says it
    raise ImportError("Approval requires prefab-ui. Install with: pip install 'fastmcp[apps]'") from _exc

# What the model reads: FastMCP 4's description of the tool, word for word (clients see it).
_DESCRIPTION = """Request human approval before proceeding with an action.

Call this tool proactively whenever you are about to take a
significant or irreversible action and want the user to
confirm first. Do NOT wait for the user to ask you to seek
approval — use your judgment about when confirmation is
appropriate.

The user will see an approval card with the summary, optional
details, and Approve/Reject buttons. When they click a button,
their decision appears as a message in the conversation (as if
the user typed it), like:

    "Deploy v3.2 to production" — I selected: Approve

or:

    "Deploy v3.2 to production" — I selected: Reject

IMPORTANT: After calling this tool, you MUST stop and wait
for the user's response. Do not continue, do not take any
other actions, do not generate further output until you see
the "I selected:" message. If approved, continue with the
action. If rejected, acknowledge and ask how to proceed.

Args:
    summary: Brief description of the action requiring approval
        (shown prominently to the user).
    details: Optional longer explanation, context, or
        consequences of the action.
    title: Heading for the approval card (default: "Approval Required").
    approve_text: Label for the approve button (default: "Approve").
    reject_text: Label for the reject button (default: "Reject").
    approve_variant: Button style — "default", "destructive",
        "success", or "info".
    reject_variant: Button style for the reject button
        (same options plus "outline").
"""


class Approval(FastMCPApp):
    """Adds ``request_approval``: an approval card whose buttons answer in the conversation. The keyword
    arguments are the defaults the model may override per call."""

    def __init__(
        self,
        name: str = "Approval",
        *,
        title: str = "Approval Required",
        approve_text: str = "Approve",
        reject_text: str = "Reject",
        approve_variant: Literal["default", "destructive", "success", "info"] = "default",
        reject_variant: Literal["default", "outline", "destructive", "success", "info"] = "outline",
    ) -> None:
        super().__init__(name)
        self._title = title
        self._approve_text = approve_text
        self._reject_text = reject_text
        self._approve_variant = approve_variant
        self._reject_variant = reject_variant
        self.ui(name="request_approval")(self._request_approval_tool())

    def __repr__(self) -> str:
        return f"Approval({self.name!r})"

    def _request_approval_tool(self) -> Any:
        defaults = self

        def request_approval(
            summary: str,
            details: str | None = None,
            title: str | None = None,
            approve_text: str | None = None,
            reject_text: str | None = None,
            approve_variant: str | None = None,
            reject_variant: str | None = None,
        ) -> PrefabApp:
            from prefab_ui.components import Column, Muted, Text

            from ._decision import decision_app, selected

            approve = approve_text or defaults._approve_text
            reject = reject_text or defaults._reject_text

            def body() -> None:
                with Column(gap=3):
                    Text(summary, css_class="font-medium")
                    if details:
                        Muted(details)

            return decision_app(
                title or defaults._title,
                body,
                [
                    (reject, reject_variant or defaults._reject_variant, None, selected(summary, reject)),
                    (approve, approve_variant or defaults._approve_variant, None, selected(summary, approve)),
                ],
                stacked=False,
            )

        request_approval.__doc__ = _DESCRIPTION
        return request_approval
