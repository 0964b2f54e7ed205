"""The agents' side of a conversation: claim, speak, release, close.

Callers: a staff session of an agent or supervisor, or the service token
(a system agent, `held_by` "service"), as the access table says (backend/api/policy.py).
The rules live in backend/router/takeover.py:
claim → 200, held by another → 409; a line from anyone but the holder → 403
(nobody holds it → 409); release back to the assistant and close tell the
customer through the channel's delivery. A supervisor or admin may release or
close a conversation another agent holds.
"""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field, validator
from sqlalchemy import select

from backend import audit
from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.conversations import may_read
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body
from backend.errors import NotFound
from backend.models import Conversation
from backend.openapi_hints import declares, stripped_at_least
from backend.router import ROUTER
from backend.router.takeover import SUPERVISING_ROLES, Holder

routes = ApiRoutes("conversations")


class AgentLine(BaseModel):
    text: str = Field(..., min_length=1, max_length=2000)

    @validator("text")
    @declares(pattern=stripped_at_least(1))  # spaces alone are no line (the document says so too)
    def _not_blank(cls, value: str) -> str:  # noqa: N805 (pydantic validator)
        if not value.strip():
            raise ValueError("消息内容不能为空")
        return value.strip()


def _holder(request: web.Request) -> Holder:
    """The caller as a holder; which roles may act at all is the access table's (backend/api/policy.py)."""
    who = principal(request)
    return Holder(who.actor, who.user_id, supervising=who.kind == "service" or who.role in SUPERVISING_ROLES)


async def _audit(request: web.Request, action: str, conversation_id: str,
                 details: dict[str, object] | None = None) -> None:
    """Each takeover act goes to the audit log under the acting agent's unit (conversations have none)."""
    await audit.record(request.app[PLATFORM], principal(request), action, "conversation", conversation_id,
                       details=details)


async def _state(request: web.Request, conversation_id: str) -> dict[str, object]:
    async with request.app[PLATFORM].sessions() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.id == conversation_id))
    if conversation is None:
        raise NotFound("未找到该会话。", code="conversation_not_found")
    return {"id": conversation.id, "channel": conversation.channel, "state": conversation.state,
            "held_by": conversation.held_by, "agent_id": conversation.agent_id}


@routes.op("POST", "/api/conversations/{id}/claim", "Take the conversation (the assistant stops answering)",
           responses={200: "Held by the caller", 404: "No such conversation",
                      409: "Held by another agent, or closed"})
async def post_claim(request: web.Request) -> web.Response:
    conversation_id = request.match_info["id"]
    await may_read(request, conversation_id)
    await request.app[ROUTER].takeover.claim(conversation_id, _holder(request))
    await _audit(request, "conversation.claim", conversation_id)
    return json_response(await _state(request, conversation_id))


@routes.op("POST", "/api/conversations/{id}/messages", "Say something to the customer (holder only)",
           body=AgentLine, responses={201: "Stored and sent (or pending for the channel's next turn)",
                                      403: "Held by another agent", 404: "No such conversation",
                                      409: "Nobody holds it: claim first", 422: "Invalid input"})
async def post_message(request: web.Request) -> web.Response:
    conversation_id = request.match_info["id"]
    await may_read(request, conversation_id)
    holder = _holder(request)
    body = await read_body(request, AgentLine)
    seq = await request.app[ROUTER].takeover.say(conversation_id, holder, body.text)
    # What was said is in the transcript; the log keeps that it was said, not the words.
    await _audit(request, "conversation.message", conversation_id, {"seq": seq, "chars": len(body.text)})
    return json_response({"conversation_id": conversation_id, "seq": seq}, status=201)


@routes.op("POST", "/api/conversations/{id}/release", "Give the conversation back to the assistant",
           responses={200: "The assistant answers again; the customer is told", 403: "Held by another agent",
                      404: "No such conversation", 409: "Nobody holds it"})
async def post_release(request: web.Request) -> web.Response:
    conversation_id = request.match_info["id"]
    await may_read(request, conversation_id)
    await request.app[ROUTER].takeover.release(conversation_id, _holder(request))
    await _audit(request, "conversation.release", conversation_id)
    return json_response(await _state(request, conversation_id))


@routes.op("POST", "/api/conversations/{id}/close", "End the conversation",
           responses={200: "Closed; the customer is told", 403: "Held by another agent",
                      404: "No such conversation", 409: "Already closed"})
async def post_close(request: web.Request) -> web.Response:
    conversation_id = request.match_info["id"]
    await may_read(request, conversation_id)
    await request.app[ROUTER].takeover.close(conversation_id, _holder(request))
    await _audit(request, "conversation.close", conversation_id)
    return json_response(await _state(request, conversation_id))
