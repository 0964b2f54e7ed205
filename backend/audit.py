"""Writing and reading the audit log (table and terms: backend/models/audit.py).

`record` is the one way in; every module that does something a supervisor may
have to account for calls it after the act succeeded. It writes in its own
transaction, so an entry never disappears with a caller's rollback, and a
failure to write is logged with its reason rather than turning a finished act
into an error for the caller.

`search` is the one way out (GET /api/audit): newest first, narrowed to a set
of units for supervisors, and masked on the way out (reasons and details pass
the free-text masker; an account number keeps its last 4 digits), because
reasons are typed by staff and may quote a customer.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select

from backend.api.auth import Principal
from backend.context import Platform
from backend.models import AuditEntry
from backend.privacy import mask_account_no, mask_text
from backend.tickets.views import iso

log = logging.getLogger(__name__)
MAX_REASON = 500
MAX_TARGET = 64


def client_tag(remote: str | None) -> str:
    """A short hash of the caller's address: enough to count by, not the address (personal data)."""
    return hashlib.sha256((remote or "").encode()).hexdigest()[:16]


async def record(platform: Platform, who: Principal, action: str, target_type: str, target_id: str, *,
                 unit_id: str | None = None, reason: str | None = None, details: dict[str, Any] | None = None,
                 client: str | None = None, required: bool = False) -> None:
    """Add one entry. unit_id defaults to the acting staff member's unit (records without a unit).

    `required`: the act has not happened yet and must not happen unrecorded (a reveal of
    personal data), so a failure to write is raised instead of only logged.
    """
    entry = AuditEntry(
        at=platform.clock(), actor=who.actor[:64], action=action[:48], target_type=target_type[:32],
        target_id=str(target_id)[:MAX_TARGET], unit_id=unit_id if unit_id is not None else who.unit_id,
        reason=reason[:MAX_REASON] if reason else None, client=client, details=details or None)
    try:
        async with platform.sessions() as session:
            session.add(entry)
            await session.commit()
    except Exception:  # the act itself is done; losing its entry must be visible in the log
        log.exception("audit entry not written: %s %s %s:%s", who.actor, action, target_type,
                      mask_text(str(target_id)))
        if required:
            raise


async def count_since(platform: Platform, action: str, since: datetime, *, target_id: str | None = None,
                      client: str | None = None) -> tuple[int, datetime | None]:
    """How many entries of one action since a time, for one target or one client, and the oldest one's time."""
    stmt = select(func.count(AuditEntry.id), func.min(AuditEntry.at)).where(
        AuditEntry.action == action, AuditEntry.at > since)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id[:MAX_TARGET])
    if client is not None:
        stmt = stmt.where(AuditEntry.client == client)
    async with platform.sessions() as session:
        count, oldest = (await session.execute(stmt)).one()
    if isinstance(oldest, datetime) and oldest.tzinfo is None:  # func.min bypasses the column type
        oldest = oldest.replace(tzinfo=UTC)
    return int(count or 0), oldest


async def last_at(platform: Platform, action: str, target_id: str) -> datetime | None:
    """When an action last happened to a target (e.g. the last successful login of a username)."""
    async with platform.sessions() as session:
        return await session.scalar(select(AuditEntry.at).where(
            AuditEntry.action == action, AuditEntry.target_id == target_id[:MAX_TARGET])
            .order_by(AuditEntry.at.desc()).limit(1))


@dataclass(frozen=True)
class AuditQuery:
    """What GET /api/audit asks for; units None means every unit (admins)."""

    actor: str | None
    action: str | None
    start: datetime | None
    end: datetime | None
    units: list[str] | None
    limit: int
    offset: int


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _target(entry: AuditEntry) -> str:
    """The target as staff may read it: a 户号 keeps its last 4 digits; a conversation's UUID is
    ours, not personal data, and would otherwise lose digit runs the masker takes for a 户号."""
    if entry.target_type == "account":
        return mask_account_no(entry.target_id)
    if entry.target_type == "conversation" and _is_uuid(entry.target_id):
        return entry.target_id
    return mask_text(entry.target_id)


def view(entry: AuditEntry) -> dict[str, Any]:
    """One entry as staff may read it."""
    target = _target(entry)
    return {"id": entry.id, "at": iso(entry.at), "actor": entry.actor, "action": entry.action,
            "target_type": entry.target_type, "target_id": target, "unit": entry.unit_id,
            "reason": mask_text(entry.reason) if entry.reason else None,
            "details": _masked(entry.details) if entry.details else None}


async def search(platform: Platform, q: AuditQuery) -> tuple[list[dict[str, Any]], int]:
    """The matching entries (masked), newest first, and how many match in all."""
    stmt = select(AuditEntry)
    if q.actor:
        stmt = stmt.where(AuditEntry.actor == q.actor)
    if q.action:  # "ticket" matches every ticket.* action
        stmt = stmt.where(or_(AuditEntry.action == q.action, AuditEntry.action.startswith(f"{q.action}.",
                                                                                           autoescape=True)))
    if q.start is not None:
        stmt = stmt.where(AuditEntry.at >= q.start)
    if q.end is not None:
        stmt = stmt.where(AuditEntry.at < q.end)
    if q.units is not None:
        stmt = stmt.where(AuditEntry.unit_id.in_(q.units))
    async with platform.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = (await session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                      .limit(q.limit).offset(q.offset))).all()
    return [view(r) for r in rows], int(total or 0)
