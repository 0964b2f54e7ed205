"""The real backend on a free loopback port, served from a thread of its own, for fuzzing.

schemathesis and the channel fuzzers send real HTTP and wait for each answer
synchronously, so the application runs on its own event loop in a background
thread. Its database (SQLite, or the session's PostgreSQL scratch database) gets
the demo province, so identifiers, tickets, conversations and staff exist; the
router's Rasa and WeChat's API are the fakes the channel tests use; and the
customer doors' per-address limits are opened up: every case comes from
127.0.0.1, and a 429 after the fifth complaint would hide the handlers behind it.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy import text

from backend.app import build_platform, create_app
from backend.db import create_engine
from backend.demo import DEMO_STAFF
from backend.models import Base
from backend.settings import Settings
from backend.web import chat_sessions, chat_socket, complaint_form, survey_page
from backend.web.rate_limit import SlidingWindowLimiter
from tests.backend.channels.wechat_fixtures import AES_KEY, APPID, SECRET, TOKEN, FakeWechat
from tests.backend.router.conftest import RASA_TOKEN, FakeRasa

T = TypeVar("T")
API_TOKEN = "fuzz-service-token"
UNLIMITED = SlidingWindowLimiter(10**9, 1)
LIMITERS = (complaint_form.LIMITER, chat_sessions.SESSION_LIMITER, chat_socket.MESSAGE_LIMITER,
            survey_page.LIMITER)


@dataclass
class LiveServer:
    """A running backend: its base URL, the service token's headers, and staff logins by username."""

    base_url: str = ""
    service: dict[str, str] = field(default_factory=lambda: {"Authorization": f"Bearer {API_TOKEN}"})
    staff_passwords: dict[str, str] = field(default_factory=lambda: {s["username"]: s["password"]
                                                                      for s in DEMO_STAFF})
    staff_roles: dict[str, str] = field(default_factory=lambda: {s["username"]: s["role"] for s in DEMO_STAFF})
    app: web.Application | None = None
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _thread: threading.Thread | None = None
    _cleanup: list[Any] = field(default_factory=list)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Run a coroutine on the server's loop (e.g. to read the database) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self, database_url: str) -> LiveServer:
        self._thread = threading.Thread(target=self._loop.run_forever, name="fuzz-backend", daemon=True)
        self._thread.start()
        self.run(self._serve(database_url), timeout=300)
        return self

    def stop(self) -> None:
        try:
            self.run(self._shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(30)

    async def _serve(self, database_url: str) -> None:
        rasa, wechat = FakeRasa(), FakeWechat()
        rasa_url = await self._site(_fake_rasa_app(rasa))
        wechat.url = await self._site(_fake_wechat_app(wechat))
        rasa.url = rasa_url
        if database_url.startswith("postgresql"):  # the session's scratch database: other tests' rows go
            engine = create_engine(database_url)
            async with engine.begin() as conn:
                tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await engine.dispose()
        settings = replace(Settings.load(env_file=None), database_url=database_url,
                           api_token=API_TOKEN, scheduler_enabled=False, demo_data=True,
                           rasa_url=rasa_url, rasa_token=RASA_TOKEN, wechat_token=TOKEN, wechat_appid=APPID,
                           wechat_secret=SECRET, wechat_aes_key=AES_KEY, wechat_api_base=wechat.url)
        platform = await build_platform(settings)
        app = create_app(platform)
        for key in LIMITERS:
            app[key] = UNLIMITED
        self.app = app
        self.base_url = await self._site(app)
        self._cleanup.append(platform.engine.dispose)

    async def _site(self, app: web.Application) -> str:
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._cleanup.insert(0, runner.cleanup)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def _shutdown(self) -> None:
        for step in self._cleanup:
            await step()


def _fake_rasa_app(fake: FakeRasa) -> web.Application:
    app = web.Application()
    app.router.add_post("/webhooks/{channel}/webhook", fake.webhook)
    app.router.add_get("/conversations/{sender}/tracker", fake.tracker)
    app.router.add_post("/model/parse", fake.parse)
    return app


def _fake_wechat_app(fake: FakeWechat) -> web.Application:
    app = web.Application()
    app.router.add_get("/cgi-bin/token", fake.token)
    app.router.add_post("/cgi-bin/message/custom/send", fake.send)
    return app
