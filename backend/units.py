"""The unit tree (省 → 市 → 县 → 供电所): lookups that roll data up it."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import NotFound
from backend.models import Unit


async def unit_tree(session: AsyncSession) -> tuple[dict[str, Unit], dict[str | None, list[str]]]:
    units = {u.id: u for u in (await session.scalars(select(Unit).order_by(Unit.id))).all()}
    children: dict[str | None, list[str]] = defaultdict(list)
    for unit in units.values():
        children[unit.parent_id].append(unit.id)
    return units, children


def descendants(children: dict[str | None, list[str]], unit_id: str) -> list[str]:
    found, stack = [], [unit_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


async def subtree_ids(session: AsyncSession, unit_id: str) -> list[str]:
    units, children = await unit_tree(session)
    if unit_id not in units:
        raise NotFound(f"未找到单位 {unit_id}。", code="unit_not_found")
    return descendants(children, unit_id)

