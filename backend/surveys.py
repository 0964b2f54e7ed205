"""The satisfaction survey (满意度问卷): when it is offered, to whom, and how an answer is kept.

Terms (the table: backend/models/surveys.py; numbers: service_rules.yml `survey`):
- chat survey (subject "conversation"): offered once per chat when the chat ends.
  A chat is a conversation from its start, or from its reopening (the router's
  REOPENED note), to its end; the n-th chat of a conversation has the offer key
  `chat:<conversation id>:<n>`, so it is offered at most once. A chat ends when
  (a) an agent closes the conversation in the console, or (b) the customer says
  goodbye or thanks (ENDING_INTENTS, as the assistant understood the line) after a
  served request (an earlier line of the chat whose intent is not SMALL_TALK) and
  with no form in progress. A chat with no served request gets no survey: a
  greeting and a goodbye rate nothing. Web chat, WeChat and the hotline (CHAT_CHANNELS).
- ticket survey (subject "ticket"): offered when a ticket that was handled (it
  has a reply) is closed, by the close step or by the callback. Where the
  customer can be reached: the ticket's own conversation on web chat or WeChat
  (LINE_CHANNELS: a line delivered through the router's outbox, so WeChat's
  48-hour window and quota apply; an unsendable line waits for the customer's
  next message); a ticket filed on the complaint form (LINK_CHANNELS) has a link
  (/survey/{token}) given on the form's confirmation, answerable once the ticket
  is closed, for `link_days`. None for the hotline (the caller is gone; the IVR
  contract has no outbound call) or tickets staff filed (the callback asks them).
  A ticket closed without a reply (withdrawn, duplicate) gets none: nothing was
  handled. A ticket closed again after rework does not get a second one.
- unit: fixed when offered: a ticket's handling unit at the close (a link's unit
  is set again at the close, since the ticket may have been dispatched since the
  filing); for a chat, the unit of the chat's newest ticket, else the root unit.
- awaiting: in a conversation, the customer's next line is the rating for
  `answer_minutes` after the offer line was delivered (1 / 2 / 3 or the rating's
  name, RATING_KEYS); any other line lapses the offer and goes on as usual. On
  WeChat (COMMENT_BY_LINE) the line after a rating, within `comment_minutes`, is
  the comment ("0" or a SKIP_WORDS word skips it). The web page has its own
  rating buttons and comment box (PAYLOAD lines), which answer the survey named in
  them while it is open; the hotline takes one key and no comment.
- once: a rating is written by one conditional UPDATE (rating IS NULL), a
  comment likewise (comment IS NULL); a repeated submission, a WeChat resend or a
  repeated IVR seq changes nothing.
- comment: at most `comment_max_chars` (longer: refused on the web and the link
  page, cut on WeChat, where the customer cannot edit a sent message), stored
  masked (backend.privacy.mask_text), as the transcript is.
- the assistant: a customer who rates a ticket in chat (rate_service) answers its
  callback while one is due (actions/followup.py: it meets the callback clock and
  closes the ticket or sends it back); a closed ticket's rating is a survey answer
  (`rate_closed_ticket`, POST /api/tickets/{id}/survey, the service token only).
A dissatisfied answer changes nothing on the ticket (the callback decides a
rework); staff see every answer on the ticket (GET /api/tickets/{id}, the desk).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import Conflict, InvalidInput
from backend.models import Conversation, Message, Survey, Ticket, TicketEvent, Unit
from backend.privacy import mask_text
from backend.router.transcript import REOPENED, Line, append
from backend.rules import SurveyRules
from backend.tickets.views import iso
from backend.web import survey_wording as say
from glossary import names

log = logging.getLogger(__name__)

CHAT, TICKET = "conversation", "ticket"
CHAT_CHANNELS = ("web", "wechat", "ivr")
LINE_CHANNELS = ("web", "wechat")
LINK_CHANNELS = ("form",)
COMMENT_BY_LINE = ("wechat",)
# The intents (NLU contract) that end a chat, and those that are no request of their own.
ENDING_INTENTS = ("goodbye", "thank")
SMALL_TALK = ("greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", "cancel")
# 1 满意, 2 基本满意, 3 不满意: the keys of the WeChat reply and the hotline's DTMF.
RATING_KEYS = dict(zip(("1", "2", "3"), names.SURVEY_RATINGS, strict=True))
SKIP_WORDS = ("0", "跳过", "不用了", "不用", "没有", "无", "没了")
RATE, COMMENT = "rating", "comment"
# The web page's survey lines: "/survey <id> rate <code>", "/survey <id> comment <text>", "/survey <id> skip".
PAYLOAD = "/survey"
_PAYLOAD = re.compile(r"^/survey (\d{1,12}) (rate|comment|skip)(?: (.*))?\Z", re.S)
_TRIM = re.compile(r"[\s。.!！,，~～]+")


@dataclass(frozen=True)
class Payload:
    """A survey line the web page sent (a rating button, the comment box, skip)."""

    survey_id: int
    action: str  # rate | comment | skip
    value: str


def parse_payload(text: str) -> Payload | None:
    """The page's survey line, or None for any other text."""
    match = _PAYLOAD.match(text.strip()) if text.startswith(PAYLOAD) else None
    if match is None:
        return None
    return Payload(int(match.group(1)), match.group(2), (match.group(3) or "").strip())


