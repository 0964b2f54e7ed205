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
        actions = actions_service(logs, "actions", ports["actions"], f"http://127.0.0.1:{to_backend.port}")
        rasa = rasa_service(logs, "rasa", ports["rasa"], tracker_db, f"http://127.0.0.1:{ports['actions']}/webhook",
                            redis_port=redis.port, redis_db=2)
        for service in (backend, actions, rasa):
            stack.callback(service.stop)
            service.start()
        yield Stack(f"http://127.0.0.1:{ports['backend']}", backend, actions, rasa, redis, to_backend, wechat,
                    logs / "backend.db")


def actions_service(logs: Path, name: str, port: int, backend_urls: str) -> Service:
    """An action server reaching the backend(s) at `backend_urls` (comma-separated), its outbox its own."""
    return Service(name, python("actions.server"), {
        "ACTION_PORT": str(port), "BACKEND_URL": backend_urls, "BACKEND_API_TOKEN": API_TOKEN,
        "OUTBOX_PATH": str(logs / f"{name}-outbox.db"), "OUTBOX_DRAIN_SECONDS": "1", "BACKEND_TIMEOUT": "15"},
        f"http://127.0.0.1:{port}/health", logs)


def rasa_service(logs: Path, name: str, port: int, tracker_db: str, action_urls: str, redis_port: int = 6379,
                 redis_db: int = 2) -> Service:
    """A Rasa replica on endpoints.production.yml: trackers in the PostgreSQL database `tracker_db`,
    the conversation lock in Redis, the action server(s) at `action_urls` (comma-separated)."""
    host, _, database = tracker_db.split("@", 1)[1].partition("/")
    return Service(name, python("bot.rasa_server", "run", "--model", str(ensure_model()), "--enable-api",
                                "--interface", "127.0.0.1", "--port", str(port),
                                "--credentials", "credentials.yml", "--endpoints", "endpoints.production.yml"),
                   {"ACTION_ENDPOINT_URL": action_urls, "TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432",
                    "TRACKER_DB_NAME": database, "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "",
                    "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_port), "REDIS_DB": str(redis_db),
                    "TICKET_LOCK_LIFETIME": "20", "SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "5"},
                   f"http://127.0.0.1:{port}/", logs, start_seconds=300)
