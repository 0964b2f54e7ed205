"""Simulated customers for the whole-path benchmark: real flows with values nobody wrote down,
spoken through the backend's doors (the web chat socket and the IVR route), never Rasa's port.

Each conversation is one flow of the assistant (an outage question by place, a repair report
to a ticket, a complaint with its read-back, a bill behind the identity check, a ticket
follow-up, enquiries, a suggestion), with random places, house numbers and phones, so the
turns run the same custom actions and database writes a real customer's do.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp

TURN_TIMEOUT_SECONDS = 30.0
# Demo province places (backend/demo): villages, communities and towns of several counties.
PLACES = ("屏门村", "迎春社区", "汾口社区", "千岛湖镇新安社区", "芦茨村", "坪山社区", "丹城", "千岛湖")
ESTATES = ("幸福里小区", "阳光花园", "金桂苑", "东湖新村", "文化路", "解放街")
DISTRICTS = ("城区", "农村", "城区")
OPENERS_OUTAGE = ("{place}明天停电吗", "请问{place}今天为什么停电", "{place}那边什么时候来电", "我在{place}，停电了")
OPENERS_REPAIR = ("我家没电了", "家里突然停电了，别人家有电", "我要报修，家里跳闸合不上")
ENQUIRIES = ("电费可以在哪里交？", "过户要带什么材料", "阶梯电价怎么算", "新装电表要多久", "营业厅几点下班")


@dataclass(frozen=True)
class DemoAccount:
    account_no: str
    phone_last4: str


def random_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def flows(rng: random.Random, account: DemoAccount | None) -> list[tuple[str, list[str]]]:
    """One of each flow, with fresh values."""
    place, phone = rng.choice(PLACES), random_phone(rng)
    address = f"{rng.choice(ESTATES)}{rng.randrange(1, 40)}号楼{rng.randrange(1, 6)}单元"
    day = rng.choice(("昨天下午", "前天上午", "上周五"))
    found = [
        ("outage", [rng.choice(OPENERS_OUTAGE).format(place=place), "不用了", "没有了，谢谢"]),
        ("repair", [rng.choice(OPENERS_REPAIR), "没有", address, rng.choice(DISTRICTS), phone]),
        ("enquiry", [*rng.sample(ENQUIRIES, 2), "谢谢", "没有了"]),
        ("complaint", ["我要投诉你们的工作人员", "抄表员态度很差还骂人", day, "在我家门口", "希望道歉", phone, "确认"]),
        ("suggestion", ["我有个建议", "希望停电能提前发短信通知", "不留"]),
        ("follow_up", ["查一下我的工单", phone, "没有了"]),
    ]
    if account is not None:
        found.append(("bill", ["这个月电费多少", account.account_no, account.phone_last4,
                               f"{rng.choice(PLACES)}明天停电吗"]))
    return found


def random_flow(rng: random.Random, account: DemoAccount | None) -> tuple[str, list[str]]:
    return rng.choice(flows(rng, account))


class Door(Protocol):
    """One customer's conversation through one of the backend's doors."""

    transport: str

    async def say(self, text: str) -> bool:
        """Send one message and wait for the assistant's answer; False when none came."""

    async def close(self) -> None: ...


class WebChat:
    """A page of the web chat: POST /chat/session, then the socket's hello and messages."""

    transport = "web"

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http, self.base_url = http, base_url
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        async with self.http.post(f"{self.base_url}/chat/session", json={}) as resp:
            token = (await resp.json())["token"]
        ws = await self.http.ws_connect(f"{self.base_url}/chat/socket", heartbeat=None)
        await ws.send_json({"type": "hello", "token": token, "after": 0})
        await self._until(ws, lambda frame: frame["type"] == "ready")
        return ws

    @staticmethod
    async def _until(ws: aiohttp.ClientWebSocketResponse, done: Callable[[dict], bool]) -> dict:
        while True:
            msg = await ws.receive(timeout=TURN_TIMEOUT_SECONDS)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"socket closed: {msg.type}")
            frame = json.loads(msg.data)
            if done(frame):
                return frame

    async def say(self, text: str) -> bool:
        if self.ws is None:
            self.ws = await self._open()
        message_id = str(uuid.uuid4())
        await self.ws.send_json({"type": "message", "id": message_id, "text": text})
        frame = await self._until(self.ws, lambda f: f.get("id") == message_id and f["type"] in ("answer", "error"))
        return frame["type"] == "answer" and any(line.get("sender") == "bot" for line in frame["lines"])

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class IvrCall:
    """One hotline call: POST /webhooks/ivr per turn, with the service token."""

    transport = "ivr"

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.http, self.url = http, f"{base_url}/webhooks/ivr"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.call_id, self.seq = f"bench-{uuid.uuid4().hex}", -1

    async def _turn(self, **body: object) -> dict:
        self.seq += 1
        async with self.http.post(self.url, json={"call_id": self.call_id, "seq": self.seq, **body},
                                  headers=self.headers, timeout=aiohttp.ClientTimeout(TURN_TIMEOUT_SECONDS)) as resp:
            if resp.status != 200:
                raise ConnectionError(f"IVR answered {resp.status}")
            return await resp.json()

    async def say(self, text: str) -> bool:
        if self.seq < 0:
            await self._turn(event="start")
        answer = await self._turn(event="text", text=text, asr_confidence=0.95)
        actions = answer["actions"]
        # A transfer to a human is an answer too, but not the assistant's: the bench counts it apart.
        return any("say" in action for action in actions) and not any("transfer" in a for a in actions)

    async def close(self) -> None:
        if self.seq >= 0:
            await self._turn(event="hangup", caller="13800000000")


@dataclass
class Turn:
    """One customer message and how its answer came."""

    transport: str
    flow: str
    index: int  # 0 for a conversation's first message
    sent_at: float  # perf_counter when it was due (open loop) or sent (closed loop)
    seconds: float
    ok: bool


async def timed_say(door: Door, text: str, due: float | None = None) -> tuple[float, bool]:
    """Seconds from `due` (or now) to the answer, and whether the assistant answered."""
    began = time.perf_counter() if due is None else due
    try:
        ok = await asyncio.wait_for(door.say(text), TURN_TIMEOUT_SECONDS)
    except (TimeoutError, aiohttp.ClientError, ConnectionError, KeyError, ValueError):
        ok = False
    return time.perf_counter() - began, ok
