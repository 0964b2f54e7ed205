"""Creating a ticket: where it belongs, which clocks it gets, what a complaint implies.

Creation is idempotent: with an Idempotency-Key the same request returns the
same ticket (also when duplicates race), and a different request under a used
key is refused rather than silently answered with the wrong ticket.

Where it belongs (`_locate`), first that applies:
1. `unit` given: that unit.
2. `area_id` given (a place the assistant resolved): that area.
3. `area` given: resolved like /api/places/resolve (backend/places.py); the
   address narrows a name several areas share.
4. The account's area, for a known 户号.
5. The address, resolved the same way.
A place named (area or address) that does not come out as exactly one area
never refuses the ticket (首问负责): it goes to the handling unit of the most
specific place recognised — the street or county in the address, the common
unit of the candidates of an ambiguous name — or else to the top unit's
dispatch desk; it is flagged `needs_manual_dispatch`, a system note says so,
and its clocks start at once. A fault repair whose site class neither the
customer nor the area gives takes the streets' or county's single site class
if there is one, else `places.default_site_class` (service_rules.yml).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.context import Platform
from backend.errors import Conflict, InvalidInput, NotFound
from backend.models import Account, Area, Ticket, Unit
from backend.observability.metrics import TICKETS_CREATED
from backend.places import AMBIGUOUS, FOUND, UNKNOWN, Place, PlaceIndex, Resolution
from backend.sla.calendar import TZ
from backend.tickets import clocks
from backend.tickets.lifecycle import OPEN, escalate, record, start_major_escalation
from backend.tickets.schemas import TicketCreate
from glossary.identifiers import ticket_number
from glossary.names import SITE_CLASSES

# Types whose handling needs a way to reach the customer.
NEEDS_PHONE = ("fault_repair", "service_request", "consultation", "complaint", "urge")
MANUAL_DISPATCH_NOTE = "地点未能匹配到供电区域，需人工派单"
# The caller's check of the built ticket before it is committed (the access scope, backend/api/scope.py).
Guard = Callable[[AsyncSession, Ticket], Awaitable[None]]
# Whether the caller may use a named account's record (its name, phone, address, area); an account
# it may not is treated as an unknown 户号, so the answer tells nothing (backend/api/lookups.py).
AccountCheck = Callable[[AsyncSession, Account], Awaitable[bool]]


@dataclass(frozen=True)
class Location:
    """Where a new ticket goes: its area if one is known, else a unit and why by hand."""

    area: Area | None = None
    unit_id: str | None = None  # without an area: the most specific place's unit, None = top unit
    manual: str | None = None  # why the unit must be chosen by hand (the note)
    site_class: str | None = None  # the recognised place's, when all its areas share one


def request_hash(body: TicketCreate) -> str:
    canonical = json.dumps(body.dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def create_ticket(platform: Platform, body: TicketCreate, *, actor: str,
                        idempotency_key: str | None = None, guard: Guard | None = None,
                        account_check: AccountCheck | None = None) -> tuple[int, bool]:
    """Create the ticket; return its row id and whether this was a replay.

    `guard` sees the ticket once it is placed (unit, account, parent) and before
    anything is committed; what it raises undoes the whole creation.
    """
    digest = request_hash(body)
    async with platform.sessions() as session:
        if idempotency_key:
            replay = await _replay(session, idempotency_key, digest)
            if replay is not None:
                return replay, True
        ticket, manual = await _build(platform, session, body, account_check)
        ticket.idempotency_key, ticket.request_hash = idempotency_key, digest
        session.add(ticket)
        try:
            await session.flush()
            ticket.ticket_no = ticket_number(ticket.created_at.astimezone(TZ).date(), ticket.id)
            await _after_insert(platform, session, ticket, body, actor, manual)
            if guard is not None:
                await guard(session, ticket)
            await session.commit()
        except IntegrityError:
            await session.rollback()
            if not idempotency_key:
                raise
            # A concurrent duplicate won the insert; answer with its ticket.
            replay = await _replay(session, idempotency_key, digest)
            if replay is None:
                raise
            return replay, True
        TICKETS_CREATED.labels(ticket.type, ticket.channel or "unknown").inc()
        return ticket.id, False


async def _replay(session: AsyncSession, key: str, digest: str) -> int | None:
    row = (await session.execute(
        select(Ticket.id, Ticket.request_hash).where(Ticket.idempotency_key == key)
    )).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict("该幂等键已用于另一张不同的工单。", code="idempotency_key_reused")
    return row.id


async def _build(platform: Platform, session: AsyncSession, body: TicketCreate,
                 account_check: AccountCheck | None = None) -> tuple[Ticket, str | None]:
    """The new ticket, and why it needs manual dispatch (None when its area is known)."""
    customer = body.customer
    if body.type == "service_request" and body.kind is None:
        raise InvalidInput("请说明服务申请的类别（kind）：复电、电表校验、电表故障、家电损坏或其他。",
                           code="kind_required")
    if body.type == "urge" and not body.parent_id:
        raise InvalidInput("催办须关联原工单编号（parent_id）。", code="parent_required")
    anonymous = body.anonymous and body.type in ("complaint", "report")
    account = None
    if customer.account_no and not anonymous:
        account = await session.scalar(select(Account).where(Account.account_no == customer.account_no))
        if account is not None and account_check is not None and not await account_check(session, account):
            account = None
    # A verified account's phone on record serves when none was given.
    phone = customer.phone or (account.phone if account else None)
    if body.type in NEEDS_PHONE and not anonymous and not phone:
        raise InvalidInput("请提供联系电话，以便工作人员与您联系。", code="phone_required")
    address = body.address or (account.address if account else None)
    if body.type == "fault_repair" and not (address or body.area or body.area_id):
        raise InvalidInput("请您提供故障地址，或所在的小区、村名称。", code="address_required")
    where = await _locate(platform, session, body, account)
    area = where.area
    site_class = body.site_class or (area.site_class if area else where.site_class)
    manual = where.manual
    if body.type == "fault_repair" and site_class is None:
        site_class = platform.rules.default_site_class
        name = SITE_CLASSES[site_class]
        manual = f"{manual}；未能确定城区/农村/特殊边远地区，暂按{name}抢修时限计时" if manual else manual

    ticket = Ticket(
        type=body.type, subtype=body.kind if body.type == "service_request" else None,
        status="accepted", channel=body.channel, description=body.description,
        customer_name=None if anonymous else (customer.name or (account.name if account else None)),
        customer_phone=None if anonymous else phone,
        account_no=None if anonymous else customer.account_no,
        address=address, area_id=area.id if area else None, site_class=site_class,
        unit_id=await _unit_for(session, body.unit, area, where.unit_id),
        needs_manual_dispatch=manual is not None,
        conversation_id=body.conversation_id,
        anonymous=anonymous, confidential=body.confidential, safety_hazard=body.safety_hazard,
        created_at=platform.clock(), callback_attempts=0, reopen_count=0, urge_count=0,
        is_repeat=False, escalation_intent=False,
        # Set now so the new ticket never lazy-loads them (not allowed under asyncio).
        deadlines=[], events=[],
    )
    ticket.updated_at = ticket.created_at
    if body.parent_id:
        parent = await session.scalar(select(Ticket).where(Ticket.ticket_no == body.parent_id))
        if parent is None:
            raise NotFound(f"未找到工单 {body.parent_id}。", code="parent_not_found")
        ticket.parent_id = parent.id
    if body.type == "complaint":
        _classify_complaint(platform, ticket, body)
    return ticket, manual


async def _locate(platform: Platform, session: AsyncSession, body: TicketCreate,
                  account: Account | None) -> Location:
    """The ticket's area, or the unit of the most specific place recognised (module docstring)."""
    if body.area_id is not None:
        area = await session.get(Area, body.area_id)
        if area is not None:
            return Location(area)
    index = await platform.places.index(session)
    address = (body.address or "").strip()
    if body.area:
        # The address narrows a name that several areas share ("桐庐县…" + "迎春社区").
        located = await _located(session, index, index.resolve(f"{address} {body.area}" if address else body.area))
        if located.area is not None or located.unit_id is not None:
            return located
    if account is not None:
        return Location(await session.get(Area, account.area_id))
    if address:
        return await _located(session, index, index.resolve(address))
    if body.area or body.area_id is not None:
        return Location(manual=f"{MANUAL_DISPATCH_NOTE}：“{body.area or body.area_id}”不在区域表中")
    return Location()


