"""The IVR's turns: a repeated (call_id, seq) gets the same answer, acted on once.

Terms:
- claim: the turn's row is inserted (with no answer) before the turn acts. The
  unique (call_id, seq) lets exactly one of two concurrent posts of a turn insert
  it; the other waits for the stored answer (up to `REPEAT_WAIT_SECONDS`).
- replay: a turn whose answer is stored gets that answer, whenever it comes again.
- old turn: a seq below the call's highest that was never answered (the IVR sent
  it late, out of order) is refused with 409: acting on it now would answer a
  question the caller is no longer asking.
- silent turns in a row: the no_input turns since the call's last other turn,
  counted from the rows (any input resets the count).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from backend.context import Platform
from backend.errors import Conflict
from backend.models import IvrTurn

log = logging.getLogger(__name__)

# A concurrent duplicate waits this long for the first post's answer (the first may be
# waiting for the assistant, which can take backend.router.rasa.SEND_TIMEOUT_SECONDS).
REPEAT_WAIT_SECONDS = 20.0
POLL_SECONDS = 0.05
NO_INPUT = "no_input"
Answer = dict[str, Any]


class TurnStore:
    """The stored turns of every call."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def claim(self, call_id: str, seq: int, event: str) -> Answer | None:
        """None: this post acts on the turn. An answer: the turn's stored answer, to repeat."""
        stored = await self._stored(call_id, seq)
        if stored is not None:
            return await self._answer_of(call_id, seq, stored)
        async with self.platform.sessions() as session:
            last = await session.scalar(select(func.max(IvrTurn.seq)).where(IvrTurn.call_id == call_id))
            if last is not None and seq < last:
                raise Conflict("该轮次已过期：本通话已有更新的轮次。", code="turn_out_of_order")
            session.add(IvrTurn(call_id=call_id, seq=seq, event=event, created_at=self.platform.clock()))
            try:
                await session.commit()
                return None
            except IntegrityError:  # a concurrent post of the same turn claimed it first
                await session.rollback()
        return await self._answer_of(call_id, seq, None)

    async def store(self, call_id: str, seq: int, answer: Answer) -> None:
        """Keep the turn's answer for its repeats."""
        async with self.platform.sessions() as session:
            await session.execute(update(IvrTurn).where(IvrTurn.call_id == call_id, IvrTurn.seq == seq)
                                  .values(answer=answer).execution_options(synchronize_session=False))
            await session.commit()

    async def release(self, call_id: str, seq: int) -> None:
        """The turn failed before it was answered: a retry of it may act again."""
        async with self.platform.sessions() as session:
            await session.execute(delete(IvrTurn).where(IvrTurn.call_id == call_id, IvrTurn.seq == seq,
                                                        IvrTurn.answer.is_(None)))
            await session.commit()

    async def silent_in_a_row(self, call_id: str) -> int:
        """The call's no_input turns since its last other turn (the current one included)."""
        async with self.platform.sessions() as session:
            events = (await session.scalars(select(IvrTurn.event).where(IvrTurn.call_id == call_id)
                                            .order_by(IvrTurn.seq.desc()))).all()
        count = 0
        for event in events:
            if event != NO_INPUT:
                break
            count += 1
        return count

    async def _stored(self, call_id: str, seq: int) -> IvrTurn | None:
        async with self.platform.sessions() as session:
            return await session.scalar(select(IvrTurn).where(IvrTurn.call_id == call_id, IvrTurn.seq == seq))

    async def _answer_of(self, call_id: str, seq: int, row: IvrTurn | None) -> Answer:
        """The stored answer, waiting for a concurrent post still acting on the turn."""
        waited = 0.0
        while True:
            if row is not None and row.answer is not None:
                return dict(row.answer)
            if waited >= REPEAT_WAIT_SECONDS:
                log.warning("ivr call %s turn %s: still unanswered after %.0fs", call_id, seq, waited)
                raise Conflict("该轮次正在处理中，请稍后重试。", code="turn_in_progress")
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS
            row = await self._stored(call_id, seq)
            if row is None:  # the first post failed and released it: nothing to repeat
                raise Conflict("该轮次处理失败，请重新发送。", code="turn_failed")
