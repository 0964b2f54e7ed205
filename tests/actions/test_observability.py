"""The action server as operators see it (issue #11): each action runs under the customer
message's request id, which reaches the ticket's events, and is timed by action."""
from __future__ import annotations

import asyncio
import uuid

from rasa_sdk.executor import ActionExecutor
from sqlalchemy import select

from actions import observability
from actions.backend import BackendClient, use_backend
from actions.metrics import REGISTRY
from actions.outbox import Outbox, use_outbox
from backend.models import TicketEvent
from backend.observability import request_ids
from tests.actions.conftest import settings_for
from tests.actions.test_outbox import closed_port
from tests.actions.test_repairs import REPAIR_SLOTS


def action_call(action: str, request_id: str | None, slots: dict | None = None) -> dict:
    """As Rasa posts it: the router's request id in the latest message's metadata."""
    message_id = uuid.uuid4().hex
    latest = {"text": "", "intent": {"name": "inform", "confidence": 0.99},
              "intent_ranking": [{"name": "inform", "confidence": 0.99}], "entities": [],
              "message_id": message_id, "metadata": {"channel": "web", "request_id": request_id}}
    user = {"event": "user", "text": "", "parse_data": latest, "input_channel": "rest", "message_id": message_id}
    return {"next_action": action, "domain": {}, "tracker": {
        "sender_id": "conv-obs-1", "slots": slots or {}, "latest_message": latest, "events": [user],
        "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}}


def executor() -> ActionExecutor:
    observability.apply()
    found = ActionExecutor()
    found.register_package("actions")
    return found


def timed(action: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("p95598_action_duration_seconds_count",
                                     {"action": action, "outcome": outcome}) or 0.0


async def events_of(platform) -> set[str | None]:
    async with platform.sessions() as session:
        return set((await session.scalars(select(TicketEvent.request_id))).all())


async def test_the_filing_action_passes_the_messages_id_to_the_tickets_events(client, platform):
    before = timed("action_submit_repair", "ok")

    async def run() -> None:  # a fresh context, as each call of the action server gets
        await executor().run(action_call("action_submit_repair", "msg-5e1d", REPAIR_SLOTS))

    await asyncio.create_task(run())
    assert await events_of(platform) == {"msg-5e1d"}
    assert timed("action_submit_repair", "ok") == before + 1


async def test_an_unknown_action_is_timed_under_one_label(client):
    before = timed("unknown", "error")

    async def run() -> None:
        try:
            await executor().run(action_call("action_from_a_scanner_" + uuid.uuid4().hex, None))
        except Exception:  # rasa_sdk's ActionNotFoundException: the webhook answers 404
            pass

    await asyncio.create_task(run())
    assert timed("unknown", "error") == before + 1


async def test_a_ticket_kept_in_the_outbox_is_delivered_later_under_its_messages_id(backend_server, platform,
                                                                                    tmp_path, dispatcher):
    from actions.repairs import ActionSubmitRepair
    from tests.actions.conftest import tracker

    down = BackendClient(settings_for(closed_port(), tmp_path))
    box = Outbox(tmp_path / "outbox.db")
    use_backend(down)
    use_outbox(box)
    try:
        async def file_it() -> None:
            request_ids.bind("msg-kept-1")
            await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS, message_id="m-9"), {})

        await asyncio.create_task(file_it())
        depth, oldest = await box.depth()
        assert depth == 1 and oldest >= 0
        up = BackendClient(settings_for(str(backend_server.make_url("")).rstrip("/"), tmp_path))
        assert await asyncio.create_task(box.deliver(up)) == 1
        await up.close()
        assert await box.depth() == (0, 0.0)
        assert await events_of(platform) == {"msg-kept-1"}
    finally:
        await down.close()
        use_backend(None)
        use_outbox(None)