def rating_of(text: str) -> str | None:
    """The rating a customer's line gives: 1/2/3 (full-width too) or a rating's own name; else None."""
    word = _TRIM.sub("", text).translate(str.maketrans("１２３０", "1230"))
    if word in RATING_KEYS:
        return RATING_KEYS[word]
    by_name = {names.RATINGS[code]: code for code in names.SURVEY_RATINGS}
    return by_name.get(word)


def is_skip(text: str) -> bool:
    return _TRIM.sub("", text).translate(str.maketrans("０", "0")) in SKIP_WORDS


def clean_comment(text: str, rules: SurveyRules, *, cut: bool) -> str | None:
    """The comment as stored: trimmed, at most comment_max_chars (longer: refused, or cut), masked."""
    text = text.strip()
    if not text:
        return None
    if len(text) > rules.comment_max_chars:
        if not cut:
            raise InvalidInput(say.COMMENT_TOO_LONG.format(limit=rules.comment_max_chars),
                               code="comment_too_long")
        text = text[:rules.comment_max_chars]
    return mask_text(text)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- offers ------------------------------------------------------------------------------

async def root_unit(session: AsyncSession) -> str | None:
    """The top unit (the contact centre's); None only in a database without units."""
    return await session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))


async def chat_start(session: AsyncSession, conversation: Conversation) -> tuple[int, datetime]:
    """The chat's number in its conversation (1 for the first) and when it started."""
    reopened = select(Message.created_at).where(Message.conversation_id == conversation.id,
                                                Message.sender == "system", Message.text == mask_text(REOPENED))
    count = await session.scalar(select(func.count()).select_from(reopened.subquery()))
    last = await session.scalar(select(func.max(reopened.subquery().c.created_at)))
    return int(count or 0) + 1, last or conversation.created_at


async def chat_served(session: AsyncSession, conversation_id: str, since: datetime) -> bool:
    """Whether the chat since `since` held a request: a customer line with an intent beyond small talk."""
    found = await session.scalar(select(Message.id).where(
        Message.conversation_id == conversation_id, Message.sender == "customer", Message.created_at >= since,
        Message.intent.is_not(None), Message.intent.not_in(SMALL_TALK)).limit(1))
    return found is not None


async def chat_offer_key(session: AsyncSession, conversation: Conversation) -> tuple[str, datetime]:
    number, since = await chat_start(session, conversation)
    return f"chat:{conversation.id}:{number}", since


