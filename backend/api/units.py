"""/api/units (the unit tree) and /api/areas (served areas with their site class)."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, validator
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_query
from backend.context import Platform
from backend.models import Area
from backend.units import areas_in_text, unit_tree
from glossary.names import SITE_CLASSES

routes = ApiRoutes("units")
MAX_AREAS = 50


class AreaQuery(BaseModel):
    name: str | None = Field(None, max_length=50, description="part of the area name")
    text: str | None = Field(None, max_length=200,
                             description="an address or sentence: the areas named in it, longest first")

    @validator("name", "text")
    def _name(cls, value: str | None) -> str | None:  # noqa: N805
        if value is None:
            return None
        return value.strip() or None


@routes.op("GET", "/api/units", "The unit tree (省 → 市 → 县 → 供电所), nested")
async def get_units(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    async with platform.sessions() as session:
        units, children = await unit_tree(session)

    def node(unit_id: str) -> dict[str, Any]:
        unit = units[unit_id]
        return {"id": unit.id, "name": unit.name, "level": unit.level,
                "children": [node(c) for c in children.get(unit_id, ())]}

    # A unit whose parent is missing is shown as a root rather than lost.
    roots = [u for u in units if units[u].parent_id is None or units[u].parent_id not in units]
    return json_response({"items": [node(u) for u in roots]})


@routes.op("GET", "/api/areas", f"Areas by name (contains), at most {MAX_AREAS}", query=AreaQuery)
async def get_areas(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, AreaQuery)
    async with platform.sessions() as session:
        if q.text:
            areas = await areas_in_text(session, q.text, MAX_AREAS + 1)
        else:
            stmt = select(Area).options(selectinload(Area.unit))
            if q.name:
                stmt = stmt.where(Area.name.contains(q.name, autoescape=True))
            # Shortest names first: the closest match to what was typed comes first.
            stmt = stmt.order_by(func.length(Area.name), Area.id).limit(MAX_AREAS + 1)
            areas = list((await session.scalars(stmt)).all())
    items = [{
        "id": a.id, "name": a.name, "full_name": a.full_name, "city": a.city, "county": a.county,
        "street": a.street, "site_class": a.site_class,
        "site_class_name": SITE_CLASSES.get(a.site_class),
        "unit": {"id": a.unit.id, "name": a.unit.name},
    } for a in areas[:MAX_AREAS]]
    return json_response({"items": items, "truncated": len(areas) > MAX_AREAS})
