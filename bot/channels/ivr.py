"""The hotline IVR as a Rasa input channel.

Like the REST channel (bot/channels/rest.py, `?state=true` included), under its own name,
with an output channel that is also named "ivr": Rasa picks response variations by the
output channel's name, so this is what makes the `channel: ivr` variations (short,
speakable) reach callers; actions tell a caller from a chat user by the input channel.
"""
from __future__ import annotations

from rasa.core.channels.channel import CollectingOutputChannel

from bot.channels.rest import RouterRestInput


class IvrOutput(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "ivr"


class IvrInput(RouterRestInput):
    @classmethod
    def name(cls) -> str:
        return "ivr"

    def output_channel(self) -> CollectingOutputChannel:
        return IvrOutput()
