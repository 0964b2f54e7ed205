"""`purge [--dry-run]` (backend/admin/purge.py): an old closed conversation's transcript goes per
service_rules.yml `retention`, a recent or still open one stays, and a dry run counts the same
lines without removing any, on SQLite and on PostgreSQL (its rolled-back transaction)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.context import Platform
from backend.db import migrate
from backend.models import AuditEntry, Conversation, Message, StaffSession, StaffUser
from backend.models.base import utcnow
from tests.backend.admin.fixtures import Admin, platform_on
from tests.backend.units_fixture import seed_units
from tests.conftest import scratch_pg_database

LINES_PER_CONVERSATION = 3


async def seed(platform: Platform) -> None:
    """Three conversations of LINES_PER_CONVERSATION lines, and one staff session idle past its end.

    The CLI's clock is the real one, so ages are counted back from now."""
    days = platform.rules.retention.transcript_days
    now = utcnow()
    async with platform.sessions() as session:
        for cid, state, age in (("old-closed", "closed", days + 1), ("old-open", "bot", days + 1),
                                ("recent-closed", "closed", days - 1)):
            at = now - timedelta(days=age)
            session.add(Conversation(id=cid, channel="web", external_id=cid, state=state, created_at=at, updated_at=at))
            await session.flush()
            for seq in range(LINES_PER_CONVERSATION):
                session.add(Message(conversation_id=cid, seq=seq, sender="customer", text="我家停电了", created_at=at))
        user = StaffUser(username="agent1", display_name="李客服", role="agent", unit_id="33", password_hash="x")
        session.add(user)
        await session.flush()
        session.add(StaffSession(token_hash="0" * 64, user_id=user.id, created_at=now - timedelta(days=2),
                                 last_seen_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)))
        await session.commit()


async def lines(platform: Platform) -> dict[str, int]:
    async with platform.sessions() as session:
        rows = (await session.execute(select(Message.conversation_id, func.count()).group_by(Message.conversation_id)))
        return dict(rows.all())


def count(output: str, label: str) -> int:
    found = re.search(rf"^\s*(\d+)\s+{label}", output, re.MULTILINE)
    assert found, output
    return int(found[1])


async def check_purge(admin: Admin, platform: Platform) -> None:
    await seed(platform)
    everything = dict.fromkeys(("old-closed", "old-open", "recent-closed"), LINES_PER_CONVERSATION)
    dry = admin.ok("purge", "--dry-run")
    assert "nothing removed" in dry
    assert count(dry, "transcript lines") == LINES_PER_CONVERSATION and count(dry, "expired or idle") == 1
    assert await lines(platform) == everything  # counted, not removed
    async with platform.sessions() as session:
        assert await session.scalar(select(func.count(StaffSession.id))) == 1

    done = admin.ok("purge")
    assert count(done, "transcript lines") == LINES_PER_CONVERSATION and count(done, "expired or idle") == 1
    assert await lines(platform) == {"old-open": LINES_PER_CONVERSATION, "recent-closed": LINES_PER_CONVERSATION}
    async with platform.sessions() as session:
        assert await session.get(Conversation, "old-closed") is not None  # the row stays for the indicators
        assert await session.scalar(select(func.count(StaffSession.id))) == 0
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "retention.purge"))
    assert entry is not None and entry.details["transcript_lines"] == LINES_PER_CONVERSATION
    assert count(admin.ok("purge"), "transcript lines") == 0  # done once is done


async def test_purge_removes_an_old_closed_transcript_and_a_dry_run_only_counts(admin: Admin, database: Platform):
    await check_purge(admin, database)


@pytest.fixture
def pg_url() -> Iterator[str]:
    with scratch_pg_database() as url:  # synchronous: it runs its own event loop
        yield url


@pytest.mark.postgres
async def test_the_same_on_postgresql(pg_url: str):
    platform = await platform_on(pg_url)
    try:
        await migrate(platform.engine)
        await seed_units(platform)
        await check_purge(Admin(pg_url), platform)
    finally:
        await platform.engine.dispose()