async def _located(session: AsyncSession, index: PlaceIndex, resolution: Resolution) -> Location:
    """A resolution as a ticket location: one area, or a unit to dispatch from by hand."""
    place = resolution.place
    if resolution.status == FOUND and place.level == "area":
        return Location(await session.get(Area, place.area_id))
    if resolution.status == FOUND:
        return Location(None, place.unit_id, f"{MANUAL_DISPATCH_NOTE}：仅识别到{place.full_name}",
                        _site_class(index, [place]))
    if resolution.status == AMBIGUOUS:
        names = "、".join(c.full_name for c in resolution.candidates[:3])
        more = "等" if len(resolution.candidates) > 3 else ""
        return Location(None, index.common_unit(resolution.candidates),
                        f"{MANUAL_DISPATCH_NOTE}：“{resolution.mention}”有多处（{names}{more}）",
                        _site_class(index, list(resolution.candidates)))
    if resolution.status == UNKNOWN and resolution.within is not None:
        within = resolution.within
        return Location(None, within.unit_id,
                        f"{MANUAL_DISPATCH_NOTE}：“{resolution.mention}”不在区域表中，位于{within.full_name}",
                        _site_class(index, [within]))
    what = f"“{resolution.mention}”不在区域表中" if resolution.mention else "地址中没有可识别的区域"
    return Location(manual=f"{MANUAL_DISPATCH_NOTE}：{what}")


