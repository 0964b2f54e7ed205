"""/api/tickets: create (idempotent), read, list, and lifecycle steps."""
from __future__ import annotations

import hashlib

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit, surveys
from backend.api import PLATFORM, scope
from backend.api.auth import principal
from backend.api.lookups import count_lookup
from backend.api.policy import STEP_ROLES
from backend.api.registry import ApiRoutes
from backend.api.scope import require_unit, visible_unit
from backend.api.validation import json_response, read_body, read_query
from backend.context import Platform
from backend.errors import InvalidInput
from backend.models import Account, Ticket
from backend.router import ROUTER
from backend.tickets.intake import create_ticket
from backend.tickets.progress import add_event
from backend.tickets.queries import TicketFilter, list_tickets, load_ticket
from backend.tickets.schemas import TicketCreate, TicketEventCreate
from backend.tickets.views import detail_view, summary_view

routes = ApiRoutes("tickets")
IDEMPOTENCY = "Idempotency-Key"
MAX_KEY = 100  # the column's width


class TicketListQuery(TicketFilter):
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=200)


def _key(request: web.Request) -> str | None:
    """The stored Idempotency-Key: the caller's own, so one caller's key never replays another's ticket.

    The service token's keys are kept as sent (the actions' outbox and the channels
    replay them); a staff member's become a hash of who and the key. A key longer
    than MAX_KEY is refused rather than cut, so two long keys cannot collide.
    """
    key = request.headers.get(IDEMPOTENCY, "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY:
        raise InvalidInput(f"Idempotency-Key 不能超过{MAX_KEY}个字符。", code="idempotency_key_too_long")
    who = principal(request)
    if who.kind == "service":
        return key
    return "s:" + hashlib.sha256(f"{who.actor}\n{key}".encode()).hexdigest()


async def _detail(platform: Platform, request: web.Request, row_id: int) -> dict:
    """The ticket as the caller may see it; a replay of another unit's ticket is refused here."""
    who = principal(request)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, row_id=row_id)
        await scope.ticket(session, who, ticket)
        return await _with_surveys(session, ticket, detail_view(ticket))


async def _with_surveys(session: AsyncSession, ticket: Ticket, view: dict) -> dict:
    """The ticket's satisfaction surveys beside its callback rating (comments stored masked)."""
    return {**view, "surveys": await surveys.for_ticket(session, ticket.id)}


@routes.op("POST", "/api/tickets", "Create a ticket (Idempotency-Key: same key, same ticket)",
           body=TicketCreate, headers=(IDEMPOTENCY,),
           responses={201: "Created, or the replay of an earlier request with the same key",
                      409: "Idempotency-Key reused for a different request", 422: "Invalid input",
                      429: "Too many different 户号 named (too_many_lookups, backend/api/lookups.py)"})
async def post_ticket(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, TicketCreate)
    who = principal(request)

    async def guard(session: AsyncSession, ticket: Ticket) -> None:
        await scope.new_ticket(session, who, ticket, body.parent_id)

    async def sees(session: AsyncSession, account: Account) -> bool:
        return await scope.sees_account(session, who, account)

    if body.customer.account_no:
        count_lookup(request, body.customer.account_no)
    row_id, replayed = await create_ticket(platform, body, actor=who.actor, idempotency_key=_key(request),
                                           guard=guard, account_check=sees)
    view = await _detail(platform, request, row_id)
    headers = {"Location": f"/api/tickets/{view['id']}", "Idempotent-Replayed": str(replayed).lower()}
    return json_response(view, status=201, headers=headers)


@routes.op("GET", "/api/tickets", "List tickets (masked), newest first", query=TicketListQuery)
async def get_tickets(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, TicketListQuery)
    async with platform.sessions() as session:
        q.unit = await visible_unit(session, principal(request), q.unit)
        tickets, total = await list_tickets(session, q, limit=q.per_page,
                                            offset=(q.page - 1) * q.per_page)
        items = [summary_view(t) for t in tickets]
    return json_response({"items": items, "total": total, "page": q.page, "per_page": q.per_page})


@routes.op("GET", "/api/tickets/{id}", "A ticket with its clocks and event history",
           responses={200: "OK", 404: "No such ticket"})
async def get_ticket(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        await scope.ticket(session, who, ticket)
        return json_response(await _with_surveys(session, ticket,
                                                 detail_view(ticket)))


@routes.op("POST", "/api/tickets/{id}/events", "Record a lifecycle step", body=TicketEventCreate,
           headers=(IDEMPOTENCY,),
           responses={201: "Recorded (or replayed)", 404: "No such ticket",
                      409: "Step not allowed in the ticket's state", 422: "Invalid input"})
async def post_event(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, TicketEventCreate)
    who = principal(request)
    if body.kind in STEP_ROLES:
        who.require_role(*STEP_ROLES[body.kind])
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        await scope.ticket(session, who, ticket)
        if body.kind == "dispatch" and body.unit:
            await require_unit(session, who, body.unit)
        unit_before = ticket.unit_id
    row_id, replayed = await add_event(platform, request.match_info["id"], body, actor=who.actor,
                                       idempotency_key=_key(request))
    view = await _detail(platform, request, row_id)
    if not replayed and view["status"] == "closed" and view.get("conversation_id"):
        await request.app[ROUTER].deliver_pending(view["conversation_id"])  # the survey line, if one was offered
    if not replayed:
        facts = {k: v for k, v in (("unit", body.unit), ("rating", body.rating), ("grade", body.grade)) if v}
        await audit.record(platform, who, f"ticket.{body.kind}", "ticket", view["id"], unit_id=unit_before,
                           reason=body.reason, details=facts)
    return json_response(view, status=201, headers={"Idempotent-Replayed": str(replayed).lower()})


class TicketSurveyAnswer(BaseModel):
    rating: str = Field(..., description="satisfied | basically_satisfied | dissatisfied")
    conversation_id: str | None = Field(None, max_length=64, description="the conversation it was given in")


@routes.op("POST", "/api/tickets/{id}/survey", "The customer's own rating of a closed ticket, given to the "
           "assistant: a satisfaction-survey answer (source 问卷)", body=TicketSurveyAnswer,
           responses={201: "Answered (or the replay of the same answer)", 404: "No such ticket",
                      409: "Not closed, closed without a reply, or already rated", 422: "Invalid rating"})
async def post_ticket_survey(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, TicketSurveyAnswer)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        await scope.ticket(session, principal(request), ticket)
        survey = await surveys.rate_closed_ticket(session, ticket, body.rating, body.conversation_id,
                                                  platform.clock())
        await session.commit()
        surveys.log_answer(survey, survey.rating, None)
        return json_response(surveys.staff_view(survey), status=201)
