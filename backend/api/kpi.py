"""/api/kpi: assessment indicators of a unit, rolled up its subtree, with a per-child breakdown."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from aiohttp import web
from pydantic import BaseModel, Field, validator

from backend.api import PLATFORM
from backend.api.auth import Principal, principal
from backend.api.registry import ApiRoutes
from backend.api.scope import visible_unit
from backend.api.validation import json_response, read_query
from backend.context import Platform
from backend.errors import InvalidInput
from backend.kpi import indicators, root_unit
from backend.sla.calendar import TZ

routes = ApiRoutes("indicators")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class KpiQuery(BaseModel):
    unit: str | None = Field(None, max_length=32, description="unit id; default: the root unit")
    date_from: date | None = Field(
        None, alias="from",
        description="first day accepted, YYYY-MM-DD (Asia/Shanghai); default: the 1st of to's month")
    date_to: date | None = Field(
        None, alias="to", description="last day accepted, inclusive; default: today")

    @validator("date_from", "date_to", pre=True)
    def _iso_date(cls, value: object) -> object:  # noqa: N805
        # pydantic alone would also take e.g. a Unix timestamp; the API promises YYYY-MM-DD only.
        if value is None or isinstance(value, date):
            return value
        try:
            if not _ISO_DATE.match(str(value)):
                raise ValueError
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValueError("日期格式应为 YYYY-MM-DD，例如 2026-03-01") from None


def period(platform: Platform, q: KpiQuery) -> tuple[date, date]:
    """The inclusive day range asked for; by default the current month to date."""
    last = q.date_to or platform.clock().astimezone(TZ).date()
    first = q.date_from or last.replace(day=1)
    if first > last:
        raise InvalidInput(f"开始日期 {first} 不能晚于结束日期 {last}。", code="invalid_period",
                           details={"from": first.isoformat(), "to": last.isoformat()})
    return first, last


async def report(platform: Platform, who: Principal, unit: str | None, first: date, last: date) -> dict:
    """The indicators of a unit the caller may see over [first, last], as GET /api/kpi answers them.

    The one way the numbers are computed for the API, the dashboard and the export
    (backend/console/export.py), so the three can never disagree.
    """
    start = datetime.combine(first, time(), TZ)
    # `to` is inclusive: the period ends at the start of the next day.
    end = datetime.combine(last + timedelta(days=1), time(), TZ)
    async with platform.sessions() as session:
        unit_id = await visible_unit(session, who, unit) or await root_unit(session)
        result = await indicators(session, unit_id, start, end, platform.clock())
    return {
        "unit": result["unit"],
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "indicators": result["indicators"],
        "children": result["children"],
    }


@routes.op("GET", "/api/kpi", "Assessment indicators of a unit (its subtree) and of each direct child",
           query=KpiQuery,
           responses={200: "The unit's indicators over its subtree and each child's (definitions: backend/kpi.py): "
                           "a ratio is {numerator, denominator, ratio} (satisfaction also by_source: callback, survey; "
                           "service_compliance also breaches per commitment; supply_reliability and "
                           "supply_reliability_excl_planned in customer-hours, ratio to 6 decimals), a count an integer",
                      404: "No such unit", 422: "Invalid dates or from after to"})
async def get_kpi(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, KpiQuery)
    first, last = period(platform, q)
    return json_response(await report(platform, principal(request), q.unit, first, last))
