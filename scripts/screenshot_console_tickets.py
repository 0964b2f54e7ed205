"""`python -m scripts.screenshot_console_tickets [OUT.png]`: the staff console's ticket desk, for the README.

Runs the real backend on a scratch SQLite database with the demo province, its staff
(backend/demo/province.py DEMO_STAFF) and its demo tickets, all seeded at a pinned time
(SHOT_TIME, a weekday afternoon) so the timers read the same whenever it is regenerated.
No assistant is needed. agent1 (李客服, 淳安县供电公司) logs in at /console/login in Debian's
chromium, opens 工单, picks the demo fault repair whose crew is late, and starts a step so
its form shows; the page is photographed at 1280x800: docs/images/console-tickets.png.
"""
from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from aiohttp import web

from backend.app import build_platform, create_app
from backend.demo.seed import seed_demo
from backend.demo.tickets import seed_demo_tickets
from backend.settings import Settings
from backend.sla.calendar import TZ
from scripts.screenshot_chat import free_port

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "console-tickets.png"
SHOT_TIME = datetime(2026, 11, 26, 14, 20, tzinfo=TZ)
AGENT, PASSWORD = "agent1", "demo-agent1-95598"


async def photograph(base: str, out: Path, chromium: str) -> None:
    """Log in, open the ticket desk and the first fault repair in the queue, start its next step."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = await context.new_page()
        await page.goto(f"{base}/console/login")
        await page.fill("#username", AGENT)
        await page.fill("#password", PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(f"{base}/console")
        await page.goto(f"{base}/console/tickets")
        await page.wait_for_selector("#list button[data-id]")
        repair = page.locator("#list button.tkt:has-text('故障报修'):not(:has-text('已办结'))").first
        await repair.click()
        await page.wait_for_selector("#steps button[data-step]")
        step = page.locator("#steps button[data-step='restore'], #steps button[data-step='arrive']").first
        if await step.count():
            await step.click()
        out.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(out))
        await browser.close()


async def shoot(out: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("screenshot_console_tickets: no chromium on PATH (scripts/install.sh installs Debian's)")
    with tempfile.TemporaryDirectory() as scratch:
        settings = replace(Settings.load(env_file=None), database_url=f"sqlite+aiosqlite:///{scratch}/tickets.db",
                           api_token="screenshot-token", demo_data=False, scheduler_enabled=False)
        platform = await build_platform(settings)
        platform.clock = lambda: SHOT_TIME  # before the seed: the demo tickets' clocks count from it
        await seed_demo(platform.sessions, today=SHOT_TIME.date())
        platform.places.invalidate()
        await seed_demo_tickets(platform)
        runner = web.AppRunner(create_app(platform))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await photograph(f"http://127.0.0.1:{port}", out, chromium)
        finally:
            await runner.cleanup()
            await platform.engine.dispose()
    print(f"screenshot_console_tickets: wrote {out}")


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
