"""The hotline IVR as a Rasa input channel.

Like the REST channel, under its own name, with an output channel that is
also named "ivr": Rasa picks response variations by the output channel's
name, so this is what makes the `channel: ivr` variations (short, speakable)
reach callers; actions tell a caller from a chat user by the input channel.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class IvrOutput(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "ivr"


class IvrInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "ivr"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("ivr_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = IvrOutput()
            await on_new_message(UserMessage(
                self._extract_message(request), collector, await self._extract_sender(request),
                input_channel=self.name(), metadata=self.get_metadata(request)))
            return response.json(collector.messages)

        return webhook