def _site_class(index: PlaceIndex, places: list[Place]) -> str | None:
    """The one site class of every area of the places, if they share it."""
    classes = {index.area_place(i).site_class for p in places for i in p.area_ids if index.area_place(i)}
    return classes.pop() if len(classes) == 1 else None


async def _unit_for(session: AsyncSession, unit_id: str | None, area: Area | None, place_unit: str | None) -> str:
    if unit_id:
        if await session.get(Unit, unit_id) is None:
            raise InvalidInput(f"未知的处理单位 {unit_id}。", code="unit_unknown")
        return unit_id
    if area is not None:
        return area.unit_id
    if place_unit is not None:
        return place_unit
    # No place known: the province's service centre takes it and dispatches.
    root = await session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    if root is None:
        raise InvalidInput("尚未配置处理单位。", code="no_units")
    return root


def _classify_complaint(platform: Platform, ticket: Ticket, body: TicketCreate) -> None:
    rules = platform.rules
    ticket.complaint_class = body.complaint_class
    grade = body.grade or rules.grades[0]
    found = [k for k in rules.escalation_keywords if k in body.description]
    if found:
        ticket.escalation_intent = True
        ticket.escalation_keywords = "、".join(found)
        # Escalation intent raises the grade one step; never below 'important'.
        grade = rules.grades[min(max(rules.grades.index(grade) + 1, 1), len(rules.grades) - 1)]
    ticket.grade = grade


async def _find_repeat_parent(platform: Platform, session: AsyncSession, ticket: Ticket) -> Ticket | None:
    if not (ticket.customer_phone or ticket.account_no):
        return None
    since = ticket.created_at - timedelta(days=platform.rules.repeat_window_days)
    same_customer = or_(
        *(cond for cond in (
            Ticket.customer_phone == ticket.customer_phone if ticket.customer_phone else None,
            Ticket.account_no == ticket.account_no if ticket.account_no else None,
        ) if cond is not None)
    )
    stmt = (select(Ticket).where(
        Ticket.type == "complaint", Ticket.status == "closed", Ticket.closed_at >= since,
        Ticket.id != ticket.id, same_customer,
        Ticket.complaint_class.is_(None) if ticket.complaint_class is None
        else Ticket.complaint_class == ticket.complaint_class,
    ).order_by(Ticket.closed_at.desc()).limit(1))
    return await session.scalar(stmt)


async def _after_insert(platform: Platform, session: AsyncSession, ticket: Ticket,
                        body: TicketCreate, actor: str, manual: str | None) -> None:
    at = ticket.created_at
    clocks.start_clocks(platform, ticket, clocks.type_rules(platform, ticket), at)
    record(ticket, "create", actor, at, channel=ticket.channel)
    if manual:
        record(ticket, "note", "system", at, note=f"{manual}。")
    if ticket.anonymous:
        record(ticket, "note", "system", at, note="匿名投诉：已告知客户匿名可能影响处理与反馈。")
    if ticket.type == "complaint":
        if ticket.parent_id is None:
            parent = await _find_repeat_parent(platform, session, ticket)
            if parent is not None:
                ticket.parent_id = parent.id
        if ticket.parent_id is not None:
            parent = await session.get(Ticket, ticket.parent_id)
            if parent.type == "complaint" and parent.status == "closed":
                ticket.is_repeat = True
                record(ticket, "repeat", "system", at, parent=parent.ticket_no,
                       note="重复投诉，已关联原工单并提请班长/督办关注。")
        if ticket.grade in platform.rules.escalate_grades:
            start_major_escalation(platform, ticket, at)
        elif ticket.escalation_intent:
            escalate(platform, ticket, f"escalation_intent:{ticket.escalation_keywords}", "system", at)
    if ticket.type == "urge":
        parent = await session.scalar(
            select(Ticket).where(Ticket.id == ticket.parent_id).options(selectinload(Ticket.events)))
        if parent.status not in OPEN:
            raise Conflict(f"工单 {parent.ticket_no} 已办结，无需催办；如对结果不满意可申请重新处理。",
                           code="ticket_closed")
        parent.urge_count += 1
        record(parent, "urge", actor, at, urge_ticket=ticket.ticket_no)
