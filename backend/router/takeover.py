"""Human takeover: the agents' queue and who holds a conversation.

States (backend/models/conversations.py):
- bot: the assistant answers;
- waiting_agent: in the agents' queue since `waiting_since` (set by a handoff);
  the queue position is 1 + the number of conversations waiting since earlier;
- agent: held by one agent (`held_by` = Principal.actor, `agent_id` for staff);
  the assistant is never asked while a conversation is held;
- closed: finished; the customer's next message reopens it to the bot.

Claiming is one conditional UPDATE (`… WHERE state IN ('bot','waiting_agent') OR
(state='agent' AND held_by = me)`): of two agents claiming at once exactly one
changes a row; the other gets 409. Claim, release and close each write a system
line for the customer (stored, then delivered through the outbox).

Close offers the chat's satisfaction survey (backend/surveys.py) after the closing
notice, delivered with it, unless the customer has gone (the hotline's hangup).

Transfer hands a held conversation to another agent: only its holder or a
supervising role may, it stays `agent`, and a system line records the change
for staff (not sent: the customer keeps talking to 人工客服 either way).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.context import Platform
from backend.errors import Conflict, Forbidden, NotFound
from backend.models import Conversation
from backend.observability import metrics
from backend.router.delivery import Outbox
from backend.router.replies import AGENT, SYSTEM, ConversationRef
from backend.router.transcript import Line, append, retrying
from glossary import wording

if TYPE_CHECKING:
    from backend.router.survey_turns import SurveyTurns

# Roles that may override another agent's hold (release, close or transfer it).
SUPERVISING_ROLES = ("supervisor", "admin")
TRANSFERRED = "会话已由{source}转给{target}。"  # a transcript note for staff, never sent


@dataclass(frozen=True)
class Holder:
    """The agent (or the service token, a system agent) acting on a conversation."""

    actor: str  # Principal.actor: "staff:<username>" or "service"
    user_id: int | None = None
    supervising: bool = False


def ref(conversation: Conversation) -> ConversationRef:
    return ConversationRef(conversation.id, conversation.channel, conversation.external_id, conversation.state)


def notice(sentence: wording.Sentence, conversation: Conversation | ConversationRef, actor: str) -> Line:
    """A system line for the customer, in the channel's form."""
    return Line(SYSTEM, wording.pick(sentence, conversation.channel == "ivr"), actor=actor, for_delivery=True)


async def queue_position(session: AsyncSession, conversation: Conversation) -> int | None:
    """1 for the next conversation an agent will take; None when it is not waiting."""
    if conversation.state != "waiting_agent" or conversation.waiting_since is None:
        return None
    ahead = await session.scalar(select(func.count(Conversation.id)).where(
        Conversation.state == "waiting_agent",
        or_(Conversation.waiting_since < conversation.waiting_since,
            and_(Conversation.waiting_since == conversation.waiting_since, Conversation.id < conversation.id))))
    return int(ahead or 0) + 1


def _name(actor: str) -> str:
    return actor.removeprefix("staff:")


