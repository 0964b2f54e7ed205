"""/api/assessments: the published monthly assessment (定期公布考核结果, issue #8).

- POST /api/assessments {month, reason?}: publish a month that is over (version 1),
  or, with a correction reason, the month's next version. Supervisors of the
  root unit and admins (a city's supervisor: 403 outside_unit); the same month
  again without a reason: 409 already_published. Audited (assessment.publish).
- GET /api/assessments: every published month with its versions, newest first.
- GET /api/assessments/{month}[?version=]: one version's frozen table (default:
  the latest); a month not published: 404.
- GET /api/assessments/{month}/export[?version=&format=csv|xlsx]: that table as a
  file, written by the export's table code (backend/console/export.py) from the
  stored rows and the indicator keys they hold. Audited (assessment.export).

Every staff member of every unit reads and downloads what is published: that
is what publishing means (the access table's scope PUBLISHED). Terms and the
snapshot: backend/assessment.py.
"""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from backend import assessment, audit
from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, read_query
from backend.console import export
from backend.context import Platform
from backend.models import PublishedAssessment

routes = ApiRoutes("assessments")


class PublishBody(BaseModel):
    month: str = Field(..., regex=assessment.MONTH, description="the month assessed, YYYY-MM (Asia/Shanghai)")
    reason: str | None = Field(None, max_length=500,
                               description="a correction's reason; required to publish a month again")


class VersionQuery(BaseModel):
    version: int | None = Field(None, ge=1, description="a version of the month; default: the latest")


class ExportQuery(VersionQuery):
    format: Literal["csv", "xlsx"] = "csv"


def sheet(record: PublishedAssessment) -> export.Table:
    """The published table as the export writes it: every unit's row over its subtree, from what it holds."""
    keys = list(record.indicators)
    ratios = {k for k in keys if isinstance(record.rows[0]["indicators"].get(k), dict)}
    units = [("total", row["unit"], row["indicators"]) for row in record.rows]
    return export.table(record.month, units, keys, ratios)


@routes.op("POST", "/api/assessments", "Publish a month's assessment of every unit (or a correction of it)",
           body=PublishBody,
           responses={201: "Published: the version's table", 403: "Not a supervisor of the root unit",
                      409: "Already published (a correction needs a reason)",
                      422: "Month not over, invalid, or a reason on a first publication"})
async def post_assessment(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, PublishBody)
    assessment.check_month(body.month)
    reason = (body.reason or "").strip() or None
    record = await assessment.publish(platform, principal(request), body.month, reason,
                                      client=audit.client_tag(request.remote))
    return json_response(assessment.view(record), status=201)


@routes.op("GET", "/api/assessments", "The published months and their versions, newest first")
async def list_assessments(request: web.Request) -> web.Response:
    records = await assessment.publications(request.app[PLATFORM])
    months: dict[str, list[dict]] = {}
    for record in records:
        months.setdefault(record.month, []).append(assessment.view(record, full=False))
    return json_response({"periods": [{"month": m, "latest": v[0], "versions": v} for m, v in months.items()]})


@routes.op("GET", "/api/assessments/{month}", "One published month's frozen table (default: the latest version)",
           query=VersionQuery, responses={200: "OK", 404: "Not published", 422: "Invalid month or version"})
async def get_assessment(request: web.Request) -> web.Response:
    month = assessment.check_month(request.match_info["month"])
    q = read_query(request, VersionQuery)
    return json_response(assessment.view(await assessment.published(request.app[PLATFORM], month, q.version)))


@routes.op("GET", "/api/assessments/{month}/export", "One published month's table as CSV or xlsx",
           query=ExportQuery, responses={200: "The file (attachment)", 404: "Not published",
                                         422: "Invalid month, version or format"})
async def export_assessment(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    month = assessment.check_month(request.match_info["month"])
    q = read_query(request, ExportQuery)
    record = await assessment.published(platform, month, q.version)
    who = principal(request)
    await audit.record(platform, who, "assessment.export", "assessment", f"{month}/v{record.version}",
                       details={"month": month, "version": record.version, "format": q.format},
                       client=audit.client_tag(request.remote))
    return export.attachment(sheet(record), q.format, f"assessment-{month}-v{record.version}.{q.format}")
