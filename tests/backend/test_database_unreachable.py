"""What counts as "the database is away" (backend.db.unreachable): a 503 the assistant retries,
rather than a 500 for a fault of ours."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc

from backend.db import unreachable


def wrapped(error: BaseException) -> exc.DBAPIError:
    """As SQLAlchemy raises a driver's error."""
    return exc.OperationalError("SELECT 1", {}, error)


@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "Connection refused"),
    OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432), [Errno 99] ..."),
    TimeoutError(),
    wrapped(sqlite3.OperationalError("unable to open database file")),
    exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
], ids=["refused", "every address refused", "timed out", "sqlite file gone", "pool exhausted"])
def test_a_database_out_of_reach_is_unreachable(error):
    assert unreachable(error)


@pytest.mark.parametrize("error", [
    FileNotFoundError(2, "No such file or directory", "config/tariffs/x.yml"),
    wrapped(sqlite3.OperationalError("no such table: tickets")),
    wrapped(sqlite3.OperationalError("database is locked")),
    ValueError("bad"),
    exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
], ids=["a missing file", "a schema error", "a slow writer", "a bug", "a duplicate"])
def test_our_own_faults_are_not_reported_as_the_database_away(error):
    assert not unreachable(error)