async def already_offered(session: AsyncSession, key: str) -> bool:
    return await session.scalar(select(Survey.id).where(Survey.offer_key == key)) is not None


async def chat_unit(session: AsyncSession, conversation_id: str) -> str | None:
    """The unit a chat's answer feeds: its newest ticket's, else the top unit."""
    unit = await session.scalar(select(Ticket.unit_id).where(Ticket.conversation_id == conversation_id)
                                .order_by(Ticket.id.desc()).limit(1))
    return str(unit) if unit else await root_unit(session)


def new_chat_survey(conversation: Conversation, key: str, unit_id: str, line_id: int, now: datetime) -> Survey:
    return Survey(subject=CHAT, conversation_id=conversation.id, channel=conversation.channel, unit_id=unit_id,
                  offer_key=key, line_id=line_id, awaiting=RATE, offered_at=now)


def was_handled(ticket: Ticket) -> bool:
    """A reply was given (the handling opinion): what a ticket survey rates."""
    return any(event.kind == "reply" for event in ticket.events)


def ticket_offer_text(channel: str, ticket_no: str) -> str:
    return say.TICKET_OFFER[channel].format(ticket=ticket_no)


async def ticket_conversation(session: AsyncSession, ticket: Ticket) -> Conversation | None:
    """The ticket's own conversation, when it is on a channel a survey line can reach."""
    if not ticket.conversation_id:
        return None
    conversation = await session.get(Conversation, ticket.conversation_id)
    return conversation if conversation is not None and conversation.channel in LINE_CHANNELS else None


