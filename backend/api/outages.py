"""/api/outages: look up notices by 户号 or place, publish them, move their status.

A lookup names its place one of three ways, in this order of precedence:
`account_no` (the account's area and 台区; an unknown 户号 or another unit's gets
the answer of a known one without notices, and each client may name only so many
different 户号: backend/api/lookups.py); `area_id` / `area_ids` (areas
resolved before, e.g. by /api/places/resolve: what the assistant sends); or
`area`, words resolved here by the same resolver (backend/places.py), so a
bare 社区 finds nothing rather than another county's 长街社区. The answer's
`query.place` says what `area` was resolved to; an ambiguous name answers
for every candidate, each notice naming its place.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from aiohttp import web
from pydantic import BaseModel, Field, root_validator, validator
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit, identifiers
from backend.api import PLATFORM, scope
from backend.api.auth import Principal, principal
from backend.api.lookups import count_lookup
from backend.api.registry import ApiRoutes
from backend.api.validation import QUERY_INT_LIMIT, json_response, read_body, read_params
from backend.context import Platform
from backend.errors import NotFound
from backend.models import Outage
from backend.models.outages import OUTAGE_TYPES
from backend.openapi_hints import declares, stripped_at_least
from backend.outages import (
    SELF_CHECK_ADVICE,
    TRANSITIONS,
    NewOutage,
    OutageGuard,
    apply_event,
    for_account,
    for_areas,
    known_account,
    load_outage,
    notice_view,
    publish,
)
from backend.privacy import mask_account_no
from backend.sla.calendar import TZ

routes = ApiRoutes("outages")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_WINDOW = timedelta(days=30)


def _aware(value: object) -> datetime | None:
    """Strict ISO 8601 with offset, read by hand for a Chinese message (and so that
    a bare number is not taken for a Unix timestamp)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError("时间格式应为 ISO 8601，例如 2026-03-10T08:00:00+08:00")
    # A time without offset is ambiguous (UTC? Beijing?); guessing would shift
    # the announced outage by eight hours, so ask the publisher to say which.
    if parsed.utcoffset() is None:
        raise ValueError("时间须带时区，例如 2026-03-10T08:00:00+08:00")
    return parsed


def _one_of(allowed: tuple[str, ...]):  # noqa: ANN202 - pydantic validator body
    @declares(enum=list(allowed))
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"必须是 {', '.join(allowed)} 之一")
        return value

    return check


MAX_AREA_IDS = 1000  # a county's areas fit; the query line stays under aiohttp's 8 KB
# One id as the document states it: no leading zero, below QUERY_INT_LIMIT (the database's integer).
_AREA_ID = rf"[1-9][0-9]{{0,{len(str(QUERY_INT_LIMIT)) - 2}}}"


