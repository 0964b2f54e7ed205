"""The customer's side of the router: the bot answers, a held conversation is
the agent's alone, Rasa failing never reaches the customer as an error."""
from __future__ import annotations

import pytest

from backend.router import rasa as rasa_module
from glossary import wording
from tests.backend.router.conftest import SERVICE

RAW = "我家停电了，电话13812345678，户号3301234567890"


async def transcript(backend, conversation_id: str) -> list[dict]:
    resp = await backend.get(f"/api/conversations/{conversation_id}", headers=SERVICE)
    assert resp.status == 200
    return (await resp.json())["messages"]


async def test_the_bot_answers_and_the_transcript_is_masked_with_the_intent(backend, router, fake_rasa):
    conversation = await router.open("web", "browser-1")
    replies = await router.handle_customer_message(conversation, RAW, {"user_agent": "test"})
    assert [r.text for r in replies] == ["您好，请问是哪里停电了？", None]
    assert [b.title for b in replies[1].buttons] == ["我家停电", "查电费"]
    [sent] = fake_rasa.received
    assert sent["sender"] == conversation.id and sent["message"] == RAW and sent["input_channel"] == "rest"
    assert sent["metadata"] == {"user_agent": "test", "channel": "web", "request_id": sent["metadata"]["request_id"]}
    assert sent["metadata"]["request_id"] == fake_rasa.request_headers[0]  # the message's own id
    lines = await transcript(backend, conversation.id)
    customer = lines[0]
    assert customer["sender"] == "customer"
    assert "13812345678" not in customer["text"] and "3301234567890" not in customer["text"]
    assert "138****5678" in customer["text"] and "7890" in customer["text"]
    assert (customer["intent"], customer["confidence"]) == ("report_outage", pytest.approx(0.93))
    assert [(line["sender"], line["text"]) for line in lines[1:]] == [
        ("bot", "您好，请问是哪里停电了？"), ("bot", "[我家停电] / [查电费]")]


@pytest.mark.parametrize("tells_state", [True, False], ids=["told with the replies", "read from the tracker"])
async def test_the_line_is_labelled_with_what_the_assistant_heard_however_rasa_tells_it(backend, router,
                                                                                         fake_rasa, tells_state):
    # Our channels answer the tracker's summary with the replies (bot/channels/rest.py): no second
    # read of the tracker. Rasa's own REST channel answers a bare list: the tracker is read instead.
    fake_rasa.tells_state = tells_state
    fake_rasa.intent = {"name": "ask_bill", "confidence": 0.81}
    conversation = await router.open("web", "browser-told")
    turn = await router.handle_customer_turn(conversation, "这个月电费多少")
    [customer] = [line for line in await transcript(backend, conversation.id) if line["sender"] == "customer"]
    assert (customer["intent"], customer["confidence"]) == ("ask_bill", pytest.approx(0.81))
    assert turn.assistant is not None and turn.assistant.intent == "ask_bill"
    assert fake_rasa.tracker_reads == ([] if tells_state else [conversation.id])


async def test_the_same_customer_keeps_one_conversation(router):
    first = await router.open("wechat", "openid-1")
    again = await router.open("wechat", "openid-1")
    other = await router.open("web", "openid-1")
    assert first.id == again.id != other.id


async def test_the_hotline_goes_through_rasas_ivr_channel(router, fake_rasa):
    call = await router.open("ivr", "call-1")
    await router.handle_customer_message(call, "停电了")
    assert fake_rasa.received[0]["input_channel"] == "ivr"


@pytest.mark.parametrize("failure", ["down", "500", "timeout"])
async def test_rasa_failing_gives_one_polite_sentence_and_keeps_the_line(backend, router, fake_rasa,
                                                                         platform, monkeypatch, failure):
    if failure == "down":
        router.rasa.base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    elif failure == "500":
        fake_rasa.status = 500
    else:
        monkeypatch.setattr(rasa_module, "SEND_TIMEOUT_SECONDS", 0.2)
        fake_rasa.hang = True
    conversation = await router.open("web", "browser-2")
    replies = await router.handle_customer_message(conversation, RAW)
    assert [(r.sender, r.text) for r in replies] == [("system", wording.ASSISTANT_UNAVAILABLE[0])]
    lines = await transcript(backend, conversation.id)
    assert [line["sender"] for line in lines] == ["customer", "system"]
    assert "13812345678" not in lines[0]["text"] and lines[0]["intent"] is None


async def test_an_assistant_that_says_nothing_still_gets_the_customer_an_answer(backend, router, fake_rasa):
    fake_rasa.replies = []  # what Rasa answers when its action server is down
    conversation = await router.open("web", "browser-5")
    replies = await router.handle_customer_message(conversation, "你好")
    assert [r.text for r in replies] == [wording.ASSISTANT_UNAVAILABLE[0]]
    lines = await transcript(backend, conversation.id)
    assert [(line["sender"], line.get("intent")) for line in lines] == [("customer", "report_outage"),
                                                                       ("system", None)]


async def test_a_handoff_during_the_turn_moves_the_routers_conversation(backend, router, fake_rasa):
    conversation = await router.open("web", "browser-3")
    replies = await router.handle_customer_message(conversation, "我要转人工")
    assert "第1位" in replies[0].text and replies[1].custom == {"handoff": {"queue": "95598"}}
    queue = await (await backend.get("/api/conversations?state=waiting_agent", headers=SERVICE)).json()
    assert [(c["id"], c["queue_position"]) for c in queue["items"]] == [(conversation.id, 1)]
    # Waiting: Rasa is not asked, the customer hears their place in the queue.
    replies = await router.handle_customer_message(conversation, "还要等多久")
    assert fake_rasa.messages() == ["我要转人工"]
    assert replies[0].text == wording.QUEUE_NEXT[0]
    lines = await transcript(backend, conversation.id)
    assert [line["sender"] for line in lines] == ["customer", "system", "bot", "customer", "system"]
    assert lines[1]["text"] == "客户：我要转人工"  # the action's summary, stored in turn order


async def test_the_queue_position_counts_who_waited_longer(backend, router, clock):
    first, second = await router.open("web", "q-1"), await router.open("wechat", "q-2")
    for conversation in (first, second):
        await router.handle_customer_message(conversation, "转人工")
        clock.advance(minutes=1)
    replies = await router.handle_customer_message(second, "还有人吗")
    assert replies[0].text == wording.QUEUE_AHEAD[0].format(ahead=1)
    one = await (await backend.get(f"/api/conversations/{second.id}", headers=SERVICE)).json()
    assert one["queue_position"] == 2 and one["waiting_since"]


async def test_a_closed_conversation_is_reopened_to_the_bot(backend, router, fake_rasa):
    conversation = await router.open("web", "browser-4")
    assert (await backend.post(f"/api/conversations/{conversation.id}/close", headers=SERVICE)).status == 200
    replies = await router.handle_customer_message(conversation, "我又来了")
    # The closing notice the customer had not seen yet, then the bot.
    assert replies[0].text == wording.CLOSED[0] and replies[1].text == "您好，请问是哪里停电了？"
    assert fake_rasa.messages() == ["我又来了"]
    one = await (await backend.get(f"/api/conversations/{conversation.id}", headers=SERVICE)).json()
    assert one["state"] == "bot"
