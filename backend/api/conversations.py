"""Conversations and the human-agent queue.

The assistant hands a conversation over here (request_human, repeated
misunderstanding, escalation intent); the takeover state lives in the backend,
not in Rasa, because Rasa forgets a paused tracker when its session restarts.
"""
from __future__ import annotations

import uuid

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, read_query
from backend.errors import NotFound
from backend.models import Conversation, Message
from backend.models.conversations import CHANNELS, CONVERSATION_STATES
from backend.privacy import mask_text
from backend.tickets.schemas import one_of
from backend.tickets.views import iso

routes = ApiRoutes("conversations")


class Handoff(BaseModel):
    channel: str
    sender_id: str = Field(..., min_length=1, max_length=128, description="the channel's id of the customer")
    reason: str = Field(..., min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=2000, description="what the bot knows so far")

    _channel = one_of("channel", CHANNELS)


class ConversationQuery(BaseModel):
    state: str | None = None
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=200)

    _state = one_of("state", CONVERSATION_STATES)


def _view(conversation: Conversation) -> dict[str, object]:
    return {
        "id": conversation.id, "channel": conversation.channel, "state": conversation.state,
        "handoff_reason": conversation.handoff_reason, "agent_id": conversation.agent_id,
        "created_at": iso(conversation.created_at), "updated_at": iso(conversation.updated_at),
    }


@routes.op("POST", "/api/conversations/handoffs", "Hand a conversation to the human-agent queue",
           body=Handoff, responses={201: "Queued (or already queued)", 422: "Invalid input"})
async def post_handoff(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    body = await read_body(request, Handoff)
    now = platform.clock()
    async with platform.sessions() as session:
        conversation = await session.scalar(select(Conversation).where(
            Conversation.channel == body.channel, Conversation.external_id == body.sender_id))
        if conversation is None:
            conversation = Conversation(id=str(uuid.uuid4()), channel=body.channel,
                                        external_id=body.sender_id, created_at=now)
            session.add(conversation)
        if conversation.state not in ("waiting_agent", "agent"):
            conversation.state = "waiting_agent"
            conversation.handoff_reason = body.reason
            conversation.updated_at = now
            if body.summary:
                seq = await session.scalar(select(func.coalesce(func.max(Message.seq), 0))
                                           .where(Message.conversation_id == conversation.id))
                session.add(Message(conversation_id=conversation.id, seq=(seq or 0) + 1, sender="system",
                                    text=mask_text(body.summary), created_at=now))
        await session.commit()
        ahead = await session.scalar(select(func.count(Conversation.id)).where(
            Conversation.state == "waiting_agent", Conversation.updated_at < conversation.updated_at))
        view = _view(conversation) | {"queue_position": int(ahead or 0) + 1}
    return json_response(view, status=201)


@routes.op("GET", "/api/conversations", "Conversations, newest first (the agents' queue with state=)",
           query=ConversationQuery)
async def get_conversations(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    q = read_query(request, ConversationQuery)
    stmt = select(Conversation)
    if q.state:
        stmt = stmt.where(Conversation.state == q.state)
    async with platform.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = (await session.scalars(stmt.order_by(Conversation.updated_at.desc())
                                      .limit(q.per_page).offset((q.page - 1) * q.per_page))).all()
    return json_response({"items": [_view(c) for c in rows], "total": total, "page": q.page})


@routes.op("GET", "/api/conversations/{id}", "One conversation with its (masked) transcript",
           responses={200: "OK", 404: "No such conversation"})
async def get_conversation(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    async with platform.sessions() as session:
        conversation = await session.get(Conversation, request.match_info["id"])
        if conversation is None:
            raise NotFound("未找到该会话。", code="conversation_not_found")
        messages = (await session.scalars(select(Message).where(Message.conversation_id == conversation.id)
                                          .order_by(Message.seq))).all()
    return json_response(_view(conversation) | {"messages": [
        {"seq": m.seq, "sender": m.sender, "text": m.text, "at": iso(m.created_at)} for m in messages]})
