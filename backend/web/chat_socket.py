"""The web chat's socket, `GET /chat/socket`: one per open page, JSON text frames.

Page → server:
- `{"type": "hello", "token": str, "after": int}` first: the page's token and the
  highest line `seq` it already shows (0 for none).
- `{"type": "message", "id": str, "text": str, "title"?: str}`: a customer
  message; `id` is the page's own id for it (a uuid), kept with it in the page's
  outbox until answered. A quick reply sends its payload as `text` and its title
  as `title` (the transcript keeps the title).
- `{"type": "ping"}`: answered with `{"type": "pong"}`.

Server → page:
- `{"type": "session", "token", "replaced"}`: only when the hello's token was
  unknown: keep this one instead (a new conversation).
- `{"type": "ready", "status"}`, then `{"type": "lines", "lines"}` with the
  visible lines after `after` that the page missed while away.
- `{"type": "answer", "id", "line", "lines", "status"}`: the answer to message
  `id`: the customer's own stored line and the replies (chat_lines.py).
- `{"type": "lines", "lines"}` and `{"type": "status", "status"}` whenever an
  agent's line or a claim/release/close notice arrives (router outbox, live);
  while the conversation waits for an agent, a new status whenever the queue
  moves (read every QUEUE_REFRESH_SECONDS).
- `{"type": "error", "code", "message", "id"?}`: a refusal in Chinese
  (chat_wording.ERRORS); the socket stays open.

Exactly once: every message is a turn of the ledger (backend/router/turns.py,
channel web, sender = conversation id, key = the message id). The page resends
what it has not seen answered after each reconnect; a message already answered
gets its stored answer again and never reaches Rasa twice; one still being
answered by an earlier socket is waited for (up to IN_PROGRESS_WAIT). A turn
runs shielded from the socket: a page that leaves mid-turn still gets the
stored answer when it comes back. A failed turn is released, so its resend acts.

Lines sent while no socket is open wait in the router's outbox; on connect the
socket subscribes first, then sends the missed lines, then flushes the outbox,
so nothing falls between; a line sent twice (missed and flushed) is sent once,
and the page draws each line id once anyway.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from contextlib import suppress
from typing import Any

from aiohttp import WSMsgType, web

from backend.api import PLATFORM
from backend.api.validation import QUERY_INT_LIMIT, parse_json
from backend.context import Platform
from backend.db import unreachable
from backend.errors import DomainError
from backend.observability import request_ids
from backend.router import ROUTER, ConversationRef, ConversationRouter, Reply
from backend.router.rasa import SEND_TIMEOUT_SECONDS
from backend.router.turns import TurnInProgress, TurnLedger
from backend.web import chat_lines, chat_sessions
from backend.web import chat_wording as say
from backend.web.rate_limit import SlidingWindowLimiter

log = logging.getLogger(__name__)

MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
TITLE_MAX = 100
HELLO_TIMEOUT_SECONDS = 15.0
# A resend waits this long for the first socket's turn (it may be waiting for Rasa).
IN_PROGRESS_WAIT = SEND_TIMEOUT_SECONDS + 5.0
# Service restart: the page reconnects at once (it does for any close but a deliberate one).
GOING_AWAY = 1012
# While waiting for an agent the queue moves without a line for this customer: the status
# (how many wait ahead) is read again this often and sent when it changed.
QUEUE_REFRESH_SECONDS = 10.0
# With the assistant, whether the customer left a served chat (survey.idle_minutes) is checked
# every this many refreshes: its satisfaction survey then appears on the open page.
IDLE_CHECK_EVERY = 6


class OpenSockets:
    """The open chat sockets of this process, by conversation: closed on shutdown
    (and by tests, to drop a page's connection the way a restart or a network change does)."""

    def __init__(self) -> None:
        self._open: dict[web.WebSocketResponse, str | None] = {}

    def add(self, ws: web.WebSocketResponse, conversation_id: str | None = None) -> None:
        self._open[ws] = conversation_id

    def discard(self, ws: web.WebSocketResponse) -> None:
        self._open.pop(ws, None)

    def count(self, conversation_id: str | None = None) -> int:
        return sum(1 for c in self._open.values() if conversation_id is None or c == conversation_id)

    async def close(self, conversation_id: str | None = None) -> int:
        """Close the sockets of one conversation (every socket: None); how many were closed."""
        chosen = [ws for ws, c in list(self._open.items()) if conversation_id is None or c == conversation_id]
        for ws in chosen:
            with suppress(ConnectionError, RuntimeError):
                await ws.close(code=GOING_AWAY)
        return len(chosen)


SOCKETS = web.AppKey("chat_sockets", OpenSockets)
MESSAGE_LIMITER = web.AppKey("chat_message_limiter", SlidingWindowLimiter)


def setup(app: web.Application, platform: Platform) -> None:
    rules = platform.rules.web_chat
    app[SOCKETS] = OpenSockets()
    app[MESSAGE_LIMITER] = SlidingWindowLimiter(rules.max_messages, rules.window_seconds)

    async def close_sockets(app: web.Application) -> None:
        await app[SOCKETS].close()

    app.on_shutdown.append(close_sockets)


def error_frame(code: str, message_id: str | None = None, **values: object) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": say.error(code, **values)}
    if message_id:
        frame["id"] = message_id
    return frame


def _id(data: dict[str, Any]) -> str | None:
    """The page's id of a message frame, when it sent a usable one."""
    value = data.get("id")
    return value if isinstance(value, str) and MESSAGE_ID.fullmatch(value) else None


def parse(raw: str) -> dict[str, Any] | None:
    """A frame's JSON object, or None when it is not one."""
    try:
        data = parse_json(raw)
    except DomainError:  # not JSON, nested too deep, or a lone surrogate no database stores
        return None
    return data if isinstance(data, dict) and isinstance(data.get("type"), str) else None


async def handle(request: web.Request) -> web.WebSocketResponse:
    """One page's socket: hello, then messages until the page or the server closes it."""
    platform: Platform = request.app[PLATFORM]
    ws = web.WebSocketResponse(heartbeat=platform.rules.web_chat.heartbeat_seconds,
                               max_msg_size=8 * platform.rules.web_chat.max_message_chars + 4096)
    await ws.prepare(request)
    sockets = request.app[SOCKETS]
    sockets.add(ws)
    try:
        chat = await _hello(request, ws)
        if chat is not None:
            sockets.add(ws, chat.conversation.id)
            await chat.run()
    except Exception as exc:
        # The socket is open: an HTTP error answer now would corrupt its stream. The page is told
        # its message did not go and reconnects later; its unsent message stays in its box.
        if unreachable(exc):
            log.error("web chat: database unreachable (%r)", exc)
        else:
            log.exception("web chat: socket failed")
        with suppress(ConnectionError, RuntimeError):
            await ws.send_json(error_frame("failed"))
            await ws.close()
    finally:
        sockets.discard(ws)
    return ws


async def _hello(request: web.Request, ws: web.WebSocketResponse) -> ChatSocket | None:
    while True:
        try:
            msg = await ws.receive(timeout=HELLO_TIMEOUT_SECONDS)
        except TimeoutError:
            await ws.close()
            return None
        if msg.type != WSMsgType.TEXT:
            return None  # closed (or binary, which no page sends)
        data = parse(msg.data)
        if data is None:
            await ws.send_json(error_frame("bad_json"))
        elif data["type"] != "hello":
            await ws.send_json(error_frame("hello_first"))
        else:
            break
    try:
        session = await chat_sessions.open_session(request, data.get("token"))
    except chat_sessions.TooManySessions as exc:
        await ws.send_json(error_frame("sessions_limited", minutes=max(1, -(-exc.retry_after // 60))))
        await ws.close()
        return None
    if session.new:
        await ws.send_json({"type": "session", "token": session.token,
                            "replaced": data.get("token") is not None})
    after = data.get("after")
    # Past any line number (and SQL's integers: 2**63 overflowed the history query): the whole history.
    usable = isinstance(after, int) and not isinstance(after, bool) and 0 < after <= QUERY_INT_LIMIT
    return ChatSocket(request, ws, session.conversation, after if usable else 0)


class ChatSocket:
    """One open page of one conversation."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, conversation: ConversationRef,
                 after: int) -> None:
        self.platform: Platform = request.app[PLATFORM]
        self.router: ConversationRouter = request.app[ROUTER]
        self.limiter = request.app[MESSAGE_LIMITER]
        self.ledger = TurnLedger(self.platform, chat_sessions.CHANNEL)
        self.ws, self.conversation, self.after = ws, conversation, after
        self.rules = self.platform.rules.web_chat
        self._sent: set[int] = set()  # line ids this socket has sent
        self._send_lock = asyncio.Lock()
        self._status: dict[str, Any] | None = None  # the last status this socket sent

    async def run(self) -> None:
        """Subscribe to live lines, catch the page up, then read its frames until it goes."""
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        async with self.router.outbox.live.subscribe(self.conversation.id) as live:
            tasks = [asyncio.create_task(self._pump(live)), asyncio.create_task(self._work(inbox)),
                     asyncio.create_task(self._watch_queue())]
            try:
                await self.send({"type": "ready", "status": await self.status()})
                await self.send_lines(await chat_lines.history(self.platform, self.conversation.id,
                                                               after_seq=self.after,
                                                               limit=self.rules.history_lines))
                await self.router.outbox.flush(self.conversation)
                async for msg in self.ws:
                    if msg.type != WSMsgType.TEXT:
                        continue
                    data = parse(msg.data)
                    if data is None:
                        await self.send(error_frame("bad_json"))
                    elif data["type"] == "ping":
                        await self.send({"type": "pong"})
                    elif data["type"] == "message" and inbox.qsize() >= self.rules.max_messages:
                        await self.send(error_frame("rate_limited", _id(data), seconds=int(self.rules.window_seconds)))
                    elif data["type"] == "message":
                        inbox.put_nowait(data)
                    elif data["type"] != "hello":  # a repeated hello changes nothing
                        await self.send(error_frame("bad_message"))
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def send(self, frame: dict[str, Any]) -> None:
        """Send a frame if the page is still there (a page gone mid-send loses nothing: it resends)."""
        if "status" in frame:
            self._status = frame["status"]
        async with self._send_lock:
            if self.ws.closed:
                return
            with suppress(ConnectionError, RuntimeError):
                await self.ws.send_str(json.dumps(frame, ensure_ascii=False))

    async def send_lines(self, lines: list[dict[str, Any]]) -> None:
        fresh = [line for line in lines if line.get("id") is None or line["id"] not in self._sent]
        self._sent.update(line["id"] for line in fresh if line.get("id") is not None)
        if fresh:
            await self.send({"type": "lines", "lines": fresh})

    async def status(self) -> dict[str, Any]:
        return await chat_lines.status(self.platform, self.conversation.id)

    async def _pump(self, live: asyncio.Queue[Reply]) -> None:
        """Lines delivered to the conversation while this socket is open (agents, notices)."""
        while True:
            batch = [await live.get()]
            while not live.empty():
                batch.append(live.get_nowait())
            await self.send_lines(await chat_lines.reply_lines(self.platform, self.conversation.id, batch))
            await self.send({"type": "status", "status": await self.status()})  # a claim or release moves it

    async def _watch_queue(self) -> None:
        """While the conversation waits for an agent, tell the page when its place in the queue moves;
        with the assistant, offer the satisfaction survey once the customer has left a served chat."""
        rounds = 0
        while True:
            await asyncio.sleep(QUEUE_REFRESH_SECONDS)
            rounds += 1
            state = self._status.get("state") if self._status else None
            if state == "bot" and rounds % IDLE_CHECK_EVERY == 0:
                try:
                    if await self.router.surveys.offer_when_idle(self.conversation):
                        await self.router.outbox.flush(self.conversation)  # reaches this page's live queue
                except Exception:  # the survey must not end the page's socket; the next check tries again
                    log.exception("web chat: idle survey check of conversation %s failed", self.conversation.id)
            if state != "waiting_agent":
                continue
            status = await self.status()
            if status != self._status:
                await self.send({"type": "status", "status": status})

    async def _work(self, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        """The page's messages, one at a time, in the order it sent them."""
        while True:
            data = await inbox.get()
            try:
                await self.on_message(data)
            except Exception:  # one bad turn must not end the page's socket
                log.exception("web chat: message on conversation %s failed", self.conversation.id)
                await self.send(error_frame("failed", _id(data)))

    async def on_message(self, data: dict[str, Any]) -> None:
        # One socket carries many messages: each gets its own request id (the socket's is its handshake's).
        request_ids.bind(None, self.conversation.id)
        message_id, text, title = data.get("id"), data.get("text"), data.get("title")
        if not isinstance(message_id, str) or not MESSAGE_ID.fullmatch(message_id) or not isinstance(text, str) \
                or not (title is None or (isinstance(title, str) and 0 < len(title) <= TITLE_MAX)):
            await self.send(error_frame("bad_message", _id(data)))
            return
        text = text.strip()
        if not text:
            await self.send(error_frame("empty", message_id))
            return
        if len(text) > self.rules.max_message_chars:
            await self.send(error_frame("too_long", message_id, limit=self.rules.max_message_chars))
            return
        try:
            stored = await self.ledger.claim(self.conversation.id, message_id, wait_seconds=IN_PROGRESS_WAIT)
        except TurnInProgress:
            await self.send(error_frame("in_progress", message_id))
            return
        if stored is None:
            verdict = self.limiter.hit(self.conversation.id, self.platform.clock())
            if not verdict.allowed:
                await self.ledger.release(self.conversation.id, message_id)
                await self.send(error_frame("rate_limited", message_id, seconds=verdict.retry_after))
                return
            # Shielded: the turn ends (answer stored, or claim released) even when the page leaves.
            stored = await asyncio.shield(asyncio.ensure_future(self._turn(message_id, text, title)))
        self._sent.update(line["id"] for line in [stored["line"], *stored["lines"]] if line.get("id") is not None)
        await self.send({**stored, "status": await self.status()})

    async def _turn(self, message_id: str, text: str, title: str | None) -> dict[str, Any]:
        """Act on a new message once: the router's turn, its answer stored in the ledger."""
        try:
            turn = await self.router.handle_customer_turn(self.conversation, text, {"client_id": message_id},
                                                          shown=title, message_id=f"page-{message_id}")
            [line] = await chat_lines.reply_lines(self.platform, self.conversation.id,
                                                  [Reply("customer", title or text, line_id=turn.customer_line_id)])
            answer = {"type": "answer", "id": message_id, "line": line,
                      "lines": await chat_lines.reply_lines(self.platform, self.conversation.id, turn.replies)}
            await self.ledger.store(self.conversation.id, message_id, answer)
            return answer
        except BaseException:
            await self.ledger.release(self.conversation.id, message_id)
            raise
