"""``fastmcp.apps.choice``: ``Choice``, a provider that lets the user pick one of several options.

The model calls ``choose(prompt, options)``; the user sees a card with one button per option, and the one
they click sends ``"<prompt>" — I selected: <option>`` into the conversation. What clients see is FastMCP 4's::

    mcp = FastMCP("My Server", providers=[Choice()])
"""

from __future__ import annotations

from typing import Any, Literal

from .app import FastMCPApp

__all__ = ["Choice"]

try:
    from prefab_ui.app import PrefabApp
except ImportError as _exc:  # as FastMCP 4 says it
    raise ImportError("Choice requires prefab-ui. Install with: pip install 'fastmcp[apps]'") from _exc

# What the model reads: FastMCP 4's description of the tool, word for word (clients see it).
_DESCRIPTION = """Present the user with a set of options to choose from.

Call this tool when you need the user to make a decision
between discrete alternatives. Use it proactively — don't
ask the user to type their choice in chat when you can
present clean, clickable options instead.

The user will see a card with one button per option. When
they click one, their choice appears as a message in the
conversation (as if the user typed it), like:

    "Which deployment strategy?" — I selected: Blue-green

IMPORTANT: After calling this tool, you MUST stop and wait
for the user's response. Do not continue or take any other
actions until you see the "I selected:" message.

Args:
    prompt: The question or decision to present to the user.
    options: List of options the user can choose from.
    title: Optional heading for the card.
"""


class Choice(FastMCPApp):
    """Adds ``choose``: a card with one button per option, each answering in the conversation."""

    def __init__(
        self,
        name: str = "Choice",
        *,
        title: str = "Choose an Option",
        variant: Literal["default", "outline", "destructive", "success", "info"] = "outline",
    ) -> None:
        super().__init__(name)
        self._title = title
        self._variant = variant
        self.ui(name="choose")(self._choose_tool())

    def __repr__(self) -> str:
        return f"Choice({self.name!r})"

    def _choose_tool(self) -> Any:
        defaults = self

        def choose(prompt: str, options: list[str], title: str | None = None) -> PrefabApp:
            from prefab_ui.components import Text

            from ._decision import decision_app, selected

            def body() -> None:
                Text(prompt, css_class="font-medium")

            buttons = [(o, defaults._variant, "w-full justify-start", selected(prompt, o)) for o in options]
            return decision_app(title or defaults._title, body, buttons, stacked=True)

        choose.__doc__ = _DESCRIPTION
        return choose
