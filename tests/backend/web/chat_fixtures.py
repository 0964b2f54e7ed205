"""A live backend on a real port with the router tests' fake Rasa, for the chat page in
Debian's Chromium (../shared/notes/browser-tests.md), and a phone in WeChat's browser."""
from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from backend.app import create_app
from tests.assistant_fixtures import free_port
from tests.backend.router.conftest import RASA_TOKEN

CHROMIUM = shutil.which("chromium") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
NO_CHROMIUM = "no chromium executable on PATH or at /usr/bin/chromium (scripts/install.sh as root installs it)"
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
             "NetType/WIFI Language/zh_CN")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN",
         "user_agent": WECHAT_UA}


@dataclass
class LiveChat:
    """The backend on a real port: its URL and its aiohttp application (sockets, router)."""

    url: str
    app: web.Application


def require_chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    return CHROMIUM


@pytest.fixture
async def live_chat(platform, fake_rasa) -> AsyncIterator[LiveChat]:
    """The real application on 127.0.0.1:<free port>, asking the fake Rasa."""
    platform.settings = replace(platform.settings, rasa_url=fake_rasa.url, rasa_token=RASA_TOKEN)
    server = TestServer(create_app(platform), host="127.0.0.1", port=free_port())
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession(base_url=url) as http:
        fake_rasa.backend = http  # "转人工" hands over the way the assistant's action does
        yield LiveChat(url, server.app)
    await server.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    executable = require_chromium()
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


async def watched_page(browser: Any, device: dict[str, Any]) -> Any:
    """A new page in its own context (no shared cookies) with CSP violations and script errors
    collected in `page.problems`, so a test can assert the page ran cleanly."""
    context = await browser.new_context(**device)
    page = await context.new_page()
    page.problems = []
    page.on("console", lambda m: ("Content Security Policy" in m.text or m.type == "error")
            and not m.location.get("url", "").endswith("/favicon.ico")
            and page.problems.append(f"{m.text} ({m.location.get('url')})"))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


async def phone_page(browser: Any) -> Any:
    """A new phone-sized page in WeChat's in-app browser, problems collected."""
    return await watched_page(browser, PHONE)
