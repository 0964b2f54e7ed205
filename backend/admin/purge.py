"""`purge [--dry-run]`: the sweep's retention passes now, not at its next hourly turn, with their counts.

The passes are the scheduler's own (backend/scheduler.py run_forever), in its order, with the
periods of service_rules.yml (`scheduler.turn_retention_hours`, `staff_login`, `retention`):
- channel turns: stored answers of web/WeChat and IVR turns past their retention (forget_old_turns);
- staff sessions: expired or idle too long (end_stale_sessions);
- transcript lines: of conversations closed longer ago than transcript_days (forget_old_transcripts);
- closed tickets: customer data erased after closed_ticket_personal_data_days (erase_closed_tickets).

`--dry-run` counts without removing. None of the passes can count without doing (each deletes in
batches until nothing matches), so a dry run runs the very same passes on one connection, inside
one transaction that is rolled back at the end: the counts are exactly what a real run would
remove now, and nothing is removed. While it runs, the rows it touched stay locked (on SQLite the
whole database, for writing), so the backend's writes wait for it as long as a real run would take.

A real run is one audit entry, retention.purge, with the counts.
"""
from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import replace

from backend import audit, retention, scheduler
from backend.admin import common
from backend.admin.common import OPERATOR
from backend.context import Platform
from backend.db import session_factory

PASSES: tuple[tuple[str, str, Callable[[Platform], Awaitable[int]]], ...] = (
    ("turns", "stored channel turns past their retention", scheduler.forget_old_turns),
    ("sessions", "expired or idle staff sessions", scheduler.end_stale_sessions),
    ("transcript_lines", "transcript lines of conversations closed past retention", retention.forget_old_transcripts),
    ("tickets_erased", "closed tickets whose customer data is erased", retention.erase_closed_tickets),
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add `purge`."""
    command = commands.add_parser("purge", help="run the retention passes now and print their counts")
    command.add_argument("--dry-run", action="store_true", help="count what would go; remove nothing")
    command.set_defaults(run=lambda args: common.run(run(args.dry_run)))


async def _passes(platform: Platform) -> dict[str, int]:
    return {key: await run_pass(platform) for key, _, run_pass in PASSES}


async def _counted(platform: Platform) -> dict[str, int]:
    """The passes' counts, their work rolled back (see the module's docstring)."""
    async with platform.engine.connect() as connection:
        outer = await connection.begin()
        try:
            # Sessions bound to a connection already in a transaction join it: their commit() ends
            # only their own part, and the rollback below undoes everything they did.
            return await _passes(replace(platform, sessions=session_factory(connection)))
        finally:
            await outer.rollback()


async def run(dry_run: bool) -> int:
    """Run (or count) every pass and print the counts."""
    async with common.platform() as platform:
        counts = await (_counted(platform) if dry_run else _passes(platform))
        if not dry_run:
            await audit.record(platform, OPERATOR, "retention.purge", "retention", "manual",
                               details={**counts, "operator": common.operator_login()})
        rules = platform.rules.retention
    print("dry run, nothing removed; a purge now would remove:" if dry_run else "removed:")
    for key, label, _ in PASSES:
        print(f"  {counts[key]:>8}  {label}")
    print(f"(transcripts after {rules.transcript_days} days, closed tickets' customer data after "
          f"{rules.closed_ticket_personal_data_days} days: service_rules.yml `retention`)")
    return 0
