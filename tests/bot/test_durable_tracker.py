"""endpoints.yml (the store `make run` uses): a conversation outlives the Rasa process.

After two turns the agent's tracker store is replaced by a brand-new one built from
endpoints.yml, with nothing in memory, as after a restart of Rasa (loading the model a
second time would only cost a minute); the customer's next answer must still be taken
by the form that was waiting for it."""
from __future__ import annotations

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config

from bot.model_cache import ROOT
from tests.assistant_fixtures import say


def _store_from_endpoints_file() -> FailSafeTrackerStore:
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    return FailSafeTrackerStore(TrackerStore.create(config, Domain.load(str(ROOT / "domain.yml"))))


# Rasa's own store is what is under test; the backend's database does not matter here.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_restart_of_rasa_resumes_the_half_finished_repair_form(agent, action_server, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "rasa-tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", action_server)
    agent.tracker_store = agent.processor.tracker_store = _store_from_endpoints_file()
    assert "危险" in await say(agent, "restart-1", "我家没电了，灯全灭了")
    assert "地址" in await say(agent, "restart-1", "没有")

    restarted = _store_from_endpoints_file()
    agent.tracker_store = agent.processor.tracker_store = restarted
    tracker = await restarted.retrieve("restart-1")
    assert tracker is not None and tracker.active_loop_name == "repair_form"
    # The next answer is taken as the address the form was waiting for, not a new request.
    asked = await say(agent, "restart-1", "幸福里小区3号楼2单元")
    assert "城区" in asked and "农村" in asked
    assert (await restarted.retrieve("restart-1")).get_slot("address") == "幸福里小区3号楼2单元"