class Takeover:
    """The agent side of the router: queue, claim, speak, release, close."""

    def __init__(self, platform: Platform, outbox: Outbox, surveys: SurveyTurns | None = None) -> None:
        self.platform = platform
        self.outbox = outbox
        self.surveys = surveys

    async def queue(self, session: AsyncSession, conversation: Conversation, reason: str,
                    summary: str | None) -> None:
        """Put a conversation in the agents' queue (already waiting or held: unchanged)."""
        if conversation.state in ("waiting_agent", "agent"):
            return
        now = self.platform.clock()
        conversation.state, conversation.handoff_reason = "waiting_agent", reason
        conversation.waiting_since = conversation.updated_at = now
        conversation.held_by = conversation.agent_id = None
        await session.flush()
        metrics.HANDOFFS.labels(conversation.channel, metrics.reason_label(reason)).inc()
        if summary:
            await append(session, conversation.id, [Line(SYSTEM, summary, actor="bot")], now)

    async def claim(self, conversation_id: str, who: Holder) -> ConversationRef:
        """Take the conversation (again, if already mine); held by another or closed → 409."""
        now = self.platform.clock()

        async def work(session: AsyncSession) -> ConversationRef:
            before = await self._get(session, conversation_id)
            already_mine = before.state == "agent" and before.held_by == who.actor
            held_by_me = and_(Conversation.state == "agent", Conversation.held_by == who.actor)
            result = await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id,
                       or_(Conversation.state.in_(("bot", "waiting_agent")), held_by_me))
                .values(state="agent", held_by=who.actor, agent_id=who.user_id, waiting_since=None,
                        updated_at=now)
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                if before.state == "closed":
                    raise Conflict("该会话已结束。", code="conversation_closed")
                raise Conflict("该会话已由其他客服接入。", code="held_by_another")
            conversation = await self._get(session, conversation_id)
            if before.state == "waiting_agent" and before.waiting_since is not None:
                metrics.HANDOFF_WAIT.labels(conversation.channel).observe(
                    max((now - before.waiting_since).total_seconds(), 0.0))
            if not already_mine:
                await append(session, conversation_id, [notice(wording.AGENT_JOINED, conversation, who.actor)],
                             now)
            return ref(conversation)

        claimed = await retrying(self.platform, work)
        await self.outbox.flush(claimed)
        return claimed

    async def say(self, conversation_id: str, who: Holder, text: str) -> int:
        """An agent's line: stored (masked) first, then delivered; its transcript seq."""
        now = self.platform.clock()

        async def work(session: AsyncSession) -> tuple[ConversationRef, int]:
            conversation = await self._held(session, conversation_id, who, override=False)
            conversation.updated_at = now
            [line] = await append(session, conversation_id,
                                  [Line(AGENT, text, actor=who.actor, for_delivery=True)], now)
            return ref(conversation), line.seq

        conversation, seq = await retrying(self.platform, work)
        await self.outbox.flush(conversation)
        return seq

    async def transfer(self, conversation_id: str, who: Holder, to: Holder) -> ConversationRef:
        """Hand a held conversation to another agent (holder, or a supervising role); already theirs → 409."""
        now = self.platform.clock()

        async def work(session: AsyncSession) -> ConversationRef:
            conversation = await self._held(session, conversation_id, who, override=who.supervising)
            if conversation.held_by == to.actor:
                raise Conflict("该会话已由这位客服接待。", code="already_held_by_target")
            source = conversation.held_by or who.actor
            conversation.held_by, conversation.agent_id, conversation.updated_at = to.actor, to.user_id, now
            await session.flush()
            note = TRANSFERRED.format(source=_name(source), target=_name(to.actor))
            await append(session, conversation_id, [Line(SYSTEM, note, actor=who.actor)], now)
            return ref(conversation)

        return await retrying(self.platform, work)

    async def release(self, conversation_id: str, who: Holder) -> ConversationRef:
        """Back to the assistant; the customer is told it continues."""
        return await self._leave(conversation_id, who, "bot", wording.BACK_TO_ASSISTANT)

    async def close(self, conversation_id: str, who: Holder, *, survey: bool = True) -> ConversationRef:
        """Finish the conversation (held by me, or not held at all); the customer is told and,
        with `survey`, asked for the chat's satisfaction survey."""
        return await self._leave(conversation_id, who, "closed", wording.CLOSED, survey=survey)

    async def _leave(self, conversation_id: str, who: Holder, state: str,
                     sentence: wording.Sentence, survey: bool = False) -> ConversationRef:
        now = self.platform.clock()

        async def work(session: AsyncSession) -> ConversationRef:
            conversation = await self._get(session, conversation_id, lock=True)
            if conversation.state == "agent" or state == "bot":
                conversation = await self._held(session, conversation_id, who, override=who.supervising)
            elif conversation.state == "closed":
                raise Conflict("该会话已结束。", code="conversation_closed")
            conversation.state, conversation.updated_at = state, now
            conversation.held_by = conversation.agent_id = conversation.waiting_since = None
            await session.flush()
            await append(session, conversation_id, [notice(sentence, conversation, who.actor)], now)
            if survey and self.surveys is not None:
                await self.surveys.offer_at_close(session, conversation, now)
            return ref(conversation)

        left = await retrying(self.platform, work)
        await self.outbox.flush(left)
        return left

    async def _held(self, session: AsyncSession, conversation_id: str, who: Holder,
                    override: bool) -> Conversation:
        """The conversation, if `who` holds it: not held by anyone → 409, by another → 403."""
        conversation = await self._get(session, conversation_id, lock=True)
        if conversation.state != "agent":
            raise Conflict("请先接入该会话。", code="not_held")
        if conversation.held_by != who.actor and not override:
            raise Forbidden("该会话由其他客服接待。", code="held_by_another")
        return conversation

    async def _get(self, session: AsyncSession, conversation_id: str, lock: bool = False) -> Conversation:
        stmt = select(Conversation).where(Conversation.id == conversation_id)
        if lock:
            stmt = stmt.with_for_update()
        conversation = await session.scalar(stmt.execution_options(populate_existing=True))
        if conversation is None:
            raise NotFound("未找到该会话。", code="conversation_not_found")
        return conversation
