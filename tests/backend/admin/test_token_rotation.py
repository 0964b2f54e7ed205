"""`token rotate` / `token retire-previous` (backend/admin/service_token.py): the env file keeps every
other line, comment and its mode; a backend started on the rotated file accepts the new token and
the old one, and after retire-previous only the new one."""
from __future__ import annotations

import re
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from dotenv import dotenv_values

from backend.api import PLATFORM
from backend.api.auth import Unauthorized, authenticate
from backend.context import Platform
from backend.settings import Settings
from tests.backend.admin.fixtures import Admin, backend

OLD = "old-service-token-4f9c2a"
ENV = (
    "# Production settings (mode 0600).\n"
    "DATABASE_URL=postgresql://p95598@db.internal:5432/p95598\n"
    "\n"
    "# The service token: the action servers and the IVR platform call the backend with it.\n"
    f"BACKEND_API_TOKEN={OLD}  # rotated quarterly\n"
    "RASA_TOKEN=rasa-secret\n"
    "METRICS_TOKEN=\n"
    "# the end\n"
)
TOKEN_LINE = re.compile(r"^BACKEND_API_TOKEN(_PREVIOUS)?=")


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("BACKEND_API_TOKEN", "BACKEND_API_TOKEN_PREVIOUS"):  # the file's values, not the shell's
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "production.env"
    path.write_text(ENV, encoding="utf-8")
    path.chmod(0o600)
    return path


def other_lines_of_original() -> list[str]:
    return [line for line in ENV.splitlines() if not TOKEN_LINE.match(line)]


def other_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if not TOKEN_LINE.match(line)]


async def statuses(database: Platform, env_file: Path, *tokens: str) -> list[int]:
    """GET /api/auth/me with each bearer token, from a backend started now on the env file's settings."""
    loaded = Settings.load(env_file=env_file)
    settings = replace(database.settings, api_token=loaded.api_token, api_token_previous=loaded.api_token_previous)
    async with backend(replace(database, settings=settings)) as client:
        return [(await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})).status
                for token in tokens]


async def test_a_rotation_keeps_the_file_and_both_tokens_work_until_the_old_is_retired(
        admin: Admin, database: Platform, env_file: Path):
    done = admin("token", "rotate", "--env-file", env_file)
    assert done.returncode == 0, done.stderr
    values = dotenv_values(env_file)
    new = values["BACKEND_API_TOKEN"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", new) and values["BACKEND_API_TOKEN_PREVIOUS"] == OLD
    assert new not in done.stdout + done.stderr and OLD not in done.stdout + done.stderr  # never printed
    assert "restart every backend" in done.stdout and "token retire-previous" in done.stdout
    assert other_lines(env_file) == other_lines_of_original()
    assert f"BACKEND_API_TOKEN={new}  # rotated quarterly" in env_file.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert await statuses(database, env_file, new, OLD, "someone-elses") == [200, 200, 401]

    done = admin("token", "retire-previous", "--env-file", env_file)
    assert done.returncode == 0, done.stderr
    values = dotenv_values(env_file)
    assert "BACKEND_API_TOKEN_PREVIOUS" not in values and values["BACKEND_API_TOKEN"] == new
    assert other_lines(env_file) == other_lines_of_original()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert await statuses(database, env_file, new, OLD) == [200, 401]


def test_a_second_rotation_before_the_first_is_retired_is_refused_unless_forced(admin: Admin, env_file: Path):
    admin.ok("token", "rotate", "--env-file", env_file)
    first = dotenv_values(env_file)["BACKEND_API_TOKEN"]
    before = env_file.read_text()
    refused = admin("token", "rotate", "--env-file", env_file)
    assert refused.returncode == 1 and "still keeps a previous token" in refused.stderr
    assert env_file.read_text() == before
    shown = admin.ok("token", "rotate", "--env-file", env_file, "--force", "--show")
    values = dotenv_values(env_file)
    assert f"new token: {values['BACKEND_API_TOKEN']}" in shown
    assert values["BACKEND_API_TOKEN_PREVIOUS"] == first  # the oldest is dropped, as --force says


async def test_an_empty_previous_token_never_matches(database: Platform):
    # Called directly: over HTTP a bare "Bearer " loses its trailing space and never reaches the comparison.
    for current in ("current", ""):
        app = web.Application()
        app[PLATFORM] = replace(database, settings=replace(database.settings, api_token=current, api_token_previous=""))
        with pytest.raises(Unauthorized):
            await authenticate(make_mocked_request("GET", "/api/auth/me", headers={"Authorization": "Bearer "}, app=app))
