"""What the ticket platform costs on its own: a section of `make bench`'s report.

Measures (on SQLite, and on PostgreSQL when reachable):
- ticket intake through the engine (create_ticket), per ticket;
- the deadline sweep with nothing due and with 200 clocks due, as the
  archive of closed tickets grows: it must stay flat, because the sweep reads
  only the indexed next_check_at of clocks still running;
- place resolution (GET /api/places/resolve, called on every assistant turn that
  may name a place) over HTTP on the demo province, as a ratio to GET /readyz
  (one SELECT and a small JSON answer) measured in the same run, and the in-memory resolver alone on
  a province-sized synthetic area table;
- the platform at a utility's size (platform_scale.py): intake as a rate, the sweep over
  1,000,000 tickets, a year of indicators.
"""
from __future__ import annotations

import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert, text

from backend.app import create_app
from backend.context import Platform
from backend.db import create_engine, migrate, session_factory
from backend.demo import seed_demo
from backend.models import Ticket, TicketDeadline
from backend.places import AliasRow, PlaceIndex
from backend.scheduler import sweep
from backend.settings import Settings
from backend.tickets.intake import create_ticket
from backend.tickets.schemas import TicketCreate
from glossary.identifiers import ticket_number
from scripts.bench import platform_scale
from scripts.bench.platform_scale import ms
from tests.backend.units_fixture import seed_units

ARCHIVES = (0, 20_000, 100_000)
DATABASES = ("bench_95598", "bench_95598_places", "bench_95598_scale")
T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def us(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f"{statistics.median(ordered) * 1e6:.0f} / {ordered[int(len(ordered) * 0.95) - 1] * 1e6:.0f}"


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


PLACE_TEXTS = ("请问迎春社区那边12月2日停电吗", "千岛湖停电了", "幸福里小区3号楼2单元", "我们社区停电了",
               "桐庐的芦茨村明天停电吗", "丹城停电了吗", "没有了，谢谢")


async def places(url: str) -> list[str]:
    """HTTP round trips of /api/places/resolve against /readyz, interleaved, same client.

    Not /healthz: since issue #11 it probes Rasa and the action servers too, so it is no longer
    the cheap reference it was in reports before then."""
    settings = replace(Settings.load(env_file=None), database_url=url, scheduler_enabled=False,
                       api_token="bench-token")
    engine = create_engine(url)
    await migrate(engine)
    platform = Platform.build(settings, engine, session_factory(engine))
    await seed_demo(platform.sessions, today=T0.date())
    auth = {"Authorization": f"Bearer {platform.settings.api_token}"}
    health, resolve = [], []
    async with TestClient(TestServer(create_app(platform))) as client:
        for i in range(400):
            began = time.perf_counter()
            resp = await client.get("/readyz")
            await resp.read()
            health.append(time.perf_counter() - began)
            began = time.perf_counter()
            resp = await client.get("/api/places/resolve", params={"text": PLACE_TEXTS[i % len(PLACE_TEXTS)]},
                                    headers=auth)
            await resp.read()
            resolve.append(time.perf_counter() - began)
    await engine.dispose()
    ratio = statistics.median(resolve[50:]) / statistics.median(health[50:])
    return [f"Place resolution over HTTP (demo province, 55 areas), 350 requests after warm-up: "
            f"median / p95 {ms(resolve[50:])} ms; GET /readyz {ms(health[50:])} ms; "
            f"ratio of medians **{ratio:.2f}**", ""]


def place_index_at_scale(areas: int = 30_000) -> list[str]:
    """The resolver alone on a synthetic province: building the index and resolving a turn."""
    rng = random.Random(95598)
    chars = "东西南北金银山水湖溪桥塘岭坑田林竹梅桃李红青白石新安宁平和丰乐华兴福寿龙凤云星"
    counties = [f"{rng.choice(chars)}{rng.choice(chars)}县" for _ in range(90)]
    rows = []
    for i in range(1, areas + 1):
        county = counties[i % len(counties)]
        street = f"{rng.choice(chars)}{rng.choice(chars)}镇"
        name = f"{rng.choice(chars)}{rng.choice(chars)}{rng.choice(chars)}" + rng.choice(("村", "社区", "小区"))
        rows.append(SimpleNamespace(id=i, name=name, city="测试市", county=county, street=street,
                                    site_class="urban", unit_id="33"))
    began = time.perf_counter()
    index = PlaceIndex(rows, [AliasRow("测试", "county", None, None, counties[0], None)], {"33": ("省公司", None)})
    built = time.perf_counter() - began
    timings = []
    for i in range(2000):
        text_ = PLACE_TEXTS[i % len(PLACE_TEXTS)] if i % 2 else f"请问{rows[i].county}{rows[i].name}3号停电吗"
        began = time.perf_counter()
        index.resolve(text_)
        timings.append(time.perf_counter() - began)
    return [f"Resolver alone, synthetic table of {areas:,} areas ({len(index.terms):,} terms): index built in "
            f"{built * 1000:.0f} ms; one turn median / p95 {us(timings)} µs", ""]


async def run(url: str) -> list[str]:
    platform = await platform_scale.fresh_platform(url, T0)
    engine = platform.engine
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


async def measure() -> list[str]:
    """The report's section on the ticket platform alone, as markdown lines."""
    out = ["## The ticket platform alone", "", "In-process (the place-resolution case over HTTP on loopback).", ""]
    out += place_index_at_scale()
    with tempfile.TemporaryDirectory() as tmp:
        out += await run(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        out += await places(f"sqlite+aiosqlite:///{Path(tmp) / 'places.db'}")
        out += await platform_scale.run(f"sqlite+aiosqlite:///{Path(tmp) / 'scale.db'}")
    try:
        import asyncpg

        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=3)
        for name in DATABASES:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.execute(f"CREATE DATABASE {name}")
        try:
            out += await run("postgresql+asyncpg://postgres@127.0.0.1:5432/bench_95598")
            out += await places("postgresql+asyncpg://postgres@127.0.0.1:5432/bench_95598_places")
            out += await platform_scale.run("postgresql+asyncpg://postgres@127.0.0.1:5432/bench_95598_scale")
        finally:
            for name in DATABASES:
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.close()
    except OSError as exc:
        out += [f"PostgreSQL not measured: {exc}", ""]
    return out
