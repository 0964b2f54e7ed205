"""Creating a ticket: where it belongs, which clocks it gets, what a complaint implies.

Creation is idempotent: with an Idempotency-Key the same request returns the
same ticket (also when duplicates race), and a different request under a used
key is refused rather than silently answered with the wrong ticket.
"""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.context import Platform
from backend.errors import Conflict, InvalidInput, NotFound
from backend.models import Account, Area, Ticket, Unit
from backend.sla.calendar import TZ
from backend.tickets import clocks
from backend.tickets.lifecycle import OPEN, escalate, record, start_major_escalation
from backend.tickets.schemas import TicketCreate
from backend.units import areas_in_text
from glossary.identifiers import ticket_number

# Types whose handling needs a way to reach the customer.
NEEDS_PHONE = ("fault_repair", "service_request", "consultation", "complaint", "urge")


def request_hash(body: TicketCreate) -> str:
    canonical = json.dumps(body.dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def create_ticket(platform: Platform, body: TicketCreate, *, actor: str,
                        idempotency_key: str | None = None) -> tuple[int, bool]:
    """Create the ticket; return its row id and whether this was a replay."""
    digest = request_hash(body)
    async with platform.sessions() as session:
        if idempotency_key:
            replay = await _replay(session, idempotency_key, digest)
            if replay is not None:
                return replay, True
        ticket = await _build(platform, session, body)
        ticket.idempotency_key, ticket.request_hash = idempotency_key, digest
        session.add(ticket)
        try:
            await session.flush()
            ticket.ticket_no = ticket_number(ticket.created_at.astimezone(TZ).date(), ticket.id)
            await _after_insert(platform, session, ticket, body, actor)
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


async def _build(platform: Platform, session: AsyncSession, body: TicketCreate) -> Ticket:
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
    # A verified account's phone on record serves when none was given.
    phone = customer.phone or (account.phone if account else None)
    if body.type in NEEDS_PHONE and not anonymous and not phone:
        raise InvalidInput("请提供联系电话，以便工作人员与您联系。", code="phone_required")
    area = await _find_area(session, body.area, body.address, account)
    address = body.address or (account.address if account else None)
    if body.type == "fault_repair" and not (address or area):
        raise InvalidInput("请提供故障地址或所在小区/村。", code="address_required")
    site_class = body.site_class or (area.site_class if area else None)
    if body.type == "fault_repair" and site_class is None:
        raise InvalidInput("请告知故障地点属于城区、农村还是特殊边远地区。", code="site_class_required")

    ticket = Ticket(
        type=body.type, subtype=body.kind if body.type == "service_request" else None,
        status="accepted", channel=body.channel, description=body.description,
        customer_name=None if anonymous else (customer.name or (account.name if account else None)),
        customer_phone=None if anonymous else phone,
        account_no=None if anonymous else customer.account_no,
        address=address, area_id=area.id if area else None, site_class=site_class,
        unit_id=await _unit_for(session, body.unit, area),
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
    return ticket


async def _find_area(session: AsyncSession, name: str | None, address: str | None,
                     account: Account | None) -> Area | None:
    if name:
        candidates = (await session.scalars(select(Area).where(Area.name == name.strip()))).all()
        if not candidates:
            candidates = (await session.scalars(
                select(Area).where(Area.name.contains(name.strip())).limit(5))).all()
        if len(candidates) == 1:
            return candidates[0]
        if address:  # several areas share the name: the address tells them apart
            for area in candidates:
                if area.county in address or area.street in address:
                    return area
        if candidates:
            options = "、".join(f"{a.county}{a.street}{a.name}" for a in candidates)
            raise InvalidInput(f"有多个同名区域：{options}，请说明是哪一个。", code="area_ambiguous")
        raise InvalidInput(f"未找到区域“{name}”，请核对小区或村的名称。", code="area_unknown")
    if account is not None:
        return await session.get(Area, account.area_id)
    if address:
        found = await areas_in_text(session, address)
        return found[0] if found else None
    return None


async def _unit_for(session: AsyncSession, unit_id: str | None, area: Area | None) -> str:
    if unit_id:
        if await session.get(Unit, unit_id) is None:
            raise InvalidInput(f"未知的处理单位 {unit_id}。", code="unit_unknown")
        return unit_id
    if area is not None:
        return area.unit_id
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
                        body: TicketCreate, actor: str) -> None:
    at = ticket.created_at
    clocks.start_clocks(platform, ticket, clocks.type_rules(platform, ticket), at)
    record(ticket, "create", actor, at, channel=ticket.channel)
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
