"""endpoints.production.yml against the machine's PostgreSQL and Redis: a
tracker saved by one replica is read by another, and a conversation lock held
by one replica blocks the other."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.model_cache import ROOT
from tests.conftest import redis_or_skip

pytestmark = pytest.mark.postgres


@pytest.fixture
def production_env(pg_database, monkeypatch):
    redis_or_skip()
    database = pg_database.rsplit("/", 1)[1]
    for name, value in {"TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": database,
                        "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "", "REDIS_HOST": "127.0.0.1",
                        "REDIS_PORT": "6379", "REDIS_DB": "1",
                        "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook"}.items():
        monkeypatch.setenv(name, value)
    return ROOT / "endpoints.production.yml"


def test_replicas_share_trackers_in_postgresql(production_env):
    domain = Domain.load(str(ROOT / "domain.yml"))
    config = read_endpoint_config(str(production_env), "tracker_store")
    first, second = TrackerStore.create(config, domain), TrackerStore.create(config, domain)
    tracker = DialogueStateTracker.from_events("customer-pg", [
        UserUttered("我家停电了", {"name": "report_fault", "confidence": 0.98}),
        SlotSet("fault_description", "我家停电了")], domain.slots)

    async def roundtrip() -> DialogueStateTracker | None:
        await first.save(tracker)
        return await second.retrieve("customer-pg")

    restored = asyncio.run(roundtrip())
    assert restored is not None and restored.get_slot("fault_description") == "我家停电了"


def test_replicas_take_turns_through_the_redis_lock(production_env):
    config = read_endpoint_config(str(production_env), "lock_store")
    first, second = LockStore.create(config), LockStore.create(config)
    order: list[str] = []

    async def handle(store: LockStore, name: str, hold: float) -> None:
        async with store.lock("customer-redis", lock_lifetime=10, wait_time_in_seconds=0.02):
            order.append(f"{name} start")
            await asyncio.sleep(hold)
            order.append(f"{name} end")

    async def contend() -> None:
        first_turn = asyncio.create_task(handle(first, "replica1", 0.3))
        await asyncio.sleep(0.05)  # replica 1 holds the conversation
        await asyncio.gather(first_turn, handle(second, "replica2", 0))

    asyncio.run(contend())
    # Replica 2 waited for replica 1 to finish the message instead of interleaving.
    assert order == ["replica1 start", "replica1 end", "replica2 start", "replica2 end"]
