"""`make bench`: what the ticket platform costs, written to reports/bench.md.

Measures (on SQLite, and on PostgreSQL when reachable):
- ticket intake through the engine (create_ticket), per ticket;
- the deadline sweep with nothing due and with 200 clocks due, as the
  archive of closed tickets grows: it must stay flat, because the sweep reads
  only the indexed next_check_at of clocks still running.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from backend.context import Platform
from backend.db import create_engine, migrate, session_factory
from backend.models import Ticket, TicketDeadline
from backend.scheduler import sweep
from backend.settings import ROOT, Settings
from backend.tickets.intake import create_ticket
from backend.tickets.schemas import TicketCreate
from glossary.identifiers import ticket_number
from tests.backend.units_fixture import seed_units

ARCHIVES = (0, 20_000, 100_000)
T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) >= 20 else ordered[-1]
    return f"{statistics.median(ordered) * 1000:.1f} / {p95 * 1000:.1f}"


async def add_archive(platform: Platform, count: int) -> None:
    """Closed tickets with finished clocks, inserted in bulk after the highest id."""
    batch = 5_000
    async with platform.engine.begin() as conn:
        start_id = (await conn.scalar(text("SELECT coalesce(max(id), 0) FROM tickets"))) + 1
        for first in range(start_id, start_id + count, batch):
            ids = range(first, min(first + batch, start_id + count))
            await conn.execute(insert(Ticket), [dict(
                id=i, ticket_no=ticket_number(date(2025, 1, 1), i), type="complaint", status="closed", channel="web",
                description="历史投诉", unit_id="33012701", created_at=T0 - timedelta(days=200),
                updated_at=T0 - timedelta(days=190), closed_at=T0 - timedelta(days=190),
                version=1, is_repeat=False, escalation_intent=False, anonymous=False,
                confidential=False, safety_hazard=False, callback_attempts=0, reopen_count=0,
                urge_count=0) for i in ids])
            await conn.execute(insert(TicketDeadline), [dict(
                ticket_id=i, name=name, round=1, limit="5wd", starts="accept", met_by="reply",
                started_at=T0 - timedelta(days=200), due_at=T0 - timedelta(days=193),
                warn_at=T0 - timedelta(days=194), met_at=T0 - timedelta(days=195), provisional=False,
                next_check_at=None) for i in ids for name in ("first_contact", "reply")])


async def run(url: str) -> list[str]:
    settings = replace(Settings.load(env_file=None), database_url=url, scheduler_enabled=False)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await migrate(engine)
    platform = Platform.build(settings, engine, session_factory(engine))
    now = [T0]
    platform.clock = lambda: now[0]
    await seed_units(platform)
    rows = [f"### {engine.dialect.name}", ""]

    body = TicketCreate(type="fault_repair", description="家里停电了", area="坪山社区",
                        customer={"phone": "13812345678"})
    timings = []
    for _ in range(300):
        began = time.perf_counter()
        await create_ticket(platform, body, actor="bench")
        timings.append(time.perf_counter() - began)
    rows += [f"Ticket intake (fault repair, 3 clocks), 300 tickets: median / p95 {ms(timings)} ms", ""]
    await sweep(platform, T0 + timedelta(days=1))  # settle the intake tickets' clocks

    rows += ["| closed tickets in archive | sweep, nothing due (median / p95 ms) "
             "| one sweep pass with 200 repairs due: ms (clocks handled, batch 500) |", "|---:|---:|---:|"]
    archived = 0
    for size in ARCHIVES:
        await add_archive(platform, size - archived)
        archived = size
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
                # Keep intake's serial ahead of the explicitly numbered archive rows.
                await conn.execute(text(
                    "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))"))
        idle = []
        for _ in range(30):
            began = time.perf_counter()
            await sweep(platform, T0 + timedelta(days=1))
            idle.append(time.perf_counter() - began)
        # 200 fresh repairs, each with clocks that are due one hour later.
        now[0] = T0 + timedelta(days=2, minutes=size // 1000)
        for _ in range(200):
            await create_ticket(platform, body, actor="bench")
        began = time.perf_counter()
        result = await sweep(platform, now[0] + timedelta(hours=5))
        busy = time.perf_counter() - began
        rows.append(f"| {size:,} | {ms(idle)} | {busy * 1000:.0f} ({result.breached}) |")
    await engine.dispose()
    return rows + [""]


async def main() -> None:
    out = ["# Benchmarks", "", f"Run {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {sys.platform}, "
           "Python 3.11; in-process, no HTTP.", ""]
    with tempfile.TemporaryDirectory() as tmp:
        out += await run(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
    try:
        import asyncpg

        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=3)
        await admin.execute("DROP DATABASE IF EXISTS bench_95598 WITH (FORCE)")
        await admin.execute("CREATE DATABASE bench_95598")
        try:
            out += await run("postgresql+asyncpg://postgres@127.0.0.1:5432/bench_95598")
        finally:
            await admin.execute("DROP DATABASE IF EXISTS bench_95598 WITH (FORCE)")
            await admin.close()
    except OSError as exc:
        out += [f"PostgreSQL not measured: {exc}", ""]
    report = "\n".join(out)
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    asyncio.run(main())
