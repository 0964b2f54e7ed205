"""The hotline IVR's text channel: `POST /webhooks/ivr`, one request per turn of a call.

The IVR does speech recognition and synthesis; this module turns each turn into
`{"actions": [...]}` (contract: ../shared/contract/interfaces.md, "IVR text
channel"). One call is one router conversation: channel `ivr`, external id the
`call_id`. Every action is built from the router's replies; nothing here decides
bot or human.

Turns, by event:
- start: lines an agent left (outbox), the greeting, listen.
- text: a recognised sentence below `ivr.asr_min_confidence` (service_rules.yml)
  is not passed on: the caller is asked to say it again. Otherwise it goes to the
  router (which sends it through Rasa's `ivr` input channel, the spoken
  variants); the replies are said, then listen.
- dtmf: the digits (without the `#` terminator) go to the router as text, so a
  户号, a phone or a menu choice keyed in works wherever the assistant's forms
  expect one; then listen.
- no_input: lines an agent left, then a short reprompt and listen; the
  `ivr.max_no_input`-th silent turn in a row transfers to a human instead (any
  other turn resets the count). While an agent holds the call: their lines and
  listen; after an agent closed it: their closing line and hangup.
- hangup: the conversation is closed; a half-given repair or complaint form
  becomes one ticket for a callback (backend/channels/ivr_callback.py), reached
  at the form's contact phone or else at the hangup turn's `caller` (this channel
  keeps no caller number of its own). The answer has no actions.
- goodbye: when the assistant heard the caller end the conversation (intent
  goodbye) outside any form, its farewell is said and the answer ends with hangup.
- survey (backend/surveys.py): when the call's chat ends (that goodbye after a
  served request, or an agent closing the call) the satisfaction survey is said
  and the answer listens for one key (`survey.ivr_listen_ms`): 1 满意, 2 基本满意,
  3 不满意; the rating's thanks ends with hangup. Silence at the survey: a
  goodbye and hangup (the offer stays unanswered); another key or words go on as
  any turn. No comment by voice (the contract records nothing).

Transfer: when a reply carries the assistant's handoff (`{"handoff": {...}}`) or
the conversation waits for an agent after the turn, the answer ends with a
short sentence and `{"transfer": {"queue", "context"}}`; the context holds the
intent, the filled slots (masked), the conversation's newest ticket number and
its last transcript lines (stored masked).

The assistant unable to answer (router: queued, reason assistant_unavailable) ends in
the same transfer. The database away: an apology, IVR_TRANSFER and a transfer with only
the call id (nothing of the call can be read), never a 5xx the IVR would hang up on.

Speech: every sentence passes through glossary.speech.speakable (no links,
markup or emoji; ticket numbers, 户号 and phones digit by digit; money as 元/角);
button titles are offered as "您可以说：…". Sentences of this channel's own are in
glossary/wording.py.

Listening: always with DTMF allowed, up to the longest 户号 (`DTMF_MAX_DIGITS`,
taken from glossary.identifiers), ended by `#`.

Repeats: backend/channels/ivr_turns.py stores each turn's answer; a repeated
(call_id, seq) gets it again without acting, an old unanswered seq a 409.
Authority: the service token only (backend/api/auth.py, /webhooks/).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, Field, validator
from sqlalchemy import select

from backend import surveys
from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body
from backend.channels.ivr_callback import file_callback
from backend.channels.ivr_turns import TurnStore
from backend.context import Platform
from backend.db import unreachable
from backend.errors import Conflict, InvalidInput
from backend.models import Conversation, Message, Survey, Ticket
from backend.openapi_hints import declares, stripped_at_least
from backend.privacy import mask_account_no, mask_address, mask_name, mask_phone, mask_text
from backend.router import ROUTER, ConversationRef, ConversationRouter, Holder, Reply
from backend.router.rasa import TrackerState
from backend.router.replies import SYSTEM
from backend.router.survey_turns import DONE, RATE, stage_of
from backend.router.transcript import Line, append, retrying
from backend.web import survey_wording as say
from glossary import wording
from glossary.identifiers import is_account_no
from glossary.speech import speakable

log = logging.getLogger(__name__)

routes = ApiRoutes("ivr")
PATH = "/webhooks/ivr"
CHANNEL = "ivr"
EVENTS = ("start", "text", "dtmf", "no_input", "hangup")
TERMINATOR = "#"
# The longest 户号 glossary.identifiers accepts (13: province code + 0 + 10 digits); a
# phone number (at most 12 digits) fits too.
DTMF_MAX_DIGITS = max(n for n in range(1, 20) if is_account_no("330" + "1" * (n - 3)))
HANGUP_ACTOR = "ivr"  # closes the conversation whoever holds it: the caller has gone
SILENT_REASON = "ivr_no_input"
SILENT_NOTE = "客户连续多次无应答，已转人工。"  # a transcript note for staff, never said
# How slots are masked in a transfer's context (others: as free text).
SLOT_MASKS = {"contact_phone": mask_phone, "phone": mask_phone, "account_no": mask_account_no,
              "address": mask_address, "customer_name": mask_name, "name": mask_name}
TICKET_SLOTS = ("last_ticket_id", "ticket_id")
# The NLU contract's intent for ending the conversation (再见 / 没别的事了): the call ends.
ENDING_INTENTS = ("goodbye",)


class IvrTurnBody(BaseModel):
    """One turn of a call, as the IVR posts it."""

    call_id: str = Field(..., min_length=1, max_length=128)
    seq: int = Field(..., ge=0)
    event: Literal["start", "text", "dtmf", "no_input", "hangup"]
    text: str | None = Field(None, max_length=1000)
    digits: str | None = Field(None, max_length=32, regex=r"^[0-9*#]*$")
    asr_confidence: float | None = Field(None, ge=0, le=1)
    caller: str | None = Field(None, max_length=32)

    @validator("call_id")
    @declares(pattern=stripped_at_least(1))
    def _call_id(cls, value: str) -> str:  # noqa: N805
        value = value.strip()
        if not value:
            raise ValueError("通话编号不能为空")
        return value


def listen(platform: Platform) -> dict[str, Any]:
    """Wait for the caller's next words or keys."""
    return {"listen": {"timeout_ms": platform.rules.ivr.listen_timeout_ms,
                       "dtmf": {"max_digits": DTMF_MAX_DIGITS, "terminator": TERMINATOR}}}


