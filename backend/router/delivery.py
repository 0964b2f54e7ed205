"""Getting lines to a customer outside their own turn: the outbox.

An agent's words (and the notices of claim, release and close) are written to
the transcript first, flagged `awaiting_delivery`, and only then handed to the
channel's `Delivery`. A line stays pending until a delivery hands it over, so a
restart, a closed browser tab or a hotline caller between two turns loses
nothing: pending lines are also returned with the customer's next reply.

Deliveries per channel:
- web: `LiveDelivery`, an in-memory pub/sub of the open web sockets of this
  process. No socket open → the line stays pending (the page fetches it with
  `Outbox.take_pending` when it reconnects, or gets it with the next reply).
- ivr: `NextTurnDelivery`. The IVR talks only when it posts a turn, so lines wait
  for its next turn (`Outbox.take_pending`, or the router's next reply).
- wechat: `NextTurnDelivery` until the WeChat channel registers a delivery that
  calls the customer-service message API (客服消息接口); that delivery implements
  the `Delivery` protocol below and is passed to `Outbox.register`.

What is delivered is the stored (masked) line, so a line delivered after a
restart reads exactly as one delivered live.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from sqlalchemy import select, update

from backend.context import Platform
from backend.models import Message
from backend.router.replies import ConversationRef, Reply

log = logging.getLogger(__name__)


class Delivery(Protocol):
    """How one channel reaches a customer between their turns."""

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> bool:
        """Hand the lines over now: True when they reached the customer, False to keep them pending."""
        ...


class NextTurnDelivery:
    """Lines wait in the database for the customer's next turn (IVR; WeChat for now)."""

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> bool:
        """Never delivers now: the channel fetches the lines at its next turn."""
        return False


class LiveDelivery:
    """In-memory pub/sub for the web chat's open sockets (one process)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Reply]]] = defaultdict(set)

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[Reply]]:
        """A queue that receives every line delivered to the conversation while the block runs."""
        queue: asyncio.Queue[Reply] = asyncio.Queue()
        self._subscribers[conversation_id].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[conversation_id].discard(queue)
            if not self._subscribers[conversation_id]:
                del self._subscribers[conversation_id]

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> bool:
        """Put the lines on every open socket's queue; False when none is open."""
        queues = self._subscribers.get(conversation.id)
        if not queues:
            return False
        for queue in queues:
            for reply in replies:
                queue.put_nowait(reply)
        return True


class Outbox:
    """Pending customer lines in the transcript, and the delivery of each channel."""

    def __init__(self, platform: Platform, live: LiveDelivery | None = None) -> None:
        self.platform = platform
        self.live = live or LiveDelivery()
        self.next_turn = NextTurnDelivery()
        self._deliveries: dict[str, Delivery] = {"web": self.live}

    def register(self, channel: str, delivery: Delivery) -> None:
        """Use this delivery for a channel (the WeChat channel registers its API delivery here)."""
        self._deliveries[channel] = delivery

    def delivery_for(self, channel: str) -> Delivery:
        """The channel's delivery; lines of a channel without one wait for the next turn."""
        return self._deliveries.get(channel, self.next_turn)

    async def flush(self, conversation: ConversationRef) -> int:
        """Try to deliver the conversation's pending lines now; how many reached the customer."""
        taken = await self.take_pending(conversation.id)
        if not taken:
            return 0
        try:
            delivered = await self.delivery_for(conversation.channel).deliver(conversation, taken)
        except Exception:  # a channel's API failing must not lose the line: it stays pending
            log.exception("delivery to %s conversation %s failed; lines stay pending",
                          conversation.channel, conversation.id)
            delivered = False
        if not delivered:
            await self._put_back([r.line_id for r in taken if r.line_id is not None])
            return 0
        return len(taken)

    async def take_pending(self, conversation_id: str) -> list[Reply]:
        """The lines not yet delivered, oldest first, marked delivered (each is taken once)."""
        now = self.platform.clock()
        async with self.platform.sessions() as session:
            pending = (await session.scalars(
                select(Message).where(Message.conversation_id == conversation_id,
                                      Message.awaiting_delivery.is_(True)).order_by(Message.seq))).all()
            taken = []
            for message in pending:
                result = await session.execute(
                    update(Message).where(Message.id == message.id, Message.awaiting_delivery.is_(True))
                    .values(awaiting_delivery=False, delivered_at=now)
                    .execution_options(synchronize_session=False))
                if result.rowcount == 1:  # not taken by a concurrent flush
                    taken.append(Reply(message.sender, message.text, line_id=message.id))
            await session.commit()
        return taken

    async def _put_back(self, line_ids: list[int]) -> None:
        async with self.platform.sessions() as session:
            await session.execute(update(Message).where(Message.id.in_(line_ids))
                                  .values(awaiting_delivery=True, delivered_at=None)
                                  .execution_options(synchronize_session=False))
            await session.commit()
