"""Settings as outside tools pass them, and a schema that matches the models."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.models import Base
from backend.settings import Settings, ensure_env_file, normalise_database_url


@pytest.mark.parametrize("given, used", [
    ("sqlite:///var/app.db", "sqlite+aiosqlite:///var/app.db"),
    ("postgresql://u@db/svc", "postgresql+asyncpg://u@db/svc"),
    ("postgres://u@db/svc", "postgresql+asyncpg://u@db/svc"),
    ("postgresql+asyncpg://u@db/svc", "postgresql+asyncpg://u@db/svc"),
])
def test_database_urls_get_their_async_driver(given, used):
    assert normalise_database_url(given) == used


def test_env_file_is_created_once_with_random_secrets(tmp_path):
    path = ensure_env_file(tmp_path / ".env")
    first = path.read_text()
    assert "BACKEND_API_TOKEN=" in first and oct(path.stat().st_mode)[-3:] == "600"
    assert ensure_env_file(path).read_text() == first
    other = ensure_env_file(tmp_path / "other.env").read_text()
    assert first.split("BACKEND_API_TOKEN=")[1][:20] != other.split("BACKEND_API_TOKEN=")[1][:20]


def test_environment_overrides_env_file(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("BACKEND_PORT=9001\nBACKEND_API_TOKEN=from-file\nDATABASE_URL=sqlite:///x.db\n")
    monkeypatch.setenv("BACKEND_PORT", "9002")
    settings = Settings.load(env_file=env)
    assert settings.backend_port == 9002
    assert settings.api_token == "from-file"
    assert settings.database_url == "sqlite+aiosqlite:///x.db"


async def test_migrations_produce_exactly_the_models(platform):
    async with platform.engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(
            MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata))
    assert diff == []
