"""``fastmcp.apps.form``: ``FormInput``, a provider that collects data shaped by a pydantic model.

The model calls ``collect_<model>(prompt, ...)``; the user sees a form made from the model's fields
(``Form.from_model``), and submitting it calls the provider's backend tool ``submit_form``, which validates the
data against the model and answers with its JSON (or with what ``on_submit`` returns). What clients see is
FastMCP 4's::

    mcp = FastMCP("My Server", providers=[FormInput(model=ShippingAddress)])
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pydantic

from .app import FastMCPApp

__all__ = ["FormInput"]

try:
    import prefab_ui
    from prefab_ui.app import PrefabApp
except ImportError as _exc:  # as FastMCP 4 says it
    raise ImportError("FormInput requires prefab-ui. Install with: pip install 'fastmcp[apps]'") from _exc


def _takes_defaults() -> bool:
    """Whether this prefab-ui's ``Form.from_model`` pre-fills fields (``defaults=``, from 0.19.1 on)."""
    try:
        parts = tuple(int(p) for p in prefab_ui.__version__.split(".")[:3])
    except (AttributeError, ValueError):
        return False
    return parts >= (0, 19, 1)


# What the model reads: FastMCP 4's docstring of the entry tool, word for word (its argument descriptions
# reach the input schema).
_ENTRY_DOC = """Collect structured input from the user.

Args:
    prompt: Tell the user what you need and why.
    title: Optional heading for the form card.
    submit_text: Optional label for the submit button.
    default: Optional suggested response — a partial dict of form
        field values keyed by field name. The form renders with
        those values pre-filled so the user can confirm or edit
        rather than start from a blank form. Use this when you
        already know (or can infer) what the answer should be.
        Requires prefab-ui>=0.19.1; silently ignored on older
        versions.
"""


def _with_unchecked_booleans(model: type[pydantic.BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """A browser leaves an unchecked checkbox out of the submitted data: each missing ``bool`` field is its
    default, or ``False``."""
    for field, info in model.model_fields.items():
        if field not in data and info.annotation is bool:
            data[field] = False if info.default is pydantic.fields.PydanticUndefined else info.default
    return data


class FormInput(FastMCPApp):
    """Adds ``collect_<model>`` (the form) and its backend tool ``submit_form`` (the submission)."""

    def __init__(
        self,
        model: type[pydantic.BaseModel],
        *,
        name: str | None = None,
        title: str | None = None,
        submit_text: str = "Submit",
        tool_name: str | None = None,
        on_submit: Callable[..., str] | None = None,
        send_message: bool = False,
    ) -> None:
        super().__init__(name or model.__name__)
        self._model = model
        self._title = title or model.__name__
        self._submit_text = submit_text
        self._tool_name = tool_name or f"collect_{model.__name__.lower()}"
        self._on_submit = on_submit
        self._send_message = send_message
        self.tool(name="submit_form")(self._submit_tool())
        label = model.__name__
        self.ui(
            name=self._tool_name,
            description=(
                f"Collect {label} information from the user via a form. Call this tool when you need the user "
                f"to provide {label} data. The user will see a validated form. After calling this tool, STOP and "
                "wait for the user to submit."
            ),
        )(self._entry_tool())

    def __repr__(self) -> str:
        return f"FormInput({self._model.__name__!r})"

    def _submit_tool(self) -> Any:
        form = self

        def submit_form(data: dict[str, Any] | None = None) -> str:
            """Validate and process form submission."""
            checked = form._model.model_validate(_with_unchecked_booleans(form._model, dict(data or {})))
            if form._on_submit is not None:
                return form._on_submit(checked)
            return json.dumps(checked.model_dump(mode="json"))

        return submit_form

    def _entry_tool(self) -> Any:
        form = self

        def collect_input(
            prompt: str,
            title: str | None = None,
            submit_text: str | None = None,
            default: dict[str, Any] | None = None,
        ) -> PrefabApp:
            from prefab_ui.actions import SetState
            from prefab_ui.actions.mcp import CallTool, SendMessage
            from prefab_ui.components import H3, Card, CardContent, CardFooter, CardHeader, Column, Form, Muted
            from prefab_ui.components.control_flow import If
            from prefab_ui.rx import RESULT, STATE

            after: list[Any] = [SetState("submitted", True)]
            if form._send_message:
                after = [SendMessage(RESULT), *after]
            options: dict[str, Any] = {
                "submit_label": submit_text or form._submit_text,
                "on_submit": [CallTool("submit_form", on_success=after)],
            }
            if default and _takes_defaults():
                options["defaults"] = default
            with Card(css_class="max-w-lg mx-auto") as view:
                with CardHeader():
                    H3(title or form._title)
                with CardContent(), Column(gap=4):
                    Muted(prompt)
                    Form.from_model(form._model, **options)
                with CardFooter(), If(STATE.submitted):
                    Muted("Submitted.")
            return PrefabApp(view=view, state={"submitted": False})

        collect_input.__doc__ = _ENTRY_DOC
        return collect_input
