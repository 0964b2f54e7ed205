"""Which units a caller may look at, and the named record checks the access table cites.

Services (the bot, the console's back end) and admins see everything; other
staff see their own unit and the units below it (a county supervisor sees the
county's stations, not the next county), as the minimum-access rule asks.

The access table (backend/api/policy.py) names one of the scopes below for
every route. A scope that concerns a record is checked where the handler loads
that record, by the function named beside it, so a refusal happens before
anything of the record is shown or changed:

- NONE: no unit-bound record (reference data: units, areas, tariffs; health).
- OWN_SESSION: only the caller's own session (me, logout).
- SUBTREE: a list or report narrowed to the caller's subtree (`visible_unit`);
  asking for a unit outside it is refused (`require_unit`).
- TICKET: the unit of the ticket (`ticket`); a dispatch's target unit too.
- NEW_TICKET: the unit a new ticket lands in, the account it names and the
  ticket it urges or links to (`new_ticket`), before it is committed; a replay
  answers only when the replayed ticket passes `ticket`.
- OUTAGE: the notice's unit and the unit of every area it covers (`outage`),
  both when it is published and when its status moves.
- PLAN: an improvement plan's responsible unit (`plan`); its creator passes too
  (backend/plans.py says who may act on it beyond reading).
- ACCOUNT: the unit of the account's area (`account`), checked after the
  identity check succeeded, so it tells nobody which 户号 exist.
- CONVERSATION: the conversation rule. The hotline's agents and supervisors
  serve the whole province, so they read every conversation's masked
  transcript; only the holder writes to it; a supervisor may release, close or
  transfer one another agent holds (backend/router/takeover.py). Conversations
  have no unit.
- ROOT: an act on the whole tree's record (publishing the monthly assessment of
  every unit): the root unit's staff and admins (`require_unit` on the root);
  anyone below the root is refused with outside_unit, since the record covers
  units outside their subtree.
- PUBLISHED: what has been published to every unit (the monthly assessment,
  定期公布考核结果): every staff member of every unit reads all of it; nothing
  unpublished is reachable this way.
- CUSTOMER_TOKEN, SIGNATURE: the customer doors carry their own authority (the
  web chat's opaque token, the complaint form's form token, WeChat's signature);
  staff credentials give them none.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.auth import Principal
from backend.errors import Forbidden
from backend.models import Account, Area, ImprovementPlan, Outage, Ticket
from backend.units import subtree_ids

NONE = "none"
OWN_SESSION = "own session"
SUBTREE = "caller's subtree"
TICKET = "unit of the ticket"
NEW_TICKET = "unit of the new ticket, its account and parent"
OUTAGE = "unit of the outage and its areas"
ACCOUNT = "unit of the account"
PLAN = "responsible unit of the plan"
CONVERSATION = "conversation rule"
CUSTOMER_TOKEN = "customer token"
SIGNATURE = "WeChat signature"
ROOT = "root unit"
PUBLISHED = "published to every unit"
SCOPES = (NONE, OWN_SESSION, SUBTREE, TICKET, NEW_TICKET, OUTAGE, ACCOUNT, PLAN, CONVERSATION, CUSTOMER_TOKEN,
          SIGNATURE, ROOT, PUBLISHED)
# Scopes whose check needs a record of a unit (the access test tries another unit's).
RECORD_SCOPES = (TICKET, OUTAGE, ACCOUNT, PLAN)

OUTSIDE_UNIT = "您只能查看和处理本单位及下级单位的工单与数据。"


def unrestricted(who: Principal) -> bool:
    """Services and admins see the whole tree."""
    return who.kind == "service" or (who.kind == "staff" and who.role == "admin")


async def visible_unit(session: AsyncSession, who: Principal, requested: str | None) -> str | None:
    """The unit a list or report should cover; None means everything."""
    if unrestricted(who):
        return requested
    if requested is None:
        return who.unit_id
    await require_unit(session, who, requested)
    return requested


async def require_unit(session: AsyncSession, who: Principal, unit_id: str) -> None:
    """Refuse a unit outside the caller's subtree (403 outside_unit)."""
    await require_units(session, who, {unit_id})


async def require_units(session: AsyncSession, who: Principal, unit_ids: set[str]) -> None:
    """Refuse unless every unit is inside the caller's subtree."""
    if unrestricted(who) or not unit_ids:
        return
    if who.unit_id is None:  # anonymous, or a staff row without a unit: nothing is theirs
        raise Forbidden(OUTSIDE_UNIT, code="outside_unit")
    allowed = set(await subtree_ids(session, who.unit_id))
    if not unit_ids <= allowed:
        raise Forbidden(OUTSIDE_UNIT, code="outside_unit")


async def ticket(session: AsyncSession, who: Principal, record: Ticket) -> None:
    """TICKET: the ticket's unit is the caller's or below."""
    await require_unit(session, who, record.unit_id)


async def plan(session: AsyncSession, who: Principal, record: ImprovementPlan) -> None:
    """PLAN: the plan's responsible unit is the caller's or below, or the caller made the plan."""
    if who.kind == "staff" and who.user_id == record.created_by:
        return
    await require_unit(session, who, record.responsible_unit_id)


async def new_ticket(session: AsyncSession, who: Principal, record: Ticket, parent_no: str | None) -> None:
    """NEW_TICKET: where it lands, whose account it names, which ticket it urges or links to."""
    if unrestricted(who):
        return
    units = {record.unit_id}
    if record.account_no:
        units |= set((await session.scalars(
            select(Area.unit_id).join(Account, Account.area_id == Area.id)
            .where(Account.account_no == record.account_no))).all())
    if parent_no:
        units |= set((await session.scalars(select(Ticket.unit_id).where(Ticket.ticket_no == parent_no))).all())
    await require_units(session, who, units)


async def outage(session: AsyncSession, who: Principal, record: Outage) -> None:
    """OUTAGE: the notice's unit and every covered area's unit (a notice is never split across cities)."""
    if unrestricted(who):
        return
    area_ids = {scope.area_id for scope in record.scopes}
    units = {record.unit_id}
    if area_ids:
        units |= set((await session.scalars(select(Area.unit_id).where(Area.id.in_(area_ids)))).all())
    await require_units(session, who, units)


async def account(session: AsyncSession, who: Principal, record: Account) -> None:
    """ACCOUNT: the unit of the account's area."""
    if unrestricted(who):
        return
    unit_id = await session.scalar(select(Area.unit_id).where(Area.id == record.area_id))
    await require_units(session, who, {unit_id} if unit_id else set())


async def account_no(session: AsyncSession, who: Principal, number: str) -> None:
    """ACCOUNT by number: an unknown 户号 is left to the handler's own answer."""
    if unrestricted(who):
        return
    found = await session.scalar(select(Account).where(Account.account_no == number))
    if found is not None:
        await account(session, who, found)
