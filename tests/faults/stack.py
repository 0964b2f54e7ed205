"""The whole system as processes, for the assistant's faults: the backend (SQLite, the demo
province, WeChat configured against a fake of its API), the action server (reaching the
backend through a proxy that can be slowed) and Rasa on endpoints.production.yml (trackers in
PostgreSQL, the conversation lock in Redis behind a proxy that can be cut)."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.model_cache import ensure_model
from tests.assistant_fixtures import free_port
from tests.backend.channels.wechat_fixtures import APPID, SECRET, TOKEN
from tests.conftest import API_TOKEN
from tests.faults.filing import backend_service
from tests.faults.processes import Service, ThreadedApp, python
from tests.faults.proxy import TcpProxy


@dataclass
class WechatApiRecord:
    """What the fake of WeChat's API was sent: customer-service messages, by openid."""

    sent: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        async def token(_: web.Request) -> web.Response:
            return web.json_response({"access_token": "fault-token", "expires_in": 7200})

        async def send(request: web.Request) -> web.Response:
            body = json.loads(await request.read())
            self.sent.append({"touser": body["touser"], "content": body["text"]["content"]})
            return web.json_response({"errcode": 0, "errmsg": "ok"})

        app = web.Application()
        app.router.add_get("/cgi-bin/token", token)
        app.router.add_post("/cgi-bin/message/custom/send", send)
        return app


@dataclass
class Stack:
    url: str
    backend: Service
    actions: Service
    rasa: Service
    redis: TcpProxy
    to_backend: TcpProxy  # the action server's way to the backend
    wechat: WechatApiRecord
    database: Path  # the backend's SQLite file

    def conversation_id(self, channel: str, external_id: str) -> str:
        with closing(sqlite3.connect(self.database)) as db:
            row = db.execute("SELECT id FROM conversations WHERE channel = ? AND external_id = ?",
                             (channel, external_id)).fetchone()
        assert row is not None, f"no {channel} conversation {external_id}"
        return str(row[0])


@contextmanager
def running_stack(logs: Path, tracker_db: str) -> Iterator[Stack]:
    """Everything started and healthy; stopped afterwards."""
    with ExitStack() as stack:
        wechat = WechatApiRecord()
        fake = stack.enter_context(ThreadedApp(wechat.app, free_port()))
        redis = stack.enter_context(TcpProxy(6379))
        ports = {name: free_port() for name in ("backend", "actions", "rasa")}
        to_backend = stack.enter_context(TcpProxy(ports["backend"]))
        backend = backend_service(logs, ports["backend"], f"sqlite:///{logs / 'backend.db'}",
                                  RASA_URL=f"http://127.0.0.1:{ports['rasa']}", WECHAT_TOKEN=TOKEN,
                                  WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake.url)
        actions = Service("actions", python("actions.server"), {
            "ACTION_PORT": str(ports["actions"]), "BACKEND_URL": f"http://127.0.0.1:{to_backend.port}",
            "BACKEND_API_TOKEN": API_TOKEN, "OUTBOX_PATH": str(logs / "outbox.db"), "OUTBOX_DRAIN_SECONDS": "1",
            "BACKEND_TIMEOUT": "15"}, f"http://127.0.0.1:{ports['actions']}/health", logs)
        host, _, database = tracker_db.split("@", 1)[1].partition("/")
        rasa = Service("rasa", python("bot.rasa_server", "run", "--model", str(ensure_model()), "--enable-api",
                                      "--interface", "127.0.0.1", "--port", str(ports["rasa"]),
                                      "--credentials", "credentials.yml", "--endpoints", "endpoints.production.yml"),
                       {"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
                        "TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": database,
                        "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "", "REDIS_HOST": "127.0.0.1",
                        "REDIS_PORT": str(redis.port), "REDIS_DB": "2"},
                       f"http://127.0.0.1:{ports['rasa']}/", logs, start_seconds=300)
        for service in (backend, actions, rasa):
            stack.callback(service.stop)
            service.start()
        yield Stack(f"http://127.0.0.1:{ports['backend']}", backend, actions, rasa, redis, to_backend, wechat,
                    logs / "backend.db")
