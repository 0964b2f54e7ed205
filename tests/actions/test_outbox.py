"""Backend down: the customer is told plainly, the ticket is kept and delivered
later exactly once."""
from __future__ import annotations

import socket

from sqlalchemy import func, select

from actions.backend import BackendClient, use_backend
from actions.outbox import Outbox, use_outbox
from actions.repairs import ActionSubmitRepair
from backend.models import Ticket
from tests.actions.conftest import settings_for, texts, tracker
from tests.actions.test_repairs import REPAIR_SLOTS


def closed_port() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


async def test_ticket_survives_a_backend_outage(backend_server, platform, dispatcher, tmp_path):
    down = BackendClient(settings_for(closed_port(), tmp_path))
    box = Outbox(tmp_path / "outbox.db")
    use_backend(down)
    use_outbox(box)
    try:
        turn = tracker(REPAIR_SLOTS, message_id="m-1")
        await ActionSubmitRepair().run(dispatcher, turn, {})
        await ActionSubmitRepair().run(dispatcher, turn, {})  # Rasa retried the action
        assert "系统暂时繁忙，您的诉求已记录" in texts(dispatcher)
        assert len(await box.pending()) == 1
        assert await box.deliver(down) == 0  # still down: kept

        up = BackendClient(settings_for(str(backend_server.make_url("")).rstrip("/"), tmp_path))
        assert await box.deliver(up) == 1
        assert await box.pending() == []
        # A crash between delivery and marking would resend it: still one ticket.
        await up.post("/api/tickets", (await _body(box)), key=await _key(box))
        async with platform.sessions() as session:
            assert await session.scalar(select(func.count(Ticket.id))) == 1
        await up.close()
    finally:
        await down.close()
        use_backend(None)
        use_outbox(None)


async def _body(box: Outbox) -> dict:
    import json

    import aiosqlite

    async with aiosqlite.connect(box.path) as db:
        rows = await db.execute_fetchall("SELECT body FROM outbox")
    return json.loads(rows[0][0])


async def _key(box: Outbox) -> str:
    import aiosqlite

    async with aiosqlite.connect(box.path) as db:
        rows = await db.execute_fetchall("SELECT key FROM outbox")
    return rows[0][0]