def listen_key(platform: Platform) -> dict[str, Any]:
    """Wait for the survey's one key (1, 2 or 3)."""
    return {"listen": {"timeout_ms": platform.rules.survey.ivr_listen_ms,
                       "dtmf": {"max_digits": 1, "terminator": TERMINATOR}}}


def says(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """The replies as `say` actions: speakable text only, buttons offered by their titles."""
    actions = []
    for reply in replies:
        sentences = [speakable(reply.text)] if reply.text else []
        titles = [t for b in reply.buttons if (t := speakable(b.title))]
        if titles:
            sentences.append(wording.IVR_OPTIONS.format(options="、".join(titles)))
        actions.extend({"say": s} for s in sentences if s)
    return actions


def handoff_of(replies: Sequence[Reply]) -> dict[str, Any] | None:
    """The assistant's handoff payload among the replies, if any."""
    for reply in replies:
        if reply.custom and isinstance(reply.custom.get("handoff"), dict):
            return reply.custom["handoff"]
    return None


def mask_slot(name: str, value: Any) -> Any:
    """A slot's value as a transfer's context may show it."""
    if isinstance(value, str):
        return (SLOT_MASKS.get(name) or mask_text)(value)
    if isinstance(value, dict):
        return {k: mask_slot(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_slot(name, v) for v in value]
    return value


class IvrChannel:
    """Answers the IVR's turns through the conversation router."""

    def __init__(self, platform: Platform, router: ConversationRouter) -> None:
        self.platform = platform
        self.router = router
        self.turns = TurnStore(platform)

    async def answer(self, turn: IvrTurnBody) -> dict[str, Any]:
        """The turn's answer: the stored one for a repeat, else acted on now and stored."""
        stored = await self.turns.claim(turn.call_id, turn.seq, turn.event)
        if stored is not None:
            log.info("ivr call %s turn %s repeated: stored answer", turn.call_id, turn.seq)
            return stored
        try:
            conversation = await self.router.open(CHANNEL, turn.call_id)
            actions = await getattr(self, f"_{turn.event}")(conversation, turn)
        except BaseException:
            await self.turns.release(turn.call_id, turn.seq)
            raise
        answer = {"actions": actions}
        await self.turns.store(turn.call_id, turn.seq, answer)
        return answer

    # --- events ------------------------------------------------------------------

    async def _start(self, conversation: ConversationRef, turn: IvrTurnBody) -> list[dict[str, Any]]:
        pending = await self.router.outbox.take_pending(conversation.id)
        return [*says(pending), {"say": wording.IVR_GREETING}, listen(self.platform)]

    async def _text(self, conversation: ConversationRef, turn: IvrTurnBody) -> list[dict[str, Any]]:
        text = (turn.text or "").strip()
        unsure = turn.asr_confidence is not None and turn.asr_confidence < self.platform.rules.ivr.asr_min_confidence
        if not text or unsure:
            pending = await self.router.outbox.take_pending(conversation.id)
            return [*says(pending), {"say": wording.IVR_SAY_AGAIN}, listen(self.platform)]
        return await self._to_router(conversation, turn, text)

    async def _dtmf(self, conversation: ConversationRef, turn: IvrTurnBody) -> list[dict[str, Any]]:
        keys = (turn.digits or "").rstrip(TERMINATOR)
        if not keys:
            pending = await self.router.outbox.take_pending(conversation.id)
            return [*says(pending), {"say": wording.IVR_SAY_AGAIN}, listen(self.platform)]
        return await self._to_router(conversation, turn, keys)

    async def _no_input(self, conversation: ConversationRef, turn: IvrTurnBody) -> list[dict[str, Any]]:
        pending = says(await self.router.outbox.take_pending(conversation.id))
        state = await self._state(conversation.id)
        if state == "agent":  # an agent has the call: their lines come through the outbox
            return [*pending, listen(self.platform)]
        survey = await self._survey_awaited(conversation.id)
        if survey is not None and pending:  # an agent finished the call and the survey was just said
            return [*pending, listen_key(self.platform)]
        if survey is not None:  # no key at the survey: the call ends, the offer stays unanswered
            async with self.platform.sessions() as session:
                await surveys.lapse(session, survey)
                await session.commit()
            return [{"say": say.PHONE_GOODBYE}, {"hangup": {}}]
        if state == "closed" and pending:  # an agent finished the call: the goodbye, then hang up
            return [*pending, {"hangup": {}}]
        if state == "waiting_agent":
            return [*pending, *await self._transfer(conversation, None, wording.IVR_TRANSFER)]
        if await self.turns.silent_in_a_row(turn.call_id) >= self.platform.rules.ivr.max_no_input:
            await self._queue(conversation, SILENT_REASON)
            return [*pending, *await self._transfer(conversation, None, wording.IVR_SILENT_TRANSFER)]
        return [*pending, {"say": wording.IVR_REPROMPT}, listen(self.platform)]

    async def _hangup(self, conversation: ConversationRef, turn: IvrTurnBody) -> list[dict[str, Any]]:
        tracker = await self.router.rasa.tracker_state(conversation.id)
        if await self._state(conversation.id) != "closed":
            try:
                await self.router.takeover.close(conversation.id, Holder(HANGUP_ACTOR, supervising=True),
                                                 survey=False)
            except Conflict:  # closed meanwhile by an agent
                log.info("ivr call %s: conversation already closed at hangup", turn.call_id)
        if tracker is not None:
            await file_callback(self.platform, turn.call_id, conversation.id, tracker, turn.caller)
        else:
            log.warning("ivr call %s: tracker unreadable at hangup; no callback ticket checked", turn.call_id)
        return []

    # --- helpers -----------------------------------------------------------------

    async def _to_router(self, conversation: ConversationRef, turn: IvrTurnBody, text: str
                         ) -> list[dict[str, Any]]:
        metadata = {"seq": turn.seq, "ivr_event": turn.event}
        if turn.asr_confidence is not None:
            metadata["asr_confidence"] = turn.asr_confidence
        handled = await self.router.handle_customer_turn(conversation, text, metadata,
                                                         message_id=f"seq-{turn.seq}")
        replies, tracker = handled.replies, handled.assistant
        actions = says(replies)
        stages = {stage_of(reply) for reply in replies}
        if DONE in stages:  # the survey's thanks: the call is over
            return [*actions, {"hangup": {}}]
        if RATE in stages:  # the call's survey was just said: one key
            return [*actions, listen_key(self.platform)]
        handoff = handoff_of(replies)
        if handoff is not None or await self._state(conversation.id) == "waiting_agent":
            # The assistant already said it is connecting the caller; only a queue notice
            # or nothing at all needs the short sentence.
            sentence = None if handoff is not None and actions else wording.IVR_TRANSFER
            return [*actions, *await self._transfer(conversation, handoff, sentence, tracker)]
        if await self._caller_said_goodbye(conversation.id, tracker):
            return [*actions, {"hangup": {}}]
        return [*actions, listen(self.platform)]

    async def _caller_said_goodbye(self, conversation_id: str, tracker: TrackerState | None = None) -> bool:
        """The assistant heard a goodbye and has no form open: the call ends after its farewell.

        Listening on would only collect silence until the caller is transferred to an agent.
        `tracker`: the assistant's, as told with this turn's replies (its intent is the label
        of the caller's line); without it the label is read and then the tracker."""
        if tracker is None:
            async with self.platform.sessions() as session:
                intent = await session.scalar(
                    select(Message.intent).where(Message.conversation_id == conversation_id,
                                                 Message.sender == "customer").order_by(Message.seq.desc()).limit(1))
            if intent not in ENDING_INTENTS:
                return False
            tracker = await self.router.rasa.tracker_state(conversation_id)
        return tracker is not None and tracker.intent in ENDING_INTENTS and tracker.active_loop is None

    async def _transfer(self, conversation: ConversationRef, handoff: dict[str, Any] | None,
                        sentence: str | None, tracker: TrackerState | None = None) -> list[dict[str, Any]]:
        queue = str((handoff or {}).get("queue") or self.platform.rules.ivr.queue)
        context = await self.transfer_context(conversation, tracker)
        said = [{"say": sentence}] if sentence else []
        return [*said, {"transfer": {"queue": queue, "context": context}}]

    async def transfer_context(self, conversation: ConversationRef,
                               tracker: TrackerState | None = None) -> dict[str, Any]:
        """What the agent taking the call sees first: intent, slots and last lines, masked."""
        tracker = tracker or await self.router.rasa.tracker_state(conversation.id) or TrackerState(None, {}, None)
        slots = tracker.filled_slots()
        async with self.platform.sessions() as session:
            lines = (await session.scalars(
                select(Message).where(Message.conversation_id == conversation.id)
                .order_by(Message.seq.desc()).limit(self.platform.rules.ivr.context_lines))).all()
            ticket = await session.scalar(select(Ticket.ticket_no).where(
                Ticket.conversation_id == conversation.id).order_by(Ticket.id.desc()).limit(1))
        intent = tracker.intent or next((m.intent for m in lines if m.sender == "customer" and m.intent), None)
        ticket = ticket or next((str(slots[s]) for s in TICKET_SLOTS if slots.get(s)), None)
        return {
            "conversation_id": conversation.id,
            "intent": intent,
            "active_form": tracker.active_loop,
            "slots": {name: mask_slot(name, value) for name, value in slots.items()},
            "ticket_id": ticket,
            "last_turns": [{"sender": m.sender, "text": m.text} for m in reversed(lines)],
        }

    async def _queue(self, conversation: ConversationRef, reason: str) -> None:
        """Put the call in the agents' queue (the console lists it) before transferring it."""
        async def work(session: Any) -> None:
            current = await session.get(Conversation, conversation.id)
            await self.router.takeover.queue(session, current, reason, None)
            if current.state == "waiting_agent" and current.handoff_reason == reason:
                await append(session, conversation.id, [Line(SYSTEM, SILENT_NOTE, actor=HANGUP_ACTOR)],
                             self.platform.clock())

        await retrying(self.platform, work)

    async def _survey_awaited(self, conversation_id: str) -> int | None:
        """The call's survey waiting for its key, if any."""
        async with self.platform.sessions() as session:
            return await session.scalar(select(Survey.id).where(
                Survey.conversation_id == conversation_id, Survey.awaiting == surveys.RATE).limit(1))

    async def _state(self, conversation_id: str) -> str | None:
        async with self.platform.sessions() as session:
            return await session.scalar(select(Conversation.state).where(Conversation.id == conversation_id))


def _check(turn: IvrTurnBody) -> None:
    if turn.event == "text" and turn.text is None:
        raise InvalidInput("text 事件须包含识别文本（text）。", code="text_required")
    if turn.event == "dtmf" and turn.digits is None:
        raise InvalidInput("dtmf 事件须包含按键（digits）。", code="digits_required")


@routes.op("POST", PATH, "One turn of a hotline call (IVR text channel): the actions to perform",
           body=IvrTurnBody, responses={200: "The actions; a repeated (call_id, seq) gets the same ones",
                                        400: "Unreadable body", 409: "An old turn never answered, "
                                        "or the same turn still being answered", 422: "Invalid input"})
async def post_turn(request: web.Request) -> web.Response:
    """Answer one turn of a call."""
    turn = await read_body(request, IvrTurnBody)
    _check(turn)
    platform: Platform = request.app[PLATFORM]
    channel = IvrChannel(platform, request.app[ROUTER])
    try:
        return json_response(await channel.answer(turn))
    except Exception as exc:
        if not unreachable(exc):
            raise
        # Nothing of the call can be read or kept: the caller still reaches a human, who asks afresh.
        log.error("ivr call %s turn %s: database unreachable (%r); transferred", turn.call_id, turn.seq, exc)
        return json_response({"actions": [{"say": wording.NOT_RECEIVED[1]}, {"say": wording.IVR_TRANSFER},
                                          {"transfer": {"queue": platform.rules.ivr.queue,
                                                        "context": {"call_id": turn.call_id}}}]})
