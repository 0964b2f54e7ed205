"""The web chat's live lines across backend processes: Redis pub/sub (issue #10).

With several backend processes, an agent's line may be sent through one process while the
customer's page holds its socket open on another. `LiveDelivery` only knows the sockets of
its own process, so there the line would wait in the outbox for the customer's next turn.
`SharedLiveDelivery` (set when `REDIS_URL` is) has the same contract across processes:

- a process subscribes to a conversation's channel (`<prefix><conversation id>`) while at least
  one of its sockets shows that conversation, and unsubscribes when the last one closes;
- `deliver` publishes the lines (the stored, masked lines with their transcript ids) and
  reports them delivered when at least one process was subscribed (PUBLISH's count): exactly
  as `LiveDelivery` reports an open socket. Nobody subscribed, or Redis unreachable (the
  outbox catches the error): the lines stay pending, as with no socket open;
- each subscribed process puts them on its sockets' queues; the page draws each line id once.

A process that dies after taking lines loses nothing: its sockets drop, the pages reconnect
(to a live process) and read the lines they missed from the transcript. When the connection
to Redis drops, the listener subscribes again to every conversation it has sockets for.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from backend.router.delivery import LiveDelivery
from backend.router.replies import Button, ConversationRef, Reply

log = logging.getLogger(__name__)
PREFIX = "power95598:chat:"
RECONNECT_SECONDS = 1.0
# A channel every process listens on, so the listener has a subscription while no page is open.
PROCESS_CHANNEL = "process"


def encode(replies: Sequence[Reply]) -> str:
    return json.dumps([{**reply.as_json(), "line_id": reply.line_id} for reply in replies], ensure_ascii=False)


def decode(data: bytes | str) -> list[Reply]:
    """The lines of one published message (anything unreadable is dropped with a warning)."""
    try:
        items = json.loads(data)
    except ValueError:
        log.warning("fan-out: unreadable message dropped")
        return []
    replies = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("sender"), str):
            buttons = tuple(Button(str(b.get("title", "")), str(b.get("payload", "")))
                            for b in item.get("buttons") or () if isinstance(b, dict))
            line_id = item.get("line_id")
            replies.append(Reply(item["sender"], item.get("text"), buttons,
                                 item["custom"] if isinstance(item.get("custom"), dict) else None,
                                 line_id if isinstance(line_id, int) else None))
    return replies


class SharedLiveDelivery(LiveDelivery):
    """LiveDelivery for every backend process that shares the Redis at `url`."""

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        super().__init__()
        self.url, self.prefix = url, prefix
        self._redis: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect and listen (on application start-up); Redis away now is retried in the background."""
        self._redis = aioredis.from_url(self.url)
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
        await self._close_pubsub()
        if self._redis is not None:
            await self._redis.close()

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[Reply]]:
        queue: asyncio.Queue[Reply] = asyncio.Queue()
        local = self._subscribers[conversation_id]
        first = not local
        local.add(queue)
        try:
            if first:
                await self._channel_command("subscribe", conversation_id)
            yield queue
        finally:
            local.discard(queue)
            if not local and self._subscribers.get(conversation_id) is local:
                del self._subscribers[conversation_id]
                await self._channel_command("unsubscribe", conversation_id)

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> bool:
        """Publish the lines; True when some process has a socket of the conversation open."""
        if self._redis is None:
            return await super().deliver(conversation, replies)  # not started: this process alone
        receivers = await self._redis.publish(self.prefix + conversation.id, encode(replies))
        return int(receivers) > 0

    async def _channel_command(self, command: str, conversation_id: str) -> None:
        if self._pubsub is None:
            return  # not connected: the listener subscribes to every open conversation when it is
        try:
            await getattr(self._pubsub, command)(self.prefix + conversation_id)
        except (RedisError, OSError) as exc:  # the listener reconnects and subscribes again
            log.warning("fan-out: %s %s failed: %r", command, conversation_id, exc)

    async def _listen(self) -> None:
        while True:
            try:
                await self._connect()
                while True:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self._hand_out(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("fan-out: Redis at %s unreachable (%r); live lines from other processes "
                            "wait for the customers' next turn until it is back", self.url, exc)
                await self._close_pubsub()
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _connect(self) -> None:
        assert self._redis is not None
        pubsub = self._redis.pubsub()
        open_now = set(self._subscribers)
        await pubsub.subscribe(self.prefix + PROCESS_CHANNEL, *(self.prefix + c for c in open_now))
        self._pubsub = pubsub
        opened_meanwhile = set(self._subscribers) - open_now  # sockets that came while subscribing
        if opened_meanwhile:
            await pubsub.subscribe(*(self.prefix + c for c in opened_meanwhile))

    async def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with suppress(RedisError, OSError):
                await pubsub.reset()

    def _hand_out(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        channel = channel.decode("utf-8") if isinstance(channel, bytes) else str(channel)
        queues = self._subscribers.get(channel.removeprefix(self.prefix))
        if not queues:
            return
        replies = decode(message.get("data") or b"[]")
        for queue in queues:
            for reply in replies:
                queue.put_nowait(reply)
