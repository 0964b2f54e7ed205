"""Conversations and the human-agent queue (the takeover steps: backend/api/takeover.py).

The assistant hands a conversation over here (request_human, repeated
misunderstanding, escalation intent); the takeover state lives in the backend,
not in Rasa, because Rasa forgets a paused tracker when its session restarts.
"""
from __future__ import annotations

import uuid

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from backend.api import PLATFORM, scope
from backend.api.auth import principal
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, read_query
from backend.channels.ivr import IvrChannel
from backend.channels.wechat_quota import quota_view
from backend.errors import NotFound
from backend.models import Conversation, Message, WechatContact
from backend.models.conversations import CHANNELS, CONVERSATION_STATES
from backend.router import ROUTER
from backend.router.takeover import queue_position, ref
from backend.tickets.schemas import one_of
from backend.tickets.views import iso

routes = ApiRoutes("conversations")


class Handoff(BaseModel):
    channel: str
    sender_id: str = Field(..., min_length=1, max_length=128,
                           description="the router's conversation id (Rasa's sender id when the message came "
                                       "through the backend), or the channel's id of the customer")
    reason: str = Field(..., min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=2000, description="what the bot knows so far")

    _channel = one_of("channel", CHANNELS)


class ConversationQuery(BaseModel):
    state: str | None = None
    channel: str | None = None
    held_by: str | None = Field(None, regex=r"^me$", description="me: only the conversations the caller holds")
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=200)

    _state = one_of("state", CONVERSATION_STATES)
    _channel = one_of("channel", CHANNELS)


async def may_read(request: web.Request, conversation_id: str) -> None:
    """The transcript rule (scope.CONVERSATION) for the caller, before a conversation route touches it."""
    async with request.app[PLATFORM].sessions() as session:
        await scope.conversation(session, principal(request), conversation_id)


def _view(conversation: Conversation, position: int | None = None) -> dict[str, object]:
    return {
        "id": conversation.id, "channel": conversation.channel, "state": conversation.state,
        "handoff_reason": conversation.handoff_reason, "agent_id": conversation.agent_id,
        "held_by": conversation.held_by,
        "waiting_since": iso(conversation.waiting_since) if conversation.waiting_since else None,
        "queue_position": position,
        "created_at": iso(conversation.created_at), "updated_at": iso(conversation.updated_at),
    }


def _line(message: Message) -> dict[str, object]:
    line: dict[str, object] = {"seq": message.seq, "sender": message.sender, "text": message.text,
                               "at": iso(message.created_at)}
    if message.sender == "customer":
        line |= {"intent": message.intent, "confidence": message.confidence}
    else:
        line |= {"actor": message.actor}
    if message.awaiting_delivery:
        line["pending_delivery"] = True
    return line


@routes.op("POST", "/api/conversations/handoffs", "Hand a conversation to the human-agent queue",
           body=Handoff, responses={201: "Queued (or already queued)", 422: "Invalid input"})
async def post_handoff(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    body = await read_body(request, Handoff)
    now = platform.clock()
    async with platform.sessions() as session:
        # Through the router, Rasa's sender id is the conversation id; otherwise the old pair.
        conversation = await session.get(Conversation, body.sender_id)
        if conversation is None:
            conversation = await session.scalar(select(Conversation).where(
                Conversation.channel == body.channel, Conversation.external_id == body.sender_id))
        if conversation is None:
            conversation = Conversation(id=str(uuid.uuid4()), channel=body.channel, state="bot",
                                        external_id=body.sender_id, created_at=now, updated_at=now)
            session.add(conversation)
            await session.flush()
        await request.app[ROUTER].takeover.queue(session, conversation, body.reason, body.summary)
        await session.commit()
        # Already held by an agent: the action still says "connecting you", never a negative place.
        view = _view(conversation, await queue_position(session, conversation) or 1)
    return json_response(view, status=201)


@routes.op("GET", "/api/conversations",
           "Conversations, newest first; waiting ones carry queue_position and waiting_since",
           query=ConversationQuery)
async def get_conversations(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    q = read_query(request, ConversationQuery)
    stmt = select(Conversation)
    if q.state:
        stmt = stmt.where(Conversation.state == q.state)
    if q.channel:
        stmt = stmt.where(Conversation.channel == q.channel)
    if q.held_by == "me":
        stmt = stmt.where(Conversation.state == "agent", Conversation.held_by == principal(request).actor)
    async with platform.sessions() as session:
        readable = await scope.readable_conversations(session, principal(request))
        if readable is not None:
            stmt = stmt.where(readable)
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = (await session.scalars(stmt.order_by(Conversation.updated_at.desc(), Conversation.id)
                                      .limit(q.per_page).offset((q.page - 1) * q.per_page))).all()
        waiting = (await session.execute(
            select(Conversation.id).where(Conversation.state == "waiting_agent")
            .order_by(Conversation.waiting_since, Conversation.id))).scalars().all()
    positions = {conversation_id: place for place, conversation_id in enumerate(waiting, start=1)}
    return json_response({"items": [_view(c, positions.get(c.id)) for c in rows], "total": total,
                          "page": q.page})


@routes.op("GET", "/api/conversations/{id}", "One conversation with its (masked) transcript; a WeChat one "
           "also with wechat_quota {remaining, window_ends_at}: what the agent can still send now; a hotline "
           "call with ivr_transfer (intent, form, masked slots, ticket, last turns: what the IVR hands over)",
           responses={200: "OK", 404: "No such conversation"})
async def get_conversation(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    async with platform.sessions() as session:
        conversation = await session.get(Conversation, request.match_info["id"])
        if conversation is None:
            raise NotFound("未找到该会话。", code="conversation_not_found")
        await scope.conversation(session, principal(request), conversation.id)
        messages = (await session.scalars(select(Message).where(Message.conversation_id == conversation.id)
                                          .order_by(Message.seq))).all()
        position = await queue_position(session, conversation)
        detail = _view(conversation, position) | {"messages": [_line(m) for m in messages]}
        if conversation.channel == "wechat":
            detail["wechat_quota"] = quota_view(await session.get(WechatContact, conversation.id), platform.clock())
    if conversation.channel == "ivr":
        detail["ivr_transfer"] = await IvrChannel(platform, request.app[ROUTER]).transfer_context(ref(conversation))
    return json_response(detail)
