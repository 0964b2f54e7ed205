"""Publishing the monthly assessment (定期公布考核结果, the seed's 服务监督与考核).

The seed's service-management department assesses every unit and "定期公布考核结果":
the results are published, so that every unit sees its own and the others'.
Here that is an act with a time and a publisher, and what it publishes is frozen.

Terms:
- month: a calendar month "YYYY-MM" in Asia/Shanghai. It may be published once
  it is over (from 00:00 on the 1st of the next month); its live figures
  (backend/kpi.py) keep moving while its tickets are worked, which is why the
  published copy is stored instead of recomputed.
- snapshot: the assessment table of the whole tree at the moment of publishing:
  one row per unit, in tree order, each with that unit's indicators over its
  subtree exactly as GET /api/kpi answers them (`backend.api.kpi.report`, the one
  computation behind the API, the dashboard and the export). The rows are taken
  from the reports of the root and of every unit with children: the root's own
  total, then each unit as a child row of its parent's report, so every unit
  appears once.
- publisher: a supervisor of the root unit (the province) or an admin; the table
  covers every unit, so a city's supervisor cannot publish it (403 outside_unit).
- version: the first publication of a month is version 1. Publishing the month
  again without a reason is refused (409 already_published: one click twice must
  not make two versions); with a correction reason it is the next version, and
  the earlier ones stay readable (版本).

Readers: every staff member of every unit reads every published version (that
is the point of publishing); an unpublished month is simply not there (404).
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend import audit
from backend.api.auth import Principal
from backend.api.kpi import report
from backend.api.scope import require_unit
from backend.console.wording import ASSESSMENT_ERRORS as ERRORS
from backend.context import Platform
from backend.errors import Conflict, InvalidInput, NotFound
from backend.kpi import root_unit
from backend.models import PublishedAssessment, StaffUser
from backend.privacy import mask_text
from backend.sla.calendar import MONTH, TZ, month_range
from backend.tickets.views import iso
from backend.units import unit_tree


def check_month(month: str) -> str:
    """A month named in a path: YYYY-MM in the years the API accepts, else 422."""
    if not re.match(MONTH, month):
        raise InvalidInput(ERRORS["bad_month"].format(month=month[:20]), code="invalid_month")
    return month


def publishable_from(month: str) -> datetime:
    """The first instant the month may be published: when it is over (Asia/Shanghai)."""
    return datetime.combine(month_range(month)[1] + timedelta(days=1), time(), TZ)


def _row(entry: dict[str, Any], parent: str | None, depth: int) -> dict[str, Any]:
    return {"unit": entry["unit"], "parent": parent, "depth": depth, "indicators": entry["indicators"]}


async def snapshot(platform: Platform, who: Principal, month: str) -> tuple[str, list[dict[str, Any]]]:
    """The root unit and every unit's row of the month, as GET /api/kpi answers them now, in tree order."""
    first, last = month_range(month)
    async with platform.sessions() as session:
        root = await root_unit(session)
        _, children = await unit_tree(session)
    top = await report(platform, who, root, first, last)
    rows = [_row(top, None, 0)]

    async def walk(parent: dict[str, Any], depth: int) -> None:
        for child in parent["children"]:
            uid = child["unit"]["id"]
            rows.append(_row(child, parent["unit"]["id"], depth))
            if children.get(uid):  # its own children's rows come from its own report, right after it
                await walk(await report(platform, who, uid, first, last), depth + 1)

    await walk(top, 1)
    return root, rows


def view(record: PublishedAssessment, *, full: bool = True) -> dict[str, Any]:
    """A publication as the API answers it; without its rows for the list of periods."""
    data: dict[str, Any] = {
        "month": record.month, "version": record.version, "published_at": iso(record.published_at),
        "published_by": {"actor": record.published_by, "name": record.publisher_name},
        "reason": record.reason, "root_unit": record.root_unit_id,
    }
    if full:
        data["indicators"] = list(record.indicators)
        data["rows"] = list(record.rows)
    return data


async def publish(platform: Platform, who: Principal, month: str, reason: str | None,
                  client: str | None = None) -> PublishedAssessment:
    """Publish the month (version 1), or a correction of it (the next version, with a reason)."""
    now = platform.clock()
    if now < publishable_from(month):
        raise InvalidInput(ERRORS["not_over"].format(
            month=month, day=publishable_from(month).date().isoformat()), code="month_not_over")
    async with platform.sessions() as session:
        root = await root_unit(session)
        await require_unit(session, who, root)  # the table covers every unit: the root's staff or an admin
        latest = await session.scalar(select(func.max(PublishedAssessment.version))
                                      .where(PublishedAssessment.month == month))
        user = await session.get(StaffUser, who.user_id) if who.user_id else None
    if latest and not reason:
        raise Conflict(ERRORS["already"].format(month=month, version=latest), code="already_published",
                       details={"month": month, "version": latest})
    if not latest and reason:
        raise InvalidInput(ERRORS["nothing_to_correct"].format(month=month), code="nothing_to_correct")
    root, rows = await snapshot(platform, who, month)
    keys = list(rows[0]["indicators"])
    record = PublishedAssessment(
        month=month, version=(latest or 0) + 1, root_unit_id=root, published_at=now, published_by=who.actor[:64],
        publisher_name=(user.display_name if user else who.name)[:100],
        reason=mask_text(reason)[:500] if reason else None, indicators=keys, rows=rows)
    try:
        async with platform.sessions() as session:
            session.add(record)
            await session.commit()
    except IntegrityError:  # another publisher took this version a moment earlier
        raise Conflict(ERRORS["already"].format(month=month, version=record.version),
                       code="already_published", details={"month": month, "version": record.version}) from None
    await audit.record(platform, who, "assessment.publish", "assessment", f"{month}/v{record.version}",
                       unit_id=root, reason=record.reason, details={"month": month, "version": record.version},
                       client=client)
    return record


async def publications(platform: Platform, month: str | None = None) -> list[PublishedAssessment]:
    """Every published version (of one month), newest month first, the latest version of a month first."""
    stmt = select(PublishedAssessment).order_by(PublishedAssessment.month.desc(), PublishedAssessment.version.desc())
    stmt = stmt.where(PublishedAssessment.month == month) if month else stmt
    async with platform.sessions() as session:
        return list((await session.scalars(stmt)).all())


async def published(platform: Platform, month: str, version: int | None = None) -> PublishedAssessment:
    """One version of a month (default: the latest); an unpublished month or version is 404."""
    stmt = select(PublishedAssessment).where(PublishedAssessment.month == month)
    stmt = stmt.where(PublishedAssessment.version == version) if version else stmt
    async with platform.sessions() as session:
        record = await session.scalar(stmt.order_by(PublishedAssessment.version.desc()).limit(1))
    if record is None:
        key = "no_version" if version else "not_published"
        raise NotFound(ERRORS[key].format(month=month, version=version), code=f"assessment_{key}")
    return record
