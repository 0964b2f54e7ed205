"""The console's live feed: `GET /console/events`, Server-Sent Events.

Why polling: an agent's console may be served by one backend process while the
customer's message, a colleague's claim or the assistant's handoff is handled
by another. The database is the one thing they share, so each open feed reads
it every `console.poll_seconds` (service_rules.yml) and pushes what changed.

Query: `open` = the conversation the page shows (optional), `after` = the
highest line seq the page already has of it.

Events (each `data:` is JSON):
- `ready` {poll_seconds, now}: sent once connected. The page (re)loads its lists
  through GET /api/conversations then, so a reconnect re-syncs whatever was
  missed; from here on the feed sends deltas.
- `conversation` {the conversation as GET /api/conversations lists it}: a
  conversation whose state, holder, queue place or last line changed (a new
  waiting one included).
- `lines` {conversation_id, lines}: new lines of the open conversation (seq > the
  last one sent), in the shape of GET /api/conversations/{id}'s messages.
- a comment line every `console.keepalive_seconds` while nothing happens.

What changed: conversations whose `updated_at` lies within OVERLAP of now (every
transcript write and every takeover step sets it: backend/router/transcript.py),
compared with what this feed sent before (state, holder, waiting_since,
updated_at, last seq). The overlap covers a transaction that committed after a
later one; comparing signatures keeps it from being sent twice.

Authority: the staff session cookie; none → 401. Only those the access table
lets read conversations (agents, supervisors) get a stream; others → 403. The
stream carries only the conversations the transcript rule lets the caller read
(scope.CONVERSATION: a unit's staff, their own customers' and those they hold);
an `open` conversation outside it gets no lines.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.api import PLATFORM, scope
from backend.api.auth import SESSION_COOKIE, Principal, staff_for_token
from backend.api.conversations import _line, _view
from backend.api.errors import error_response
from backend.console import wording as say
from backend.console.pages import EVENTS_PATH, routes, serves_customers, staff_of
from backend.context import Platform
from backend.models import Conversation, Message
from backend.tickets.views import iso

log = logging.getLogger(__name__)
OVERLAP = timedelta(seconds=30)
FEED_STOP = web.AppKey("console_feed_stop", asyncio.Event)
MAX_LINES_PER_EVENT = 200
MAX_SEQ = 10 ** 9  # beyond any transcript, within every database's integer
MAX_ID = 36  # conversations.id (a uuid)


def setup(app: web.Application) -> None:
    """End every open feed when the application shuts down (instead of waiting for the shutdown timeout)."""
    app[FEED_STOP] = asyncio.Event()

    async def stop_feeds(app: web.Application) -> None:
        app[FEED_STOP].set()

    app.on_shutdown.append(stop_feeds)


class Feed:
    """What one open console has been sent."""

    def __init__(self, platform: Platform, who: Principal, open_id: str | None, after: int) -> None:
        self.platform = platform
        self.who = who
        self.open_id = open_id
        self.after = after
        self.sent: dict[str, tuple[Any, ...]] = {}
        self._readable: tuple[ColumnElement | None] | None = None  # the transcript rule, once per stream

    async def _rule(self, session: AsyncSession) -> ColumnElement | None:
        # Built once: its unit subtree is fixed for the stream, and what changes (who holds a
        # conversation, which tickets name it) stays a subquery the database runs on every poll.
        if self._readable is None:
            self._readable = (await scope.readable_conversations(session, self.who),)
        return self._readable[0]

    async def changes(self, send: bool = True) -> list[tuple[str, dict[str, Any]]]:
        """The events due now; `send=False` only notes the current state (the page loads it itself)."""
        events: list[tuple[str, dict[str, Any]]] = []
        since = self.platform.clock() - OVERLAP
        async with self.platform.sessions() as session:
            readable = await self._rule(session)
            visible = select(Conversation).where(Conversation.updated_at >= since)
            recent = (await session.scalars((visible if readable is None else visible.where(readable))
                                            .order_by(Conversation.updated_at, Conversation.id))).all()
            last_seq: dict[str, int] = {}
            if recent:
                rows = await session.execute(
                    select(Message.conversation_id, func.max(Message.seq))
                    .where(Message.conversation_id.in_([c.id for c in recent])).group_by(Message.conversation_id))
                last_seq = {conversation_id: int(seq) for conversation_id, seq in rows.all()}
            changed = [c for c in recent if self._signature(c, last_seq.get(c.id, 0)) != self.sent.get(c.id)]
            positions: dict[str, int] = {}
            if changed and send:
                waiting = (await session.scalars(select(Conversation.id).where(Conversation.state == "waiting_agent")
                                                 .order_by(Conversation.waiting_since, Conversation.id))).all()
                positions = {conversation_id: place for place, conversation_id in enumerate(waiting, start=1)}
            lines: list[Message] = []
            if self.open_id and send and readable is not None and await session.scalar(
                    select(Conversation.id).where(Conversation.id == self.open_id, readable)) is None:
                self.open_id = None  # outside the transcript rule: no lines, ever, on this stream
            if self.open_id and send:
                lines = list((await session.scalars(
                    select(Message).where(Message.conversation_id == self.open_id, Message.seq > self.after)
                    .order_by(Message.seq).limit(MAX_LINES_PER_EVENT))).all())
        self.sent = {c.id: self._signature(c, last_seq.get(c.id, 0)) for c in recent}
        if not send:
            return []
        events += [("conversation", _view(c, positions.get(c.id)) | {"last_seq": last_seq.get(c.id, 0)})
                   for c in changed]
        if lines:
            self.after = lines[-1].seq
            events.append(("lines", {"conversation_id": self.open_id, "lines": [_line(m) for m in lines]}))
        return events

    @staticmethod
    def _signature(conversation: Conversation, last_seq: int) -> tuple[Any, ...]:
        return (conversation.state, conversation.held_by, conversation.waiting_since, conversation.updated_at,
                last_seq)


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


@routes.get(EVENTS_PATH)
async def events(request: web.Request) -> web.StreamResponse:
    """Stream the console's deltas until the page goes away or the server stops."""
    who = await staff_of(request)
    if who is None:
        return error_response(401, "unauthorized", "请先登录。")
    if not serves_customers(who):  # the same rule as reading a conversation through the API
        return error_response(403, "role_not_allowed", say.NOT_SERVING)
    platform: Platform = request.app[PLATFORM]
    rules = platform.rules.console
    try:
        after = min(max(0, int(request.query.get("after", "0"))), MAX_SEQ)
    except ValueError:
        after = 0  # the page's own cursor only: a bad one means "send everything"
    open_id = request.query.get("open") or None
    if open_id is not None and len(open_id) > MAX_ID:
        return error_response(422, "invalid_input", "open: 会话编号不正确")
    feed = Feed(platform, who, open_id, after)
    await feed.changes(send=False)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    stop = request.app[FEED_STOP]
    idle = 0.0
    try:
        await response.write(_event("ready", {"poll_seconds": rules.poll_seconds, "now": iso(platform.clock())}))
        while not stop.is_set():
            due = await feed.changes()
            for name, data in due:
                await response.write(_event(name, data))
            idle = 0.0 if due else idle + rules.poll_seconds
            if idle >= rules.keepalive_seconds:
                # The session may have ended meanwhile (idle, logout everywhere, shift over):
                # the page is told and the stream stops, instead of streaming to a closed session.
                if await staff_for_token(platform, request.cookies.get(SESSION_COOKIE, ""), touch=False) is None:
                    await response.write(_event("ended", {}))
                    break
                await response.write(b": keepalive\n\n")
                idle = 0.0
            try:
                await asyncio.wait_for(stop.wait(), timeout=rules.poll_seconds)
                break  # stopped (shutdown): the page reconnects to another process or after the restart
            except TimeoutError:
                pass
    except ConnectionResetError:  # the page went away (closed, reloaded, opened another conversation)
        log.debug("console feed of %s ended by the page", who.actor)
    return response
