"""What the screenshot scripts (scripts/screenshot_*.py) share: Debian's chromium, a port,
an aiohttp app served on 127.0.0.1, a scratch backend, a browser page, and a staff login.

Each script keeps only what it photographs; the pictures are docs/images/*.png.
"""
from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from backend.settings import Settings
from backend.sla.calendar import TZ

# A weekday afternoon, whenever a picture is regenerated: its deadlines read the same.
SHOT_TIME = datetime(2026, 11, 26, 14, 20, tzinfo=TZ)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "user_agent": ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
                        "NetType/WIFI Language/zh_CN"),
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TOKEN = "screenshot-token"  # the scratch backend's service token


def chromium(script: str) -> str:
    """Debian's chromium, or the script stops saying how to get it (never Playwright's download)."""
    found = shutil.which("chromium")
    if found is None:
        sys.exit(f"{script}: no chromium on PATH (scripts/install.sh installs Debian's)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def served(app: web.Application, port: int | None = None) -> AsyncIterator[str]:
    """The app on 127.0.0.1 while the block runs; its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = port or free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def scratch_settings(folder: str, name: str, **overrides: Any) -> Settings:
    """Settings for a backend on a scratch SQLite file, without the sweep."""
    values = {"database_url": f"sqlite+aiosqlite:///{folder}/{name}.db", "api_token": TOKEN,
              "scheduler_enabled": False, **overrides}
    return replace(Settings.load(env_file=None), **values)


@asynccontextmanager
async def browser_page(executable: str, device: dict[str, Any]) -> AsyncIterator[Any]:
    """A Playwright page in Chinese on `device` (PHONE or DESKTOP); the browser closes after."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = await browser.new_context(locale="zh-CN", **device)
        try:
            yield await context.new_page()
        finally:
            await browser.close()


async def log_in(page: Any, base: str, username: str, password: str) -> None:
    """Through the console's login page, as staff do."""
    await page.goto(f"{base}/console/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.press("#password", "Enter")
    await page.wait_for_url(f"{base}/console")


async def save(page: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(out))
