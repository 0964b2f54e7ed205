"""A local fake of WeChat's API and helpers that push to /webhooks/wechat the way WeChat does.

The fake hands out access tokens (counting the fetches; a new token invalidates
the old one, as WeChat's does) and records customer-service messages; it can be
told to answer the next sends with error codes. Pushes are signed with
wechatpy's own signer and, in safe mode, encrypted with wechatpy's WeChatCrypto,
exactly as WeChat's servers would send them. Nothing reaches the internet.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from defusedxml.ElementTree import fromstring
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from backend.api import PLATFORM
from backend.models import Conversation

TOKEN = "wechat-test-token"
APPID = "wx1234567890abcdef"
SECRET = "app-secret-xyz"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat generates
ACCOUNT = "gh_0123456789ab"
OPENID = "oUser-A_1234567890abcdefghij"
PATH = "/webhooks/wechat"


@dataclass
class FakeWechat:
    url: str = ""
    token_fetches: int = 0
    current: str | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)  # errcodes the next sends answer, in order
    raw_bodies: list[bytes] = field(default_factory=list)

    def invalidate(self) -> None:
        """Someone else fetched a token: the one the backend holds is no longer valid."""
        self.current = "elsewhere"

    async def token(self, request: web.Request) -> web.Response:
        assert dict(request.query) == {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        self.token_fetches += 1
        self.current = f"token-{self.token_fetches}"
        return web.json_response({"access_token": self.current, "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if request.query.get("access_token") != self.current:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.errors:
            return web.json_response({"errcode": self.errors.pop(0), "errmsg": "refused"})
        self.raw_bodies.append(raw)
        body = json.loads(raw)
        self.sent.append({"touser": body["touser"], "msgtype": body["msgtype"], "content": body["text"]["content"]})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def contents(self) -> list[str]:
        return [m["content"] for m in self.sent]

    async def wait_for_sends(self, count: int, seconds: float = 15.0) -> None:
        """Until `count` messages arrived (a slow reply comes when the assistant answers)."""
        for _ in range(int(seconds / 0.05)):
            if len(self.sent) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{len(self.sent)} customer-service messages, expected {count}")


@pytest.fixture
async def fake_wechat() -> AsyncIterator[FakeWechat]:
    fake = FakeWechat()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", fake.token)
    app.router.add_post("/cgi-bin/message/custom/send", fake.send)
    async with TestServer(app) as server:
        fake.url = str(server.make_url("")).rstrip("/")
        yield fake


@pytest.fixture
def wechat_settings(platform, fake_wechat: FakeWechat) -> None:
    """The Official Account's settings, its API at the fake."""
    platform.settings = replace(platform.settings, wechat_token=TOKEN, wechat_appid=APPID, wechat_secret=SECRET,
                                wechat_aes_key=AES_KEY, wechat_api_base=fake_wechat.url)


@pytest.fixture
def wx(wechat_settings: None, backend: TestClient) -> TestClient:
    """The real backend (router on the fake Rasa) with WeChat configured."""
    return backend


def signed(timestamp: str = "1773104400", nonce: str = "135792468", token: str = TOKEN) -> dict[str, str]:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce}


def text_xml(content: str, msg_id: str = "24500000000000001", openid: str = OPENID) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>1773104400</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(event: str, key: str = "", create_time: str = "1773104401", openid: str = OPENID) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>")


def message_xml(msg_type: str, extra: str, msg_id: str, openid: str = OPENID) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>1773104402</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{extra}"
            f"<MsgId>{msg_id}</MsgId></xml>")


def now_stamp(client: TestClient) -> str:
    """The backend's clock as WeChat's timestamp (a push is signed when it is sent)."""
    return str(int(client.server.app[PLATFORM].clock().timestamp()))


async def push(client: TestClient, xml: str | bytes, **query: str) -> tuple[int, str]:
    """POST a plaintext push as WeChat does (signature and openid in the query)."""
    params = {**signed(now_stamp(client)), "openid": OPENID, **query}
    resp = await client.post(PATH, params=params, data=xml, headers={"Content-Type": "text/xml"})
    return resp.status, await resp.text()


def reply_content(body: str, openid: str = OPENID) -> str:
    """The text of a passive reply."""
    root = fromstring(body)
    assert root.findtext("MsgType") == "text"
    assert root.findtext("ToUserName") == openid and root.findtext("FromUserName") == ACCOUNT
    return root.findtext("Content") or ""


async def say(client: TestClient, content: str, msg_id: str, openid: str = OPENID) -> str:
    """A customer's text message; the passive reply's text ('' for `success`)."""
    status, body = await push(client, text_xml(content, msg_id, openid))
    assert status == 200, body
    return "" if body == "success" else reply_content(body)


async def conversation_of(platform, openid: str = OPENID) -> Conversation:
    async with platform.sessions() as session:
        return await session.scalar(select(Conversation).where(Conversation.channel == "wechat",
                                                               Conversation.external_id == openid))


def encrypted_push(inner_xml: str, timestamp: str, nonce: str, crypto: WeChatCrypto) -> tuple[str, str]:
    """The safe-mode body WeChat posts for a message, and its msg_signature."""
    envelope = fromstring(crypto.encrypt_message(inner_xml, nonce, timestamp))
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>")
    return body, envelope.findtext("MsgSignature") or ""
