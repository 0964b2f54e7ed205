"""The turn ledger: a message a channel receives twice is acted on once.

WeChat resends a message it got no answer to within 5 s (same MsgId), and the
web page resends what the customer typed while its socket was down (same
message id). Each channel names its turns with such a key; the ledger keeps one
row per (channel, sender, key) in `customer_turns`:

- claim: the row is inserted (no answer yet) before the turn acts. Of two
  requests for one turn exactly one inserts it (unique constraint) and acts.
- a repeat of an answered turn gets the stored answer and acts on nothing.
- a repeat while the first request is still acting waits up to `wait_seconds`
  for its answer, then raises `TurnInProgress` (WeChat answers `success` then:
  the first request delivers the reply itself).
- release: the turn failed before it was answered; a later repeat acts again.

The IVR keeps its own table (backend/channels/ivr_turns.py) because its turns
are ordered (seq) and its silent turns are counted from them.
"""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from backend.context import Platform
from backend.models import CustomerTurn

POLL_SECONDS = 0.05
KEY_MAX = 128
Answer = dict[str, Any]


class TurnInProgress(Exception):
    """Another request is still acting on this turn."""


class TurnLedger:
    """The turns of one channel."""

    def __init__(self, platform: Platform, channel: str) -> None:
        self.platform = platform
        self.channel = channel

    async def claim(self, sender: str, key: str, wait_seconds: float = 0.0) -> Answer | None:
        """None: this request acts on the turn. An answer: the turn was answered before; repeat it."""
        key = key[:KEY_MAX]
        row = await self._stored(sender, key)
        if row is None:
            async with self.platform.sessions() as session:
                session.add(CustomerTurn(channel=self.channel, sender=sender, turn_key=key,
                                         created_at=self.platform.clock()))
                try:
                    await session.commit()
                    return None
                except IntegrityError:  # a concurrent request for the same turn claimed it first
                    await session.rollback()
        return await self._answer(sender, key, row, wait_seconds)

    async def store(self, sender: str, key: str, answer: Answer) -> None:
        """Keep the turn's answer for its repeats."""
        async with self.platform.sessions() as session:
            await session.execute(update(CustomerTurn).where(*self._turn(sender, key[:KEY_MAX]))
                                  .values(answer=answer).execution_options(synchronize_session=False))
            await session.commit()

    async def release(self, sender: str, key: str) -> None:
        """The turn failed before it was answered: a repeat of it may act again."""
        async with self.platform.sessions() as session:
            await session.execute(delete(CustomerTurn).where(*self._turn(sender, key[:KEY_MAX]),
                                                             CustomerTurn.answer.is_(None)))
            await session.commit()

    async def _answer(self, sender: str, key: str, row: CustomerTurn | None, wait_seconds: float) -> Answer | None:
        waited = 0.0
        while True:
            if row is not None and row.answer is not None:
                return dict(row.answer)
            if waited >= wait_seconds:
                raise TurnInProgress(f"{self.channel} turn still being answered")
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS
            row = await self._stored(sender, key)
            if row is None:  # the first request failed and released it: this one acts
                return await self.claim(sender, key, wait_seconds - waited)

    async def _stored(self, sender: str, key: str) -> CustomerTurn | None:
        async with self.platform.sessions() as session:
            return await session.scalar(select(CustomerTurn).where(*self._turn(sender, key)))

    def _turn(self, sender: str, key: str) -> tuple[Any, ...]:
        return (CustomerTurn.channel == self.channel, CustomerTurn.sender == sender, CustomerTurn.turn_key == key)
