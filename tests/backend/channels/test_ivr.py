"""POST /webhooks/ivr: one JSON per turn of a hotline call, answered with actions."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from backend.channels.ivr import DTMF_MAX_DIGITS
from backend.channels.ivr_callback import CALLBACK_NOTE
from backend.models import Conversation, Ticket
from backend.router import ROUTER
from backend.tickets.queries import load_ticket
from glossary import wording
from tests.backend.router.conftest import SERVICE
from tests.backend.units_fixture import seed_units

PATH = "/webhooks/ivr"
REPAIR_SLOTS = {"fault_description": "家里整栋楼停电了", "safety_hazard": False,
                "address": "杭州市西湖区文三路幸福里小区3幢", "contact_phone": None, "account_no": None}


async def turn(backend, call_id: str, seq: int, event: str, **fields) -> dict:
    resp = await backend.post(PATH, headers=SERVICE, json={"call_id": call_id, "seq": seq, "event": event, **fields})
    assert resp.status == 200, await resp.text()
    return await resp.json()


def said(answer: dict) -> list[str]:
    return [a["say"] for a in answer["actions"] if "say" in a]


def kinds(answer: dict) -> list[str]:
    return [next(iter(a)) for a in answer["actions"]]


async def conversation_of(platform, call_id: str) -> Conversation:
    async with platform.sessions() as session:
        return await session.scalar(select(Conversation).where(Conversation.channel == "ivr",
                                                               Conversation.external_id == call_id))


async def test_start_greets_and_listens_for_speech_or_a_hu_hao_on_the_keypad(backend, platform):
    answer = await turn(backend, "call-1", 1, "start", caller="13812345678")
    assert said(answer) == [wording.IVR_GREETING]
    listen = answer["actions"][-1]["listen"]
    assert listen["dtmf"] == {"max_digits": DTMF_MAX_DIGITS, "terminator": "#"} and DTMF_MAX_DIGITS == 13
    assert listen["timeout_ms"] == platform.rules.ivr.listen_timeout_ms
    assert (await conversation_of(platform, "call-1")).state == "bot"


async def test_text_goes_to_rasa_ivr_channel_and_the_replies_are_said(backend, fake_rasa):
    fake_rasa.replies = [{"text": "好的，请问停电的地址是哪里？"},
                         {"buttons": [{"title": "我家停电", "payload": "/a"}, {"title": "查电费", "payload": "/b"}]}]
    answer = await turn(backend, "call-2", 1, "text", text="我家停电了", asr_confidence=0.92)
    assert said(answer) == ["好的，请问停电的地址是哪里？", "您可以说：我家停电、查电费。"]
    assert kinds(answer)[-1] == "listen"
    [sent] = fake_rasa.received
    assert sent["input_channel"] == "ivr" and sent["message"] == "我家停电了"
    assert sent["metadata"]["channel"] == "ivr" and sent["metadata"]["seq"] == 1


async def test_only_speakable_text_reaches_the_caller(backend, fake_rasa):
    fake_rasa.replies = [{"text": "已受理 ✅，工单号GD20261129000123。**详情**见 https://example.com/t?id=1 。"
                                  "电费12.50元，户号3301234567。"}]
    [sentence] = said(await turn(backend, "call-3", 1, "text", text="查工单"))
    assert "G D，二零二六，幺幺二九，零零零，幺二三" in sentence
    assert "三三零幺，二三四，五六七" in sentence
    assert "12元5角" in sentence
    for noise in ("✅", "**", "http", "example.com", "GD2026", "3301234567"):
        assert noise not in sentence
    assert sentence.endswith("。")


async def test_a_repeated_turn_gets_the_same_answer_and_rasa_sees_one_message(backend, fake_rasa):
    first = await turn(backend, "call-4", 3, "text", text="查电费")
    again = await turn(backend, "call-4", 3, "text", text="查电费")
    assert again == first
    assert fake_rasa.messages() == ["查电费"]


async def test_concurrent_duplicates_act_once(backend, fake_rasa):
    answers = await asyncio.gather(*(turn(backend, "call-5", 1, "text", text="停电了") for _ in range(3)))
    assert answers[0] == answers[1] == answers[2]
    assert fake_rasa.messages() == ["停电了"]


async def test_an_old_turn_never_answered_is_a_409_an_answered_one_its_answer(backend, fake_rasa):
    first = await turn(backend, "call-6", 1, "start")
    await turn(backend, "call-6", 5, "text", text="你好")
    resp = await backend.post(PATH, headers=SERVICE, json={"call_id": "call-6", "seq": 3, "event": "text",
                                                           "text": "晚到的话"})
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "turn_out_of_order"
    assert await turn(backend, "call-6", 1, "start") == first
    assert "晚到的话" not in fake_rasa.messages()


async def test_dtmf_digits_reach_rasa_as_text(backend, fake_rasa):
    answer = await turn(backend, "call-7", 1, "dtmf", digits="3301234567890#")
    assert fake_rasa.messages() == ["3301234567890"]
    assert fake_rasa.received[0]["input_channel"] == "ivr"
    assert kinds(answer)[-1] == "listen"


async def test_low_asr_confidence_asks_to_repeat_without_asking_rasa(backend, fake_rasa, platform):
    threshold = platform.rules.ivr.asr_min_confidence
    answer = await turn(backend, "call-8", 1, "text", text="嗯啊呃", asr_confidence=threshold / 2)
    assert said(answer) == [wording.IVR_SAY_AGAIN] and kinds(answer)[-1] == "listen"
    assert fake_rasa.received == []


async def test_silence_reprompts_then_transfers_with_context(backend, fake_rasa, platform):
    platform.rules = replace(platform.rules, ivr=replace(platform.rules.ivr, max_no_input=3))
    fake_rasa.slots = {"contact_phone": "13812345678", "account_no": "3301234567890", "address": None}
    await turn(backend, "call-9", 1, "start")
    await turn(backend, "call-9", 2, "text", text="我要报修，电话13812345678")
    for seq in (3, 4):
        answer = await turn(backend, "call-9", seq, "no_input")
        assert said(answer) == [wording.IVR_REPROMPT] and kinds(answer)[-1] == "listen"
    await turn(backend, "call-9", 5, "text", text="喂，我电话13812345678")  # any input resets the count
    for seq in (6, 7):
        assert said(await turn(backend, "call-9", seq, "no_input")) == [wording.IVR_REPROMPT]
    answer = await turn(backend, "call-9", 8, "no_input")
    assert said(answer) == [wording.IVR_SILENT_TRANSFER]
    transfer = answer["actions"][-1]["transfer"]
    assert transfer["queue"] == platform.rules.ivr.queue
    context = transfer["context"]
    assert context["intent"] == "report_outage"
    assert context["slots"] == {"contact_phone": "138****5678", "account_no": "*********7890"}
    assert any("138****5678" in line["text"] for line in context["last_turns"])
    assert "13812345678" not in str(context)
    assert (await conversation_of(platform, "call-9")).state == "waiting_agent"


async def test_the_assistants_handoff_becomes_a_transfer(backend, fake_rasa, platform):
    fake_rasa.slots = {"contact_phone": "13812345678"}
    answer = await turn(backend, "call-10", 1, "text", text="转人工")
    assert kinds(answer)[-2:] == ["say", "transfer"]
    assert said(answer)[0].startswith("正在为您转接人工客服")
    transfer = answer["actions"][-1]["transfer"]
    assert transfer["queue"] == "95598"
    assert transfer["context"]["slots"] == {"contact_phone": "138****5678"}
    assert transfer["context"]["conversation_id"] == (await conversation_of(platform, "call-10")).id


async def test_agent_lines_left_while_away_are_said_first(backend, router, platform):
    await turn(backend, "call-11", 1, "start")
    conversation = await conversation_of(platform, "call-11")
    await backend.post(f"/api/conversations/{conversation.id}/claim", headers=SERVICE)
    await backend.post(f"/api/conversations/{conversation.id}/messages", headers=SERVICE,
                       json={"text": "您好，我是客服小王，您的户号是3301234567890吗？"})
    answer = await turn(backend, "call-11", 2, "no_input")
    assert said(answer)[0] == wording.AGENT_JOINED[1]
    assert "尾号七八九零" in said(answer)[1]
    assert kinds(answer)[-1] == "listen"


async def count_tickets(platform) -> int:
    async with platform.sessions() as session:
        return int(await session.scalar(select(func.count(Ticket.id))))


async def test_hangup_mid_repair_form_files_one_callback_ticket(backend, fake_rasa, platform):
    await seed_units(platform)
    await turn(backend, "call-12", 1, "start", caller="13812345678")
    await turn(backend, "call-12", 2, "text", text="我家停电了，整栋楼都没电")
    fake_rasa.active_loop, fake_rasa.slots = "repair_form", dict(REPAIR_SLOTS)
    assert await turn(backend, "call-12", 3, "hangup", caller="13812345678") == {"actions": []}
    assert await turn(backend, "call-12", 3, "hangup", caller="13812345678") == {"actions": []}
    assert await turn(backend, "call-12", 4, "hangup", caller="13812345678") == {"actions": []}
    assert await count_tickets(platform) == 1
    conversation = await conversation_of(platform, "call-12")
    assert conversation.state == "closed"
    async with platform.sessions() as session:
        ticket_id = await session.scalar(select(Ticket.id))
        ticket = await load_ticket(session, row_id=ticket_id)
    assert (ticket.type, ticket.channel, ticket.status) == ("fault_repair", "ivr", "accepted")
    assert ticket.idempotency_key == "ivr-hangup:call-12" and ticket.conversation_id == conversation.id
    assert ticket.customer_phone == "13812345678" and ticket.address == REPAIR_SLOTS["address"]
    assert "家里整栋楼停电了" in ticket.description and "整栋楼都没电" in ticket.description
    notes = [e.note for e in ticket.events if e.kind == "note" and e.note == CALLBACK_NOTE]
    assert len(notes) == 1


async def test_hangup_before_the_address_still_gets_a_callback(backend, fake_rasa, platform):
    await seed_units(platform)
    fake_rasa.active_loop = "repair_form"
    fake_rasa.slots = {"fault_description": "没电了", "address": None}
    await turn(backend, "call-13", 1, "text", text="没电了")
    await turn(backend, "call-13", 2, "hangup", caller="13812345678")
    async with platform.sessions() as session:
        ticket = await session.scalar(select(Ticket))
    assert ticket.type == "consultation" and "故障报修未填完" in ticket.description


async def test_hangup_with_no_form_files_no_ticket(backend, fake_rasa, platform):
    await seed_units(platform)
    await turn(backend, "call-14", 1, "text", text="电费多少")
    await turn(backend, "call-14", 2, "hangup", caller="13812345678")
    assert await count_tickets(platform) == 0
    assert (await conversation_of(platform, "call-14")).state == "closed"


async def test_the_service_token_is_required(backend):
    body = {"call_id": "c", "seq": 1, "event": "start"}
    assert (await backend.post(PATH, json=body)).status == 401
    resp = await backend.post(PATH, json=body, headers={"Authorization": "Bearer wrong"})
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "unauthorized"
    assert (await backend.post(PATH, json=body, headers={"Cookie": "session=forged"})).status == 401


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b"{}", b'{"call_id": "c", "seq": 1, "event": "shout"}',
                                 b'{"call_id": "c", "seq": -1, "event": "start"}',
                                 b'{"call_id": "c", "seq": 1, "event": "text"}',
                                 b'{"call_id": "c", "seq": 1, "event": "dtmf", "digits": "12a"}',
                                 b'{"call_id": "c", "seq": 1, "event": "text", "text": "x", "asr_confidence": 7}'])
async def test_bad_bodies_are_4xx_with_a_chinese_message(backend, raw):
    resp = await backend.post(PATH, data=raw, headers={**SERVICE, "Content-Type": "application/json"})
    assert 400 <= resp.status < 500, await resp.text()
    error = (await resp.json())["error"]
    assert error["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


async def test_hangup_mid_complaint_form_files_a_complaint_for_a_callback(backend, fake_rasa, platform):
    await seed_units(platform)
    fake_rasa.active_loop = "complaint_form"
    fake_rasa.slots = {"complaint_what": "抄表员态度很差", "complaint_when": "昨天上午", "contact_phone": "13912345678"}
    await turn(backend, "call-15", 1, "text", text="我要投诉抄表员")
    await turn(backend, "call-15", 2, "hangup")
    async with platform.sessions() as session:
        ticket = await load_ticket(session, row_id=await session.scalar(select(Ticket.id)))
    assert (ticket.type, ticket.customer_phone) == ("complaint", "13912345678")
    assert "抄表员态度很差" in ticket.description and "昨天上午" in ticket.description
    assert [e.note for e in ticket.events if e.kind == "note"] == [CALLBACK_NOTE]


async def test_a_transfer_names_the_calls_ticket(backend, fake_rasa, platform):
    await seed_units(platform)
    await turn(backend, "call-16", 1, "start")
    conversation = await conversation_of(platform, "call-16")
    resp = await backend.post("/api/tickets", headers=SERVICE, json={
        "type": "consultation", "channel": "ivr", "description": "咨询电价", "conversation_id": conversation.id,
        "customer": {"phone": "13812345678"}})
    assert resp.status == 201
    ticket_no = (await resp.json())["id"]
    answer = await turn(backend, "call-16", 2, "text", text="转人工")
    assert answer["actions"][-1]["transfer"]["context"]["ticket_id"] == ticket_no


async def test_after_an_agent_closes_the_call_the_goodbye_is_said_and_the_call_ends(backend, platform):
    await turn(backend, "call-17", 1, "start")
    conversation = await conversation_of(platform, "call-17")
    await backend.post(f"/api/conversations/{conversation.id}/claim", headers=SERVICE)
    await backend.post(f"/api/conversations/{conversation.id}/close", headers=SERVICE)
    answer = await turn(backend, "call-17", 2, "no_input")
    assert said(answer) == [wording.AGENT_JOINED[1], wording.CLOSED[1]]
    assert kinds(answer)[-1] == "hangup"


async def test_a_turn_that_failed_is_acted_on_again_when_retried(backend, router, fake_rasa, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(router, "handle_customer_turn", broken)
        resp = await backend.post(PATH, headers=SERVICE, json={"call_id": "call-18", "seq": 1, "event": "text",
                                                               "text": "停电了"})
        assert resp.status == 500
    answer = await turn(backend, "call-18", 1, "text", text="停电了")
    assert kinds(answer)[-1] == "listen" and fake_rasa.messages() == ["停电了"]


@pytest.mark.parametrize("tells_state", [True, False], ids=["told with the replies", "read from the tracker"])
async def test_a_goodbye_outside_a_form_ends_the_call_after_the_farewell(backend, fake_rasa, tells_state):
    fake_rasa.tells_state = tells_state
    fake_rasa.intent = {"name": "goodbye", "confidence": 0.97}
    fake_rasa.replies = [{"text": "感谢您的来电，再见。"}]
    answer = await turn(backend, "call-19", 1, "text", text="没别的事了，再见")
    assert said(answer) == ["感谢您的来电，再见。"] and kinds(answer)[-1] == "hangup"
    # The form in progress came with the replies: Rasa was not asked for the tracker again.
    assert len(fake_rasa.tracker_reads) == (0 if tells_state else 1)


async def test_a_goodbye_inside_a_form_keeps_listening(backend, fake_rasa):
    # The assistant asks whether to drop the half-given repair report: the caller must be heard.
    fake_rasa.intent = {"name": "goodbye", "confidence": 0.9}
    fake_rasa.active_loop = "repair_form"
    fake_rasa.replies = [{"text": "您的报修还没有提交，确定不报修了吗？"}]
    answer = await turn(backend, "call-20", 1, "text", text="算了再见")
    assert kinds(answer)[-1] == "listen"


@pytest.mark.parametrize("failure", ["down", "silent"])
async def test_a_caller_the_assistant_cannot_answer_hears_an_apology_and_reaches_a_human(backend, fake_rasa,
                                                                                        platform, failure):
    if failure == "down":
        backend.server.app[ROUTER].rasa.base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    else:
        fake_rasa.replies = []  # Rasa up, its action server down
    answer = await turn(backend, "call-down", 1, "text", text="我家停电了")
    assert said(answer) == [wording.ASSISTANT_UNAVAILABLE_QUEUED[1], wording.IVR_TRANSFER]
    assert kinds(answer)[-1] == "transfer"
    conversation = await conversation_of(platform, "call-down")
    assert (conversation.state, conversation.handoff_reason) == ("waiting_agent", "assistant_unavailable")
