"""The admin CLI as an operator runs it: `python -m backend.admin ...` in a subprocess on a
temporary SQLite file (DATABASE_URL), next to the real application on the same file, to check
what the command did the way a staff member or a service would notice it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from backend.app import create_app
from backend.context import Platform
from backend.db import create_engine, session_factory
from backend.settings import Settings
from tests.backend.units_fixture import seed_units

ROOT = Path(__file__).resolve().parents[3]
SERVICE_TOKEN = "admin-test-token"
# Settings the CLI would otherwise take from the developer's shell or .env.
_CLEARED = ("BACKEND_API_TOKEN", "BACKEND_API_TOKEN_PREVIOUS", "DEMO_DATA", "SERVICE_RULES_FILE")


@dataclass
class Admin:
    """`python -m backend.admin` against one database."""

    database_url: str

    def __call__(self, *args: str | Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k not in _CLEARED}
        environment.update({"DATABASE_URL": self.database_url, **env})
        return subprocess.run([sys.executable, "-m", "backend.admin", *map(str, args)], cwd=ROOT, env=environment,
                              input=stdin if stdin is not None else "", capture_output=True, text=True, timeout=60)

    def ok(self, *args: str | Path, stdin: str | None = None, **env: str) -> str:
        """Its stdout; the test fails with its stderr unless it exited 0."""
        done = self(*args, stdin=stdin, **env)
        assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stderr}"
        assert "Traceback" not in done.stderr
        return done.stdout


async def platform_on(database_url: str, **settings: object) -> Platform:
    """The backend's platform on the CLI's database, as a backend process started now would build it."""
    base = replace(Settings.load(env_file=None), database_url=database_url, api_token=SERVICE_TOKEN,
                   scheduler_enabled=False, demo_data=False)
    engine = create_engine(database_url)
    return Platform.build(replace(base, **settings), engine, session_factory(engine))


@asynccontextmanager
async def backend(platform: Platform) -> AsyncIterator[TestClient]:
    """An HTTP client on the real application over that platform."""
    async with TestClient(TestServer(create_app(platform))) as client:
        yield client


async def login(client: TestClient, username: str, password: str) -> int:
    """The login's status, sent as the console's login page sends it (same-site Origin)."""
    resp = await client.post("/api/auth/login", json={"username": username, "password": password},
                             headers={"Origin": str(client.make_url("")).rstrip("/")})
    return resp.status


@pytest.fixture
async def database(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Platform]:
    """A migrated SQLite file with the small unit tree (tests/backend/units_fixture.py), and its platform."""
    path = tmp_path / "admin.db"
    shutil.copy(sqlite_template, path)
    platform = await platform_on(f"sqlite+aiosqlite:///{path}")
    await seed_units(platform)
    yield platform
    await platform.engine.dispose()


@pytest.fixture
def admin(database: Platform) -> Admin:
    return Admin(database.settings.database_url)
