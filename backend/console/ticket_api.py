"""The ticket desk's API (issue #8, tickets): the legal next steps, the queue and the detail panel.

- `GET /api/tickets/{id}/steps`: the steps the ticket's state allows and the caller's role may
  take, each with the fields its body needs (backend/console/ticket_desk.py; the checks are
  backend/tickets/lifecycle.py's own, so a button shown is a step the API accepts).
- `GET /api/console/tickets?type=&status=&overdue=&escalated=&repeat=&page=&per_page=`: the
  caller's subtree, masked, each with the timer of its nearest running clock, sorted by it.
- `GET /api/console/tickets/{id}`: the masked ticket, every clock with its timer, the full
  history and the steps offered.

Steps themselves are posted to the existing `POST /api/tickets/{id}/events` (audit, 409s).
Who may call, and the unit scope, is the access table's (backend/api/policy.py); the handlers
apply the named scope checks (`scope.ticket`, `scope.visible_unit`) before showing anything.
Registered on the console's API table (backend/console/api.py routes).
"""
from __future__ import annotations

from aiohttp import web
from pydantic import Field

from backend.api import PLATFORM, scope
from backend.api.auth import principal
from backend.api.validation import json_response, read_query
from backend.console import ticket_desk
from backend.console.api import routes
from backend.context import Platform
from backend.tickets.queries import TicketFilter, list_tickets, load_ticket
from backend.tickets.views import iso


class QueueQuery(TicketFilter):
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=100)


@routes.op("GET", "/api/tickets/{id}/steps", "The lifecycle steps legal now for the caller, with their fields",
           responses={200: "{id, status, steps: [{kind, fields}]}", 404: "No such ticket"})
async def get_steps(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        await scope.ticket(session, who, ticket)
        steps = await ticket_desk.steps_view(session, who, ticket)
    return json_response({"id": ticket.ticket_no, "status": ticket.status, "steps": steps})


@routes.op("GET", "/api/console/tickets", "The ticket queue of the caller's subtree, nearest deadline first",
           query=QueueQuery)
async def get_queue(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, QueueQuery)
    now, fraction = platform.clock(), platform.rules.warn_fraction
    async with platform.sessions() as session:
        q.unit = await scope.visible_unit(session, principal(request), q.unit)
        tickets, total = await list_tickets(session, q, limit=q.per_page, offset=(q.page - 1) * q.per_page,
                                            by_deadline=True, now=now)
        items = [ticket_desk.queue_item(t, now, fraction) for t in tickets]
    return json_response({"items": items, "total": total, "page": q.page, "per_page": q.per_page,
                          "now": iso(now)})


@routes.op("GET", "/api/console/tickets/{id}", "A ticket for the desk: masked, every clock's timer, "
           "the history and the legal steps", responses={200: "OK", 404: "No such ticket"})
async def get_desk_ticket(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        await scope.ticket(session, who, ticket)
        view = await ticket_desk.desk_detail(platform, session, who, ticket)
    return json_response(view)
