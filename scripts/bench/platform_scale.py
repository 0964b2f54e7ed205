"""The ticket platform at a utility's size: a section of `make bench`'s report (issue #10).

On the demo province's unit tree, on SQLite and on PostgreSQL (when reachable):
- ticket intake as a rate: fault repairs created `AT_ONCE` at a time for `RATE_SECONDS`,
  against round trips of `SELECT 1` on the same engine in the same run (the ratio holds on
  any machine); target 1,000 tickets/s on PostgreSQL;
- the deadline sweep over 1,000,000 tickets of which 10,000 are open (their clocks running,
  none due): a pass with nothing due, and one with 200 fresh repairs due; target 200 ms;
- the indicators of a year for the whole unit tree (the province and each child, as the
  dashboard asks): twelve months one by one, and the year at once.

The tickets are written in bulk (core inserts, no ORM), spread over the year before the
clock, over every unit that takes tickets, with the types' and channels' real codes.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from backend.context import Platform
from backend.db import create_engine, migrate, session_factory
from backend.demo import seed_demo
from backend.kpi import indicators, root_unit
from backend.models import Ticket, TicketDeadline, Unit
from backend.models.conversations import CHANNELS
from backend.scheduler import sweep
from backend.settings import Settings
from backend.tickets.intake import create_ticket
from backend.tickets.schemas import TicketCreate
from glossary.identifiers import ticket_number
from glossary.names import TICKET_TYPES

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
TOTAL = int(os.environ.get("BENCH_TICKETS", "1000000"))
OPEN = int(os.environ.get("BENCH_OPEN_TICKETS", "10000"))
BATCH = 10_000
AT_ONCE = 16
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "10"))
REPAIR = TicketCreate(type="fault_repair", description="家里停电了", area="坪山社区",
                      customer={"phone": "13812345678"})


def ms(seconds: list[float], digits: int = 1) -> str:
    """Median / p95 in milliseconds (p95 is the slowest of fewer than 20)."""
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) >= 20 else ordered[-1]
    return f"{statistics.median(ordered) * 1000:.{digits}f} / {p95 * 1000:.{digits}f}"


async def fresh_platform(url: str, now: datetime) -> Platform:
    """A platform on an empty, migrated database (PostgreSQL's schema dropped first), its clock at `now`."""
    settings = replace(Settings.load(env_file=None), database_url=url, scheduler_enabled=False)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await migrate(engine)
    platform = Platform.build(settings, engine, session_factory(engine))
    platform.clock = lambda: now
    return platform


async def build(url: str) -> Platform:
    platform = await fresh_platform(url, NOW)
    await seed_demo(platform.sessions, today=NOW.date())
    return platform


async def rates(platform: Platform) -> tuple[float, float]:
    """Tickets created per second and SELECT 1 round trips per second, AT_ONCE at a time each."""
    async def per_second(work) -> float:  # type: ignore[no-untyped-def]
        done = 0
        stop = time.perf_counter() + RATE_SECONDS

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                await work()
                done += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(AT_ONCE)))
        return done / (time.perf_counter() - began)

    async def select_one() -> None:
        async with platform.sessions() as session:
            await session.execute(text("SELECT 1"))

    async def intake() -> None:
        await create_ticket(platform, REPAIR, actor="bench")

    reference = await per_second(select_one)
    return await per_second(intake), reference