class OutageQuery(BaseModel):
    area: str | None = Field(None, max_length=50, description="place words: area, street or county name, "
                             "or an address; resolved like /api/places/resolve")
    area_id: int | None = Field(None, ge=1, description="an area id (from /api/places/resolve)")
    area_ids: str | None = Field(None, description="area ids, comma-separated or repeated "
                                 "(a street's or county's `area_ids`)")
    account_no: str | None = Field(None, description="户号; takes precedence over area_id(s) and area")
    day: str | None = Field(None, alias="date", description="YYYY-MM-DD, Asia/Shanghai; default today")

    @validator("area")
    @declares(pattern=stripped_at_least(2))
    def _area(cls, value: str | None) -> str | None:  # noqa: N805
        if value is not None and len(value.strip()) < 2:
            raise ValueError("地区名称请至少输入2个字")
        return value.strip() if value else value

    _account = validator("account_no", allow_reuse=True)(identifiers.optional(identifiers.account_no))

    @validator("day")
    @declares(format="date")
    def _day(cls, value: str | None) -> str | None:  # noqa: N805
        # Checked by hand: pydantic would read "20260310" as a Unix timestamp.
        if value is None:
            return value
        try:
            if DAY.match(value):
                date.fromisoformat(value)
                return value
        except ValueError:
            pass
        raise ValueError("日期格式应为 YYYY-MM-DD，例如 2026-03-10")

    @validator("area_ids")
    @declares(pattern=rf"^{_AREA_ID}(?:,{_AREA_ID}){{0,{MAX_AREA_IDS - 1}}}$")
    def _area_ids(cls, value: str | None) -> str | None:  # noqa: N805
        if value is None:
            return value
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or not all(p.isascii() and p.isdigit() and 0 < int(p) <= QUERY_INT_LIMIT for p in parts):
            raise ValueError("请用逗号分隔的区域编号，例如 12,13")
        if len(parts) > MAX_AREA_IDS:
            raise ValueError(f"区域编号请不超过{MAX_AREA_IDS}个")
        return ",".join(parts)

    @root_validator(skip_on_failure=True)
    @declares(anyOf=[{"required": [name]} for name in ("account_no", "area_id", "area_ids", "area")])
    def _either(cls, values: dict) -> dict:  # noqa: N805
        if not any(values.get(k) for k in ("area", "area_id", "area_ids", "account_no")):
            raise ValueError("请提供户号（account_no）、区域编号（area_id）或停电地区名称（area）")
        return values

    def ids(self) -> list[int]:
        ids = {int(i) for i in (self.area_ids or "").split(",") if i}
        return sorted(ids | ({self.area_id} if self.area_id else set()))


class ScopeIn(BaseModel):
    area_id: int = Field(..., ge=1)
    transformer_area: str | None = Field(None, max_length=50, description="台区; null = whole area")

    class Config:
        extra = "forbid"


class OutageCreate(BaseModel):
    type: str = Field(..., description="planned | temporary | fault")
    start_at: datetime
    expected_end_at: datetime
    reason: str = Field(..., min_length=2, max_length=200)
    scopes: list[ScopeIn] = Field(..., min_items=1, max_items=200)
    line: str | None = Field(None, max_length=100, description="线路, e.g. 10kV 城东线")
    area_text: str | None = Field(None, max_length=2000, description="announced text; built if absent")
    unit: str | None = Field(None, max_length=32, description="publishing unit; default the first area's")

    _type = validator("type", allow_reuse=True)(_one_of(OUTAGE_TYPES))
    _start = validator("start_at", pre=True, allow_reuse=True)(_aware)
    _end = validator("expected_end_at", pre=True, allow_reuse=True)(_aware)

    @validator("reason")
    @declares(pattern=stripped_at_least(2))
    def _reason(cls, value: str) -> str:  # noqa: N805
        if len(value.strip()) < 2:
            raise ValueError("请填写停电原因")
        return value.strip()

    @root_validator(skip_on_failure=True)
    def _window(cls, values: dict) -> dict:  # noqa: N805
        start, end = values["start_at"], values["expected_end_at"]
        if end <= start:
            raise ValueError("预计恢复送电时间必须晚于停电开始时间")
        if end - start > MAX_WINDOW:
            raise ValueError("单次停电时长不能超过30天，请核对时间")
        return values

    class Config:
        extra = "forbid"


class OutageEventIn(BaseModel):
    kind: str = Field(..., description="start | restore | cancel")
    at: datetime | None = Field(None, description="restore only: when supply came back; default now")

    _kind = validator("kind", allow_reuse=True)(_one_of(tuple(TRANSITIONS)))
    _at = validator("at", pre=True, allow_reuse=True)(_aware)

    @root_validator(skip_on_failure=True)
    @declares(anyOf=[{"properties": {"kind": {"enum": ["restore"]}}}, {"not": {"required": ["at"]}}])
    def _only_restore(cls, values: dict) -> dict:  # noqa: N805
        # start_at stays the announced time (it is what the lead-time check judges),
        # so only the restore step has a time of its own to record.
        if values.get("at") is not None and values["kind"] != "restore":
            raise ValueError("只有恢复送电（restore）可以指定时间")
        return values

    class Config:
        extra = "forbid"


