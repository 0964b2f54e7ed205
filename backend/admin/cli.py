"""The command line: every command group's parser, wired here and nowhere else, and how a failure
reaches the operator (a sentence on stderr and a non-zero status, never a traceback for a
command that cannot be done as asked)."""
from __future__ import annotations

import argparse
import logging
import sys

from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError

from backend.admin import importing, migration, purge, service_token, staff
from backend.admin.common import AdminError, shown_url
from backend.db import unreachable
from backend.logs import configure_logging
from backend.settings import Settings

GROUPS = (staff, service_token, importing, purge, migration)


def parser() -> argparse.ArgumentParser:
    """The whole command line, one subcommand per group."""
    top = argparse.ArgumentParser(prog="python -m backend.admin",
                                  description="Operations commands for the 95598 service platform.",
                                  epilog="Settings as the backend reads them: environment, then .env (DATABASE_URL).")
    commands = top.add_subparsers(dest="command", required=True, metavar="{staff,token,import,purge,migrate}")
    for group in GROUPS:
        group.register(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [importing.NAME]:
        # Handed over before parsing: the importer's own options (--database-url, --help) would
        # otherwise be taken for ours.
        return importing.run(argv[1:])
    args = parser().parse_args(argv)
    configure_logging(logging.WARNING)  # masked like the backend's lines; only what went wrong
    try:
        return args.run(args)
    except AdminError as error:
        return _fail(str(error))
    except CommandError as error:  # Alembic: e.g. a database migrated by a newer release
        return _fail(f"the database's schema: {error}")
    except (DBAPIError, OSError) as error:
        if not unreachable(error):
            raise
        first_line = next(iter(str(error).splitlines()), "")[:300]
        return _fail(f"the database at {shown_url(Settings.load().database_url)} is unreachable "
                     f"({type(error).__name__}: {first_line})")
    except KeyboardInterrupt:
        return _fail("interrupted", status=130)


def _fail(message: str, status: int = 1) -> int:
    print(f"admin: {message}", file=sys.stderr)
    return status
