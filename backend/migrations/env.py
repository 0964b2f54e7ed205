"""Alembic environment: runs on a connection handed over by backend.db.migrate,
or, from the alembic CLI, on its own async engine."""
from __future__ import annotations

import asyncio

from alembic import context

from backend.db import create_engine
from backend.models import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.begin() as conn:
        await conn.run_sync(run_on)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_with_own_engine())
