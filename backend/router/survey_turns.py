"""The satisfaction survey inside a conversation: offering it when a chat ends, taking its answer.

The rules (what ends a chat, what a line answers, once) are backend/surveys.py;
this is where the router applies them to a customer's turn:

- `take(conversation, text)`, before anything else in a turn: a survey line of the
  web page (surveys.PAYLOAD), or the next line while a rating or a WeChat comment
  is awaited, is answered here and never reaches the assistant; the conversation's
  state is not changed (a rating does not reopen a closed chat). Any other line
  lapses an awaited rating and the turn goes on as usual (None).
- `after_assistant(conversation, state)`: after the assistant's reply, an
  ending intent of a served chat (the tracker after the turn) offers the chat survey
  (one more line).
- `offer_at_close(session, conversation, now)`: an agent closing the chat offers it
  (a line for delivery, after the closing notice; the takeover's transaction).
- `offer_when_idle(conversation)`: a served chat with the assistant, no form open,
  whose customer wrote nothing for `survey.idle_minutes`, has ended too: the web
  page's socket asks this while the page is open and delivers the line live.
  (WeChat and the hotline have no idle end: a WeChat send would spend the
  customer's 48-hour quota on a question they did not wait for; a call ends by hangup.)

Every reply of the survey carries `custom={"survey": {"id", "stage"}}`, stage
`rate` (asked), `comment` (rated, comment box open on the web), `done`: the
hotline listens for one key after `rate` and hangs up after `done`; the web page
draws the survey's controls from it (backend/web/chat_lines.py).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import surveys
from backend.context import Platform
from backend.models import Conversation, Message, Survey
from backend.router.rasa import RasaClient, TrackerState
from backend.router.replies import SYSTEM, ConversationRef, Reply, Turn
from backend.router.transcript import Line, append, retrying
from backend.web import survey_wording as say
from glossary import names

log = logging.getLogger(__name__)
ACTOR = "survey"  # the actor of the survey's own transcript lines
RATE, COMMENT, DONE = "rate", "comment", "done"


def stage_of(reply: Reply) -> str | None:
    """The survey stage a reply carries, if it is one of the survey's."""
    survey = (reply.custom or {}).get("survey")
    return survey.get("stage") if isinstance(survey, dict) else None


def _reply(survey_id: int, stage: str, text: str, line_id: int | None) -> Reply:
    return Reply(SYSTEM, text, custom={"survey": {"id": survey_id, "stage": stage}}, line_id=line_id)


