"""`migrate`: the database at DATABASE_URL brought to the current schema (backend/db.py migrate,
the same Alembic upgrade the backend runs on start), then its revision printed. Run it before a new
release's backends start, so none of them migrates while the others serve."""
from __future__ import annotations

import argparse

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.admin import common
from backend.admin.common import AdminError
from backend.db import alembic_config, create_engine, migrate
from backend.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add `migrate`."""
    command = commands.add_parser("migrate", help="apply the database migrations and print the revision")
    command.set_defaults(run=lambda args: common.run(run()))


async def _revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def run() -> int:
    """Migrate; print the revision before and after."""
    url = Settings.load().database_url
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url)
    try:
        before = await _revision(engine)
        try:
            await migrate(engine)
        except CommandError as error:  # e.g. a database migrated by a newer release than this one
            raise AdminError(f"cannot migrate {common.shown_url(url)}: {error}") from None
        after = await _revision(engine)
    finally:
        await engine.dispose()
    if before == after:
        print(f"{common.shown_url(url)}: already at revision {after} (head {head})")
    else:
        print(f"{common.shown_url(url)}: migrated from revision {before or 'none (empty database)'} to {after} "
              f"(head {head})")
    return 0
