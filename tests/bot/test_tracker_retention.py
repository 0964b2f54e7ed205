"""Rasa's store of a conversation is deleted once it has been idle past
retention.assistant_tracker_days; a conversation still going keeps every event."""
from __future__ import annotations

import asyncio
import time

import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from backend.rules import RulesError, _retention
from bot import tracker_retention
from bot.model_cache import ROOT

DAY = 86400.0


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "rasa-tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    found = tracker_retention.sql_store(ROOT / "endpoints.yml")  # the store `make run` uses
    assert found is not None
    return found


def save(store, sender: str, *times: float) -> None:
    """A conversation with a turn at each time (Rasa appends what the store does not hold yet)."""
    events = [event for at in times for event in (
        UserUttered("我叫王建国，电话13812345678，家里停电了", {"name": "report_fault", "confidence": 0.97},
                    timestamp=at),
        SlotSet("contact_phone", "13812345678", timestamp=at))]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def test_idle_conversations_go_and_live_ones_stay(store):
    now = time.time()
    save(store, "idle-customer", now - 31 * DAY)
    save(store, "live-customer", now - 31 * DAY, now - 2 * DAY)  # came back: the conversation goes on
    assert tracker_retention.forget_idle_conversations(store, 30, now) == (1, 2)
    assert tracker_retention.forget_idle_conversations(store, 30, now) == (0, 0)
    assert asyncio.run(store.retrieve("idle-customer")) is None
    kept = asyncio.run(store.retrieve("live-customer"))
    assert kept is not None and kept.get_slot("contact_phone") == "13812345678"


def test_the_period_comes_from_the_service_rules_and_must_be_positive(store, monkeypatch):
    save(store, "idle-customer", time.time() - 400 * DAY)
    assert tracker_retention.run(ROOT / "endpoints.yml") == (1, 2)
    with pytest.raises(RulesError):
        _retention({"transcript_days": 180, "closed_ticket_personal_data_days": 730, "assistant_tracker_days": 0}, 30)
