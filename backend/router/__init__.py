"""The conversation router: every channel's customer messages end here, and it
decides whether the assistant (Rasa) or a human agent answers.

- service.py   ConversationRouter: open a conversation, handle a customer message
- takeover.py  the agents' queue, claim / agent line / release / close
- delivery.py  the outbox: agent lines stored first, then delivered per channel
- transcript.py masked, numbered transcript lines
- rasa.py      Rasa's REST webhook and tracker, as the router uses them
- replies.py   what a channel gets back

Channels get the router from the application: `request.app[ROUTER]`.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from backend.router.delivery import Delivery, LiveDelivery, NextTurnDelivery, Outbox
from backend.router.rasa import RasaClient, RasaUnavailable
from backend.router.replies import Button, ConversationRef, Reply
from backend.router.service import ConversationRouter
from backend.router.takeover import Holder, Takeover

ROUTER = web.AppKey("router", ConversationRouter)

__all__ = [
    "ROUTER", "Button", "ConversationRef", "ConversationRouter", "Delivery", "Holder", "LiveDelivery",
    "NextTurnDelivery", "Outbox", "RasaClient", "RasaUnavailable", "Reply", "Takeover", "install_router",
]


def install_router(app: web.Application, router: ConversationRouter) -> None:
    """Make the router reachable as app[ROUTER] and close its Rasa session on shutdown."""
    app[ROUTER] = router

    async def close_rasa(app: web.Application) -> AsyncIterator[None]:
        yield
        await router.rasa.close()

    app.cleanup_ctx.append(close_rasa)
