"""The customers of the fault tests: a hotline call, a WeChat follower and a web chat page,
each speaking to a backend process over its real channel."""
from __future__ import annotations

import time
from typing import Any

import aiohttp

from tests.backend.channels.wechat_fixtures import reply_content, signed, text_xml
from tests.conftest import API_TOKEN

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}


class Caller:
    """One hotline call, turn by turn (`via`: the backend process this turn reaches; else `url`'s)."""

    def __init__(self, http: aiohttp.ClientSession, url: str, call_id: str) -> None:
        self.http, self.url, self.call_id, self.seq = http, url, call_id, 0

    async def says(self, text: str, seq: int | None = None, via: str | None = None) -> dict[str, Any]:
        if seq is None:
            self.seq += 1
        async with self.http.post(f"{via or self.url}/webhooks/ivr", headers=SERVICE, json={
                "call_id": self.call_id, "seq": seq or self.seq, "event": "text", "text": text}) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()


def heard(answer: dict[str, Any]) -> str:
    return "".join(a["say"] for a in answer["actions"] if "say" in a)


async def wechat(http: aiohttp.ClientSession, url: str, openid: str, text: str, msg_id: str) -> str:
    """A WeChat customer's message; the passive reply's text, '' for `success`."""
    params = {**signed(str(int(time.time()))), "openid": openid}
    async with http.post(f"{url}/webhooks/wechat", params=params, data=text_xml(text, msg_id, openid),
                         headers={"Content-Type": "text/xml"}) as resp:
        assert resp.status == 200
        body = await resp.text()
    return "" if body == "success" else reply_content(body, openid)


class WebChat:
    """One web chat page: its session token and its socket."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url, self.n = http, url, 0
        self.token: str | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def open(self) -> WebChat:
        """Connect, or reconnect with the page's token as the page does after its socket dropped
        (a page left unread here answers no heartbeat, so the server closes an idle socket)."""
        self.ws = await self.http.ws_connect(f"{self.url}/chat/socket", headers={"Origin": self.url})
        await self.ws.send_json({"type": "hello", **({"token": self.token} if self.token else {})})
        while (frame := await self.ws.receive_json(timeout=30))["type"] != "ready":
            self.token = frame.get("token", self.token)
        return self

    async def says(self, text: str) -> str:
        self.n += 1
        assert self.ws is not None
        await self.ws.send_json({"type": "message", "id": f"message-{self.n:04d}", "text": text})
        while True:
            frame = await self.ws.receive_json(timeout=60)
            if frame["type"] in ("answer", "error"):
                return "".join(line.get("text") or "" for line in frame.get("lines", [])) or frame.get("message", "")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def web_chat(http: aiohttp.ClientSession, url: str) -> WebChat:
    return await WebChat(http, url).open()


async def tickets_of(http: aiohttp.ClientSession, url: str, kind: str, phone: str) -> list[dict[str, Any]]:
    async with http.get(f"{url}/api/tickets", params={"type": kind, "phone": phone},
                        headers=SERVICE) as resp:
        return (await resp.json())["items"]
