"""Load shapes of the whole-path benchmark, and the bare parse they are measured against.

- parses: Rasa's POST /model/parse (NLU only, no tracker, no action) by `clients` clients
  in a closed loop: the rate this machine's NLU alone reaches, in the same run.
- closed loop: `customers` customers, each playing flow after flow with no pause; at
  saturation the turns per second are the system's capacity.
- open loop: customers' messages arrive at a fixed rate (Poisson), whatever the answers do;
  each arrival is the next message of a conversation not waiting for an answer, or a new
  conversation. Latency counts from when a message was due, so a backlog shows.
- length: one conversation of many turns, the same probes at its start and its end.
"""
from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from scripts.bench.customers import (
    ENQUIRIES,
    PLACES,
    DemoAccount,
    Door,
    IvrCall,
    Turn,
    WebChat,
    random_flow,
    timed_say,
)
from scripts.bench.stack import API_TOKEN, RASA_TOKEN, BenchStack

MAX_OUTSTANDING = 400  # open loop: messages in flight before new arrivals count as refused


@dataclass
class Figures:
    """Latencies (seconds) and counts of one measurement."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]

    def as_json(self) -> dict:
        ms = {f"p{p}_ms": round(v * 1000, 1) if (v := self.percentile(p)) is not None else None for p in (50, 95, 99)}
        return {"per_second": round(self.rate, 2), "count": len(self.latencies), "errors": self.errors,
                "seconds": round(self.seconds, 1), **ms}


def figures_of(turns: list[Turn], seconds: float, keep: Callable[[Turn], bool] = lambda t: True) -> Figures:
    kept = [t for t in turns if keep(t)]
    return Figures(seconds, [t.seconds for t in kept if t.ok], sum(not t.ok for t in kept))


def door(http: aiohttp.ClientSession, stack: BenchStack, number: int) -> Door:
    """Half the customers write in the web chat, half call the hotline."""
    return WebChat(http, stack.backend_url) if number % 2 == 0 else IvrCall(http, stack.backend_url, API_TOKEN)


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


async def parses(stack: BenchStack, clients: int, seconds: float, rng: random.Random) -> Figures:
    texts = [f"{place}明天停电吗" for place in PLACES] + list(ENQUIRIES) + ["我家没电了", "我要投诉", "查一下我的工单"]
    url = f"{stack.rasa_url}/model/parse?token={RASA_TOKEN}"
    result = Figures(seconds)
    end = time.perf_counter() + seconds

    async def client(http: aiohttp.ClientSession) -> None:
        while time.perf_counter() < end:
            began = time.perf_counter()
            try:
                async with http.post(url, json={"text": rng.choice(texts)}) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except aiohttp.ClientError:
                ok = False
            if ok:
                result.latencies.append(time.perf_counter() - began)
            else:
                result.errors += 1

    async with session() as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return result


async def closed_loop(stack: BenchStack, customers: int, seconds: float, rng: random.Random,
                      account: DemoAccount | None) -> list[Turn]:
    turns: list[Turn] = []
    end = time.perf_counter() + seconds
    numbers = itertools.count()

    async def customer(http: aiohttp.ClientSession) -> None:
        while time.perf_counter() < end:
            talk = door(http, stack, next(numbers))
            flow, texts = random_flow(rng, account)
            try:
                for index, text in enumerate(texts):
                    if time.perf_counter() >= end:
                        break
                    sent = time.perf_counter()
                    took, ok = await timed_say(talk, text)
                    turns.append(Turn(talk.transport, flow, index, sent, took, ok))
                    if not ok:
                        break
            finally:
                await _quietly_close(talk)

    async with session() as http:
        await asyncio.gather(*(customer(http) for _ in range(customers)))
    return turns


async def open_loop(stack: BenchStack, rate: float, seconds: float, rng: random.Random,
                    account: DemoAccount | None) -> list[Turn]:
    turns: list[Turn] = []
    idle: list[tuple[Door, str, list[str], int]] = []
    in_flight: set[asyncio.Task] = set()
    numbers = itertools.count()

    async def deliver(http: aiohttp.ClientSession, due: float, talk: Door, flow: str, texts: list[str],
                      index: int) -> None:
        took, ok = await timed_say(talk, texts[index], due)
        turns.append(Turn(talk.transport, flow, index, due, took, ok))
        if ok and index + 1 < len(texts):
            idle.append((talk, flow, texts, index + 1))
        else:
            await _quietly_close(talk)

    async with session() as http:
        start = time.perf_counter()
        due = start
        while due < start + seconds:
            due += rng.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if len(in_flight) >= MAX_OUTSTANDING:
                turns.append(Turn("-", "-", 0, due, 0.0, False))
                continue
            if idle:
                talk, flow, texts, index = idle.pop(rng.randrange(len(idle)))
            else:
                talk, (flow, texts), index = door(http, stack, next(numbers)), random_flow(rng, account), 0
            task = asyncio.create_task(deliver(http, due, talk, flow, texts, index))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(in_flight, timeout=60)
        for talk, *_ in idle:
            await _quietly_close(talk)
    return turns


async def length(stack: BenchStack, turns_in_all: int, rng: random.Random) -> list[Turn]:
    """One web chat conversation: an outage question by place (a custom action) and an enquiry
    (an answer from the domain), again and again; every turn's latency by its index."""
    found: list[Turn] = []
    async with session() as http:
        talk = WebChat(http, stack.backend_url)
        for index in range(turns_in_all):
            text = f"{rng.choice(PLACES)}明天停电吗" if index % 2 == 0 else rng.choice(ENQUIRIES)
            sent = time.perf_counter()
            took, ok = await timed_say(talk, text)
            found.append(Turn(talk.transport, "action" if index % 2 == 0 else "answer", index, sent, took, ok))
        await _quietly_close(talk)
    return found


async def _quietly_close(talk: Door) -> None:
    try:
        await asyncio.wait_for(talk.close(), 10)
    except (TimeoutError, aiohttp.ClientError, ConnectionError):
        pass
