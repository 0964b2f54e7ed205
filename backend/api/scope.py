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
- NEW_TICKET: the unit a new ticket lands in, the ticket it urges or links to
  and the conversation it names (`new_ticket`), before it is committed; an
  account outside the subtree is treated as an unknown 户号 (`sees_account`); a
  replay answers only when the replayed ticket passes `ticket`.
- OUTAGE: the notice's unit and the unit of every area it covers (`outage`),
  both when it is published and when its status moves.
- PLAN: an improvement plan's responsible unit (`plan`); its creator passes too
  (backend/plans.py says who may act on it beyond reading).
- ACCOUNT: the unit of the account's area (`account`), checked after the
  identity check succeeded, so it tells nobody which 户号 exist; a look-up
  without an identity check (outages by 户号) treats an account outside the
  subtree as unknown (`sees_account`).
- CONVERSATION: the transcript rule (`conversation`, `readable_conversations`).
  Conversations have no unit of their own. The contact centre's agents and
  supervisors (staff of the root unit: the 95598 centre serves the whole
  province) read every conversation's masked transcript; the agent holding a
  conversation reads it; any other agent or supervisor (a unit's staff) reads
  only the conversations of their own customers: those with a ticket filed from
  them into the caller's subtree. Everyone else is refused with outside_unit,
  on every conversation route (list, detail, claim, lines, release, close,
  transfer, reveal, assist, the console's feed). Only the holder writes to it;
  a supervisor may release, close or transfer one another agent holds
  (backend/router/takeover.py).
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

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.api.auth import Principal
from backend.errors import Forbidden
from backend.models import Account, Area, Conversation, ImprovementPlan, Outage, Ticket, Unit
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
RECORD_SCOPES = (TICKET, OUTAGE, ACCOUNT, PLAN, CONVERSATION)

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
    """NEW_TICKET: where it lands, which ticket it urges or links to, which conversation it names.

    The account it names is not refused here: intake uses an account's data only when
    `sees_account` (a 户号 outside the subtree files like an unknown one, telling nothing)."""
    if unrestricted(who):
        return
    units = {record.unit_id}
    if record.conversation_id:  # naming a conversation would make its transcript the caller's to read
        # The ticket is flushed already: it must not be its own title to the conversation.
        await conversation(session, who, record.conversation_id, besides=record.id)
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


async def sees_account(session: AsyncSession, who: Principal, record: Account) -> bool:
    """Whether the account's area lies in the caller's subtree: where it does not, a look-up by
    户号 treats the account as unknown (backend/api/lookups.py), so nobody learns it exists."""
    try:
        await account(session, who, record)
    except Forbidden:
        return False
    return True


async def contact_centre(session: AsyncSession, who: Principal) -> bool:
    """Whether the caller serves every customer's conversation: the service token, or staff of the root unit."""
    if who.kind == "service":
        return True
    if who.kind != "staff" or who.unit_id is None:
        return False
    root = await session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    return who.unit_id == root


async def readable_conversations(session: AsyncSession, who: Principal, besides: int | None = None
                                 ) -> ColumnElement | None:
    """CONVERSATION as a filter on Conversation rows; None when the caller reads every conversation.
    `besides`: a ticket row that does not count (the one being filed)."""
    if await contact_centre(session, who):
        return None
    if who.kind != "staff" or who.unit_id is None:
        return false()
    own_customers = select(Ticket.conversation_id).where(
        Ticket.unit_id.in_(await subtree_ids(session, who.unit_id)), Ticket.conversation_id.is_not(None))
    if besides is not None:
        own_customers = own_customers.where(Ticket.id != besides)
    return or_(Conversation.held_by == who.actor, Conversation.id.in_(own_customers))


async def conversation(session: AsyncSession, who: Principal, conversation_id: str,
                       besides: int | None = None) -> None:
    """CONVERSATION: refuse a conversation the caller may not read; an unknown id is left to the handler's 404."""
    rule = await readable_conversations(session, who, besides)
    if rule is None:
        return
    exists = await session.scalar(select(Conversation.id).where(Conversation.id == conversation_id))
    if exists is None:
        return
    if await session.scalar(select(Conversation.id).where(Conversation.id == conversation_id, rule)) is None:
        raise Forbidden(OUTSIDE_UNIT, code="outside_unit")
