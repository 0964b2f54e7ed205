"""GET /api/audit: the audit log for supervisors (their subtree) and admins (everything), masked.

Entries are written by backend/audit.py; this route only reads them. Dates
are local days (Asia/Shanghai), `to` inclusive, as in the ticket list.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from aiohttp import web
from pydantic import BaseModel, Field, validator

from backend import audit
from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.registry import ApiRoutes
from backend.api.scope import visible_unit
from backend.api.validation import json_response, read_query
from backend.context import Platform
from backend.errors import InvalidInput
from backend.openapi_hints import declares
from backend.sla.calendar import TZ, year_pattern
from backend.units import subtree_ids

routes = ApiRoutes("audit")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # outside these a date is a typo, and 9999-12-31 + 1 day overflows


class AuditListQuery(BaseModel):
    unit: str | None = Field(None, max_length=32, description="a unit in the caller's subtree (its subtree)")
    actor: str | None = Field(None, max_length=64, description='e.g. "staff:agent1", "service", "anonymous"')
    action: str | None = Field(None, max_length=48, description='an action, or its family: "ticket" is every ticket.*')
    date_from: date | None = Field(None, alias="from", description="first local day, YYYY-MM-DD")
    date_to: date | None = Field(None, alias="to", description="last local day, inclusive")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(50, ge=1, le=200)

    @validator("date_from", "date_to", pre=True)
    @declares(pattern=f"^{year_pattern(range(FIRST_YEAR, LAST_YEAR + 1))}-[0-9]{{2}}-[0-9]{{2}}$")
    def _iso_date(cls, value: object) -> object:  # noqa: N805
        if value is None or isinstance(value, date):
            return value
        try:
            if not _ISO_DATE.match(str(value)):
                raise ValueError
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ValueError("日期格式应为 YYYY-MM-DD，例如 2026-03-01") from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(f"日期应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间")
        return day


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), TZ) if day else None


@routes.op("GET", "/api/audit", "The audit log, newest first, masked: supervisors see their subtree, admins all",
           query=AuditListQuery, responses={200: "OK", 422: "Invalid dates or from after to"})
async def get_audit(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, AuditListQuery)
    if q.date_from and q.date_to and q.date_from > q.date_to:
        raise InvalidInput(f"开始日期 {q.date_from} 不能晚于结束日期 {q.date_to}。", code="invalid_period")
    who = principal(request)
    units = None
    async with platform.sessions() as session:
        unit = await visible_unit(session, who, q.unit)
        if unit is not None:
            units = await subtree_ids(session, unit)
    query = audit.AuditQuery(actor=q.actor, action=q.action, start=_start(q.date_from),
                             end=_start(q.date_to + timedelta(days=1)) if q.date_to else None, units=units,
                             limit=q.per_page, offset=(q.page - 1) * q.per_page)
    items, total = await audit.search(platform, query)
    return json_response({"items": items, "total": total, "page": q.page, "per_page": q.per_page},
                         headers={"Cache-Control": "no-store"})
