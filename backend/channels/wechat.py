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

Modules: this one is the HTTP side; wechat_channel.py what a push does (turns,
budget, Delivery); wechat_messages.py the XML; wechat_api.py WeChat's API and the
shared access token; wechat_quota.py the send windows.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from backend.api import PLATFORM
from backend.api.errors import error_response
from backend.api.registry import ApiRoutes
from backend.api.validation import read_raw
from backend.channels.wechat_channel import CHANNEL, WechatChannel
from backend.channels.wechat_messages import BadXml, parse_fields, push_of, text_reply
from backend.db import unreachable
from backend.errors import PayloadTooLarge
from backend.router import ROUTER
from glossary import wording

log = logging.getLogger(__name__)

routes = ApiRoutes("wechat")
PATH = "/webhooks/wechat"
SUCCESS = "success"  # WeChat's "nothing to say now": no retry, nothing shown to the customer
MAX_BODY_BYTES = 64 * 1024  # a push is a few hundred bytes; an encrypted one about twice that
WECHAT = web.AppKey("wechat", WechatChannel)


# --- HTTP --------------------------------------------------------------------------------


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


def _not_configured() -> web.Response:
    return error_response(503, "wechat_not_configured",
                          "微信公众号渠道未配置：请设置 WECHAT_TOKEN（安全模式另需有效的 WECHAT_AES_KEY 和 WECHAT_APPID）。")


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
    try:  # chunked without a length too
        body = await read_raw(request, MAX_BODY_BYTES)
    except PayloadTooLarge:
        return _plain(413, "too large")
    safe = request.query.get("encrypt_type") == "aes"
    crypto = None
    if safe:
        if not settings.wechat_aes_key or not settings.wechat_appid:
            return _not_configured()
        try:
            crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
        except Exception as exc:  # not base64, or not 43 characters (a 32-byte key)
            log.error("WECHAT_AES_KEY unusable (%s): safe-mode pushes are refused", type(exc).__name__)
            return _not_configured()
    if len(body) > MAX_BODY_BYTES:
        return _plain(413, "too large")
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
    try:
        reply = await request.app[WECHAT].answer(push)
    except Exception as exc:
        if not unreachable(exc):
            raise
        # Nothing was kept: the customer is asked to send it again (WeChat's own resends come
        # within 15 s, before most outages end).
        log.error("wechat push: database unreachable (%r)", exc)
        reply = text_reply(push, wording.NOT_RECEIVED[0], int(request.app[PLATFORM].clock().timestamp()))
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
