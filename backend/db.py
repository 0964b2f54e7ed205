"""Engine and session factory; migrations run through Alembic on start."""
from __future__ import annotations

import errno
from pathlib import Path

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: the scheduler and the API write concurrently. Pooled, not
        # SQLAlchemy 1.4's NullPool for aiosqlite files: that opened a connection, a thread and
        # the pragmas for every session, a dozen times per customer turn (make bench).
        pooled = {"poolclass": AsyncAdaptedQueuePool} if path and path != ":memory:" else {}
        engine = create_async_engine(url, future=True, connect_args={"timeout": 30}, **pooled)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A database that went away must fail a request within seconds (asyncpg waits 60 s to
    # connect by default): the channels then answer the customer themselves (unreachable()).
    return create_async_engine(url, future=True, pool_pre_ping=True, pool_timeout=CONNECT_SECONDS,
                               connect_args={"timeout": CONNECT_SECONDS})


CONNECT_SECONDS = 5.0


def unreachable(error: BaseException) -> bool:
    """The database is away (refused, reset, timed out, restarting), not a wrong query.

    Checked along the cause chain: SQLAlchemy wraps the driver's error, asyncpg raises
    OSError while connecting and its own connection errors once connected."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(seen, ConnectionError | TimeoutError | exc.TimeoutError | exc.DisconnectionError):
            return True
        if isinstance(seen, OSError) and (seen.errno in _NETWORK_ERRNOS or "Multiple exceptions" in str(seen)):
            return True  # asyncpg trying each address of a host raises one OSError naming them all
        if type(seen).__module__.startswith("asyncpg") and type(seen).__name__ in _ASYNCPG_AWAY:
            return True
        if isinstance(seen, exc.OperationalError) and any(w in str(seen).lower() for w in _SQLITE_AWAY):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
                   errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}
_SQLITE_AWAY = ("unable to open", "disk i/o")  # not "locked" (a slow writer) nor a schema error
_ASYNCPG_AWAY = {"ConnectionDoesNotExistError", "CannotConnectNowError", "ConnectionFailureError",
                 "InterfaceError", "AdminShutdownError", "CrashShutdownError", "TooManyConnectionsError"}


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> sessionmaker:
    return sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, future=True)


def alembic_config(url: str):  # -> alembic.config.Config
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(sync_conn: object, url: str) -> None:
    from alembic import command

    cfg = alembic_config(url)
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the database to the current schema (a new database is created from scratch)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, str(engine.url))