async def open_link_surveys(session: AsyncSession, ticket: Ticket, now: datetime) -> int:
    """At the close: the ticket's unanswered links are offered now, to the unit that handled it."""
    result = await session.execute(
        update(Survey).where(Survey.ticket_id == ticket.id, Survey.token_hash.is_not(None),
                             Survey.rating.is_(None))
        .values(unit_id=ticket.unit_id, offered_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def link_token(secret: str, ticket_id: int, submission: str | None) -> str:
    """The token of a form ticket's survey link: derived from the form's own submission token with a
    server secret (a double click or a reload answers the same link; only its hash is stored), or
    random when the submission had none (then it is shown once)."""
    if not submission or not secret:
        return secrets.token_urlsafe(24)
    digest = hmac.new(secret.encode(), f"survey-link\n{ticket_id}\n{submission}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


async def ensure_link(session: AsyncSession, ticket: Ticket, token: str, now: datetime) -> None:
    """The survey of a form ticket's link, written and committed once. A double click posts the
    form twice at the same moment: both requests may miss the row, and the second insert then
    meets the unique token hash, which means the link is already there."""
    if await session.scalar(select(Survey.id).where(Survey.token_hash == token_hash(token))) is not None:
        return
    session.add(Survey(subject=TICKET, ticket_id=ticket.id, channel=ticket.channel, unit_id=ticket.unit_id,
                       token_hash=token_hash(token), offer_key=f"ticket:{ticket.id}:{ticket.channel}",
                       offered_at=now))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()


async def by_token(session: AsyncSession, token: str) -> Survey | None:
    """The link's survey (None: no such link); a token never leaves this function."""
    if not token or len(token) > 64:
        return None
    return await session.scalar(select(Survey).where(Survey.token_hash == token_hash(token)))


async def replied(session: AsyncSession, ticket_id: int) -> bool:
    """Whether the ticket ever had a reply (was_handled, without loading its history)."""
    return await session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "reply").limit(1)) is not None


def link_refusal(survey: Survey | None, ticket: Ticket | None, rules: SurveyRules, now: datetime, *,
                 handled: bool) -> str | None:
    """Why a link takes no answer now (a code of survey_wording.LINK_REFUSALS), None when it does."""
    if survey is None or ticket is None:
        return "unknown"
    if survey.rating is not None:
        return "answered"
    if ticket.status != "closed" or ticket.closed_at is None:
        return "not_closed"
    if not handled:
        return "not_handled"  # closed without a reply (withdrawn, a duplicate): nothing to rate
    if now - ticket.closed_at > timedelta(days=rules.link_days):
        return "expired"
    return None


# --- answers ---------------------------------------------------------------------------------

async def rate(session: AsyncSession, survey_id: int, rating: str, now: datetime, *, then: str | None) -> bool:
    """Write the rating once; False when the survey was answered before. `then`: what is awaited next."""
    if rating not in names.SURVEY_RATINGS:
        raise InvalidInput("请选择一项评价：满意、基本满意或不满意。", code="rating_invalid")
    result = await session.execute(
        update(Survey).where(Survey.id == survey_id, Survey.rating.is_(None))
        .values(rating=rating, answered_at=now, awaiting=then).execution_options(synchronize_session=False))
    return result.rowcount == 1


async def add_comment(session: AsyncSession, survey_id: int, comment: str | None) -> bool:
    """Write the comment once (None: skipped); False when one was written before."""
    result = await session.execute(
        update(Survey).where(Survey.id == survey_id, Survey.rating.is_not(None), Survey.comment.is_(None))
        .values(comment=comment, awaiting=None).execution_options(synchronize_session=False))
    return result.rowcount == 1


async def lapse(session: AsyncSession, survey_id: int) -> None:
    """The customer said something else: their next lines are theirs again."""
    await session.execute(update(Survey).where(Survey.id == survey_id).values(awaiting=None)
                          .execution_options(synchronize_session=False))


def answerable(survey: Survey, rules: SurveyRules, now: datetime) -> bool:
    """A conversation survey still takes a rating: unanswered and within answer_minutes of its offer."""
    return survey.rating is None and now - survey.offered_at <= timedelta(minutes=rules.answer_minutes)


def comment_open(survey: Survey, rules: SurveyRules, now: datetime) -> bool:
    """A rated survey still takes its comment: none yet and within comment_minutes of the rating."""
    return survey.rating is not None and survey.comment is None and survey.answered_at is not None \
        and survey.awaiting == COMMENT and now - survey.answered_at <= timedelta(minutes=rules.comment_minutes)


def log_answer(survey: Survey, rating: str | None, comment: str | None) -> None:
    """One log line per answer: codes and lengths, never the words (they are the customer's)."""
    log.info("survey %s (%s, %s, %s) answered: rating=%s comment_chars=%s", survey.id, survey.subject,
             survey.channel, survey.unit_id, rating, len(comment) if comment else 0)


# --- staff views -----------------------------------------------------------------------------

def staff_view(survey: Survey) -> dict[str, Any]:
    """A survey as staff read it (the comment is stored masked)."""
    return {
        "id": survey.id, "subject": survey.subject, "channel": survey.channel,
        "unit_id": survey.unit_id, "offered_at": iso(survey.offered_at), "answered_at": iso(survey.answered_at),
        "rating": survey.rating, "rating_name": names.RATINGS.get(survey.rating) if survey.rating else None,
        "comment": survey.comment, "source": "survey", "source_name": names.RATING_SOURCES["survey"],
    }


async def for_ticket(session: AsyncSession, ticket_id: int) -> list[dict[str, Any]]:
    """Every survey of a ticket, offered or answered, oldest first."""
    rows = (await session.scalars(select(Survey).where(Survey.ticket_id == ticket_id)
                                  .order_by(Survey.offered_at, Survey.id))).all()
    return [staff_view(s) for s in rows]


async def offer_for_closed_ticket(session: AsyncSession, ticket: Ticket, now: datetime,
                                  was_closed: bool) -> Message | None:
    """Called in the step's transaction: when this step closed a handled ticket, its survey is offered.

    Returns the prompt line stored for delivery in the ticket's conversation (None: no line;
    a form ticket's link, if any, is opened instead)."""
    if was_closed or ticket.status != "closed" or not was_handled(ticket):
        return None
    await open_link_surveys(session, ticket, now)
    conversation = await ticket_conversation(session, ticket)
    if conversation is None:
        return None
    key = f"ticket:{ticket.id}:{conversation.channel}"
    if await already_offered(session, key):
        return None  # closed again after rework: asked once
    [line] = await append(session, conversation.id, [Line(
        "system", ticket_offer_text(conversation.channel, ticket.ticket_no), actor="survey", for_delivery=True)], now)
    session.add(Survey(subject=TICKET, ticket_id=ticket.id, conversation_id=conversation.id,
                       channel=conversation.channel, unit_id=ticket.unit_id, offer_key=key, line_id=line.id,
                       awaiting=RATE, offered_at=now))
    await session.flush()
    return line



def page_state(survey: Survey, rules: SurveyRules, now: datetime) -> dict[str, Any]:
    """What the chat page draws for a survey: `rate` (the three buttons), `comment` (the box), `done`, `over`."""
    if survey.rating is None:
        state = "rate" if answerable(survey, rules, now) else "over"
    else:
        state = "comment" if comment_open(survey, rules, now) else "done"
    return {"id": survey.id, "state": state, "rating": survey.rating,
            "rating_name": names.RATINGS.get(survey.rating) if survey.rating else None}


def page_config(rules: SurveyRules) -> dict[str, Any]:
    """The chat page's survey controls: their sentences, the ratings in order, the comment's limit."""
    return {"texts": say.survey_texts(), "comment_max": rules.comment_max_chars, "payload": PAYLOAD,
            "ratings": [{"code": code, "name": names.RATINGS[code]} for code in names.SURVEY_RATINGS]}


async def rate_closed_ticket(session: AsyncSession, ticket: Ticket, rating: str, conversation_id: str | None,
                             now: datetime) -> Survey:
    """The customer's own rating of a closed, handled ticket, given to the assistant (rate_service): it answers
    the ticket's open survey (the one in this conversation first), else a survey offered and answered now on
    the conversation's channel. The same rating again from the same conversation is a replay; a ticket not
    closed, closed without a reply, or already rated → 409 (the caller commits)."""
    if rating not in names.SURVEY_RATINGS:
        raise InvalidInput("请选择一项评价：满意、基本满意或不满意。", code="rating_invalid")
    if ticket.status != "closed":
        raise Conflict("该工单尚未办结，办结前的评价由回访记录。", code="not_closed")
    if not await replied(session, ticket.id):
        raise Conflict("该工单未经答复即办结，无需评价。", code="not_handled")
    rows = (await session.scalars(select(Survey).where(Survey.ticket_id == ticket.id).order_by(Survey.id))).all()
    mine = [s for s in rows if s.conversation_id == conversation_id and conversation_id]
    replay = next((s for s in mine if s.rating == rating), None)
    if replay is not None:
        return replay
    unanswered = sorted((s for s in rows if s.rating is None), key=lambda s: s not in mine)
    if unanswered:
        target = unanswered[0]
        if not await rate(session, target.id, rating, now, then=None):
            raise Conflict("该工单已评价过。", code="survey_answered")
        await session.refresh(target)
        return target
    if rows:
        raise Conflict("该工单已评价过。", code="survey_answered")
    conversation = await session.get(Conversation, conversation_id) if conversation_id else None
    channel = conversation.channel if conversation is not None else ticket.channel
    survey = Survey(subject=TICKET, ticket_id=ticket.id, conversation_id=conversation.id if conversation else None,
                    channel=channel, unit_id=ticket.unit_id, offer_key=f"ticket:{ticket.id}:{channel}",
                    rating=rating, answered_at=now, offered_at=now)
    session.add(survey)
    await session.flush()
    return survey
