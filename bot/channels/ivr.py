"""The hotline IVR as a Rasa input channel.

It behaves exactly like the REST channel, under its own name, so responses
pick their `channel: ivr` variations (short, speakable) and actions can tell
a caller from a chat user.
"""
from __future__ import annotations

from rasa.core.channels.rest import RestInput


class IvrInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "ivr"
