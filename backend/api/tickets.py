"""/api/tickets: create (idempotent), read, list, and lifecycle steps."""
from __future__ import annotations

from datetime import date, datetime, time

from aiohttp import web
from pydantic import BaseModel, Field, validator

from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, read_query
from backend.context import Platform
from backend.models.tickets import TICKET_STATUSES, TICKET_TYPES
from backend.sla.calendar import TZ
from backend.tickets.intake import create_ticket
from backend.tickets.progress import add_event
from backend.tickets.queries import TicketFilter, list_tickets, load_ticket
from backend.tickets.schemas import TicketCreate, TicketEventCreate
from backend.tickets.views import detail_view, summary_view

routes = ApiRoutes("tickets")
IDEMPOTENCY = "Idempotency-Key"


class TicketListQuery(BaseModel):
    type: str | None = None
    status: str | None = None
    unit: str | None = None
    overdue: bool | None = None
    escalated: bool | None = None
    repeat: bool | None = None
    phone: str | None = None
    account_no: str | None = None
    created_from: date | None = Field(None, alias="from")
    created_to: date | None = Field(None, alias="to")
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=200)

    @validator("type")
    def _type(cls, v: str | None) -> str | None:  # noqa: N805
        if v is not None and v not in TICKET_TYPES:
            raise ValueError(f"type 必须是 {', '.join(TICKET_TYPES)} 之一")
        return v

    @validator("status")
    def _status(cls, v: str | None) -> str | None:  # noqa: N805
        if v is not None and v not in TICKET_STATUSES:
            raise ValueError(f"status 必须是 {', '.join(TICKET_STATUSES)} 之一")
        return v


def _key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY, "").strip()
    return key[:100] or None


async def _detail(platform: Platform, request: web.Request, row_id: int) -> dict:
    who = principal(request)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, row_id=row_id)
        return detail_view(ticket, reveal=who.kind == "staff")


@routes.op("POST", "/api/tickets", "Create a ticket (Idempotency-Key: same key, same ticket)",
           body=TicketCreate, headers=(IDEMPOTENCY,),
           responses={201: "Created, or the replay of an earlier request with the same key",
                      409: "Idempotency-Key reused for a different request", 422: "Invalid input"})
async def post_ticket(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, TicketCreate)
    row_id, replayed = await create_ticket(platform, body, actor=principal(request).actor,
                                           idempotency_key=_key(request))
    view = await _detail(platform, request, row_id)
    headers = {"Location": f"/api/tickets/{view['id']}", "Idempotent-Replayed": str(replayed).lower()}
    return json_response(view, status=201, headers=headers)


@routes.op("GET", "/api/tickets", "List tickets (masked), newest first", query=TicketListQuery)
async def get_tickets(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, TicketListQuery)
    start = datetime.combine(q.created_from, time(), TZ) if q.created_from else None
    end = datetime.combine(q.created_to, time(), TZ) if q.created_to else None
    filters = TicketFilter(q.type, q.status, q.unit, q.overdue, q.escalated, q.repeat, q.phone,
                           q.account_no, start, end)
    async with platform.sessions() as session:
        tickets, total = await list_tickets(session, filters, limit=q.per_page,
                                            offset=(q.page - 1) * q.per_page)
        items = [summary_view(t) for t in tickets]
    return json_response({"items": items, "total": total, "page": q.page, "per_page": q.per_page})


@routes.op("GET", "/api/tickets/{id}", "A ticket with its clocks and event history",
           responses={200: "OK", 404: "No such ticket"})
async def get_ticket(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        return json_response(detail_view(ticket, reveal=principal(request).kind == "staff"))


@routes.op("POST", "/api/tickets/{id}/events", "Record a lifecycle step", body=TicketEventCreate,
           headers=(IDEMPOTENCY,),
           responses={201: "Recorded (or replayed)", 404: "No such ticket",
                      409: "Step not allowed in the ticket's state", 422: "Invalid input"})
async def post_event(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, TicketEventCreate)
    who = principal(request)
    if body.kind in ("grade", "reopen"):
        who.require_role("supervisor", "admin")
    row_id, replayed = await add_event(platform, request.match_info["id"], body, actor=who.actor,
                                       idempotency_key=_key(request))
    view = await _detail(platform, request, row_id)
    return json_response(view, status=201, headers={"Idempotent-Replayed": str(replayed).lower()})
