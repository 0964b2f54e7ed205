"""The WeChat channel's turns: what one push does, and how lines reach a customer between pushes.

backend/channels/wechat.py is the HTTP side (signatures, safe mode, XML); this is
what happens once a push is known to come from WeChat:

- turn: the ledger (backend/router/turns.py) is claimed for the push's key, so
  only the first delivery of a push acts; the router answers; the lines are
  merged into one text (wechat_messages.merged_text).
- budget: the turn runs as a task; when it is not done within
  `wechat.reply_budget_seconds`, WeChat gets `success` and the text is sent later
  as a customer-service message (`send`), counted against the window
  (wechat_quota.py). When that send fails (no window, WeChat refuses, network),
  the turn's lines are put back as pending: they come with the reply to the
  customer's next message instead of being lost.
- delivery: `deliver` is the outbox's Delivery for channel `wechat` (agents'
  lines, claim/release/close notices); False keeps the lines pending.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select, update

from backend.channels.wechat_api import QUOTA_OVER, WechatApi, WechatApiError
from backend.channels.wechat_messages import GREETING_EVENTS, MENU, Push, choice_of, merged_text, text_reply
from backend.channels.wechat_quota import SendWindows
from backend.context import Platform
from backend.models import Message
from backend.observability.metrics import WECHAT_MESSAGES
from backend.privacy import mask_text
from backend.router import Button, ConversationRef, ConversationRouter, Reply
from backend.router.replies import BOT, SYSTEM
from backend.router.service import REOPENED
from backend.router.transcript import Line, record
from backend.router.turns import TurnInProgress, TurnLedger
from glossary import wording

log = logging.getLogger(__name__)

CHANNEL = "wechat"

# What the agents' transcript shows for a message without text (staff wording, never sent).
NON_TEXT = {"image": "[图片]", "voice": "[语音]", "video": "[视频]", "shortvideo": "[小视频]",
            "location": "[位置]", "link": "[链接]", "file": "[文件]"}


class Outcome:
    """What one push produced: the merged text (None: nothing to say), the choices it lists,
    the pending lines it took (their ids) and the transcript's last seq before the turn."""

    def __init__(self, text: str | None, buttons: Sequence[Button] = (), taken: Sequence[Reply] = ()) -> None:
        self.text = text or None
        self.buttons = list(buttons)
        self.taken = [r.line_id for r in taken if r.line_id is not None]
        self.since = 0


