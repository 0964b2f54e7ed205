"""One live backend for every fuzz test of the session, and the campaign's report at the end."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.api import PLATFORM
from backend.api.auth import hash_token
from backend.context import Platform
from backend.models import StaffSession, StaffUser
from tests.backend.fuzz.campaign import DATABASE, PROFILE, RECORD, REPORT, RESUME, SHARD, Record, Store, shard_of
from tests.backend.fuzz.server import LiveServer


@pytest.fixture(scope="package")
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """FUZZ_DATABASE=postgres (`make fuzz`): on PostgreSQL, whose 32-bit integers SQLite does not have."""
    if DATABASE == "postgres":
        url = request.getfixturevalue("pg_database")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    server = LiveServer().start(url)
    try:
        yield server
    finally:
        server.stop()


def staff_cookie(server: LiveServer, username: str) -> dict[str, str]:
    """A fresh session of a demo staff member, written as the login writes it.

    Not through POST /api/auth/login: the fuzzed login's wrong passwords throttle this
    address after a few tries, and a fuzzed logout (everywhere=true) ends every session.
    """
    assert server.app is not None
    platform: Platform = server.app[PLATFORM]
    token = secrets.token_urlsafe(24)

    async def write() -> None:
        async with platform.sessions() as session:
            user_id = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
            now = platform.clock()
            session.add(StaffSession(token_hash=hash_token(token), user_id=user_id, created_at=now,
                                     last_seen_at=now, expires_at=now + timedelta(hours=8)))
            await session.commit()

    server.run(write())
    return {"Cookie": f"session={token}"}


CAMPAIGN = PROFILE == "campaign"
STORED = Store.load() if CAMPAIGN else Store()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A resumed campaign (FUZZ_RESUME=1) leaves out the tests an earlier run finished; a shard
    (FUZZ_SHARD=k/n) keeps its slice of the rest."""
    if not CAMPAIGN:
        return
    done = set(STORED.done) if RESUME else set()
    kept = [item for item in items if item.nodeid not in done and "/fuzz/" in item.nodeid]
    if SHARD:
        kept = shard_of(kept, SHARD)
    skipped = [item for item in items if item not in kept]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


_BEFORE: dict[str, int] = {}  # cases per route when the current test started


def pytest_runtest_setup(item: pytest.Item) -> None:
    _BEFORE.clear()
    _BEFORE.update({label: stats.cases for label, stats in RECORD.routes.items()})


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if CAMPAIGN and report.when == "call" and report.passed and "/fuzz/" in report.nodeid:
        ran = {label: stats for label, stats in RECORD.routes.items() if stats.cases != _BEFORE.get(label)}
        STORED.took(report.nodeid, ran)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if RECORD.routes and (CAMPAIGN or os.environ.get("FUZZ_REPORT")):
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        # A campaign reports the routes whose tests finished (an interrupted one is run again on resume).
        report = Record(routes=Store.load().routes, started=RECORD.started) if CAMPAIGN else RECORD
        REPORT.write_text(report.markdown(), encoding="utf-8")
