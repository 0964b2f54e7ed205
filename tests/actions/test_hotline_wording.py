"""What a caller on the hotline hears when things go wrong or a flow ends: never
"please dial 95598" (they are on it), never a sentence cut off, and a flow's
ticket number, rating and task do not outlive it."""
from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendClient, use_backend
from actions.complaints import ActionSubmitComplaint
from actions.followup import ActionTicketFollowup
from actions.identity import ActionAfterIdentity, ValidateIdentityForm
from actions.outages import ActionOutageLookup
from actions.outbox import Outbox, use_outbox
from actions.repairs import ActionSubmitRepair
from actions.session import ActionHandoff
from tests.actions.conftest import ACCOUNT, add_bills, settings_for, texts, tracker
from tests.actions.test_complaints_and_followup import COMPLAINT
from tests.actions.test_outages_and_enquiries import PINGSHAN
from tests.actions.test_outbox import closed_port
from tests.actions.test_repairs import REPAIR_SLOTS

VERIFIED = {"account_no": ACCOUNT, "phone_last4": "5678", "verified": True}


@pytest.fixture
def backend_down(tmp_path):
    use_backend(BackendClient(settings_for(closed_port(), tmp_path)))
    use_outbox(Outbox(tmp_path / "outbox.db"))
    yield
    use_backend(None)
    use_outbox(None)


async def test_callers_are_never_told_to_dial_95598(backend_down):
    said = CollectingDispatcher()
    await ActionSubmitRepair().run(said, tracker(REPAIR_SLOTS, channel="ivr"), {})
    await ActionSubmitComplaint().run(said, tracker(COMPLAINT, channel="ivr"), {})
    await ActionOutageLookup().run(said, tracker({"place": PINGSHAN}, channel="ivr"), {})
    await ActionTicketFollowup().run(said, tracker({"ticket_id": "GD20260310000001", "pending_task": "query_ticket"},
                                                   channel="ivr"), {})
    await ActionHandoff().run(said, tracker(channel="ivr"), {})
    turn = tracker({"account_no": ACCOUNT, "requested_slot": "phone_last4"}, text="5678", channel="ivr")
    await ValidateIdentityForm().validate_phone_last4("5678", said, turn, {})
    heard = texts(said)
    assert heard.count("抱歉") >= 5, heard  # each failure was told, politely
    assert "95598" not in heard and "九五五九八" not in heard, heard
    chat = CollectingDispatcher()
    await ActionSubmitRepair().run(chat, tracker(REPAIR_SLOTS), {})
    assert "95598" in texts(chat)  # web customers may well be pointed to the hotline


async def test_the_spoken_bill_says_what_is_owed_in_whole_sentences(client, platform, dispatcher):
    await add_bills(platform, ACCOUNT, [("2026-01", 160, "86.08", "0", date(2026, 1, 15)),
                                        ("2026-02", 140, "75.32", "0", date(2026, 2, 15))])
    await ActionAfterIdentity().run(dispatcher, tracker({**VERIFIED, "pending_task": "query_bill"}, channel="ivr"), {})
    said = texts(dispatcher)
    # Late fees included; the sentence that used to be cut at 40 characters ends properly.
    assert "目前待缴电费合计167.78元" in said and said.endswith("缴纳。"), said
    assert len(said) <= 90, said


async def test_a_ticket_flow_leaves_no_ticket_number_or_rating_behind(client, dispatcher):
    filed = CollectingDispatcher()
    events = await ActionSubmitComplaint().run(filed, tracker(COMPLAINT), {})
    ticket_id = next(e["value"] for e in events if e.get("name") == "last_ticket_id")
    done = await ActionTicketFollowup().run(dispatcher, tracker(
        {"ticket_id": ticket_id, "rating": "satisfied", "pending_task": "rate_service", "ticket_ref": ticket_id}), {})
    cleared = {e["name"] for e in done if e.get("event") == "slot" and e["value"] is None}
    assert {"ticket_id", "rating", "pending_task", "ticket_ref", "offer"} <= cleared
    assert any(e.get("name") == "last_ticket_id" and e["value"] == ticket_id for e in done)  # the session's own ticket


async def test_a_call_hears_one_welcome_the_web_the_privacy_notice():
    from actions.session import ActionSessionStart

    for channel, notices in (("ivr", 0), ("web", 1), ("wechat", 1)):
        said = CollectingDispatcher()
        started = tracker({"session_started_metadata": {"channel": channel}})
        await ActionSessionStart().run(said, started, {})
        assert [m.get("response") for m in said.messages].count("utter_privacy_notice") == notices, channel
    said = CollectingDispatcher()
    await ActionSessionStart().run(said, tracker(), {})  # Rasa's own REST port: no metadata
    assert [m.get("response") for m in said.messages] == ["utter_privacy_notice"]