async def fill(platform: Platform, total: int, open_: int) -> float:
    """`total` tickets over the year before NOW, the last `open_` still open; seconds taken."""
    async with platform.sessions() as session:
        units = [u for u in (await session.scalars(select(Unit.id).where(Unit.level.in_(("county", "station")))))]
        start_id = (await session.scalar(text("SELECT coalesce(max(id), 0) FROM tickets"))) + 1
    units = units or ["33"]
    types = itertools.cycle(TICKET_TYPES)
    began = time.perf_counter()
    async with platform.engine.begin() as conn:
        for first in range(start_id, start_id + total, BATCH):
            ids = range(first, min(first + BATCH, start_id + total))
            tickets, clocks = [], []
            for i in ids:
                is_open = i >= start_id + total - open_
                created = NOW - timedelta(hours=1 + (i * 7919) % (365 * 24))
                kind = next(types)
                tickets.append(dict(
                    id=i, ticket_no=ticket_number(created.date(), i), type=kind, status="processing" if is_open
                    else "closed", channel=CHANNELS[i % len(CHANNELS)], description="历史工单",
                    unit_id=units[i % len(units)], created_at=created, updated_at=created + timedelta(hours=5),
                    closed_at=None if is_open else created + timedelta(days=2), version=1, is_repeat=i % 50 == 0,
                    escalation_intent=False, anonymous=False, confidential=False, safety_hazard=False,
                    callback_attempts=0, reopen_count=0, urge_count=0, rating=None if is_open else
                    ("satisfied", "satisfied", "basically_satisfied", "dissatisfied")[i % 4]))
                for name in ("first_contact", "reply"):
                    clocks.append(dict(
                        ticket_id=i, name=name, round=1, limit="5wd", starts="accept", met_by="reply",
                        started_at=created, due_at=created + timedelta(days=7), warn_at=created + timedelta(days=6),
                        met_at=None if is_open else created + timedelta(days=1), provisional=False,
                        # Open: running, next looked at after the measurements (nothing due).
                        next_check_at=NOW + timedelta(days=30) if is_open else None))
            await conn.execute(insert(Ticket), tickets)
            await conn.execute(insert(TicketDeadline), clocks)
        if conn.dialect.name == "postgresql":
            await conn.execute(text(
                "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))"))
    if platform.engine.dialect.name == "postgresql":
        async with platform.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("ANALYZE"))
    return time.perf_counter() - began


async def sweeps(platform: Platform) -> tuple[list[float], float, int]:
    """The sweep with nothing due (30 passes), then one pass with 200 fresh repairs due."""
    idle = []
    for _ in range(30):
        began = time.perf_counter()
        await sweep(platform, NOW + timedelta(minutes=1))
        idle.append(time.perf_counter() - began)
    for _ in range(200):
        await create_ticket(platform, REPAIR, actor="bench")
    began = time.perf_counter()
    result = await sweep(platform, NOW + timedelta(hours=5))
    return idle, time.perf_counter() - began, result.breached


async def year_of_indicators(platform: Platform) -> tuple[list[float], float]:
    """The province's indicators (with each child's) for each of the last twelve months, and for the year."""
    months = []
    first = date(NOW.year - 1, NOW.month, 1)
    async with platform.sessions() as session:
        root = await root_unit(session)
        for n in range(12):
            start = datetime(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1, tzinfo=UTC)
            end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
            began = time.perf_counter()
            await indicators(session, root, start, end, NOW)
            months.append(time.perf_counter() - began)
        began = time.perf_counter()
        await indicators(session, root, NOW - timedelta(days=365), NOW, NOW)
        year = time.perf_counter() - began
    return months, year


async def run(url: str) -> list[str]:
    platform = await build(url)
    name = platform.engine.dialect.name
    filled = await fill(platform, TOTAL, OPEN)
    idle, busy, breached = await sweeps(platform)
    months, year = await year_of_indicators(platform)
    created, reference = await rates(platform)  # last: its fresh repairs would be due in the sweep's pass
    await platform.engine.dispose()
    return [f"### {name}: {TOTAL:,} tickets, {OPEN:,} open", "",
            "| measure | figure | target |", "|---|---:|---|",
            f"| tickets created per second, {AT_ONCE} at once ({RATE_SECONDS:.0f} s) | {created:,.0f} | "
            f"{'≥ 1,000' if name == 'postgresql' else ''} |",
            f"| `SELECT 1` round trips per second, {AT_ONCE} at once (reference) | {reference:,.0f} | |",
            f"| tickets per second ÷ round trips per second | {created / reference:.3f} | |",
            f"| sweep, nothing due, median / p95 ms | {ms(idle, digits=0)} | ≤ 200 |",
            f"| sweep pass with 200 repairs due: ms (clocks handled) | {busy * 1000:,.0f} ({breached}) | |",
            f"| indicators, province and its children, one month: median / slowest ms | "
            f"{statistics.median(months) * 1000:,.0f} / {max(months) * 1000:,.0f} | |",
            f"| indicators, province and its children, the whole year: ms | {year * 1000:,.0f} | |",
            f"| writing the {TOTAL:,} tickets and {2 * TOTAL:,} clocks in bulk: s | {filled:,.0f} | |", ""]
