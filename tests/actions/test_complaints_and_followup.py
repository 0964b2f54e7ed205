"""Complaints (read back, escalation hands over), feedback, and follow-up on tickets."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import (
    ActionAskComplaintConfirmed,
    ActionSubmitComplaint,
    ActionSubmitFeedback,
    ValidateComplaintForm,
    guess_class,
)
from actions.followup import ActionTicketFollowup, ValidateTicketForm
from actions.session import ActionFallback
from tests.actions.conftest import texts, tracker

COMPLAINT = {"complaint_what": "抄表员上门态度恶劣，还骂人", "complaint_when": "昨天下午",
             "complaint_where": "坪山社区，抄表员姓李", "complaint_outcome": "希望道歉并批评教育",
             "contact_phone": "13900001111", "complaint_confirmed": True}


async def test_complaint_is_read_back_before_filing(dispatcher):
    await ActionAskComplaintConfirmed().run(dispatcher, tracker(COMPLAINT), {})
    said = texts(dispatcher)
    assert "事情经过：抄表员上门态度恶劣，还骂人" in said and "139****1111" in said and "13900001111" not in said


async def test_filed_complaint_states_both_deadlines(client, dispatcher):
    events = await ActionSubmitComplaint().run(dispatcher, tracker(COMPLAINT), {})
    said = texts(dispatcher)
    assert "您的投诉已受理，工单号GD" in said
    assert "3月11日 09:00前与您联系" in said and "3月17日前答复处理意见" in said
    assert any(e.get("name") == "last_ticket_id" for e in events)


async def test_escalation_intent_hands_the_customer_to_an_agent(client, dispatcher):
    threat = {**COMPLAINT, "complaint_what": "三次报修没人管，再不处理我就打12345市长热线"}
    await ActionSubmitComplaint().run(dispatcher, tracker(threat, sender="angry-1"), {})
    assert "已升级处理" in texts(dispatcher) and "正在为您转接人工客服" in texts(dispatcher)
    queue = await client.get("/api/conversations", state="waiting_agent")
    assert queue["items"][0]["handoff_reason"] == "escalation"


async def test_anonymous_complaint_is_warned_and_filed_without_identity(client, dispatcher):
    form = ValidateComplaintForm()
    result = form.validate_contact_phone("我想匿名", dispatcher, tracker(), {})
    assert result == {"contact_phone": "匿名", "anonymous": True}
    assert "匿名后我们无法向您反馈" in texts(dispatcher)
    filed = CollectingDispatcher()
    await ActionSubmitComplaint().run(filed, tracker({**COMPLAINT, **result}), {})
    assert "与您联系" not in texts(filed) and "答复处理意见" in texts(filed)


def read_back(text: str, intent: str = "deny", slots: dict | None = None):
    turn = tracker({**COMPLAINT, "complaint_confirmed": None, "requested_slot": "complaint_confirmed", **(slots or {})},
                   text=text, intent=intent)
    turn.active_loop = {"name": "complaint_form"}
    return turn


async def test_at_the_read_back_one_part_can_be_corrected(dispatcher):
    form = ValidateComplaintForm()
    turn = read_back("时间不对，是前天")
    assert await form.extract_complaint_confirmed(dispatcher, turn, {}) == {"complaint_confirmed": False}
    result = form.validate_complaint_confirmed(False, dispatcher, turn, {})
    assert result["complaint_when"] is None and result["complaint_confirmed"] is None
    assert "complaint_what" not in result and "complaint_outcome" not in result  # the rest is kept


async def test_a_bare_no_at_the_read_back_asks_which_part(dispatcher):
    form = ValidateComplaintForm()
    result = form.validate_complaint_confirmed(False, dispatcher, read_back("不对"), {})
    assert result == {"complaint_confirmed": None, "complaint_fixing": True}
    slots = ["complaint_what", "complaint_when", "complaint_where", "complaint_outcome", "contact_phone",
             "complaint_confirmed"]
    fixing = await form.required_slots(slots, dispatcher, read_back("", slots={"complaint_fixing": True}), {})
    assert fixing[-2:] == ["complaint_fix", "complaint_confirmed"]
    chosen = form.validate_complaint_fix("地点", dispatcher, read_back("地点"), {})
    assert chosen["complaint_where"] is None and chosen["complaint_fixing"] is None


async def test_no_at_the_read_back_heard_as_cancel_is_still_a_correction(dispatcher):
    turn = read_back("不对，诉求写错了", intent="cancel")
    events = await ValidateComplaintForm().run(dispatcher, turn, {"forms": {"complaint_form": {"required_slots": [
        "complaint_what", "complaint_when", "complaint_where", "complaint_outcome", "contact_phone",
        "complaint_confirmed"]}}, "slots": {}})
    assert {"event": "slot", "timestamp": None, "name": "complaint_outcome", "value": None} in events


def test_an_opener_without_content_asks_what_happened(dispatcher):
    from actions.complaints import says_nothing

    for opener in ("我要投诉你们的工作人员", "我要投诉", "我想反映个问题", "你好，我要举报", "我有个建议"):
        assert says_nothing(opener), opener
    for content in ("你们的人态度太差", "抄表员乱收费", "停电三天没人管", "希望停电前发短信"):
        assert not says_nothing(content), content
    form = ValidateComplaintForm()
    turn = tracker({"requested_slot": "complaint_what"}, text="我要投诉你们的工作人员")
    assert form.validate_complaint_what("我要投诉你们的工作人员", dispatcher, turn, {})["complaint_what"] is None
    assert "具体说一下发生了什么" in texts(dispatcher)


def test_complaint_class_from_the_words():
    assert guess_class("营业厅工作人员态度差") == "service"
    assert guess_class("电压不稳把冰箱烧坏了") == "supply_quality"
    assert guess_class("电费账单多扣了钱") == "business"


async def test_report_without_phone_is_anonymous_and_says_so(client, dispatcher):
    await ActionSubmitFeedback().run(dispatcher, tracker(
        {"pending_task": "report_violation", "feedback_text": "有人在小区私接电线偷电", "contact_phone": "不留"}), {})
    said = texts(dispatcher)
    assert "您的举报已受理" in said and "3月24日前" in said and "处理结果将无法向您反馈" in said


async def test_every_confirmation_has_a_spoken_form_with_the_number_in_groups(client, dispatcher):
    for task, text in (("report_violation", "有人在小区私接电线偷电"), ("give_suggestion", "希望停电前发短信"),
                       ("praise", "抢修师傅半夜冒雨来修，很负责")):
        spoken = CollectingDispatcher()
        await ActionSubmitFeedback().run(spoken, tracker(
            {"pending_task": task, "feedback_text": text, "contact_phone": "13900001111"}, channel="ivr"), {})
        said = texts(spoken)
        assert "GD2026" not in said and len(said) <= 90, said
    filed = CollectingDispatcher()
    await ActionSubmitComplaint().run(filed, tracker(COMPLAINT, channel="ivr"), {})
    assert "工单号G D，二零二六" in texts(filed) and "GD2026" not in texts(filed)


async def test_progress_urge_and_dissatisfied_rating(client, dispatcher):
    filed = CollectingDispatcher()
    events = await ActionSubmitComplaint().run(filed, tracker(COMPLAINT), {})
    ticket_id = next(e["value"] for e in events if e.get("name") == "last_ticket_id")

    await ActionTicketFollowup().run(dispatcher, tracker({"ticket_id": ticket_id, "pending_task": "query_ticket"}), {})
    assert f"工单{ticket_id}（投诉）当前状态：已受理" in texts(dispatcher)
    assert "承诺在3月11日 09:00前与您首次联系" in texts(dispatcher)

    urged = CollectingDispatcher()
    await ActionTicketFollowup().run(urged, tracker({"ticket_id": ticket_id, "pending_task": "urge_ticket"},
                                                    text="怎么还没人联系我"), {})
    assert "已为您催办" in texts(urged)
    assert (await client.get(f"/api/tickets/{ticket_id}"))["urge_count"] == 1

    early = CollectingDispatcher()
    await ActionTicketFollowup().run(early, tracker({"ticket_id": ticket_id, "pending_task": "rate_service",
                                                     "rating": "dissatisfied"}), {})
    assert "还在处理中" in texts(early)
    await client.post(f"/api/tickets/{ticket_id}/events", {"kind": "reply", "note": "已批评教育"})
    rated = CollectingDispatcher()
    await ActionTicketFollowup().run(rated, tracker({"ticket_id": ticket_id, "pending_task": "rate_service",
                                                     "rating": "dissatisfied"}), {})
    assert "已将工单退回重新处理" in texts(rated)
    assert (await client.get(f"/api/tickets/{ticket_id}"))["status"] == "processing"


async def test_a_closed_tickets_rating_is_its_survey_answer(client):
    filed = CollectingDispatcher()
    events = await ActionSubmitComplaint().run(filed, tracker(COMPLAINT), {})
    ticket_id = next(e["value"] for e in events if e.get("name") == "last_ticket_id")
    await client.post(f"/api/tickets/{ticket_id}/events", {"kind": "reply", "note": "已批评教育"})
    await client.post(f"/api/tickets/{ticket_id}/events", {"kind": "callback", "rating": "satisfied"})
    rated = CollectingDispatcher()
    await ActionTicketFollowup().run(rated, tracker({"ticket_id": ticket_id, "pending_task": "rate_service",
                                                     "rating": "dissatisfied"}), {})
    assert "您的意见已记录" in texts(rated) and "退回" not in texts(rated)
    ticket = await client.get(f"/api/tickets/{ticket_id}")
    assert ticket["status"] == "closed" and ticket["rating"] == "satisfied"  # the callback's stays
    assert [(s["rating"], s["source"]) for s in ticket["surveys"]] == [("dissatisfied", "survey")]
    again = CollectingDispatcher()
    await ActionTicketFollowup().run(again, tracker({"ticket_id": ticket_id, "pending_task": "rate_service",
                                                     "rating": "satisfied"}), {})
    assert "您已评价过该工单" in texts(again)


async def test_ticket_found_by_phone(client, dispatcher):
    await ActionSubmitComplaint().run(CollectingDispatcher(), tracker(COMPLAINT), {})
    found = await ValidateTicketForm().validate_ticket_ref("13900001111", dispatcher, tracker(), {})
    assert found["ticket_id"].startswith("GD")
    missing = await ValidateTicketForm().validate_ticket_ref("13700000000", dispatcher, tracker(), {})
    assert missing == {"ticket_ref": None} and texts(dispatcher).startswith("抱歉，没有查到")


async def test_second_misunderstanding_in_a_row_hands_over(client, dispatcher):
    fallback = {"event": "user", "text": "呜啦啦", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    first = await ActionFallback().run(dispatcher, tracker(text="呜啦啦", intent="nlu_fallback"), {})
    assert dispatcher.messages[0]["response"] == "utter_please_rephrase"
    assert first[0]["event"] == "rewind"
    second = CollectingDispatcher()
    await ActionFallback().run(second, tracker(text="叽里咕噜", intent="nlu_fallback", events=[fallback]), {})
    assert "正在为您转接人工客服" in texts(second)


async def test_a_statement_taken_for_a_side_question_is_still_the_complaint(dispatcher):
    from actions.forms import not_an_answer

    told = tracker({"requested_slot": "complaint_what"}, text="营业厅的人把我户号登记错了还不承认",
                   intent="ask_service_channels")
    told.active_loop = {"name": "complaint_form"}
    assert not not_an_answer(told)
    events = await ValidateComplaintForm().run(dispatcher, told, {"forms": {"complaint_form": {"required_slots": [
        "complaint_what", "complaint_when"]}}, "slots": {}})
    assert {"event": "slot", "timestamp": None, "name": "complaint_what",
            "value": "营业厅的人把我户号登记错了还不承认"} in events
    asked = tracker({"requested_slot": "complaint_what"}, text="对了，营业厅几点开门", intent="ask_service_channels")
    asked.active_loop = {"name": "complaint_form"}
    assert not_an_answer(asked)  # a real side question is answered by the rules, then the form asks again
