"""Rasa's REST channel as the backend's conversation router uses it: `/webhooks/rest/webhook`.

The same URL, body and answer as Rasa's own REST channel (a list of messages), with one
addition: `?state=true` answers `{"messages": [...], "tracker": {...}}`, the tracker's
summary after the turn (bot/channels/turn_state.py), so the router need not read the tracker
again; and the body may carry `message_id`, the channel's own id of the message, which becomes
the message's id in the tracker (the actions' Idempotency-Keys are built from it, so a message
acted on twice files its ticket once; without one Rasa makes up a new id each time).
Rasa's streaming mode (`?stream=true`) is not offered: nothing of ours uses it.
"""
from __future__ import annotations

import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from backend.observability import request_ids
from bot.channels import turn_state

log = logging.getLogger(__name__)
MESSAGE_ID = re.compile(r"[\w:.-]{1,64}")


def message_id_of(request: Request) -> str | None:
    """The body's `message_id` when it is a usable one (else Rasa makes one up, as for any channel)."""
    body = request.json if isinstance(request.json, dict) else {}
    value = body.get("message_id")
    return value if isinstance(value, str) and MESSAGE_ID.fullmatch(value) else None


class RouterRestInput(RestInput):
    """Named "rest", as Rasa's: the input channel the actions see is unchanged."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def output_channel(self) -> CollectingOutputChannel:
        return CollectingOutputChannel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"router_webhook_{self.name()}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = self.output_channel()
            metadata = self.get_metadata(request)
            message = UserMessage(self._extract_message(request), collector, await self._extract_sender(request),
                                  input_channel=self.name(), metadata=metadata,
                                  message_id=message_id_of(request))
            # The router's id of this message, for this process's log lines and the action calls it makes.
            given = metadata.get(request_ids.METADATA_KEY) if isinstance(metadata, dict) else None
            request_ids.bind(given or request.headers.get(request_ids.HEADER), message.sender_id)
            log.info("%s: turn of %s (message %s)", self.name(), message.sender_id, message.message_id)
            with turn_state.collecting() as state:
                try:
                    await on_new_message(message)
                except CancelledError:
                    log.error("%s: the turn of %s timed out", self.name(), message.sender_id)
                except Exception:  # as Rasa's REST channel: what was said so far is answered
                    log.exception("%s: the turn of %s failed", self.name(), message.sender_id)
            if bool_arg(request, "state", default=False):
                return response.json({"messages": collector.messages, "tracker": state.get("tracker")})
            return response.json(collector.messages)

        return webhook