def _outage_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise NotFound(f"未找到编号为 {raw} 的停电信息。", code="outage_not_found")
    return int(raw)


def _guard(who: Principal) -> OutageGuard:
    """The OUTAGE scope check, applied where the notice is built or loaded."""
    async def check(session: AsyncSession, outage: Outage) -> None:
        await scope.outage(session, who, outage)

    return check


@routes.op("GET", "/api/outages", "Outage notices affecting an account or an area on a local day",
           query=OutageQuery,
           responses={200: "Notices (maybe none, then with self-check advice); an unknown 户号, or one "
                           "outside the caller's subtree, is answered like a known one without notices",
                      422: "Invalid input", 429: "Too many different 户号 looked up (too_many_lookups)"})
async def get_outages(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    params = {k: v for k, v in request.query.items() if v != ""}
    if len(request.query.getall("area_ids", [])) > 1:  # ?area_ids=1&area_ids=2
        params["area_ids"] = ",".join(request.query.getall("area_ids"))
    q = read_params(params, OutageQuery)
    now = platform.clock()
    day = date.fromisoformat(q.day) if q.day else now.astimezone(TZ).date()
    query: dict[str, str | None] = {}
    async with platform.sessions() as session:
        if q.account_no:
            count_lookup(request, q.account_no)
            # Unknown, or another unit's: answered like a known 户号 without notices (backend/api/lookups.py).
            account = await known_account(session, q.account_no)
            seen = account is not None and await scope.sees_account(session, principal(request), account)
            notices = await for_account(session, account, day, now) if seen else []
            query = {"account_no": mask_account_no(q.account_no)}
        elif q.ids():
            notices = await for_areas(session, q.ids(), day, now)
            query = {"area_ids": q.ids()}
        else:
            resolution = (await platform.places.index(session)).resolve(q.area or "")
            notices = await for_areas(session, resolution.area_ids, day, now)
            query = {"area": q.area, "place": resolution.view()}
        items = [notice_view(platform, o) for o in notices]
    return json_response({"date": day.isoformat(), "query": query, "items": items, "total": len(items),
                          "advice": [] if items else SELF_CHECK_ADVICE})


@routes.op("POST", "/api/outages", "Publish an outage notice (service, supervisor or admin)",
           body=OutageCreate,
           responses={201: "Published, with lead-time warnings if any", 403: "Role not allowed",
                      422: "Invalid input or unknown area"})
async def post_outage(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    body = await read_body(request, OutageCreate)
    new = NewOutage(type=body.type, start_at=body.start_at, expected_end_at=body.expected_end_at,
                    reason=body.reason, line=body.line, area_text=body.area_text, unit_id=body.unit,
                    scopes=[(s.area_id, (s.transformer_area or "").strip() or None) for s in body.scopes])
    outage_id, warnings = await publish(platform, new, _guard(who))
    async with platform.sessions() as session:
        view = notice_view(platform, await load_outage(session, outage_id))
    await audit.record(platform, who, "outage.publish", "outage", str(outage_id), unit_id=view["unit"]["id"],
                       details={"type": body.type, "areas": sorted({s.area_id for s in body.scopes})})
    return json_response({**view, "warnings": warnings}, status=201,
                         headers={"Location": f"/api/outages/{outage_id}"})


@routes.op("POST", "/api/outages/{id}/events", "Start, restore or cancel an outage",
           body=OutageEventIn,
           responses={200: "The notice in its new state", 403: "Role not allowed",
                      404: "No such notice", 409: "Step not allowed in the current state",
                      422: "Invalid input"})
async def post_outage_event(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    outage_id = _outage_id(request)
    body = await read_body(request, OutageEventIn)
    await apply_event(platform, outage_id, body.kind, body.at, _guard(who))
    async with platform.sessions() as session:
        view = notice_view(platform, await load_outage(session, outage_id))
    await audit.record(platform, who, f"outage.{body.kind}", "outage", str(outage_id), unit_id=view["unit"]["id"])
    return json_response(view)
