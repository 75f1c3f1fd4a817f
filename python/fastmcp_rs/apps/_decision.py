"""The card FastMCP 4's decision apps show (``Approval``, ``Choice``): a heading, a body, and buttons that each
send a message into the conversation and mark the card decided, after which it reads "Response sent."."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["DecisionButton", "decision_app", "selected"]

#: One button: its label, its variant, its CSS classes (or None) and the message it sends.
DecisionButton = tuple[str, str, "str | None", str]


def selected(subject: str, label: str) -> str:
    """The message a click sends, as FastMCP 4 words it."""
    return f'"{subject}" — I selected: {label}'


def decision_app(
    title: str,
    body: Callable[[], None],
    buttons: Sequence[DecisionButton],
    *,
    stacked: bool,
) -> Any:
    """The Prefab app: ``body`` adds the card's content; the buttons sit in a right-aligned row, or one under
    another (``stacked``)."""
    from prefab_ui.actions import SetState
    from prefab_ui.actions.mcp import SendMessage
    from prefab_ui.app import PrefabApp
    from prefab_ui.components import H3, Button, Card, CardContent, CardFooter, CardHeader, Column, Muted, Row
    from prefab_ui.components.control_flow import If
    from prefab_ui.rx import STATE

    with Card(css_class="max-w-lg mx-auto") as view:
        with CardHeader():
            H3(title)
        with CardContent():
            body()
        with CardFooter():
            with If(STATE.decided):
                Muted("Response sent.")
            with If(~STATE.decided):
                holder = Column(gap=2, css_class="w-full") if stacked else Row(gap=2, css_class="w-full justify-end")
                with holder:
                    for label, variant, css, message in buttons:
                        extra: dict[str, Any] = {"css_class": css} if css else {}
                        Button(
                            label,
                            variant=variant,
                            on_click=[SendMessage(message), SetState("decided", True)],
                            **extra,
                        )
    return PrefabApp(view=view, state={"decided": False})
