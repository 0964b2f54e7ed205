"""Backups (backend/backup.py): what a restore brings back is the database at the backup's moment,
on SQLite and on PostgreSQL, and the service goes on from there without reusing a ticket number."""
from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from backend import backup
from backend.models import Ticket
from tests.backend.tickets.helpers import REPAIR, create, step
from tests.backend.units_fixture import seed_units


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def numbers(client, auth) -> list[str]:
    body = await (await client.get("/api/tickets", headers=auth, params={"per_page": 100})).json()
    return sorted(t["id"] for t in body["items"])


async def test_a_restore_brings_back_the_moment_of_the_backup(client, auth, platform, units, tmp_path):
    kept = await create(client, auth, REPAIR)
    await step(client, auth, kept["id"], "arrive")
    saved = backup.create(platform.settings.database_url, tmp_path, datetime(2026, 3, 10, 1, 0, tzinfo=UTC))
    assert saved.name.endswith("-20260310T010000Z" + saved.suffix)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # it holds personal data unmasked
    lost = await create(client, auth, {**REPAIR, "description": "备份之后报的修"})
    assert await numbers(client, auth) == sorted([kept["id"], lost["id"]])

    await platform.engine.dispose()  # the backend is stopped for a restore
    backup.restore(platform.settings.database_url, saved)

    assert await numbers(client, auth) == [kept["id"]]
    detail = await (await client.get(f"/api/tickets/{kept['id']}", headers=auth)).json()
    assert "arrive" in [e["kind"] for e in detail["events"]]
    assert (await client.get(f"/api/tickets/{lost['id']}", headers=auth)).status == 404
    # The service goes on: the next ticket gets a number of its own.
    after = await create(client, auth, {**REPAIR, "description": "恢复之后报的修"})
    assert after["id"] != kept["id"]
    async with platform.sessions() as session:
        assert await session.scalar(select(func.count(Ticket.id))) == 2


async def test_a_file_that_is_no_backup_is_refused_and_nothing_changes(client, auth, platform, units, tmp_path):
    kept = await create(client, auth, REPAIR)
    junk = tmp_path / "not-a-backup.dump"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(backup.BackupError):
        backup.restore(platform.settings.database_url, junk)
    with pytest.raises(backup.BackupError, match="no backup file"):
        backup.restore(platform.settings.database_url, tmp_path / "missing.dump")
    assert await numbers(client, auth) == [kept["id"]]
