"""The backend killed (SIGKILL) while the assistant files tickets: none lost, none twice.

Forty customers finish a repair report, four at a time, each filing sent twice (Rasa
retries an action whose answer it did not get). The backend process is killed while
filings are in flight and started again on the same database a few filings later.
Customers who filed while it was down are told their report is kept; the action
server's outbox delivers those when the backend is back.
"""
from __future__ import annotations

import asyncio

from sqlalchemy import create_engine, text

from tests.assistant_fixtures import free_port
from tests.faults.conftest import record
from tests.faults.filing import TICKETS_SQL, Filer, backend_service, customer_of

CUSTOMERS = 40
AT_ONCE = 4
KILL_AFTER = 12  # filings answered before the kill
DOWN_FOR = 8  # filings attempted while the backend is down


async def test_no_ticket_is_lost_or_doubled_when_the_backend_is_killed_mid_filing(tmp_path):
    port = free_port()
    database = tmp_path / "backend.db"
    backend = backend_service(tmp_path, port, f"sqlite:///{database}").start()
    try:
        async with Filer(f"http://127.0.0.1:{port}", tmp_path) as filer:
            async def crash_and_recover() -> None:
                while len(filer.told) < KILL_AFTER:
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(backend.kill)
                while len(filer.told) < KILL_AFTER + DOWN_FOR:
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(backend.start)

            recovery = asyncio.create_task(crash_and_recover())
            for first in range(0, CUSTOMERS, AT_ONCE):
                await asyncio.gather(*(filer.file(n) for n in range(first, first + AT_ONCE)))
            await recovery

            numbers, kept = filer.numbers(), filer.kept()
            assert set(numbers) | kept == set(range(CUSTOMERS)), "every customer was told something definite"
            assert kept, "the kill fell between filings: the test did not exercise the fault"
            delivered = await filer.outbox.deliver(filer.client)
            assert await filer.outbox.pending() == []

        rows = _tickets(f"sqlite:///{database}")
        assert len(rows) == CUSTOMERS and len({d for d, _ in rows}) == CUSTOMERS, "each report once"
        stored = {customer_of(d): ticket_no for d, ticket_no in rows}
        assert all(stored[n] == number for n, number in numbers.items()), "the number told is the one stored"
        record("backend killed during filing", filings=CUSTOMERS, sent=2 * CUSTOMERS, told_number=len(numbers),
               kept_in_outbox=len(kept), outbox_deliveries=delivered, tickets=len(rows), duplicates=0, lost=0)
    finally:
        backend.stop()


def _tickets(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(TICKETS_SQL)).all()
    engine.dispose()
    return [(str(d), str(n)) for d, n in rows]
