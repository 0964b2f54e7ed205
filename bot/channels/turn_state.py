"""What the conversation router needs to know after a turn, handed back with the turn's replies.

After every customer message the router needs the intent the assistant heard (it labels the
transcript line), the form in progress and the slots (the hotline's goodbye, transfer context
and the chat survey). Reading them with `GET /conversations/{id}/tracker` cost Rasa a second
retrieval of the whole tracker from its store, replayed event by event, on every turn (issue #10).
Instead the tracker Rasa saves at the end of the turn is summarised as it is saved: the input
channel opens a `collecting()` holder around the message, and `MessageProcessor.save_tracker`
(patched in bot/rasa_patches.py) fills it. The summary has the shape of the tracker GET's answer
(`latest_message.intent`, `active_loop`, `slots`), so the router reads both alike.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from rasa.shared.core.trackers import DialogueStateTracker

_HOLDER: ContextVar[dict[str, Any] | None] = ContextVar("turn_state", default=None)


@contextmanager
def collecting() -> Iterator[dict[str, Any]]:
    """A holder the turn's saved tracker is summarised into (under "tracker"); empty if none was saved."""
    holder: dict[str, Any] = {}
    token = _HOLDER.set(holder)
    try:
        yield holder
    finally:
        _HOLDER.reset(token)


def summary(tracker: DialogueStateTracker) -> dict[str, Any]:
    intent = tracker.latest_message.intent if tracker.latest_message else {}
    return {"latest_message": {"intent": {"name": intent.get("name"), "confidence": intent.get("confidence")}},
            "active_loop": {"name": tracker.active_loop_name} if tracker.active_loop_name else {},
            "slots": tracker.current_slot_values()}


def saved(tracker: DialogueStateTracker) -> None:
    """Called as a tracker is saved: summarise it for the channel handling this message, if any."""
    holder = _HOLDER.get()
    if holder is not None:
        holder["tracker"] = summary(tracker)
