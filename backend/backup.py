"""`python -m backend.backup create|restore`: a consistent copy of the database, and putting it back.

Tickets, their clocks and events, transcripts, surveys and the audit log all live in the one
database, so one copy holds everything a restore must bring back.

- SQLite (the embedded default): `create` uses SQLite's online backup API (sqlite3.Connection.backup),
  which copies a consistent snapshot page by page while the backend keeps serving; `restore`
  copies a backup file back over the database the same way. Stop the backend first: a restore
  replaces what it holds open.
- PostgreSQL: `create` runs `pg_dump --format=custom` (a consistent snapshot without locking out
  writers); `restore` runs `pg_restore --clean --if-exists --single-transaction`, so a restore that
  fails leaves the database as it was.

A backup file holds customers' personal data unmasked: it is written with mode 0600, and where it
is kept is the operator's choice (README: Security). Files are named
`<database>-YYYYmmddTHHMMSSZ.sqlite3|.dump` in `--dir` (default var/backups).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from backend.settings import ROOT, Settings

DEFAULT_DIR = ROOT / "var" / "backups"


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why, for the operator."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no +asyncpg driver part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt install postgresql-client)")
    return found


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr.strip()[:2000]}")


def create(url: str, directory: Path, now: datetime | None = None) -> Path:
    """Write a backup of the database at `url` into `directory`; its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no database at {source}")
        target = directory / f"{source.stem}-{stamp}.sqlite3"
        target.touch(mode=0o600, exist_ok=False)
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
    elif backend == "postgresql":
        target = directory / f"{make_url(url).database}-{stamp}.dump"
        target.touch(mode=0o600, exist_ok=False)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), _libpq(url)])
    else:
        raise BackupError(f"no backup for {backend} databases")
    return target


def restore(url: str, backup: Path) -> None:
    """Replace the database at `url` with the backup's contents."""
    if not backup.is_file():
        raise BackupError(f"no backup file at {backup}")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        with closing(sqlite3.connect(backup)) as saved:
            try:
                intact = saved.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                intact = False
            if not intact:
                raise BackupError(f"{backup} is not an intact SQLite database")
            with closing(sqlite3.connect(_sqlite_path(url))) as live:
                saved.backup(live)
    elif backend == "postgresql":
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--dbname", _libpq(url), str(backup)])
    else:
        raise BackupError(f"no restore for {backend} databases")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.backup", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("create", help="write a backup of DATABASE_URL")
    made.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    back = commands.add_parser("restore", help="replace DATABASE_URL's contents with a backup (backend stopped)")
    back.add_argument("file", type=Path)
    back.add_argument("--yes", action="store_true", help="do not ask before replacing the database")
    args = parser.parse_args(argv)
    url = Settings.load().database_url
    try:
        if args.command == "create":
            print(create(url, args.dir))
            return 0
        if not args.yes and input(f"Replace the contents of {make_url(url).database} with {args.file}? [y/N] ") != "y":
            print("nothing restored")
            return 1
        restore(url, args.file)
        print(f"restored {args.file}")
        return 0
    except BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(main())
