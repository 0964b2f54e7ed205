"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a platform
whose clock the test controls, and an HTTP client on the real application.

PostgreSQL tests run against the machine's server (127.0.0.1:5432, trust
auth). Outside CI they skip with the reason when it is unreachable; in CI
(CI=1) an unreachable server fails the run instead of hiding the path.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import redis
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from backend.app import create_app
from backend.context import Platform
from backend.db import create_engine, migrate, session_factory
from backend.models import Base
from backend.settings import Settings
from backend.sla.calendar import TZ

API_TOKEN = "test-token"
# The whole-assistant fixtures (backend_url, action_server, agent) for end-to-end tests.
pytest_plugins = ["tests.assistant_fixtures"]
PG_ADMIN = os.environ.get("TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


class Clock:
    """The platform's notion of now, moved by tests."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now

    def set(self, value: datetime) -> datetime:
        self.now = value
        return value


def _pg_reachable() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
        return None
    except Exception as exc:  # any failure to connect means "not reachable"
        return f"PostgreSQL at {PG_ADMIN} unreachable: {exc}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the file (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("db") / "template.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


def redis_or_skip() -> None:
    """The machine's Redis answers; otherwise the test is skipped (failed in CI)."""
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at 127.0.0.1:6379 unreachable: {exc}")
        pytest.skip(f"Redis at 127.0.0.1:6379 unreachable: {exc}")


def query_database(url: str, sql: str, **params: object) -> list[tuple]:
    """Rows of one query on a database a test's processes write (a sync URL), read from outside them."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as db:
            return [tuple(row) for row in db.execute(text(sql), params)]
    finally:
        engine.dispose()


@contextmanager
def scratch_pg_database() -> Iterator[str]:
    """An empty PostgreSQL database (async URL), dropped afterwards; skipped (failed in CI) when unreachable."""
    reason = _pg_reachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One migrated scratch database for the session, dropped at the end."""
    with scratch_pg_database() as url:
        async def build() -> None:
            engine = create_engine(url)
            await migrate(engine)
            await engine.dispose()

        asyncio.run(build())
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "app.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def clock() -> Clock:
    # A Tuesday morning in an ordinary working week.
    return Clock(datetime(2026, 3, 10, 9, 0, tzinfo=TZ))


@pytest.fixture
async def platform(database_url: str, clock: Clock) -> AsyncIterator[Platform]:
    settings = replace(Settings.load(env_file=None), database_url=database_url,
                       api_token=API_TOKEN, scheduler_enabled=False, demo_data=False)
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    platform = Platform.build(settings, engine, session_factory(engine))
    platform.clock = clock
    yield platform
    await engine.dispose()


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(platform))) as test_client:
        yield test_client


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_TOKEN}"}
