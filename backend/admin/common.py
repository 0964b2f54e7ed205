"""What the admin commands share: the platform without its web application, the operator as
the audit log names them, and the one kind of error an operator is meant to read.

- The platform is built by backend.app.build_platform, as the backend builds it on start (the
  database migrated to the current schema), with demo data off whatever DEMO_DATA says, and no
  scheduler: that runs only inside a web application, which no command creates.
- The operator: audit entries of these commands have the actor `admin-cli` and name the
  operating-system login that ran them in details.operator (the CLI has no staff session).
"""
from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url

from backend.api.auth import Principal
from backend.context import Platform
from backend.settings import Settings

OPERATOR = Principal("admin-cli", "admin-cli", role="admin")


class AdminError(Exception):
    """A command that cannot be done as asked; the message says why, for the operator."""


def operator_login() -> str:
    """Who ran the command, as the operating system knows them ("unknown" in a bare container)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry for the uid
        return "unknown"


def shown_url(url: str) -> str:
    """A database URL fit for a message: never its password."""
    return make_url(url).render_as_string(hide_password=True)


@asynccontextmanager
async def platform() -> AsyncIterator[Platform]:
    """The platform on DATABASE_URL, migrated, without demo data or scheduler; disposed after use."""
    from backend.app import build_platform  # the whole application's imports: only commands that need it

    built = await build_platform(Settings.load(demo_data=False, scheduler_enabled=False))
    try:
        yield built
    finally:
        await built.engine.dispose()


def run(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run one command's coroutine to its exit status."""
    return asyncio.run(coroutine)
