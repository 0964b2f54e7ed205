"""The console runs on the real backend with the router tests' fake Rasa; staff with known
passwords for the login page (the router tests' `agents` carry cookies only)."""
from __future__ import annotations

from argon2 import PasswordHasher

from backend.models import StaffUser
from tests.backend.router.conftest import agents, backend, fake_rasa, router  # noqa: F401 - fixtures reused
from tests.backend.units_fixture import seed_units
from tests.backend.web.chat_fixtures import browser, live_chat, watched_page  # noqa: F401 - fixtures reused

PASSWORD = "demo-{username}-95598"  # as backend/demo/province.py DEMO_STAFF
STAFF = (("agent1", "李客服", "agent"), ("agent2", "陈客服", "agent"), ("boss", "王主管", "supervisor"),
         ("admin", "系统管理员", "admin"))


async def seed_staff(platform, with_units: bool = True) -> None:
    """Staff who log in with PASSWORD at unit 33 (the units fixture's province)."""
    if with_units:
        await seed_units(platform)
    hasher = PasswordHasher()
    async with platform.sessions() as session:
        for username, name, role in STAFF:
            session.add(StaffUser(username=username, display_name=name, role=role, unit_id="33",
                                  password_hash=hasher.hash(PASSWORD.format(username=username))))
        await session.commit()


DESK = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}


async def staff_page(launched, base: str, username: str, start: str = "/console"):
    """A staff member's own browser: `start` without a session sends it to the login page, where
    the member logs in with PASSWORD; problems (CSP, script errors) collected in page.problems."""
    page = await watched_page(launched, DESK)
    await page.goto(base + start)
    assert page.url.endswith("/console/login")  # no session: the access table sends pages to the login
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD.format(username=username))
    await page.press("#password", "Enter")
    await page.wait_for_url(base + "/console")
    return page
