"""One id per customer message, followed from the channel to the ticket (issue #11).

The router gives every customer message an id: the channel's HTTP request's
(`X-Request-Id` when the caller sent a well-formed one, e.g. the IVR platform's own,
else a new one), or a new one per message on the web chat's socket. It travels to
Rasa in the message's metadata (`request_id`) and its header, from Rasa to the action
server inside the tracker, and from the actions into every backend call as
`X-Request-Id`; the backend echoes it on every response and stores it on the ticket
events and transcript lines the message causes. Every log line carries it, so one
grep follows a message through all four processes.

The id lives in a context variable: asyncio copies it into the tasks a handler
starts, so a line logged deep inside a turn still names its message.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

HEADER = "X-Request-Id"
METADATA_KEY = "request_id"
# What a caller may hand us: short, and nothing a log line or a header could be broken by.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
conversation_id: ContextVar[str | None] = ContextVar("conversation_id", default=None)


def new() -> str:
    return uuid.uuid4().hex


def accepted(given: object) -> str | None:
    """`given` when it is a well-formed id, else None (a new one is made instead)."""
    return given if isinstance(given, str) and _WELL_FORMED.fullmatch(given) else None


def current() -> str | None:
    return request_id.get()


def bind(rid: str | None = None, conversation: str | None = None) -> str:
    """Make `rid` (or a new id) this context's request id, and name its conversation when known."""
    rid = accepted(rid) or new()
    request_id.set(rid)
    if conversation is not None:
        conversation_id.set(conversation)
    return rid


def from_tracker(tracker: Mapping[str, Any]) -> str | None:
    """The id the router put in the metadata of the message a tracker's turn answers."""
    latest = tracker.get("latest_message") or {}
    metadata = latest.get("metadata") if isinstance(latest, Mapping) else None
    return accepted(metadata.get(METADATA_KEY)) if isinstance(metadata, Mapping) else None


def headers() -> dict[str, str]:
    """The header to send with an outgoing call made on behalf of the current message."""
    rid = current()
    return {HEADER: rid} if rid else {}
