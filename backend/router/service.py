"""The conversation router: for every customer message, the bot or a human.

Every channel (web chat, WeChat, IVR) ends here. The state of a conversation
lives in the backend's database, not in Rasa, so a Rasa restart or an expired
Rasa session never lets the bot talk over an agent.

One customer turn, by state:
- bot: the line is stored (masked), the message goes to Rasa with `sender` = the
  conversation id and `metadata` {"channel": ..., plus what the channel passes};
  Rasa's replies come back and are stored (masked); the customer line gets the
  intent and confidence the assistant saw (read from Rasa's tracker). Rasa down,
  timing out, failing or saying nothing (its action server down): one polite sentence
  (glossary/wording.py), still stored; on WeChat and the hotline the conversation also
  joins the agents' queue (reason assistant_unavailable, the IVR transfers the call).
- waiting_agent: stored for the agent; Rasa is not asked; the customer is told
  their place in the queue.
- agent: stored for the agent; Rasa is not asked; no reply of its own (the agent
  answers through the outbox).
- closed: the message reopens the same conversation to the bot (a customer who
  writes again expects an answer, not a dead end; the transcript keeps the earlier
  turns and a system line marks the reopening). The channel's id (openid, web
  session) stays bound to one conversation.

Lines still pending delivery (an agent's words the customer has not seen) come
first in the replies of the customer's next turn, on every channel.

Satisfaction survey (backend/surveys.py, survey_turns.py): while a rating or a
WeChat comment is awaited, or when the line is one of the web page's survey
lines, the customer's line is first taken as the answer, in any state (then it
never reaches Rasa or the agent's queue, and a closed conversation stays
closed); a line that is no answer goes on as usual. A goodbye or thanks to the
assistant after a served request, with no form open, ends the chat: its survey
is offered in that turn.

Every reply that was stored carries its transcript line id (`Reply.line_id`), and
`handle_customer_turn` also names the customer's own line: a channel that shows
a restored history beside live lines (the web chat) de-duplicates by these ids.
A reply with no text of its own (a json_message such as the handoff) has no line.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend.context import Platform
from backend.models import Conversation, Message
from backend.observability import metrics, request_ids
from backend.router.delivery import Outbox
from backend.router.fanout import SharedLiveDelivery
from backend.router.rasa import IntentSeen, RasaClient, RasaUnavailable, TrackerState
from backend.router.replies import SYSTEM, ConversationRef, Reply, Turn
from backend.router.survey_turns import SurveyTurns
from backend.router.takeover import Takeover, queue_position, ref
from backend.router.transcript import REOPENED, Line, append, record, retrying
from glossary import wording
from glossary.rasa_names import FALLBACK_INTENT

log = logging.getLogger(__name__)
__all__ = ["REOPENED", "ConversationRouter"]  # REOPENED: importers read it here too

# Channels whose customer is queued for an agent when the assistant cannot answer (the
# hotline must reach a human; a WeChat customer reads the agent's reply whenever it comes).
QUEUED_WHEN_UNAVAILABLE = frozenset({"ivr", "wechat"})
UNAVAILABLE_REASON = "assistant_unavailable"


class ConversationRouter:
    """Decides, turn by turn, whether the assistant or a human answers."""

    def __init__(self, platform: Platform, rasa: RasaClient, outbox: Outbox | None = None) -> None:
        self.platform = platform
        self.rasa = rasa
        self.outbox = outbox or Outbox(platform)
        self.surveys = SurveyTurns(platform, rasa)
        self.takeover = Takeover(platform, self.outbox, self.surveys)

    @classmethod
    def build(cls, platform: Platform) -> ConversationRouter:
        """The router for the platform's settings (RASA_URL, RASA_TOKEN; REDIS_URL: live lines shared
        with the other backend processes)."""
        settings = platform.settings
        live = SharedLiveDelivery(settings.redis_url) if settings.redis_url else None
        return cls(platform, RasaClient(settings.rasa_url, settings.rasa_token), Outbox(platform, live))

    async def open(self, channel: str, external_id: str) -> ConversationRef:
        """The conversation of this customer on this channel, created in state bot if new."""
        async with self.platform.sessions() as session:
            found = await self._find(session, channel, external_id)
            if found is not None:
                return ref(found)
            now = self.platform.clock()
            conversation = Conversation(id=str(uuid.uuid4()), channel=channel, external_id=external_id,
                                        state="bot", created_at=now, updated_at=now)
            session.add(conversation)
            try:
                await session.commit()
                return ref(conversation)
            except IntegrityError:  # the same customer's first two messages raced
                await session.rollback()
                found = await self._find(session, channel, external_id)
                assert found is not None
                return ref(found)

    async def handle_customer_message(self, conversation: ConversationRef, text: str,
                                      metadata: Mapping[str, Any] | None = None,
                                      message_id: str | None = None) -> list[Reply]:
        """Store the customer's line and return what the customer is shown or told now."""
        return (await self.handle_customer_turn(conversation, text, metadata, message_id=message_id)).replies

    async def handle_customer_turn(self, conversation: ConversationRef, text: str,
                                   metadata: Mapping[str, Any] | None = None, shown: str | None = None,
                                   message_id: str | None = None) -> Turn:
        """As handle_customer_message, also naming the customer's own transcript line.

        `shown` is what the customer saw themselves send when it differs from `text`
        (a quick-reply button: its title is the line, its payload goes to Rasa).
        `message_id` is the channel's own id of the message (the page's message id, the
        IVR's seq, WeChat's MsgId), the same when the message is resent: the assistant's
        actions derive their Idempotency-Keys from it, so a turn acted on again (a
        replica's or the backend's failure) files its ticket once. Without one, the
        customer's transcript line names the turn.
        A line that answers a satisfaction survey is taken by the survey first (survey_turns.py).
        The message's request id is the channel request's (backend/observability/request_ids.py)."""
        request_ids.conversation_id.set(conversation.id)
        if request_ids.current() is None:  # called outside a request (a test, a script): the message gets one
            request_ids.bind()
        state = await self._current_state(conversation.id)
        answered = await self.surveys.take(conversation, text)
        if answered is not None:
            pending = await self.outbox.take_pending(conversation.id)
            return Turn(answered.customer_line_id, pending + answered.replies)
        if state == "closed":
            state = await self._reopen(conversation)
        pending = await self.outbox.take_pending(conversation.id)
        if state == "bot":
            line_id, replies, state = await self._ask_assistant(conversation, text, dict(metadata or {}), shown,
                                                                message_id)
            return Turn(line_id, pending + replies, state)
        [line] = await record(self.platform, conversation.id, [Line("customer", shown or text)])
        await self._touch(conversation.id)  # the agents' list shows the latest activity first
        if state == "waiting_agent":
            return Turn(line.id, pending + await self._queue_notice(conversation))
        return Turn(line.id, pending)  # state agent: the customer gets their answer from the agent

    async def _ask_assistant(self, conversation: ConversationRef, text: str, metadata: dict[str, Any],
                             shown: str | None = None, message_id: str | None = None
                             ) -> tuple[int, list[Reply], TrackerState | None]:
        [line] = await record(self.platform, conversation.id, [Line("customer", shown or text)])
        channel = conversation.channel
        started = time.perf_counter()
        try:
            answer = await self.rasa.send(conversation.id, channel, text,
                                          {**metadata, "channel": channel,
                                           request_ids.METADATA_KEY: request_ids.current()},
                                          message_id=message_id or f"line-{line.id}")
        except RasaUnavailable as exc:
            log.warning("assistant unavailable for conversation %s: %s", conversation.id, exc)
            metrics.ASSISTANT_UNAVAILABLE.labels(channel).inc()
            return line.id, await self._unavailable(conversation), None
        metrics.ASSISTANT_REPLY.labels(channel).observe(time.perf_counter() - started)
        # The tracker after the turn, as Rasa told it with the replies; read it only when it did not.
        state = answer.state if answer.state is not None else await self.rasa.tracker_state(conversation.id)
        seen = state.intent_seen() if state is not None else None
        if not answer.replies:  # every turn of this assistant says something: its action server failed
            log.warning("assistant said nothing to conversation %s (action server down?)", conversation.id)
            metrics.ASSISTANT_UNAVAILABLE.labels(channel).inc()
            await retrying(self.platform, lambda session: _label(session, line.id, seen))  # its NLU ran
            return line.id, await self._unavailable(conversation), state
        self._count_turn(channel, seen)
        said = [Line(reply.sender, text, actor="router" if reply.sender == SYSTEM else None)
                for reply in answer.replies if (text := reply.transcript_text())]
        now = self.platform.clock()

        async def after_turn(session: Any) -> list[Message]:
            # One transaction: the customer's line labelled, the replies stored (which also sets
            # the agents' list order, updated_at), or only updated_at when nothing is kept.
            await _label(session, line.id, seen)
            if said:
                return await append(session, conversation.id, said, now)
            await _touched(session, conversation.id, now)
            return []

        stored = iter(await retrying(self.platform, after_turn))
        replies = [replace(reply, line_id=next(stored).id) if reply.transcript_text() else reply
                   for reply in answer.replies]
        # The customer ended a served chat: the satisfaction survey comes after the farewell.
        return line.id, replies + await self.surveys.after_assistant(conversation, state), state

    def _count_turn(self, channel: str, seen: IntentSeen | None) -> None:
        metrics.ASSISTANT_TURNS.labels(channel).inc()
        if seen is None:
            return
        if seen.name == FALLBACK_INTENT:
            metrics.ASSISTANT_FALLBACKS.labels(channel).inc()
        if seen.confidence is not None and seen.confidence < self.platform.settings.assistant_low_confidence:
            metrics.ASSISTANT_LOW_CONFIDENCE.labels(channel).inc()

    async def _unavailable(self, conversation: ConversationRef) -> list[Reply]:
        """The assistant cannot answer: the customer is told so, never met with silence.

        On WeChat and the hotline the conversation joins the agents' queue (an agent answers
        through the channel's delivery; the IVR transfers the call); the web chat gets the notice,
        its customer is on the page and can ask for an agent."""
        sentence = wording.ASSISTANT_UNAVAILABLE
        if conversation.channel in QUEUED_WHEN_UNAVAILABLE:
            async def work(session: Any) -> None:
                current = await session.get(Conversation, conversation.id)
                await self.takeover.queue(session, current, UNAVAILABLE_REASON, None)

            await retrying(self.platform, work)
            sentence = wording.ASSISTANT_UNAVAILABLE_QUEUED
        sorry = wording.pick(sentence, conversation.channel == "ivr")
        [said] = await record(self.platform, conversation.id, [Line(SYSTEM, sorry, actor="router")])
        return [Reply(SYSTEM, sorry, line_id=said.id)]

    async def deliver_pending(self, conversation_id: str) -> int:
        """Try to deliver a conversation's pending lines now (e.g. a ticket's survey after its close)."""
        async with self.platform.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
        return await self.outbox.flush(ref(conversation)) if conversation is not None else 0

    async def _touch(self, conversation_id: str) -> None:
        async with self.platform.sessions() as session:
            await _touched(session, conversation_id, self.platform.clock())
            await session.commit()

    async def _queue_notice(self, conversation: ConversationRef) -> list[Reply]:
        async with self.platform.sessions() as session:
            current = await session.get(Conversation, conversation.id)
            position = await queue_position(session, current) if current else None
        ahead = (position or 1) - 1
        sentence = wording.QUEUE_AHEAD if ahead else wording.QUEUE_NEXT
        told = wording.pick(sentence, conversation.channel == "ivr").format(ahead=ahead)
        [line] = await record(self.platform, conversation.id, [Line(SYSTEM, told, actor="router")])
        return [Reply(SYSTEM, told, line_id=line.id)]

    async def _current_state(self, conversation_id: str) -> str:
        async with self.platform.sessions() as session:
            state = await session.scalar(select(Conversation.state).where(Conversation.id == conversation_id))
        if state is None:
            raise LookupError(f"no conversation {conversation_id}; open it first")
        return str(state)

    async def _reopen(self, conversation: ConversationRef) -> str:
        now = self.platform.clock()
        async with self.platform.sessions() as session:
            result = await session.execute(
                update(Conversation).where(Conversation.id == conversation.id, Conversation.state == "closed")
                .values(state="bot", held_by=None, agent_id=None, waiting_since=None, handoff_reason=None,
                        updated_at=now)
                .execution_options(synchronize_session=False))
            await session.commit()
        if result.rowcount == 1:
            await record(self.platform, conversation.id, [Line(SYSTEM, REOPENED, actor="router")])
            return "bot"
        return await self._current_state(conversation.id)

    @staticmethod
    async def _find(session: Any, channel: str, external_id: str) -> Conversation | None:
        return await session.scalar(select(Conversation).where(
            Conversation.channel == channel, Conversation.external_id == external_id))


async def _touched(session: Any, conversation_id: str, now: datetime) -> None:
    """Set the conversation's latest activity (the agents' list order; the caller commits)."""
    await session.execute(update(Conversation).where(Conversation.id == conversation_id)
                          .values(updated_at=now).execution_options(synchronize_session=False))


async def _label(session: Any, line_id: int, seen: IntentSeen | None) -> None:
    """Label the customer's line with what the assistant understood (the caller commits)."""
    if seen is not None:
        await session.execute(update(Message).where(Message.id == line_id)
                              .values(intent=seen.name[:50], confidence=seen.confidence)
                              .execution_options(synchronize_session=False))
