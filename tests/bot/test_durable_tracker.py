"""endpoints.yml (the store `make run` uses): a conversation outlives the Rasa process.

Two Agents loaded one after the other stand for Rasa before and after a restart; the
second must carry on the form the customer was filling in with the first."""
from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.model_cache import ROOT, ensure_model
from tests.assistant_fixtures import say


def _agent(action_server: str) -> Agent:
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = TrackerStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"), domain)
    return Agent.load(str(ensure_model()), action_endpoint=EndpointConfig(action_server), tracker_store=store)


# Rasa's own store is what is under test; the backend's database does not matter here.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_restart_of_rasa_resumes_the_half_finished_repair_form(action_server, tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "rasa-tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", action_server)
    before = _agent(action_server)
    assert "危险" in await say(before, "restart-1", "我家没电了，灯全灭了")
    assert "地址" in await say(before, "restart-1", "没有")

    after = _agent(action_server)  # a new process: nothing in memory
    tracker = await after.tracker_store.retrieve("restart-1")
    assert tracker is not None and tracker.active_loop_name == "repair_form"
    # The next answer is taken as the address the form was waiting for, not a new request.
    asked = await say(after, "restart-1", "幸福里小区3号楼2单元")
    assert "城区" in asked and "农村" in asked
    restored = await after.tracker_store.retrieve("restart-1")
    assert restored.get_slot("address") == "幸福里小区3号楼2单元"
