"""Reveal: the one way staff see a customer's full contact data (issues #8 and #9).

Every staff view of a ticket or conversation is masked (backend/tickets/views.py).
A handler who must call a customer back asks for the full data here, with a reason:

- `POST /api/tickets/{id}/reveal {"reason"}`: the ticket's customer name, phone, 户号,
  address and description as typed. Who: agents, supervisors and admins whose subtree
  holds the ticket (scope.ticket, as reading it). A confidential ticket is narrower:
  an agent only of the ticket's own unit (the assigned handler's), a supervisor or
  admin over it. An anonymous complaint has no contact data: 409 nothing_to_reveal.
- `POST /api/conversations/{id}/reveal {"reason"}`: the contact data of the
  conversation's tickets (the transcript is stored masked and stays so). Who: those
  the transcript rule lets read it (scope.CONVERSATION): the contact centre's agents
  and supervisors get every ticket of it, a unit's staff only the tickets in their
  subtree. Its confidential and anonymous tickets are left out: the hotline is not
  their handler.

The audit entry ("ticket.reveal" / "conversation.reveal", the reason, the ticket's
unit) is written before the answer, with `required=True`: if it cannot be written,
nothing is revealed.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import select

from backend import audit
from backend.api import PLATFORM, scope
from backend.api.auth import Principal, principal
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, stripped
from backend.context import Platform
from backend.errors import Conflict, Forbidden, NotFound
from backend.models import Conversation, Ticket
from backend.tickets.queries import load_ticket
from backend.tickets.views import reveal_view
from backend.units import subtree_ids

routes = ApiRoutes("reveal")
CONFIDENTIAL_ONLY_OWN_UNIT = "该工单为保密工单，只有承办单位的人员及其上级主管可以查看完整信息。"
NOTHING_TO_REVEAL = "匿名投诉未留存客户信息，没有可查看的完整信息。"
NO_CONTACT_DATA = "该会话没有关联可查看的客户信息。"


class RevealRequest(BaseModel):
    reason: str = Field(..., min_length=4, max_length=200,
                        description="why the full data is needed (written to the audit log)")

    _reason = stripped("reason", at_least=4)  # four spaces are not a reason


async def may_reveal(session: Any, who: Principal, ticket: Ticket) -> None:
    """The ticket's scope, and for a confidential ticket the handler's own unit (agents) only."""
    await scope.ticket(session, who, ticket)
    if ticket.confidential and who.role == "agent" and who.unit_id != ticket.unit_id:
        raise Forbidden(CONFIDENTIAL_ONLY_OWN_UNIT, code="confidential")


@routes.op("POST", "/api/tickets/{id}/reveal", "The ticket's customer unmasked, for a stated reason (audited)",
           body=RevealRequest,
           responses={200: "{id, customer {name, phone, account_no}, address, description}",
                      403: "Outside the caller's unit, or a confidential ticket of another unit",
                      404: "No such ticket", 409: "Anonymous complaint: nothing to reveal",
                      422: "No reason given"})
async def post_ticket_reveal(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, RevealRequest)
    who = principal(request)
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=request.match_info["id"])
        await may_reveal(session, who, ticket)
        if ticket.anonymous:
            raise Conflict(NOTHING_TO_REVEAL, code="nothing_to_reveal")
        view = reveal_view(ticket)
        unit_id = ticket.unit_id
    await audit.record(platform, who, "ticket.reveal", "ticket", view["id"], unit_id=unit_id,
                       reason=body.reason, client=audit.client_tag(request.remote), required=True)
    return json_response(view)


@routes.op("POST", "/api/conversations/{id}/reveal", "The contact data of the conversation's tickets, "
           "for a stated reason (audited); the transcript stays masked", body=RevealRequest,
           responses={200: "{id, tickets: [{id, customer, address, description}]}",
                      404: "No such conversation", 409: "No ticket with contact data",
                      422: "No reason given"})
async def post_conversation_reveal(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, RevealRequest)
    who = principal(request)
    async with platform.sessions() as session:
        conversation = await session.get(Conversation, request.match_info["id"])
        if conversation is None:
            raise NotFound("未找到该会话。", code="conversation_not_found")
        await scope.conversation(session, who, conversation.id)
        tickets = (await session.scalars(
            select(Ticket).where(Ticket.conversation_id == conversation.id, Ticket.anonymous.is_(False),
                                 Ticket.confidential.is_(False)).order_by(Ticket.id))).all()
        if not await scope.contact_centre(session, who):  # a unit's staff: only their own customers' tickets
            units = set(await subtree_ids(session, who.unit_id)) if who.unit_id else set()
            tickets = [t for t in tickets if t.unit_id in units]
        views = [reveal_view(t) for t in tickets]
    if not views:
        raise Conflict(NO_CONTACT_DATA, code="nothing_to_reveal")
    await audit.record(platform, who, "conversation.reveal", "conversation", conversation.id,
                       reason=body.reason, details={"tickets": [v["id"] for v in views]},
                       client=audit.client_tag(request.remote), required=True)
    return json_response({"id": conversation.id, "tickets": views})
