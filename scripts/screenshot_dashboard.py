"""`python -m scripts.screenshot_dashboard [OUT.png]`: the supervisors' dashboard, for the README.

Runs the real backend on a scratch SQLite database with the demo province
(backend/demo: units, accounts, the demo tickets of every state) at a fixed
time. The demo tickets all fall in the last weeks, so a trend over months would
be one point: the same demo stories (backend/demo/tickets.py STORIES) are also
replayed, a random part of them, in each of the five months before, through
the same ticket engine, and the deadline sweep then runs at the shot time.
王主管 (supervisor of 国网杭州供电公司) logs in at /console/login in Debian's
chromium and opens /console/dashboard; the page is photographed at 1280x800:
docs/images/console-dashboard.png.
"""
from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from backend.app import build_platform, create_app
from backend.context import Platform
from backend.demo.seed import seed_demo
from backend.demo.tickets import STORIES, _replay, seed_demo_tickets
from backend.models import Account
from backend.scheduler import sweep
from scripts.screenshots import DESKTOP, SHOT_TIME, browser_page, chromium, log_in, save, scratch_settings, served

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "console-dashboard.png"
SUPERVISOR, PASSWORD = "supervisor", "demo-supervisor-95598"
EARLIER_MONTHS = 5
SHARE = 0.7  # the part of the stories replayed in each earlier month


async def demo_history(platform: Platform) -> None:
    """The demo province and tickets at SHOT_TIME, and earlier months replayed from the same stories."""
    platform.clock = lambda: SHOT_TIME
    await seed_demo(platform.sessions, today=SHOT_TIME.date())
    await seed_demo_tickets(platform)
    async with platform.sessions() as session:
        accounts = (await session.scalars(select(Account).order_by(Account.id))).all()
    rng = random.Random(8)
    for months_back in range(EARLIER_MONTHS, 0, -1):
        then = SHOT_TIME - timedelta(days=30 * months_back)
        for story in STORIES * 3:
            if rng.random() < SHARE:
                await _replay(platform, story, rng.choice(accounts), then, rng)
    platform.clock = lambda: SHOT_TIME
    await sweep(platform, SHOT_TIME)


async def photograph(base: str, out: Path, executable: str) -> None:
    """The supervisor logs in and opens the dashboard; the picture once every chart is drawn."""
    async with browser_page(executable, DESKTOP) as page:
        await log_in(page, base, SUPERVISOR, PASSWORD)
        await page.goto(f"{base}/console/dashboard")
        await page.wait_for_selector("body[data-ready='true']")
        await save(page, out)


async def shoot(out: Path) -> None:
    executable = chromium("screenshot_dashboard")
    with tempfile.TemporaryDirectory() as scratch:
        platform = await build_platform(scratch_settings(scratch, "dashboard", demo_data=False))
        await demo_history(platform)
        try:
            async with served(create_app(platform)) as base:
                await photograph(base, out, executable)
        finally:
            await platform.engine.dispose()
    print(f"screenshot_dashboard: wrote {out}")


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
