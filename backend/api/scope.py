"""Which units a caller may look at.

Services (the bot, the console's back end) and admins see everything; other
staff see their own unit and the units below it (a county supervisor sees the
county's stations, not the next county), as the minimum-access rule asks.
"""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.auth import Principal
from backend.errors import Forbidden
from backend.units import subtree_ids


def unrestricted(who: Principal) -> bool:
    return who.kind == "service" or who.role == "admin" or who.unit_id is None


async def visible_unit(session: AsyncSession, who: Principal, requested: str | None) -> str | None:
    """The unit a list or report should cover; None means everything."""
    if unrestricted(who):
        return requested
    if requested is None:
        return who.unit_id
    await require_unit(session, who, requested)
    return requested


async def require_unit(session: AsyncSession, who: Principal, unit_id: str) -> None:
    if not unrestricted(who) and unit_id not in await subtree_ids(session, who.unit_id):
        raise Forbidden("您只能查看和处理本单位及下级单位的工单与数据。", code="outside_unit")
