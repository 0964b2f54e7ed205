"""Backend down: the customer is told plainly, the ticket is kept and delivered
later exactly once."""
from __future__ import annotations

import socket

from sqlalchemy import func, select

from actions.backend import BackendClient, turn_key, use_backend
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


async def test_a_backend_failing_with_500_keeps_the_ticket_for_later(backend_server, platform, dispatcher, tmp_path):
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    async def broken(_: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "internal_error", "message": "系统繁忙，请稍后再试。"}},
                                 status=500)

    app = web.Application()
    app.router.add_post("/api/tickets", broken)
    async with TestServer(app) as server:
        failing = BackendClient(settings_for(str(server.make_url("")).rstrip("/"), tmp_path))
        box = Outbox(tmp_path / "outbox.db")
        use_backend(failing)
        use_outbox(box)
        try:
            await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS, message_id="m-500"), {})
            assert "系统暂时繁忙，您的诉求已记录" in texts(dispatcher)
            assert await box.deliver(failing) == 0
            assert len(await box.pending()) == 1  # still waiting, not refused for good
        finally:
            await failing.close()
            use_backend(None)
            use_outbox(None)
    up = BackendClient(settings_for(str(backend_server.make_url("")).rstrip("/"), tmp_path))
    try:
        assert await box.deliver(up) == 1
        async with platform.sessions() as session:
            assert await session.scalar(select(func.count(Ticket.id))) == 1
    finally:
        await up.close()


async def test_with_two_backends_one_down_the_ticket_is_filed_now_not_kept(backend_server, platform, dispatcher,
                                                                            tmp_path):
    up = str(backend_server.make_url("")).rstrip("/")
    both = BackendClient(settings_for(f"{closed_port()},{up}", tmp_path))
    box = Outbox(tmp_path / "outbox.db")
    use_backend(both)
    use_outbox(box)
    try:
        for n in range(3):  # whichever backend each call starts with
            await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS, message_id=f"m-{n}"), {})
        assert "系统暂时繁忙" not in texts(dispatcher) and texts(dispatcher).count("工单号") == 3
        assert await box.pending() == []
        async with platform.sessions() as session:
            assert await session.scalar(select(func.count(Ticket.id))) == 3
    finally:
        await both.close()
        use_backend(None)
        use_outbox(None)


def test_a_long_channel_message_id_still_leaves_room_for_the_purpose():
    long_id = "page-" + "m" * 64
    first = turn_key(tracker(REPAIR_SLOTS, message_id=long_id, sender="3f6c2a1e-0d4b-4c47-9a53-6c1f0e3b2d71"), "repair")
    assert first.endswith(":repair") and len(first) <= 100
    assert first == turn_key(tracker(message_id=long_id, sender="3f6c2a1e-0d4b-4c47-9a53-6c1f0e3b2d71"), "repair")
    assert first != turn_key(tracker(message_id=long_id + "x", sender="3f6c2a1e-0d4b-4c47-9a53-6c1f0e3b2d71"),
                             "repair")
