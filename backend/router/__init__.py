"""The conversation router: every channel's customer messages end here, and it
decides whether the assistant (Rasa) or a human agent answers.

- service.py   ConversationRouter: open a conversation, handle a customer message
- takeover.py  the agents' queue, claim / agent line / release / close
- delivery.py  the outbox: agent lines stored first, then delivered per channel
- fanout.py    the web chat's live lines across backend processes (Redis pub/sub)
- transcript.py masked, numbered transcript lines
- rasa.py      Rasa's REST webhook and tracker, as the router uses them
- replies.py   what a channel gets back

How a channel (one module per channel, e.g. backend/channels/web.py) uses it:

    router = request.app[ROUTER]
    conversation = await router.open("wechat", openid)          # or ("ivr", call_id), ("web", session id)
    replies = await router.handle_customer_message(conversation, text, {"seq": 3})  # metadata → Rasa
    for reply in replies: ...   # reply.text / reply.buttons / reply.custom ({"handoff": ...} → IVR transfer)

Lines an agent sends between turns: the web page subscribes while its socket is
open (`async with router.outbox.live.subscribe(conversation.id) as queue`, then
`await router.outbox.flush(conversation)` for anything sent while it was away);
the IVR calls `await router.outbox.take_pending(conversation.id)` on turns that
carry no text (no_input, dtmf); WeChat registers a `Delivery` calling the
customer-service message API with `router.outbox.register("wechat", delivery)`.
Pending lines also come first in the replies of the customer's next message.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from backend.router.delivery import Delivery, LiveDelivery, NextTurnDelivery, Outbox
from backend.router.fanout import SharedLiveDelivery
from backend.router.rasa import RasaClient, RasaUnavailable
from backend.router.replies import Button, ConversationRef, Reply, Turn
from backend.router.service import ConversationRouter
from backend.router.takeover import Holder, Takeover

ROUTER = web.AppKey("router", ConversationRouter)

__all__ = [
    "ROUTER", "Button", "ConversationRef", "ConversationRouter", "Delivery", "Holder", "LiveDelivery",
    "NextTurnDelivery", "Outbox", "RasaClient", "RasaUnavailable", "Reply", "SharedLiveDelivery", "Takeover", "Turn",
    "install_router",
]


def install_router(app: web.Application, router: ConversationRouter) -> None:
    """Make the router reachable as app[ROUTER], start its fan-out across processes when it has
    one, and close both on shutdown."""
    app[ROUTER] = router

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        live = router.outbox.live
        if isinstance(live, SharedLiveDelivery):
            await live.start()
        yield
        if isinstance(live, SharedLiveDelivery):
            await live.stop()
        await router.rasa.close()

    app.cleanup_ctx.append(lifetime)
