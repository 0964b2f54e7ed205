"""Outage notices (停电信息): lookup by account or areas, publishing, status steps.

All instants are stored in UTC and shown in Asia/Shanghai; a "day" is always a
local calendar day, because that is what a customer asking "今天停电吗" means.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.context import Platform
from backend.errors import Conflict, InvalidInput, NotFound
from backend.models import Account, Area, Outage, OutageScope, Unit
from backend.sla.calendar import TZ
from backend.sla.durations import Duration
from glossary.names import OUTAGE_STATUSES, OUTAGE_TYPES

# The caller's check of a notice before it is published or moved (the access scope, backend/api/scope.py).
OutageGuard = Callable[[AsyncSession, Outage], Awaitable[None]]

TYPE_NAMES, STATUS_NAMES = OUTAGE_TYPES, OUTAGE_STATUSES
# What a customer should check when no notice explains the outage (service-rules.md).
SELF_CHECK_ADVICE = [
    "请先确认是否欠费停电，可在网上国网App查询余额和账单。",
    "请检查家中总开关或漏电保护开关是否跳闸，跳闸可尝试复位一次。",
    "请看看邻居家或楼道是否也停电：仅您家停电多为户内原因。",
    "户内线路或设备故障不属于供电公司维护范围，上门处理可能需要收费。",
    "如确认不是以上原因，我们可以为您登记故障报修。",
]
# Step → (state it must be in, state it moves to).
TRANSITIONS = {
    "start": ("scheduled", "in_progress"),
    "restore": ("in_progress", "restored"),
    "cancel": ("scheduled", "cancelled"),
}
_LOAD = (selectinload(Outage.scopes).selectinload(OutageScope.area), selectinload(Outage.unit))


def iso(value: datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat() if value else None


def local_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), TZ)
    return start, start + timedelta(days=1)


def lead_rule(platform: Platform, outage_type: str) -> Duration | None:
    """Required notice lead for the type; faults cannot be announced in advance."""
    rules = platform.rules
    return {"planned": rules.planned_outage_lead, "temporary": rules.temporary_outage_lead
            }.get(outage_type)


def lead_ok(platform: Platform, outage: Outage) -> bool | None:
    rule = lead_rule(platform, outage.type)
    if rule is None:
        return None
    # Duration.after also handles working-day leads should an operator configure one.
    return rule.after(outage.published_at, platform.calendar) <= outage.start_at


def notice_view(platform: Platform, outage: Outage) -> dict[str, Any]:
    return {
        "id": outage.id, "type": outage.type, "type_name": TYPE_NAMES.get(outage.type, outage.type),
        "status": outage.status, "status_name": STATUS_NAMES.get(outage.status, outage.status),
        "start_at": iso(outage.start_at), "expected_end_at": iso(outage.expected_end_at),
        "restored_at": iso(outage.restored_at), "published_at": iso(outage.published_at),
        "area_text": outage.area_text, "city": outage.city, "county": outage.county,
        "street": outage.street, "community": outage.community, "line": outage.line,
        "transformer_area": outage.transformer_area, "reason": outage.reason,
        "unit": {"id": outage.unit.id, "name": outage.unit.name},
        "scopes": [{"area_id": s.area_id, "area": s.area.name, "transformer_area": s.transformer_area}
                   for s in sorted(outage.scopes, key=lambda s: s.id or 0)],
        "notice_lead_ok": lead_ok(platform, outage),
    }


def _on_day(day: date, now: datetime) -> Any:
    """Notices whose window [start, restored or expected end] overlaps the local day."""
    day_start, day_end = local_day(day)
    ends = func.coalesce(Outage.restored_at, Outage.expected_end_at) > day_start
    if now > day_start:
        # An outage still in progress after its expected end is still off *now*:
        # it must not drop out of today's answer because the crew overran.
        ends = or_(ends, and_(Outage.status == "in_progress", Outage.restored_at.is_(None)))
    return and_(Outage.start_at < day_end, ends, Outage.status != "cancelled")


async def _notices(session: AsyncSession, day: date, now: datetime, *where: Any) -> list[Outage]:
    stmt = (select(Outage).options(*_LOAD).where(_on_day(day, now), *where)
            .order_by(Outage.start_at, Outage.id))
    return list((await session.scalars(stmt)).all())


async def known_account(session: AsyncSession, account_no: str) -> Account | None:
    """The account of a 户号, if there is one (the caller decides what an unknown one is told)."""
    return await session.scalar(select(Account).where(Account.account_no == account_no))


async def for_account(session: AsyncSession, account: Account, day: date, now: datetime) -> list[Outage]:
    """Notices covering the account: its whole area, or a scope naming its 台区."""
    whole_area = or_(OutageScope.transformer_area.is_(None), OutageScope.transformer_area == "")
    scoped = select(OutageScope.outage_id).where(
        OutageScope.area_id == account.area_id,
        or_(whole_area, OutageScope.transformer_area == account.transformer_area))
    return await _notices(session, day, now, Outage.id.in_(scoped))


async def for_areas(session: AsyncSession, area_ids: list[int], day: date, now: datetime) -> list[Outage]:
    """Notices covering any of the areas (a whole area or one of its 台区).

    Places named in words are resolved to area ids first (backend/places.py), so a
    bare 社区 can never match another county's 长街社区.
    """
    if not area_ids:
        return []
    scoped = select(OutageScope.outage_id).where(OutageScope.area_id.in_(area_ids))
    return await _notices(session, day, now, Outage.id.in_(scoped))


async def load_outage(session: AsyncSession, outage_id: int) -> Outage:
    outage = await session.scalar(select(Outage).options(*_LOAD).where(Outage.id == outage_id)
                                  .execution_options(populate_existing=True))
    if outage is None:
        raise NotFound(f"未找到编号为 {outage_id} 的停电信息。", code="outage_not_found")
    return outage


@dataclass(frozen=True)
class NewOutage:
    type: str
    start_at: datetime
    expected_end_at: datetime
    reason: str
    scopes: list[tuple[int, str | None]]  # (area id, 台区 or None for the whole area)
    line: str | None = None
    area_text: str | None = None
    unit_id: str | None = None


def _joined(values: list[str | None], limit: int) -> str | None:
    # Columns have fixed widths; the scopes stay authoritative for lookups.
    text = "、".join(dict.fromkeys(v for v in values if v))
    return text[:limit] or None


def _span(delta: timedelta) -> str:
    hours = max(int(delta.total_seconds() // 3600), 0)
    return f"{hours // 24}天{hours % 24}小时" if hours >= 24 else f"{hours}小时"


def lead_warnings(platform: Platform, outage: Outage) -> list[str]:
    rule = lead_rule(platform, outage.type)
    if rule is None or lead_ok(platform, outage):
        return []
    name = TYPE_NAMES[outage.type]
    lead = outage.start_at - outage.published_at
    if lead <= timedelta(0):
        given = "发布时停电开始时间已过"
    else:
        given = f"本次仅提前约{_span(lead)}"
    return [f"{name}应至少提前{rule}发布公告，{given}。请核实停电安排，并做好客户解释工作。"]


async def publish(platform: Platform, new: NewOutage, guard: OutageGuard | None = None) -> tuple[int, list[str]]:
    """Publish a notice; `guard` sees it (unit, scopes) before it is committed and may refuse it."""
    now = platform.clock()
    async with platform.sessions() as session:
        ids = list(dict.fromkeys(area_id for area_id, _ in new.scopes))
        areas = {a.id: a for a in (await session.scalars(select(Area).where(Area.id.in_(ids)))).all()}
        unknown = [str(i) for i in ids if i not in areas]
        if unknown:
            raise InvalidInput(f"以下区域编号不存在：{', '.join(unknown)}，请核对后重新提交。",
                               code="unknown_area")
        unit_id = new.unit_id or areas[ids[0]].unit_id
        if new.unit_id and await session.get(Unit, new.unit_id) is None:
            raise InvalidInput(f"单位 {new.unit_id} 不存在，请核对后重新提交。", code="unknown_unit")
        covered = [areas[i] for i in ids]
        scopes = list(dict.fromkeys((a, t or None) for a, t in new.scopes))
        transformers = _joined([t for _, t in scopes], 100)
        names = "、".join(a.name for a in covered)
        area_text = new.area_text or (f"{covered[0].county}{covered[0].street}{names}"
                                      + (f"（{transformers}供电范围）" if transformers else "全部用户"))
        # A fault notice is published once the power is already off.
        status = "in_progress" if new.type == "fault" and new.start_at <= now else "scheduled"
        outage = Outage(
            type=new.type, status=status, start_at=new.start_at, expected_end_at=new.expected_end_at,
            published_at=now, area_text=area_text, city=covered[0].city,
            county=_joined([a.county for a in covered], 50), street=_joined([a.street for a in covered], 50),
            community=_joined([a.name for a in covered], 100), line=new.line,
            transformer_area=transformers, reason=new.reason, unit_id=unit_id,
            scopes=[OutageScope(area_id=a, transformer_area=t) for a, t in scopes],
        )
        if guard is not None:
            await guard(session, outage)
        session.add(outage)
        await session.commit()
        return outage.id, lead_warnings(platform, outage)


async def apply_event(platform: Platform, outage_id: int, kind: str, at: datetime | None,
                      guard: OutageGuard | None = None) -> None:
    """Move the notice's status; `guard` sees the loaded notice first and may refuse the step."""
    now = platform.clock()
    before, after = TRANSITIONS[kind]
    async with platform.sessions() as session:
        outage = await load_outage(session, outage_id)
        if guard is not None:
            await guard(session, outage)
        if outage.status != before:
            raise _illegal(outage.status)
        values: dict[str, Any] = {"status": after}
        if kind == "restore":
            restored = at or now
            if restored < outage.start_at:
                raise InvalidInput("恢复送电时间不能早于停电开始时间。", code="invalid_time")
            if restored > now + timedelta(minutes=5):
                raise InvalidInput("恢复送电时间不能晚于当前时间。", code="invalid_time")
            values["restored_at"] = restored
        # Conditional update: of two racing steps only one finds the old state.
        result = await session.execute(
            update(Outage).where(Outage.id == outage_id, Outage.status == before).values(**values)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise _illegal(await session.scalar(select(Outage.status).where(Outage.id == outage_id)))
        await session.commit()


def _illegal(status: str | None) -> Conflict:
    current = STATUS_NAMES.get(status or "", status)
    return Conflict(f"该停电信息当前状态为“{current}”，不能执行此操作。", code="illegal_transition")
