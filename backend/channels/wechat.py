"""The WeChat Official Account channel: `GET|POST /webhooks/wechat` (issue #7, part 3).

WeChat pushes each customer message or event here as XML and waits about 5 s for
the passive reply (facts: ../shared/notes/wechat.md). One customer (openid) is one
router conversation: channel `wechat`, external id the openid. Nothing here
decides bot or human; the router does.

Authority: the request's signature, not the service token (backend/api/auth.py
exempts this path). GET is WeChat's URL verification (signature of token,
timestamp and nonce; `echostr` echoed). POST pushes are signed the same way; in
safe mode (`encrypt_type=aes`) the body's <Encrypt> is also checked against
`msg_signature` and decrypted, and the reply is encrypted, all by wechatpy's
`WeChatCrypto` (WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APPID). A wrong signature, or
one whose timestamp is further than `wechat.signature_max_age_seconds` from our
clock (the plaintext signature does not cover the body: a replay), is
a short 403; a body that is not safe, entity-free XML a 400 (wechat_messages.py);
no WECHAT_TOKEN a 503.

Pushes, by kind:
- text (or voice with WeChat's <Recognition>): to the router with {"msg_id"};
  a digit answering a numbered list of choices sends that choice's payload.
- any other message (image, plain voice, location …): one sentence saying only
  text is understood (glossary/wording.py), recorded for the agents.
- subscribe / SCAN: the greeting; CLICK: the menu key's payload
  (wechat_messages.MENU) to the router; unsubscribe closes the send window;
  other events (VIEW, LOCATION …): nothing to say.
Every customer message opens a fresh customer-service send window, every event
the event window (wechat_quota.py).

Replies: the router's lines are merged into one text (buttons as a numbered
list). Within `wechat.reply_budget_seconds` they are the passive reply; a slower
turn is answered `success` at once and its lines go out through the
customer-service message API when they arrive (wechat_api.py), counted
against the window.

Resends: backend/router/turns.py's ledger, keyed by MsgId (events: Event +
CreateTime) per openid. A resend of an answered push gets the same passive reply;
a resend while the first is still working gets `success`; only the first acts.

Agents' lines between turns: `WechatChannel.deliver` (the outbox's Delivery for
`wechat`) sends them through the API while the window allows; otherwise they
stay pending and come with the passive reply to the customer's next message.

Privacy: openids and message text never reach a log line; conversations are
named by their id.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence

from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from backend.api import PLATFORM
from backend.api.errors import error_response
from backend.api.registry import ApiRoutes
from backend.channels.wechat_api import QUOTA_OVER, WechatApi, WechatApiError
from backend.channels.wechat_messages import (
    GREETING_EVENTS,
    MENU,
    BadXml,
    Push,
    choice_of,
    merged_text,
    parse_fields,
    push_of,
    text_reply,
)
from backend.channels.wechat_quota import SendWindows
from backend.context import Platform
from backend.router import ROUTER, Button, ConversationRef, ConversationRouter, Reply
from backend.router.replies import SYSTEM
from backend.router.transcript import Line, record
from backend.router.turns import TurnInProgress, TurnLedger
from glossary import wording

log = logging.getLogger(__name__)

routes = ApiRoutes("wechat")
PATH = "/webhooks/wechat"
CHANNEL = "wechat"
SUCCESS = "success"  # WeChat's "nothing to say now": no retry, nothing shown to the customer
MAX_BODY_BYTES = 64 * 1024  # a push is a few hundred bytes; an encrypted one about twice that
# What the agents' transcript shows for a message without text (staff wording, never sent).
NON_TEXT = {"image": "[图片]", "voice": "[语音]", "video": "[视频]", "shortvideo": "[小视频]",
            "location": "[位置]", "link": "[链接]", "file": "[文件]"}


class Outcome:
    """What one push produced: the merged text (None: nothing to say) and the choices it lists."""

    def __init__(self, text: str | None, buttons: Sequence[Button] = ()) -> None:
        self.text = text or None
        self.buttons = list(buttons)


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
            return False
        try:
            await self.api.send_text(conversation.external_id, text)
        except WechatApiError as exc:
            if exc.errcode in QUOTA_OVER:
                await self.windows.exhaust(conversation.id)
            elif exc.errcode is not None:  # refused for another reason: not counted by WeChat
                await self.windows.give_back(conversation.id)
            log.warning("wechat conversation %s: customer-service message not sent: %s", conversation.id, exc)
            return False
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
        conversation = await self.router.open(CHANNEL, push.from_user)
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
            log.warning("wechat conversation %s: the slow reply could not be sent", conversation.id)

    async def _turn(self, conversation: ConversationRef, push: Push) -> Outcome:
        if push.is_event:
            return await self._event(conversation, push)
        await self.windows.opened_by_message(conversation.id)
        text = push.text()
        if text is None:
            return await self._not_text(conversation, push)
        choice = choice_of(text, await self.windows.options(conversation.id)) if conversation.state == "bot" else None
        metadata = {"msg_id": push.msg_id, "wechat_msg_type": push.msg_type}
        return await self._replied(conversation, await self.router.handle_customer_message(
            conversation, choice or text, metadata))

    async def _event(self, conversation: ConversationRef, push: Push) -> Outcome:
        if push.event == "unsubscribe":
            await self.windows.exhaust(conversation.id)
            return Outcome(None)
        if push.event in GREETING_EVENTS:
            await self.windows.opened_by_event(conversation.id)
            pending = await self.router.outbox.take_pending(conversation.id)
            text, _ = merged_text([*pending, Reply(SYSTEM, wording.WECHAT_GREETING)])
            return Outcome(text)
        if push.event == "CLICK":
            await self.windows.opened_by_event(conversation.id)
            payload = MENU.get(push.event_key)
            if payload is None:
                log.warning("wechat conversation %s: menu key %r is not in MENU", conversation.id,
                            push.event_key[:40])
                return Outcome(None)
            replies = await self.router.handle_customer_message(
                conversation, payload, {"wechat_event": "CLICK", "menu_key": push.event_key})
            return await self._replied(conversation, replies)
        return Outcome(None)  # VIEW, LOCATION, TEMPLATESENDJOBFINISH …: nothing to say

    async def _not_text(self, conversation: ConversationRef, push: Push) -> Outcome:
        label = NON_TEXT.get(push.msg_type, f"[{push.msg_type[:20]}]")
        await record(self.platform, conversation.id, [Line("customer", label),
                                                      Line(SYSTEM, wording.WECHAT_TEXT_ONLY, actor=CHANNEL)])
        pending = await self.router.outbox.take_pending(conversation.id)
        text, _ = merged_text([*pending, Reply(SYSTEM, wording.WECHAT_TEXT_ONLY)])
        return Outcome(text)

    async def _replied(self, conversation: ConversationRef, replies: Sequence[Reply]) -> Outcome:
        text, buttons = merged_text(replies)
        await self.windows.offer(conversation.id, buttons)
        return Outcome(text, buttons)

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


WECHAT = web.AppKey("wechat", WechatChannel)


# --- HTTP --------------------------------------------------------------------------------


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


def _not_configured() -> web.Response:
    return error_response(503, "wechat_not_configured",
                          "微信公众号渠道未配置：请设置 WECHAT_TOKEN（安全模式另需 WECHAT_AES_KEY 和 WECHAT_APPID）。")


def _signed(request: web.Request, token: str) -> bool:
    """WeChat's signature is right and was made recently (not a captured query string replayed)."""
    query = request.query
    try:
        check_signature(token, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
    except InvalidSignatureException:
        return False
    platform = request.app[PLATFORM]
    try:
        age = platform.clock().timestamp() - int(query.get("timestamp", ""))
    except ValueError:
        return False
    return abs(age) <= platform.rules.wechat.signature_max_age_seconds


@routes.op("GET", PATH, "WeChat's server URL verification: echostr echoed when the signature is right",
           auth=False, responses={200: "echostr", 403: "Wrong signature", 503: "WECHAT_TOKEN not set"})
async def get_verify(request: web.Request) -> web.StreamResponse:
    """Answer WeChat's URL verification."""
    token = request.app[PLATFORM].settings.wechat_token
    if not token:
        return _not_configured()
    if not _signed(request, token):
        return _plain(403, "forbidden")
    return _plain(200, request.query.get("echostr", ""))


@routes.op("POST", PATH, "A WeChat push (message or event, XML, plaintext or safe mode): the passive reply",
           auth=False, responses={200: "Passive reply XML, or success", 400: "Not a safe WeChat XML document",
                                  403: "Wrong signature", 503: "WECHAT_TOKEN (or, in safe mode, WECHAT_AES_KEY) "
                                  "not set"})
async def post_push(request: web.Request) -> web.StreamResponse:
    """Answer one push."""
    settings = request.app[PLATFORM].settings
    if not settings.wechat_token:
        return _not_configured()
    if not _signed(request, settings.wechat_token):
        return _plain(403, "forbidden")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _plain(413, "too large")
    body = await request.read()
    safe = request.query.get("encrypt_type") == "aes"
    crypto = None
    if safe:
        if not settings.wechat_aes_key or not settings.wechat_appid:
            return _not_configured()
        crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    try:
        fields = parse_fields(body)
        if crypto is not None:
            fields = parse_fields(_decrypted(crypto, request, fields))
        push = push_of(fields)
    except InvalidSignatureException:
        return _plain(403, "forbidden")
    except BadXml as exc:
        log.warning("wechat push refused: %s", exc)
        return _plain(400, "bad request")
    reply = await request.app[WECHAT].answer(push)
    if reply is None:
        return _plain(200, SUCCESS)
    if crypto is not None:
        reply = crypto.encrypt_message(reply, request.query.get("nonce", ""), request.query.get("timestamp"))
    return web.Response(text=reply, content_type="application/xml")


def _decrypted(crypto: WeChatCrypto, request: web.Request, fields: dict[str, str]) -> str:
    """The inner XML of a safe-mode push (msg_signature checked by wechatpy); BadXml when undecryptable."""
    encrypted = fields.get("Encrypt")
    if not encrypted:
        raise BadXml("safe mode push without <Encrypt>")
    query = request.query
    try:
        # A dict, not the body: wechatpy would parse a string with xmltodict, which is not hardened.
        return str(crypto.decrypt_message({"Encrypt": encrypted}, query.get("msg_signature", ""),
                                          query.get("timestamp", ""), query.get("nonce", "")))
    except InvalidSignatureException:
        raise
    except Exception as exc:  # bad base64, padding, length or AppID: attacker-controlled bytes
        raise BadXml(f"undecryptable ({type(exc).__name__})") from None


def setup(app: web.Application) -> None:
    """Create the channel for the app's router, register its Delivery, close it on shutdown."""
    router = app[ROUTER]
    channel = WechatChannel(app[PLATFORM], router)
    app[WECHAT] = channel
    router.outbox.register(CHANNEL, channel)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        yield
        await channel.close()

    app.cleanup_ctx.append(lifetime)
