"""/healthz and /readyz: each dependency with its answer and latency (issue #11)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from backend.api import DRAINING, SCHEDULER_STATE
from backend.app import create_app
from tests.backend.router.conftest import serving_fake_rasa
from tests.conftest import redis_or_skip


@asynccontextmanager
async def fake_action_server(depth: int = 0, status: int = 200) -> AsyncIterator[str]:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "outbox": {"depth": depth, "oldest_age_seconds": 12.5 * depth}},
                                 status=status)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    async with TestServer(app) as server:
        yield str(server.make_url("")).rstrip("/")


@asynccontextmanager
async def health_of(platform, **settings: object) -> AsyncIterator[TestClient]:
    platform.settings = replace(platform.settings, **settings)
    async with TestClient(TestServer(create_app(platform))) as client:
        yield client


async def version(request: web.Request) -> web.Response:
    return web.json_response({"version": "3.6.21"})


async def test_every_dependency_answers_with_its_latency(platform):
    async with serving_fake_rasa() as rasa, fake_action_server(depth=2) as actions:
        # The fake answers the conversation routes; /version as Rasa's own root API does.
        rasa_app_url = rasa.url
        async with TestServer(_version_app()) as other_rasa:
            urls = f"{rasa_app_url},{str(other_rasa.make_url('')).rstrip('/')}"
            async with health_of(platform, rasa_url=urls, action_endpoint_url=f"{actions}/webhook") as client:
                resp = await client.get("/healthz")
                body = await resp.json()
    assert resp.status == 200
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["database"]["latency_ms"] >= 0
    [first, second] = checks["rasa"]["replicas"]
    assert not first["ok"]  # the conversation fake has no /version: a replica that answers wrongly
    assert second == {**second, "ok": True, "version": "3.6.21"}
    assert checks["action_server"]["ok"]
    assert checks["action_server"]["replicas"][0]["outbox"] == {"depth": 2, "oldest_age_seconds": 25.0}
    assert checks["delivery"] == {**checks["delivery"], "ok": True, "pending_lines": 0}
    assert body["status"] == "degraded"  # one Rasa replica of two is not answering as Rasa


def _version_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/version", version)
    return app


async def test_rasa_and_the_action_server_away_is_degraded_not_down(platform):
    async with health_of(platform, rasa_url="http://127.0.0.1:9", action_endpoint_url="http://127.0.0.1:9/webhook"
                         ) as client:
        resp = await client.get("/healthz")
        body = await resp.json()
        ready = await client.get("/readyz")
    assert resp.status == 200 and body["status"] == "degraded"
    assert body["checks"]["rasa"]["replicas"][0]["error"] == "ClientConnectorError"
    assert not body["checks"]["action_server"]["ok"]
    assert ready.status == 200  # the backend still serves staff and queues customers for agents


async def test_a_stalled_sweep_is_reported(platform):
    async with health_of(platform) as client:
        state = client.server.app[SCHEDULER_STATE]
        state.update(enabled=True, interval_seconds=5, started_monotonic=0.0, last_pass_monotonic=None)
        scheduler = (await (await client.get("/healthz")).json())["checks"]["scheduler"]
    assert scheduler["enabled"] and not scheduler["ok"] and scheduler["lag_seconds"] > 25


async def test_not_ready_while_draining_or_behind_the_schema(platform):
    async with health_of(platform) as client:
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json())["schema"]["revision"]
        client.server.app[DRAINING]["draining"] = True
        assert (await client.get("/readyz")).status == 503
        client.server.app[DRAINING]["draining"] = False
        async with platform.engine.begin() as conn:
            current = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        try:
            behind = await client.get("/readyz")
            assert behind.status == 503 and (await behind.json())["schema"]["error"] == "SchemaBehind"
        finally:
            async with platform.engine.begin() as conn:
                await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})


async def test_redis_is_checked_when_configured(platform):
    redis_or_skip()
    async with health_of(platform, redis_url="redis://127.0.0.1:6379/5") as client:
        up = (await (await client.get("/healthz")).json())["checks"]["redis"]
    async with health_of(platform, redis_url="redis://127.0.0.1:9/0") as client:
        down = (await (await client.get("/healthz")).json())["checks"]["redis"]
    assert up["ok"] and up["latency_ms"] >= 0
    assert not down["ok"] and down["error"]


async def test_no_redis_check_without_redis(platform):
    async with health_of(platform, redis_url="") as client:
        assert "redis" not in (await (await client.get("/healthz")).json())["checks"]
