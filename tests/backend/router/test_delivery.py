"""The outbox: a line is in the transcript before any channel sees it, and a
delivery that fails leaves it pending rather than lost."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from backend.models import Message
from backend.router import ConversationRef, Reply
from tests.backend.router.conftest import SERVICE


class RecordingDelivery:
    """A channel API stand-in that checks the line was stored before it was called."""

    def __init__(self, platform, fail: bool = False) -> None:
        self.platform = platform
        self.fail = fail
        self.seen: list[tuple[str, bool]] = []

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> bool:
        async with self.platform.sessions() as session:
            for reply in replies:
                stored = await session.get(Message, reply.line_id)
                self.seen.append((stored.text, stored.conversation_id == conversation.id))
        if self.fail:
            raise ConnectionError("customer-service API unreachable")
        return True


async def test_lines_are_stored_first_then_handed_to_the_channel(backend, router, platform):
    delivery = RecordingDelivery(platform)
    router.outbox.register("wechat", delivery)
    conversation = await router.open("wechat", "openid-d1")
    await backend.post(f"/api/conversations/{conversation.id}/claim", headers=SERVICE)
    resp = await backend.post(f"/api/conversations/{conversation.id}/messages", headers=SERVICE,
                              json={"text": "您的户号3301234567890已核实"})
    assert resp.status == 201
    assert delivery.seen[-1] == ("您的户号******7890已核实", True)
    assert await router.outbox.take_pending(conversation.id) == []


async def test_a_failing_channel_keeps_the_line_pending(backend, router, platform):
    router.outbox.register("wechat", RecordingDelivery(platform, fail=True))
    conversation = await router.open("wechat", "openid-d2")
    await backend.post(f"/api/conversations/{conversation.id}/claim", headers=SERVICE)
    resp = await backend.post(f"/api/conversations/{conversation.id}/messages", headers=SERVICE,
                              json={"text": "稍等"})
    assert resp.status == 201  # stored; the customer gets it later
    async with platform.sessions() as session:
        pending = (await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation.id, Message.awaiting_delivery.is_(True)))).all()
    assert "稍等" in pending
    replies = await router.handle_customer_message(conversation, "人呢")
    assert "稍等" in [r.text for r in replies]