class SurveyTurns:
    """The survey's part of the router."""

    def __init__(self, platform: Platform, rasa: RasaClient) -> None:
        self.platform = platform
        self.rasa = rasa
        self.rules = platform.rules.survey

    # --- answers -----------------------------------------------------------------------------

    async def take(self, conversation: ConversationRef, text: str) -> Turn | None:
        """The turn, when this line answers a survey; None when it is the customer's ordinary line."""
        payload = surveys.parse_payload(text)
        if payload is not None:
            return await self._payload(conversation, payload)
        now = self.platform.clock()
        async with self.platform.sessions() as session:
            survey = await session.scalar(
                select(Survey).where(Survey.conversation_id == conversation.id, Survey.awaiting.is_not(None))
                .order_by(Survey.id.desc()).limit(1))
            if survey is None:
                return None
            if survey.awaiting == surveys.RATE:
                asked = await session.get(Message, survey.line_id) if survey.line_id else None
                if asked is not None and asked.awaiting_delivery:
                    return None  # the question has not reached the customer: this line is not its answer
                rating = surveys.rating_of(text)
                if rating is None or not surveys.answerable(survey, self.rules, now):
                    await surveys.lapse(session, survey.id)
                    await session.commit()
                    return None
            elif conversation.channel not in surveys.COMMENT_BY_LINE:
                return None  # the web page has its comment box: typed lines are ordinary ones
            elif not surveys.comment_open(survey, self.rules, now):
                await surveys.lapse(session, survey.id)
                await session.commit()
                return None
        if survey.awaiting == surveys.RATE:
            return await self._rate(conversation, survey.id, rating, shown=text)
        comment = None if surveys.is_skip(text) else text
        return await self._comment(conversation, survey.id, comment, shown=text, cut=True)

    async def _payload(self, conversation: ConversationRef, payload: surveys.Payload) -> Turn:
        async with self.platform.sessions() as session:
            survey = await session.get(Survey, payload.survey_id)
        if survey is None or survey.conversation_id != conversation.id:
            return await self._say(conversation, None, say.OFFER_OVER, shown=say.RATE_LABEL)
        if payload.action == "rate":
            rating = payload.value if payload.value in surveys.RATING_KEYS.values() else None
            shown = names.RATINGS.get(rating or "", say.RATE_LABEL)
            if rating is None:
                return await self._say(conversation, survey.id, say.LINK_REFUSALS["rating"], shown=shown)
            return await self._rate(conversation, survey.id, rating, shown=shown)
        if payload.action == "skip":
            return await self._comment(conversation, survey.id, None, shown=say.COMMENT_SKIP, cut=False)
        return await self._comment(conversation, survey.id, payload.value, shown=payload.value, cut=False)

    async def _rate(self, conversation: ConversationRef, survey_id: int, rating: str, *, shown: str) -> Turn:
        now = self.platform.clock()
        by_phone = conversation.channel == "ivr"

        async def work(session: AsyncSession) -> tuple[int, Reply]:
            survey = await session.get(Survey, survey_id, populate_existing=True)
            stage, text = DONE, say.ALREADY_ANSWERED if not by_phone else say.PHONE_GOODBYE
            if survey.rating is None and not surveys.answerable(survey, self.rules, now):
                text = say.OFFER_OVER if not by_phone else say.PHONE_GOODBYE
            elif survey.rating is None:
                then = None if by_phone else surveys.COMMENT
                if await surveys.rate(session, survey_id, rating, now, then=then):
                    surveys.log_answer(survey, rating, None)
                    stage, text = self._after_rating(conversation.channel, rating)
            return await self._lines(session, conversation, survey_id, stage, shown, text, now)

        line_id, reply = await retrying(self.platform, work)
        return Turn(line_id, [reply])

    def _after_rating(self, channel: str, rating: str) -> tuple[str, str]:
        if channel == "ivr":
            return DONE, say.RATED_BY_PHONE_DISSATISFIED if rating == "dissatisfied" else say.RATED_BY_PHONE
        sentences = say.ASK_COMMENT_DISSATISFIED if rating == "dissatisfied" else say.ASK_COMMENT
        return COMMENT, sentences[channel].format(limit=self.rules.comment_max_chars)

    async def _comment(self, conversation: ConversationRef, survey_id: int, comment: str | None, *, shown: str,
                       cut: bool) -> Turn:
        now = self.platform.clock()
        limit = self.rules.comment_max_chars
        if comment is not None and not cut and len(comment.strip()) > limit:
            return await self._say(conversation, survey_id, say.COMMENT_TOO_LONG.format(limit=limit),
                                   shown=shown[:limit], stage=COMMENT)
        stored = surveys.clean_comment(comment, self.rules, cut=True) if comment else None

        async def work(session: AsyncSession) -> tuple[int, Reply]:
            survey = await session.get(Survey, survey_id, populate_existing=True)
            if survey.rating is None:
                text, stage = say.OFFER_OVER, DONE
            elif not surveys.comment_open(survey, self.rules, now):
                text, stage = say.ALREADY_ANSWERED, DONE
            elif await surveys.add_comment(session, survey_id, stored):
                surveys.log_answer(survey, survey.rating, stored)
                text, stage = (say.COMMENT_THANKS if stored else say.SKIPPED), DONE
            else:
                text, stage = say.ALREADY_ANSWERED, DONE
            return await self._lines(session, conversation, survey_id, stage, shown, text, now)

        line_id, reply = await retrying(self.platform, work)
        return Turn(line_id, [reply])

    async def _say(self, conversation: ConversationRef, survey_id: int | None, text: str, *, shown: str,
                   stage: str = DONE) -> Turn:
        now = self.platform.clock()
        line_id, reply = await retrying(self.platform, lambda session: self._lines(
            session, conversation, survey_id or 0, stage, shown, text, now))
        return Turn(line_id, [reply])

    async def _lines(self, session: AsyncSession, conversation: ConversationRef, survey_id: int, stage: str,
                     shown: str, text: str, now: datetime) -> tuple[int, Reply]:
        mine, said = await append(session, conversation.id, [Line("customer", shown),
                                                             Line(SYSTEM, text, actor=ACTOR)], now)
        return mine.id, _reply(survey_id, stage, said.text, said.id)

    # --- offers ------------------------------------------------------------------------------

    async def after_assistant(self, conversation: ConversationRef, state: TrackerState | None) -> list[Reply]:
        """The chat survey, when the assistant heard the customer end a served chat.

        `state`: the assistant's tracker after the turn (None when it could not be had)."""
        if state is None or state.active_loop is not None:
            return []  # a thanks inside a form (or an unreadable tracker): the chat goes on
        if state.intent not in surveys.ENDING_INTENTS or conversation.channel not in surveys.CHAT_CHANNELS:
            return []
        async with self.platform.sessions() as session:
            current = await session.get(Conversation, conversation.id)
            key, since = await surveys.chat_offer_key(session, current)
            if await surveys.already_offered(session, key) or not await surveys.chat_served(
                    session, conversation.id, since):
                return []

        async def work(session: AsyncSession) -> list[Reply]:
            current = await session.get(Conversation, conversation.id)
            offered = await self.offer(session, current, self.platform.clock(), for_delivery=False)
            return [offered] if offered else []

        return await retrying(self.platform, work)

    async def offer_when_idle(self, conversation: ConversationRef) -> bool:
        """A served chat with the assistant that the customer left for survey.idle_minutes has ended: its
        survey as a line for delivery (the web page, which calls this while it is open); True if offered."""
        now = self.platform.clock()
        async with self.platform.sessions() as session:
            current = await session.get(Conversation, conversation.id, populate_existing=True)
            if current is None or current.state != "bot" or current.channel not in surveys.CHAT_CHANNELS:
                return False
            last = await session.scalar(select(func.max(Message.created_at)).where(
                Message.conversation_id == conversation.id, Message.sender == "customer"))
            if last is None or now - last < timedelta(minutes=self.rules.idle_minutes):
                return False
            key, since = await surveys.chat_offer_key(session, current)
            if await surveys.already_offered(session, key) or not await surveys.chat_served(
                    session, conversation.id, since):
                return False
        tracker = await self.rasa.tracker_state(conversation.id)
        if tracker is None or tracker.active_loop is not None:
            return False  # left in the middle of a form: no survey of a request not finished

        async def work(session: AsyncSession) -> bool:
            current = await session.get(Conversation, conversation.id, populate_existing=True)
            return current.state == "bot" and await self.offer(session, current, now, for_delivery=True) is not None

        return await retrying(self.platform, work)

    async def offer_at_close(self, session: AsyncSession, conversation: Conversation, now: datetime) -> None:
        """An agent closed the chat: the survey as a line for delivery, if this chat had a customer line."""
        _, since = await surveys.chat_start(session, conversation)
        spoke = await session.scalar(select(Message.id).where(
            Message.conversation_id == conversation.id, Message.sender == "customer",
            Message.created_at >= since).limit(1))
        if spoke is not None and conversation.channel in surveys.CHAT_CHANNELS:
            await self.offer(session, conversation, now, for_delivery=True)

    async def offer(self, session: AsyncSession, conversation: Conversation, now: datetime, *,
                    for_delivery: bool) -> Reply | None:
        """The chat's survey question, stored with its survey (None: this chat had its offer)."""
        key, _ = await surveys.chat_offer_key(session, conversation)
        if await surveys.already_offered(session, key):
            return None
        unit_id = await surveys.chat_unit(session, conversation.id)
        if unit_id is None:
            log.error("conversation %s: no unit in the database; no survey offered", conversation.id)
            return None
        text = say.CHAT_OFFER[conversation.channel]
        [line] = await append(session, conversation.id, [Line(SYSTEM, text, actor=ACTOR, for_delivery=for_delivery)],
                              now)
        survey = surveys.new_chat_survey(conversation, key, unit_id, line.id, now)
        session.add(survey)
        await session.flush()
        log.info("survey %s offered in conversation %s (%s)", survey.id, conversation.id, conversation.channel)
        return _reply(survey.id, RATE, line.text, line.id)

