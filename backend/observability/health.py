"""What /healthz and /readyz report: each dependency, its answer and how long it took.

- database: `SELECT 1`, and the schema's revision against the code's (readiness);
- rasa: `GET /version` of every replica in RASA_URL;
- action_server: our `GET /healthz` of every action server in ACTION_ENDPOINT_URL, which
  also tells its outbox's depth and oldest entry (actions/server.py);
- redis: `PING`, when REDIS_URL is set (the web chat's live lines across backends);
- scheduler: the seconds since the deadline sweep last finished a pass, against its
  interval (more than STALLED_INTERVALS intervals is a stalled sweep);
- delivery: lines for customers not yet delivered, and the oldest one's age.

Every check runs at once with CHECK_TIMEOUT_SECONDS, so a hung dependency costs the
probe that long, not the sum. The backend is down (503) only when its database is: it
still serves staff and queues customers for agents without Rasa, so any other failure
is `degraded` with 200, for the operator to see and the load balancer to ignore.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from sqlalchemy import text

from backend.context import Platform
from backend.observability.gauges import age, undelivered
from backend.replicas import split_urls

CHECK_TIMEOUT_SECONDS = 2.0
STALLED_INTERVALS = 5  # a few missed passes are a slow database; five are a stalled sweep
WEBHOOK_SUFFIX = "/webhook"

Check = dict[str, Any]


async def timed(probe: Callable[[], Awaitable[Check | None]]) -> Check:
    """Run one probe with the timeout; its answer with ok and latency_ms, or the error's name."""
    started = time.perf_counter()
    try:
        found = await asyncio.wait_for(probe(), CHECK_TIMEOUT_SECONDS)
        result: Check = {"ok": True, **(found or {})}
    except Exception as exc:  # any failure of a dependency is "down" to a health check
        result = {"ok": False, "error": type(exc).__name__ if not isinstance(exc, TimeoutError) else "timeout"}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def action_server_bases(endpoint_url: str) -> list[str]:
    """The action servers' base URLs from Rasa's action endpoint setting (…/webhook, comma-separated)."""
    return [url.removesuffix(WEBHOOK_SUFFIX) for url in split_urls(endpoint_url)]


class DependencyChecks:
    """The probes of one backend process; one HTTP session and one Redis client, opened on first use."""

    def __init__(self, platform: Platform, scheduler_state: dict[str, Any]) -> None:
        self.platform = platform
        self.scheduler_state = scheduler_state
        self._http: aiohttp.ClientSession | None = None
        self._redis: Any = None
        self._head: str | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._redis is not None:
            await self._redis.close()  # redis-py 4.6 (Rasa's pin): close, not aclose

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT_SECONDS))
        return self._http

    async def database(self) -> Check:
        async def probe() -> Check:
            async with self.platform.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return {"dialect": self.platform.engine.dialect.name}
        return await timed(probe)

    async def schema(self) -> Check:
        """Whether the database is at the code's newest migration (a replica started on an older
        schema, or a migration another replica has not finished, must not take traffic)."""
        from alembic.script import ScriptDirectory

        from backend.db import alembic_config

        async def probe() -> Check:
            if self._head is None:  # the code's newest migration does not change while it runs
                self._head = ScriptDirectory.from_config(alembic_config(str(self.platform.engine.url))
                                                         ).get_current_head()
            head = self._head
            async with self.platform.engine.connect() as conn:
                current = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            if current != head:
                raise SchemaBehind(f"{current} != {head}")
            return {"revision": current}
        return await timed(probe)

    async def _get_json(self, url: str, params: dict[str, str] | None = None) -> Check:
        async with self._session().get(url, params=params) as resp:
            if resp.status != 200:
                raise DependencyAnswered(str(resp.status))
            body = await resp.json(content_type=None)
        return body if isinstance(body, dict) else {}

    async def rasa(self) -> Check:
        return await self._each(split_urls(self.platform.settings.rasa_url), "/version", "version")

    async def action_servers(self) -> Check:
        return await self._each(action_server_bases(self.platform.settings.action_endpoint_url), "/healthz", "outbox")

    async def _each(self, bases: list[str], path: str, field: str) -> Check:
        """GET `path` of every replica at once; each one's answer keeps `field` of its body."""
        async def replica(base: str) -> Check:
            async def probe() -> Check:
                return {field: (await self._get_json(f"{base}{path}")).get(field)}
            return {"url": base, **await timed(probe)}
        return _all_of(list(await asyncio.gather(*(replica(base) for base in bases))))

    async def redis(self) -> Check | None:
        url = self.platform.settings.redis_url
        if not url:
            return None

        async def probe() -> Check:
            if self._redis is None:
                import redis.asyncio as aioredis
                self._redis = aioredis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
            await self._redis.ping()
            return {}
        return await timed(probe)

    def scheduler(self) -> Check:
        state = self.scheduler_state
        if not state.get("enabled"):
            return {"ok": True, "enabled": False}
        interval = float(state["interval_seconds"])
        last = state.get("last_pass_monotonic")
        # Before its first pass the sweep is as late as the process is old.
        lag = time.monotonic() - (last if last is not None else state["started_monotonic"])
        return {"ok": lag <= STALLED_INTERVALS * interval, "enabled": True, "interval_seconds": interval,
                "lag_seconds": round(lag, 1), "last_pass_at": state.get("last_pass_at")}

    async def delivery(self) -> Check:
        async def probe() -> Check:
            async with self.platform.sessions() as session:
                pending, oldest = await undelivered(session)
            return {"pending_lines": pending, "oldest_age_seconds": round(age(self.platform.clock(), oldest), 1)}
        return await timed(probe)

    async def report(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of /healthz."""
        database, rasa, actions, redis, delivery = await asyncio.gather(
            self.database(), self.rasa(), self.action_servers(), self.redis(), self.delivery())
        checks: dict[str, Any] = {"database": database, "rasa": rasa, "action_server": actions,
                                  "scheduler": self.scheduler(), "delivery": delivery}
        if redis is not None:
            checks["redis"] = redis
        if not database["ok"]:
            return 503, {"status": "down", "checks": checks}
        status = "ok" if all(check["ok"] for check in checks.values()) else "degraded"
        return 200, {"status": status, "checks": checks}

    async def readiness(self, draining: bool) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of /readyz: take traffic when the database answers at the code's schema."""
        schema = await self.schema()
        ready = schema["ok"] and not draining
        return (200 if ready else 503), {"ready": ready, "draining": draining, "schema": schema}


def _all_of(replicas: list[Check]) -> Check:
    return {"ok": bool(replicas) and all(r["ok"] for r in replicas), "replicas": replicas}


class SchemaBehind(Exception):
    """The database's migration is not the code's newest."""


class DependencyAnswered(Exception):
    """A dependency answered, but not 200."""
