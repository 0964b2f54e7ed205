"""When the backend refuses an action's request, the customer gets the sentence
glossary/replies/refusals.py has for the refusal's code (its spoken form on the
hotline), never the backend's own message; a code without one gets REFUSED."""
from __future__ import annotations

import logging
import re

from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendError
from actions.complaints import ActionSubmitComplaint
from actions.filing import file_ticket
from actions.followup import ActionTicketFollowup
from actions.identity import ValidateIdentityForm
from actions.outages import ActionOutageLookup
from actions.repairs import ActionSubmitRepair
from actions.text import compose, say_refusal
from glossary.replies import refusals
from glossary.replies.session import REFUSED
from scripts.wording_sheet import ROOT
from tests.actions.conftest import ACCOUNT, tracker
from tests.actions.test_complaints_and_followup import COMPLAINT
from tests.actions.test_repairs import REPAIR_SLOTS

CHANNELS = (("rest", False), ("ivr", True))


def said(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") for m in dispatcher.messages]


def expected(sentence: tuple[str, str], spoken: bool, **values: object) -> list[str]:
    return [compose(sentence, spoken, **values)]


async def _complaint_ticket() -> str:
    events = await ActionSubmitComplaint().run(CollectingDispatcher(), tracker(COMPLAINT), {})
    return next(e["value"] for e in events if e.get("name") == "last_ticket_id")


async def test_a_locked_account_is_told_when_to_try_again(client, platform):
    form = ValidateIdentityForm()
    for _ in range(platform.rules.identity_max_failures):
        await form.validate_phone_last4("0000", CollectingDispatcher(), tracker({"account_no": ACCOUNT}), {})
    minutes = platform.rules.identity_lockout_minutes  # the clock stands still: the whole window is left
    for channel, spoken in CHANNELS:
        dispatcher = CollectingDispatcher()
        locked = await form.validate_phone_last4("5678", dispatcher, tracker({"account_no": ACCOUNT}, channel=channel), {})
        assert locked == {"phone_last4": "locked", "verified": False}
        assert said(dispatcher) == expected(refusals.TOO_MANY_ATTEMPTS, spoken, wait=f"{minutes}分钟后")


async def test_a_ticket_number_that_does_not_exist(client):
    for channel, spoken in CHANNELS:
        dispatcher = CollectingDispatcher()
        await ActionTicketFollowup().run(dispatcher, tracker(
            {"ticket_id": "GD20260310999999", "pending_task": "query_ticket"}, channel=channel), {})
        assert said(dispatcher) == expected(refusals.TICKET_NOT_FOUND, spoken)


async def test_a_closed_ticket_is_neither_chased_nor_rated(client):
    ticket_id = await _complaint_ticket()
    await client.post(f"/api/tickets/{ticket_id}/events", {"kind": "close", "reason": "客户撤诉"})
    for task, slots in (("urge_ticket", {}), ("rate_service", {"rating": "satisfied"})):
        for channel, spoken in CHANNELS:
            dispatcher = CollectingDispatcher()
            await ActionTicketFollowup().run(dispatcher, tracker(
                {"ticket_id": ticket_id, "pending_task": task, **slots}, text="催一下", channel=channel), {})
            assert said(dispatcher) == expected(refusals.TICKET_CLOSED, spoken), task
    assert (await client.get(f"/api/tickets/{ticket_id}"))["urge_count"] == 0


async def test_a_chase_too_long_to_record(client):
    ticket_id = await _complaint_ticket()
    for channel, spoken in CHANNELS:
        dispatcher = CollectingDispatcher()
        await ActionTicketFollowup().run(dispatcher, tracker(
            {"ticket_id": ticket_id, "pending_task": "urge_ticket"}, text="催" * 2001, channel=channel), {})
        assert said(dispatcher) == expected(refusals.INVALID_INPUT, spoken)


async def test_a_ticket_the_backend_will_not_file(client):
    no_phone = {k: v for k, v in COMPLAINT.items() if k != "contact_phone"}
    no_address = {k: v for k, v in REPAIR_SLOTS.items() if k not in ("address", "area_id")}
    long_address = {**REPAIR_SLOTS, "address": "淳安县千岛湖镇" + "坪山社区" * 50, "area_id": None}
    huge = {**REPAIR_SLOTS, "fault_description": "停电" * 6000}
    cases = ((ActionSubmitComplaint(), no_phone, refusals.PHONE_REQUIRED),
             (ActionSubmitRepair(), no_address, refusals.ADDRESS_REQUIRED),
             (ActionSubmitRepair(), long_address, refusals.INVALID_INPUT),
             (ActionSubmitRepair(), huge, refusals.TOO_LARGE))
    for action, slots, sentence in cases:
        for channel, spoken in CHANNELS:
            dispatcher = CollectingDispatcher()
            events = await action.run(dispatcher, tracker(slots, channel=channel), {})
            assert said(dispatcher) == expected(sentence, spoken)
            assert not any(e.get("name") == "last_ticket_id" for e in events)


async def test_outages_of_an_account_not_on_record_answer_like_one_without_notices(client):
    """The backend tells nobody which 户号 exist (backend/api/lookups.py): the customer hears the
    masked 户号 read back with the no-outage answer and the self-check, and can spot a typo."""
    for channel, _spoken in CHANNELS:
        dispatcher = CollectingDispatcher()
        await ActionOutageLookup().run(dispatcher, tracker({"place": {"account_no": "3301999999999"}},
                                                           channel=channel), {})
        text = "".join(said(dispatcher))
        assert text.startswith("暂未查到") and "9999" in text and "3301999999999" not in text, text


async def test_a_customer_guessing_many_accounts_is_asked_to_wait_and_others_are_not(client, platform):
    """Each conversation's 户号 are counted apart (the X-Customer-Ref the client sends)."""
    limit = platform.rules.account_lookups.max_accounts_per_client
    for n in range(limit):
        await ActionOutageLookup().run(CollectingDispatcher(), tracker(
            {"place": {"account_no": f"33019{n:08d}"}}, sender="guesser"), {})
    dispatcher = CollectingDispatcher()
    await ActionOutageLookup().run(dispatcher, tracker({"place": {"account_no": ACCOUNT}}, sender="guesser"), {})
    assert said(dispatcher) == expected(refusals.TOO_MANY_LOOKUPS, False, wait=compose(
        refusals.WAIT_MINUTES, False, minutes=-(-int(platform.rules.account_lookups.window_seconds) // 60)))
    dispatcher = CollectingDispatcher()
    await ActionOutageLookup().run(dispatcher, tracker({"place": {"account_no": ACCOUNT}}, sender="neighbour"), {})
    answer = "".join(said(dispatcher))
    assert answer and not answer.startswith(refusals.TOO_MANY_LOOKUPS[0][:8]), answer


async def test_a_refusal_without_a_sentence_is_refused_politely_and_logged(client, caplog):
    body = {"type": "service_request", "channel": "web", "description": "想申请电表校验",
            "customer": {"account_no": ACCOUNT}}  # no kind: the backend's kind_required
    for channel, spoken in CHANNELS:
        dispatcher = CollectingDispatcher()
        with caplog.at_level(logging.INFO, logger="actions.text"):
            assert await file_ticket(dispatcher, tracker(channel=channel), body, "meter_test") is None
        assert said(dispatcher) == expected(REFUSED, spoken)
    assert "kind_required" in caplog.text


def test_a_lock_out_without_its_time_says_later():
    dispatcher = CollectingDispatcher()
    say_refusal(dispatcher, tracker(), BackendError(429, "too_many_attempts", "验证失败次数过多"))
    assert said(dispatcher) == expected(refusals.TOO_MANY_ATTEMPTS, False, wait="稍后")


def test_every_refusal_answers_a_code_the_backend_has():
    sources = "\n".join(path.read_text("utf-8") for path in (ROOT / "backend").rglob("*.py"))
    codes = set(re.findall(r'\bcode\s*=\s*"(\w+)"', sources))
    mapped = {code for code in vars(refusals)["_BY_CODE"]}
    assert mapped <= codes, f"no such backend code: {mapped - codes}"
