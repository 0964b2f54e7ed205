"""Tickets that could not be delivered, kept on disk until the backend is back.

Each entry keeps the Idempotency-Key of the original attempt, so delivering it
later (even twice, after a crash between send and mark) still creates exactly
one ticket. The action server's background task drains it.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from actions.backend import BackendClient, BackendError, BackendUnavailable
from actions.settings import ActionSettings
from backend.observability import request_ids

log = logging.getLogger(__name__)
SCHEMA = """CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY, path TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at TEXT, ticket_id TEXT,
    refused_at TEXT, request_id TEXT)"""
# Outbox files written before request ids (issue #11) get the column on first open.
ADD_REQUEST_ID = "ALTER TABLE outbox ADD COLUMN request_id TEXT"


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def _db(self) -> aiosqlite.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(self.path)
        await db.execute(SCHEMA)
        columns = {row[1] for row in await db.execute_fetchall("PRAGMA table_info(outbox)")}
        if "request_id" not in columns:
            await db.execute(ADD_REQUEST_ID)
        return db

    async def keep(self, key: str, path: str, body: dict) -> None:
        db = await self._db()
        try:
            # OR IGNORE: a retried turn that fails again keeps the first entry.
            await db.execute("INSERT OR IGNORE INTO outbox (key, path, body, created_at, request_id) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (key, path, json.dumps(body, ensure_ascii=False), datetime.now(UTC).isoformat(),
                              request_ids.current()))
            await db.commit()
        finally:
            await db.close()

    async def pending(self) -> list[tuple[str, str, dict, str | None]]:
        """(key, path, body, request id of the message that filed it), oldest first."""
        db = await self._db()
        try:
            rows = await db.execute_fetchall(
                "SELECT key, path, body, request_id FROM outbox WHERE delivered_at IS NULL AND refused_at IS NULL "
                "ORDER BY created_at")
        finally:
            await db.close()
        return [(key, path, json.loads(body), rid) for key, path, body, rid in rows]

    async def depth(self) -> tuple[int, float]:
        """How many entries wait, and the oldest one's age in seconds (0 when none waits)."""
        db = await self._db()
        try:
            [(count, oldest)] = await db.execute_fetchall(
                "SELECT count(*), min(created_at) FROM outbox WHERE delivered_at IS NULL AND refused_at IS NULL")
        finally:
            await db.close()
        age = (datetime.now(UTC) - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
        return int(count), max(age, 0.0)

    async def deliver(self, client: BackendClient) -> int:
        """Send every pending entry once; return how many were delivered."""
        delivered = 0
        for key, path, body, rid in await self.pending():
            # Delivered later, but under the id of the message that filed it: the ticket's events say so.
            request_ids.bind(rid)
            try:
                result = await client.post(path, body, key=key)
            except BackendUnavailable as exc:
                await self._mark(key, error=str(exc))
                break  # still down: try the rest next round
            except BackendError as exc:
                if exc.status >= 500:  # the backend's own fault: the entry is fine, try again next round
                    await self._mark(key, error=str(exc))
                    continue
                # Refused for good (bad data): keep it for an operator, never drop it silently.
                log.error("outbox entry %s refused by the backend: %s", key, exc)
                await self._mark(key, error=str(exc), refused_at=_now())
                continue
            await self._mark(key, delivered_at=_now(), ticket_id=result.get("id"))
            delivered += 1
            log.info("outbox delivered %s as ticket %s", key, result.get("id"))
        request_ids.request_id.set(None)
        return delivered

    async def _mark(self, key: str, *, error: str | None = None, delivered_at: str | None = None,
                    ticket_id: str | None = None, refused_at: str | None = None) -> None:
        db = await self._db()
        try:
            await db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                "delivered_at = coalesce(?, delivered_at), ticket_id = coalesce(?, ticket_id), "
                "refused_at = coalesce(?, refused_at) WHERE key = ?",
                (error, delivered_at, ticket_id, refused_at, key))
            await db.commit()
        finally:
            await db.close()


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def drain_forever(outbox: Outbox, client: BackendClient, interval: float = 30.0) -> None:
    while True:
        try:
            await outbox.deliver(client)
        except asyncio.CancelledError:
            raise
        except Exception:  # a broken round must not stop later deliveries
            log.exception("outbox delivery round failed")
        await asyncio.sleep(interval)


_outbox: Outbox | None = None


def outbox() -> Outbox:
    global _outbox
    if _outbox is None:
        _outbox = Outbox(ActionSettings.load().outbox_path)
    return _outbox


def use_outbox(box: Outbox | None) -> None:
    global _outbox
    _outbox = box


async def keep_for_later(key: str, body: dict, path: str = "/api/tickets") -> None:
    await outbox().keep(key, path, body)
