"""The router over several Rasa replicas (RASA_URL with two URLs): a conversation stays with
one replica, moves to the other when its own refuses the connection, and is not repeated on
the other when its own failed mid-turn. Every turn carries the channel's message id."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.router import ConversationRouter
from glossary import wording
from tests.assistant_fixtures import free_port
from tests.backend.router.conftest import FakeRasa, serving_fake_rasa


@pytest.fixture
async def second_rasa() -> AsyncIterator[FakeRasa]:
    async with serving_fake_rasa() as fake:
        yield fake


async def test_each_conversation_stays_with_one_replica_and_both_take_conversations(router: ConversationRouter,
                                                                                     fake_rasa, second_rasa):
    router.rasa.base_url = f"{fake_rasa.url},{second_rasa.url}"
    for n in range(12):
        conversation = await router.open("web", f"page-{n}")
        for text in ("停电了", "幸福村"):
            await router.handle_customer_message(conversation, text)
    first, second = ({m["sender"] for m in fake.received} for fake in (fake_rasa, second_rasa))
    assert len(fake_rasa.received) + len(second_rasa.received) == 24
    assert not first & second, "a conversation's turns went to two replicas"
    assert first and second, "one replica took every conversation"


async def test_a_replica_that_is_down_hands_its_conversations_to_the_other(router: ConversationRouter, fake_rasa):
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there: a replica killed
    router.rasa.base_url = f"{down},{fake_rasa.url}"
    for n in range(6):
        conversation = await router.open("web", f"page-{n}")
        replies = await router.handle_customer_message(conversation, "停电了")
        assert replies[0].text == "您好，请问是哪里停电了？"  # every customer answered, none told "unavailable"
    assert len(fake_rasa.received) == 6


async def test_a_replica_failing_mid_turn_is_not_asked_again_elsewhere(router: ConversationRouter, fake_rasa,
                                                                       second_rasa):
    router.rasa.base_url = f"{fake_rasa.url},{second_rasa.url}"
    fake_rasa.status = second_rasa.status = 500  # whichever replica has it fails after receiving it
    conversation = await router.open("web", "page-x")
    replies = await router.handle_customer_message(conversation, "停电了")
    assert [r.text for r in replies] == [wording.ASSISTANT_UNAVAILABLE[0]]
    assert len(fake_rasa.received) + len(second_rasa.received) == 1, "a turn that may have acted was sent twice"


async def test_every_turn_names_its_message_by_the_channels_own_id(router: ConversationRouter, fake_rasa):
    router.rasa.base_url = fake_rasa.url
    page = await router.open("web", "page-1")
    await router.handle_customer_turn(page, "停电了", {"client_id": "m-0001"}, message_id="page-m-0001")
    await router.handle_customer_message(page, "幸福村")  # no id of the channel's: the transcript line names it
    first, second = (m["message_id"] for m in fake_rasa.received)
    assert first == "page-m-0001"
    assert second.startswith("line-") and second != first
