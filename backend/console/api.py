"""The console's own API routes: transfer a conversation, and agent assist.

- `POST /api/conversations/{id}/transfer {"to": "<username>"}`: the holder (or a
  supervisor / admin, or the service token) hands a held conversation to another
  active agent or supervisor; it stays `agent`, held by them, with a system line
  in the transcript (backend/router/takeover.py Takeover.transfer). Not held →
  409, held by someone else and the caller does not supervise → 403, already
  held by the target → 409, a target who is not an active agent/supervisor → 422.
- `GET /api/conversations/{id}/assist`: the suggested reply for the customer's
  last line and the customer's open tickets (backend/console/assist.py).

Callers: as the access table says (backend/api/policy.py: the hotline roles and
the service token). A transfer is written to the audit log (`conversation.transfer`,
with the target's username), like the other takeover acts.
"""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import select

from backend import audit
from backend.api import PLATFORM, scope
from backend.api.auth import principal
from backend.api.conversations import may_read
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body
from backend.console import assist
from backend.errors import InvalidInput, NotFound
from backend.models import Conversation, StaffUser
from backend.router import ROUTER
from backend.router.takeover import SUPERVISING_ROLES, Holder

routes = ApiRoutes("conversations")
TRANSFER_TARGET_ROLES = ("agent", "supervisor")


class TransferBody(BaseModel):
    to: str = Field(..., min_length=1, max_length=50, description="the username of the agent taking over")


def _holder(request: web.Request) -> Holder:
    """The caller as a holder; which roles may act at all is the access table's."""
    who = principal(request)
    return Holder(who.actor, who.user_id, supervising=who.kind == "service" or who.role in SUPERVISING_ROLES)


@routes.op("POST", "/api/conversations/{id}/transfer", "Hand a held conversation to another agent",
           body=TransferBody, responses={200: "Held by the target now", 403: "Held by another agent",
                                         404: "No such conversation",
                                         409: "Nobody holds it, or the target already does",
                                         422: "The target is not an active agent or supervisor"})
async def post_transfer(request: web.Request) -> web.Response:
    holder = _holder(request)
    await may_read(request, request.match_info["id"])
    body = await read_body(request, TransferBody)
    async with request.app[PLATFORM].sessions() as session:
        target = await session.scalar(select(StaffUser).where(StaffUser.username == body.to.strip()))
    if target is None or not target.active or target.role not in TRANSFER_TARGET_ROLES:
        raise InvalidInput("只能转给在岗的客服或班长，请检查用户名。", code="invalid_target")
    moved = await request.app[ROUTER].takeover.transfer(
        request.match_info["id"], holder, Holder(f"staff:{target.username}", target.id))
    await audit.record(request.app[PLATFORM], principal(request), "conversation.transfer", "conversation",
                       moved.id, details={"to": target.username})
    return json_response({"id": moved.id, "channel": moved.channel, "state": moved.state,
                          "held_by": f"staff:{target.username}", "agent_id": target.id})


@routes.op("GET", "/api/conversations/{id}/assist", "Agent assist: the suggested reply to the customer's "
           "last line (Rasa /model/parse, stateless) and the customer's open tickets with their next deadline",
           responses={200: "{suggestion: {status: ok|unavailable|no_line, ...}, tickets: [...]}",
                      404: "No such conversation"})
async def get_assist(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    async with platform.sessions() as session:
        conversation = await session.get(Conversation, request.match_info["id"])
        if conversation is None:
            raise NotFound("未找到该会话。", code="conversation_not_found")
        await scope.conversation(session, principal(request), conversation.id)
        channel = conversation.channel
        last = await assist.last_customer_line(session, conversation.id)
        tickets = await assist.open_tickets(session, conversation.id, platform.clock())
    suggested = await assist.suggestion(request.app[ROUTER].rasa, channel, last)
    return json_response({"suggestion": suggested, "tickets": tickets})
