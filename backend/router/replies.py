"""What the router hands back to a channel: the lines a customer is shown or told.

A `Reply` is channel-neutral: a web chat renders text and buttons, WeChat sends
the text, the IVR speaks it. `custom` carries the assistant's json_message as is
(e.g. `{"handoff": {"queue": "95598", ...}}`, which the IVR turns into a transfer).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rasa.py imports this module
    from backend.router.rasa import TrackerState

# Who a reply comes from: the assistant, a human agent, or the platform itself
# (queue notices, "the assistant continues", the polite sentence when Rasa is down).
BOT, AGENT, SYSTEM = "bot", "agent", "system"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One line for the customer."""

    sender: str
    text: str | None = None
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None
    line_id: int | None = None  # its transcript line, when it was stored before delivery

    def as_json(self) -> dict[str, Any]:
        """The JSON form a channel can pass on (keys with nothing in them left out)."""
        data: dict[str, Any] = {"sender": self.sender}
        if self.text is not None:
            data["text"] = self.text
        if self.buttons:
            data["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.custom is not None:
            data["custom"] = self.custom
        return data

    def transcript_text(self) -> str | None:
        """What the transcript keeps of it: the text, or the button titles of a buttons-only line."""
        if self.text:
            return self.text
        if self.buttons:
            return " / ".join(f"[{b.title}]" for b in self.buttons)
        return None


@dataclass(frozen=True)
class Turn:
    """One customer message once handled: its transcript line and what the customer is shown now.

    A channel that renders by transcript line (the web chat) needs the customer's
    own line id too, so a restored history and the live page never show it twice.
    `assistant` is the assistant's tracker after the turn (form, slots, intent) when the
    assistant answered it, so a channel need not ask Rasa again (the IVR's goodbye)."""

    customer_line_id: int
    replies: list[Reply]
    assistant: TrackerState | None = None


@dataclass(frozen=True)
class ConversationRef:
    """A conversation as a channel holds it between turns (the state is re-read on every turn)."""

    id: str
    channel: str
    external_id: str
    state: str = field(default="bot", compare=False)
