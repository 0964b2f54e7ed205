"""`python -m scripts.screenshot_console_tickets [OUT.png]`: the staff console's ticket desk, for the README.

Runs the real backend on a scratch SQLite database with the demo province, its staff
(backend/demo/province.py DEMO_STAFF) and its demo tickets, all seeded at a pinned time
(SHOT_TIME, a weekday afternoon) so the timers read the same whenever it is regenerated.
No assistant is needed. chunan (周工, 淳安县供电公司) logs in at /console/login in Debian's
chromium, opens 工单, picks the demo fault repair whose crew is late, and starts a step so
its form shows; the page is photographed at 1280x800: docs/images/console-tickets.png.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from backend.app import build_platform, create_app
from backend.demo.seed import seed_demo
from backend.demo.tickets import seed_demo_tickets
from scripts.screenshots import DESKTOP, SHOT_TIME, browser_page, chromium, log_in, save, scratch_settings, served

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "console-tickets.png"
AGENT, PASSWORD = "chunan", "demo-chunan-95598"


async def photograph(base: str, out: Path, executable: str) -> None:
    """Log in, open the ticket desk and the first fault repair in the queue, start its next step."""
    async with browser_page(executable, DESKTOP) as page:
        await log_in(page, base, AGENT, PASSWORD)
        await page.goto(f"{base}/console/tickets")
        await page.wait_for_selector("#list button[data-id]")
        repair = page.locator("#list button.tkt:has-text('故障报修'):not(:has-text('已办结'))").first
        await repair.click()
        await page.wait_for_selector("#steps button[data-step]")
        step = page.locator("#steps button[data-step='restore'], #steps button[data-step='arrive']").first
        if await step.count():
            await step.click()
        await save(page, out)


async def shoot(out: Path) -> None:
    executable = chromium("screenshot_console_tickets")
    with tempfile.TemporaryDirectory() as scratch:
        platform = await build_platform(scratch_settings(scratch, "tickets", demo_data=False))
        platform.clock = lambda: SHOT_TIME  # before the seed: the demo tickets' clocks count from it
        await seed_demo(platform.sessions, today=SHOT_TIME.date())
        platform.places.invalidate()
        await seed_demo_tickets(platform)
        try:
            async with served(create_app(platform)) as base:
                await photograph(base, out, executable)
        finally:
            await platform.engine.dispose()
    print(f"screenshot_console_tickets: wrote {out}")


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
