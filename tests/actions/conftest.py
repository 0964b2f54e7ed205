"""Actions run against a real backend started in-process (SQLite by default,
and PostgreSQL through the shared `platform` fixture's parametrisation)."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendClient, use_backend
from actions.outbox import Outbox, use_outbox
from actions.settings import ActionSettings
from backend.app import create_app
from backend.models import Account, Bill
from tests.backend.units_fixture import seed_units
from tests.conftest import API_TOKEN

ACCOUNT = "3301234567890"  # 王建国, phone 13812345678, 坪山社区 (urban)


@pytest.fixture
async def backend_server(platform) -> AsyncIterator[TestServer]:
    await seed_units(platform)
    server = TestServer(create_app(platform))
    await server.start_server()
    yield server
    await server.close()


def settings_for(url: str, tmp_path: Path) -> ActionSettings:
    return ActionSettings(backend_url=url, api_token=API_TOKEN, outbox_path=tmp_path / "outbox.db",
                          timeout_seconds=2, retries=1)


@pytest.fixture
async def client(backend_server, tmp_path) -> AsyncIterator[BackendClient]:
    settings = settings_for(str(backend_server.make_url("")).rstrip("/"), tmp_path)
    backend_client = BackendClient(settings)
    use_backend(backend_client)
    use_outbox(Outbox(settings.outbox_path))
    yield backend_client
    await backend_client.close()
    use_backend(None)
    use_outbox(None)


async def add_bills(platform, account_no: str, bills: list[tuple[str, int, str, str, date]],
                    status: str | None = None) -> None:
    """bills: (period, kWh, amount, paid, due date), oldest first; annual kWh accumulates."""
    from sqlalchemy import select

    async with platform.sessions() as session:
        account = await session.scalar(select(Account).where(Account.account_no == account_no))
        if status:
            account.status = status
        annual = 0
        for period, kwh, amount, paid, due in bills:
            annual += kwh
            session.add(Bill(account_id=account.id, period=period, kwh_total=kwh, annual_kwh=annual,
                             tier=1 if annual <= 2760 else 2 if annual <= 4800 else 3, amount=Decimal(amount),
                             paid_amount=Decimal(paid), due_date=due))
        await session.commit()


def tracker(slots: dict[str, Any] | None = None, *, text: str = "", intent: str = "inform",
            entities: list[dict] | None = None, channel: str = "rest", events: list[dict] | None = None,
            message_id: str | None = None, sender: str = "customer-1") -> Tracker:
    # As Rasa sends it: rasa_sdk reads the intent from the ranking.
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99},
              "intent_ranking": [{"name": intent, "confidence": 0.99}], "entities": entities or [],
              "message_id": message_id or uuid.uuid4().hex}
    user = {"event": "user", "text": text, "parse_data": latest, "input_channel": channel,
            "message_id": latest["message_id"]}
    return Tracker(sender, slots or {}, latest, [*(events or []), user], False, None, {}, "action_listen")


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
