"""Staff sessions end as a contact centre needs (issue #9): after a shift, after a
pause at an unattended desk, beyond a few open logins, and everywhere on request;
expired ones are swept away. A lifecycle step's key cannot be reused for another step."""
from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from backend.app import create_app
from backend.models import StaffSession
from backend.scheduler import end_stale_sessions
from tests.backend.api.test_audit_and_login import login
from tests.backend.tickets.helpers import REPAIR, create


async def me(client) -> int:
    return (await client.get("/api/auth/me")).status


async def sessions(platform) -> int:
    async with platform.sessions() as session:
        return int(await session.scalar(select(func.count(StaffSession.id))))


async def test_a_session_left_idle_ends_and_use_keeps_it_alive(client, staff, platform, clock):
    assert (await login(client, "boss_a")).status == 200
    idle = platform.rules.staff_login.idle_minutes
    clock.advance(minutes=idle - 5)
    assert await me(client) == 200  # in use: the idle clock starts again
    clock.advance(minutes=idle - 5)
    assert await me(client) == 200
    clock.advance(minutes=idle + 1)
    assert await me(client) == 401


async def test_a_session_ends_after_the_shift_however_busy(client, staff, platform, clock):
    assert (await login(client, "boss_a")).status == 200
    for _ in range(int(platform.rules.staff_login.session_hours * 60 / 20)):
        clock.advance(minutes=20)
        await me(client)
    clock.advance(minutes=20)
    assert await me(client) == 401


async def test_a_new_login_beyond_the_limit_ends_the_oldest(staff, platform, clock):
    limit = platform.rules.staff_login.max_sessions_per_user
    app = create_app(platform)
    browsers = []
    for _ in range(limit + 1):
        browser = TestClient(TestServer(app) if not browsers else browsers[0].server)
        await browser.start_server() if not browsers else None
        browsers.append(browser)
        assert (await login(browser, "boss_a")).status == 200
        clock.advance(seconds=1)
    try:
        assert await sessions(platform) == limit
        assert await me(browsers[0]) == 401  # the oldest login ended
        assert await me(browsers[-1]) == 200
    finally:
        for browser in browsers:
            await browser.session.close()
        await browsers[0].close()


async def test_logout_everywhere_ends_every_session_of_the_user(client, staff, platform):
    other = TestClient(client.server)
    try:
        assert (await login(client, "boss_a")).status == 200
        assert (await login(other, "boss_a")).status == 200
        assert (await login(other, "root")).status == 200  # another user's login stays
        assert (await client.post("/api/auth/logout", params={"everywhere": "true"})).status == 200
        async with platform.sessions() as session:
            left = (await session.scalars(select(StaffSession.user_id))).all()
        assert len(left) == 1
        assert await me(client) == 401
    finally:
        await other.session.close()


async def test_the_sweep_deletes_expired_and_idle_sessions(client, staff, platform, clock):
    assert (await login(client, "boss_a")).status == 200
    assert await end_stale_sessions(platform) == 0
    clock.advance(minutes=platform.rules.staff_login.idle_minutes + 1)
    assert await end_stale_sessions(platform) == 1
    assert await sessions(platform) == 0


async def test_a_step_key_reused_for_another_step_is_refused(client, auth, staff):
    ticket = await create(client, auth, {**REPAIR, "area": "下姜村"})
    url = f"/api/tickets/{ticket['id']}/events"
    key = {**auth, "Idempotency-Key": "step-1"}
    first = await client.post(url, json={"kind": "contact", "note": "已电话联系客户"}, headers=key)
    assert first.status == 201
    again = await client.post(url, json={"kind": "contact", "note": "已电话联系客户"}, headers=key)
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    other = await client.post(url, json={"kind": "close", "reason": "客户撤销"}, headers=key)
    assert other.status == 409
    assert (await other.json())["error"]["code"] == "idempotency_key_reused"
