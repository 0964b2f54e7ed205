"""The web chat's live lines across backend processes (backend/router/fanout.py), against the
machine's Redis: a line sent through one process reaches the page whose socket is open on
another; with no page open anywhere, or Redis away, it stays pending in the outbox."""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
import redis

from backend.router.fanout import SharedLiveDelivery, decode, encode
from backend.router.replies import Button, ConversationRef, Reply
from tests.conftest import redis_or_skip
from tests.faults.proxy import TcpProxy

LINES = [Reply("agent", "您好，我是客服小王，请问您家的地址是？", line_id=41),
         Reply("bot", None, (Button("是", "/affirm"),), {"card": "ticket"}, line_id=None)]


@pytest.fixture
async def processes() -> AsyncIterator[tuple[SharedLiveDelivery, SharedLiveDelivery]]:
    """Two backend processes' deliveries on one Redis (a prefix of their own: no other test's)."""
    redis_or_skip()
    prefix = f"test-fanout-{secrets.token_hex(4)}:"
    first, second = (SharedLiveDelivery("redis://127.0.0.1:6379/3", prefix) for _ in range(2))
    for process in (first, second):
        await process.start()
    yield first, second
    for process in (first, second):
        await process.stop()


async def settled(process: SharedLiveDelivery) -> None:
    """Until the listener holds its subscriptions (it connects in the background)."""
    for _ in range(200):
        if process._pubsub is not None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the fan-out listener never connected")


def test_lines_cross_as_they_were_sent():
    assert decode(encode(LINES)) == LINES
    assert decode(b"not json") == [] and decode('[{"text": "no sender"}, 3]') == []


async def test_a_line_sent_through_one_process_reaches_the_socket_open_on_the_other(processes):
    with_socket, agents_process = processes
    await settled(with_socket)
    conversation = ConversationRef("conv-1", "web", "bot")
    async with with_socket.subscribe("conv-1") as page:
        assert await agents_process.deliver(conversation, LINES[:1]) is True
        assert await asyncio.wait_for(page.get(), 5) == LINES[0]
    # The page closed: nobody shows the conversation, so the line must stay pending.
    assert await agents_process.deliver(conversation, LINES[:1]) is False


async def test_two_pages_of_one_conversation_on_one_process_each_get_the_line_once(processes):
    with_socket, agents_process = processes
    await settled(with_socket)
    async with with_socket.subscribe("conv-2") as first, with_socket.subscribe("conv-2") as second:
        assert await agents_process.deliver(ConversationRef("conv-2", "web", "agent"), LINES[:1])
        assert [await asyncio.wait_for(q.get(), 5) for q in (first, second)] == [LINES[0]] * 2
        await asyncio.sleep(0.2)
        assert first.empty() and second.empty()


async def test_redis_away_keeps_lines_pending_and_its_return_brings_the_pages_back():
    redis_or_skip()
    prefix = f"test-fanout-{secrets.token_hex(4)}:"
    with TcpProxy(6379) as proxy:
        with_socket = SharedLiveDelivery(f"redis://127.0.0.1:{proxy.port}/3", prefix)
        sender = SharedLiveDelivery("redis://127.0.0.1:6379/3", prefix)
        for process in (with_socket, sender):
            await process.start()
        try:
            await settled(with_socket)
            conversation = ConversationRef("conv-3", "web", "agent")
            async with with_socket.subscribe("conv-3") as page:
                proxy.cut()
                with pytest.raises(redis.exceptions.ConnectionError):  # the outbox keeps the line pending
                    await with_socket.deliver(conversation, LINES[:1])
                await asyncio.sleep(0.3)
                assert await sender.deliver(conversation, LINES[:1]) is False  # the page's process is not heard
                proxy.restore()
                for _ in range(100):  # the listener subscribes again to the page it still has open
                    if await sender.deliver(conversation, LINES[:1]):
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the page's process never subscribed again after Redis came back")
                assert await asyncio.wait_for(page.get(), 5) == LINES[0]
        finally:
            for process in (with_socket, sender):
                await process.stop()
