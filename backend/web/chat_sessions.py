"""Who is chatting: the web chat's token and the conversation it opens.

Terms:
- token: the opaque bearer secret a browser keeps (localStorage), made here with
  `secrets.token_urlsafe(32)` (256 random bits). The database never holds it: the
  conversation's external id (channel `web`) is `token_key(token)`, its SHA-256,
  and the router opens the conversation with that. Whoever holds the token reads
  and writes that one conversation; nothing else reaches it.
- known token: one whose conversation exists. Tokens are only made here, and a
  token's conversation is created when the token is handed out, so a token the
  server never gave out (or one from a wiped database) is unknown; it gets a
  new token and a new conversation instead (a client cannot pick its own token).
- limit: new conversations per client address (`request.remote`) within
  `web_chat.session_window_seconds` (service_rules.yml); a known token is never
  limited. Logs name the client only as a short hash.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select

from backend.api import PLATFORM
from backend.context import Platform
from backend.models import Conversation
from backend.router import ROUTER, ConversationRef
from backend.router.takeover import ref
from backend.web.rate_limit import SlidingWindowLimiter, Verdict

log = logging.getLogger(__name__)

CHANNEL = "web"
TOKEN = re.compile(r"[A-Za-z0-9_-]{40,64}")
SESSION_LIMITER = web.AppKey("chat_session_limiter", SlidingWindowLimiter)


@dataclass(frozen=True)
class Session:
    """A browser's conversation and the token it should keep from now on."""

    token: str
    conversation: ConversationRef
    new: bool  # a new conversation (no token, or one the server did not know)


class TooManySessions(Exception):
    """This client address opened too many conversations lately."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"retry after {verdict.retry_after}s")
        self.retry_after = verdict.retry_after


def setup(app: web.Application, platform: Platform) -> None:
    rules = platform.rules.web_chat
    app[SESSION_LIMITER] = SlidingWindowLimiter(rules.max_sessions, rules.session_window_seconds)


def new_token() -> str:
    """A fresh bearer token for a browser (43 characters)."""
    return secrets.token_urlsafe(32)


def token_key(token: str) -> str:
    """The conversation's external id for a token: its SHA-256, so the database holds no bearer secret."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: object) -> bool:
    return isinstance(token, str) and TOKEN.fullmatch(token) is not None


async def find(platform: Platform, token: object) -> ConversationRef | None:
    """The token's conversation; None for a malformed token or one this server never gave out."""
    if not well_formed(token):
        return None
    async with platform.sessions() as session:
        found = await session.scalar(select(Conversation).where(
            Conversation.channel == CHANNEL, Conversation.external_id == token_key(str(token))))
    return ref(found) if found is not None else None


def client_tag(request: web.Request) -> str:
    """The client address as a short hash, for logs."""
    return hashlib.sha256((request.remote or "").encode()).hexdigest()[:10]


async def open_session(request: web.Request, token: object) -> Session:
    """The token's conversation, else a new token and conversation (TooManySessions past the limit)."""
    platform: Platform = request.app[PLATFORM]
    found = await find(platform, token)
    if found is not None:
        return Session(str(token), found, new=False)
    verdict = request.app[SESSION_LIMITER].hit(request.remote or "", platform.clock())
    if not verdict.allowed:
        log.warning("web chat: client %s opens too many conversations", client_tag(request))
        raise TooManySessions(verdict)
    fresh = new_token()
    conversation = await request.app[ROUTER].open(CHANNEL, token_key(fresh))
    log.info("web chat: new conversation %s", conversation.id)
    return Session(fresh, conversation, new=True)