class WechatChannel:
    """Answers WeChat's pushes through the router, and delivers agents' lines between them."""

    def __init__(self, platform: Platform, router: ConversationRouter) -> None:
        self.platform = platform
        self.router = router
        self.api = WechatApi(platform)
        self.windows = SendWindows(platform)
        self.ledger = TurnLedger(platform, CHANNEL)
        self._late: set[asyncio.Task[None]] = set()

    # --- the outbox's Delivery ---------------------------------------------------

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> bool:
        """Send the lines as one customer-service message; False (kept pending) when the window allows none."""
        text, buttons = merged_text(replies)
        if not text:
            return True
        return await self.send(conversation, text, buttons)

    async def send(self, conversation: ConversationRef, text: str, buttons: Sequence[Button] = ()) -> bool:
        """One customer-service message, counted against the customer's window."""
        if not await self.windows.reserve(conversation.id):
            log.info("wechat conversation %s: no send left in the window; lines stay pending", conversation.id)
            WECHAT_MESSAGES.labels("quota_refused").inc()
            return False
        try:
            await self.api.send_text(conversation.external_id, text)
        except WechatApiError as exc:
            if exc.errcode in QUOTA_OVER:
                await self.windows.exhaust(conversation.id)
            elif exc.errcode is not None:  # refused for another reason: not counted by WeChat
                await self.windows.give_back(conversation.id)
            log.warning("wechat conversation %s: customer-service message not sent: %s", conversation.id, exc)
            WECHAT_MESSAGES.labels("quota_refused" if exc.errcode in QUOTA_OVER else "failed").inc()
            return False
        WECHAT_MESSAGES.labels("sent").inc()
        await self.windows.offer(conversation.id, buttons)
        return True

    # --- pushes --------------------------------------------------------------------

    async def answer(self, push: Push) -> str | None:
        """The passive reply XML for a push, or None for `success`."""
        key = push.turn_key()
        try:
            stored = await self.ledger.claim(push.from_user, key)
        except TurnInProgress:
            return None  # the first delivery of this push is still working; it answers
        if stored is not None:
            return stored.get("reply")
        try:
            conversation = await self.router.open(CHANNEL, push.from_user)
        except BaseException:
            await self.ledger.release(push.from_user, key)  # WeChat's resend may act on it
            raise
        work = asyncio.create_task(self._turn(conversation, push))
        try:
            done, _ = await asyncio.wait({work}, timeout=self.platform.rules.wechat.reply_budget_seconds)
        except asyncio.CancelledError:  # WeChat hung up: the turn goes on and its reply follows by API
            self._track(self._send_late(conversation, push, work))
            raise
        if work not in done:
            log.info("wechat conversation %s: reply slower than the budget; answered success, "
                     "the reply follows through the API", conversation.id)
            self._track(self._send_late(conversation, push, work))
            return None
        try:
            outcome = work.result()
        except BaseException:
            await self.ledger.release(push.from_user, key)
            raise
        reply = text_reply(push, outcome.text, int(self.platform.clock().timestamp())) if outcome.text else None
        await self.ledger.store(push.from_user, key, {"reply": reply})
        return reply

    async def _send_late(self, conversation: ConversationRef, push: Push, work: asyncio.Task[Outcome]) -> None:
        key = push.turn_key()
        try:
            outcome = await work
        except Exception:
            log.exception("wechat conversation %s: a slow turn failed; a resend may act again", conversation.id)
            await self.ledger.release(push.from_user, key)
            return
        await self.ledger.store(push.from_user, key, {"reply": None, "sent_by_api": bool(outcome.text)})
        if outcome.text and not await self.send(conversation, outcome.text, outcome.buttons):
            log.warning("wechat conversation %s: the slow reply could not be sent; its lines wait for the "
                        "customer's next message", conversation.id)
            await self._keep_pending(conversation.id, outcome)

    async def _keep_pending(self, conversation_id: str, outcome: Outcome) -> None:
        """Mark the turn's lines for delivery again: the pending ones it took, and what it added for the
        customer (the assistant's lines and the platform's sentences; never a note meant for staff)."""
        said = and_(Message.seq > outcome.since, Message.sender.in_((BOT, SYSTEM)), Message.delivered_at.is_(None),
                    Message.awaiting_delivery.is_(False), Message.text != mask_text(REOPENED))
        async with self.platform.sessions() as session:
            await session.execute(update(Message).where(Message.conversation_id == conversation_id,
                                                        or_(Message.id.in_(outcome.taken or [-1]), said))
                                  .values(awaiting_delivery=True, delivered_at=None)
                                  .execution_options(synchronize_session=False))
            await session.commit()

    async def _turn(self, conversation: ConversationRef, push: Push) -> Outcome:
        async with self.platform.sessions() as session:
            since = await session.scalar(select(func.coalesce(func.max(Message.seq), 0))
                                         .where(Message.conversation_id == conversation.id))
        outcome = await self._act(conversation, push)
        outcome.since = int(since or 0)
        return outcome

    async def _act(self, conversation: ConversationRef, push: Push) -> Outcome:
        if push.is_event:
            return await self._event(conversation, push)
        await self.windows.opened_by_message(conversation.id)
        text = push.text()
        if text is None:
            return await self._not_text(conversation, push)
        choice = choice_of(text, await self.windows.options(conversation.id)) if conversation.state == "bot" else None
        metadata = {"msg_id": push.msg_id, "wechat_msg_type": push.msg_type}
        return await self._replied(conversation, await self.router.handle_customer_message(
            conversation, choice or text, metadata, message_id=push.turn_key()))

    async def _event(self, conversation: ConversationRef, push: Push) -> Outcome:
        if push.event == "unsubscribe":
            await self.windows.exhaust(conversation.id)
            return Outcome(None)
        if push.event in GREETING_EVENTS:
            await self.windows.opened_by_event(conversation.id)
            pending = await self.router.outbox.take_pending(conversation.id)
            text, _ = merged_text([*pending, Reply(SYSTEM, wording.WECHAT_GREETING)])
            return Outcome(text, taken=pending)
        if push.event == "CLICK":
            await self.windows.opened_by_event(conversation.id)
            payload = MENU.get(push.event_key)
            if payload is None:
                log.warning("wechat conversation %s: menu key %r is not in MENU", conversation.id,
                            push.event_key[:40])
                return Outcome(None)
            replies = await self.router.handle_customer_message(
                conversation, payload, {"wechat_event": "CLICK", "menu_key": push.event_key},
                message_id=push.turn_key())
            return await self._replied(conversation, replies)
        return Outcome(None)  # VIEW, LOCATION, TEMPLATESENDJOBFINISH …: nothing to say

    async def _not_text(self, conversation: ConversationRef, push: Push) -> Outcome:
        label = NON_TEXT.get(push.msg_type, f"[{push.msg_type[:20]}]")
        await record(self.platform, conversation.id, [Line("customer", label),
                                                      Line(SYSTEM, wording.WECHAT_TEXT_ONLY, actor=CHANNEL)])
        pending = await self.router.outbox.take_pending(conversation.id)
        text, _ = merged_text([*pending, Reply(SYSTEM, wording.WECHAT_TEXT_ONLY)])
        return Outcome(text, taken=pending)

    async def _replied(self, conversation: ConversationRef, replies: Sequence[Reply]) -> Outcome:
        text, buttons = merged_text(replies)
        await self.windows.offer(conversation.id, buttons)
        return Outcome(text, buttons, taken=replies)

    def _track(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def close(self) -> None:
        """On shutdown: let slow replies still on their way finish briefly, then the HTTP session."""
        if self._late:
            await asyncio.wait(self._late, timeout=self.platform.rules.wechat.api_timeout_seconds)
        for task in self._late:
            task.cancel()
        await self.api.close()
