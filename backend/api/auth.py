"""Who is calling: a service with the bearer token, or a logged-in staff member.

Services (the action server, the console's own pages) use
`Authorization: Bearer <BACKEND_API_TOKEN>` (during a rotation BACKEND_API_TOKEN_PREVIOUS
too, until retired); staff log in and carry a session
cookie whose token is stored only as a hash. Webhooks of other systems
(/webhooks/…, e.g. the hotline IVR) take the service token only: no staff
member posts there. WeChat cannot send a token: /webhooks/wechat is
authenticated by WeChat's signature in its own handler (backend/channels/wechat.py).

This module says who is calling; which callers may use which route, and how
far into the unit tree, is the access table's (backend/api/policy.py).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from sqlalchemy import delete, select, update

from backend.api import PLATFORM
from backend.context import Platform
from backend.errors import DomainError, Forbidden
from backend.models import StaffSession, StaffUser

SESSION_COOKIE = "session"
# How stale a session's last_seen_at may get before a request writes it again.
SEEN_RESOLUTION = timedelta(minutes=1)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


@dataclass(frozen=True)
class Principal:
    kind: str  # "service", "staff", "scraper" (METRICS_TOKEN: /metrics only) or "anonymous"
    name: str
    role: str = "service"
    unit_id: str | None = None
    user_id: int | None = None

    @property
    def actor(self) -> str:
        """How the caller is written in events and the audit log."""
        return f"staff:{self.name}" if self.kind == "staff" else self.kind

    def require_role(self, *roles: str) -> None:
        """Refuse a staff member without one of the roles (a step finer than the route's rule)."""
        if self.kind == "staff" and self.role not in roles:
            raise Forbidden("您的账号没有执行该操作的权限。")


SERVICE = Principal("service", "service")
SCRAPER = Principal("scraper", "scraper", role="scraper")
ANONYMOUS = Principal("anonymous", "anonymous", role="anonymous")


def token_matches(given: str, token: str) -> bool:
    """Compared in constant time; an unset token never matches, whatever is sent."""
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def hash_token(token: str) -> str:
    """Session tokens are stored only as this hash."""
    return hashlib.sha256(token.encode()).hexdigest()


async def staff_for_token(platform: Platform, token: str, *, touch: bool = True) -> Principal | None:
    """The staff member of a live session token; None when unknown, expired, idle too long or inactive.

    Each use moves the session's last_seen_at (written at most once a minute, so a busy
    console does not write on every request); a session idle for staff_login.idle_minutes
    has ended, as a workstation left logged in must. `touch=False` only checks (a live
    feed re-checks its session without keeping an unattended desk logged in)."""
    now = platform.clock()
    idle = timedelta(minutes=platform.rules.staff_login.idle_minutes)
    async with platform.sessions() as session:
        row = (await session.execute(
            select(StaffUser, StaffSession.id, StaffSession.expires_at, StaffSession.last_seen_at)
            .join(StaffSession, StaffSession.user_id == StaffUser.id)
            .where(StaffSession.token_hash == hash_token(token), StaffUser.active.is_(True))
        )).first()
        if row is None or row.expires_at <= now:
            return None
        if row.last_seen_at is not None and now - row.last_seen_at > idle:
            await session.execute(delete(StaffSession).where(StaffSession.id == row.id))
            await session.commit()
            return None
        if touch and (row.last_seen_at is None or now - row.last_seen_at > SEEN_RESOLUTION):
            await session.execute(update(StaffSession).where(StaffSession.id == row.id)
                                  .values(last_seen_at=now).execution_options(synchronize_session=False))
            await session.commit()
    user = row.StaffUser
    return Principal("staff", user.username, user.role, user.unit_id, user.id)


async def authenticate(request: web.Request) -> Principal | None:
    """The caller: the service token, a live staff session, or None (anonymous).

    A bearer token that is wrong is refused at once (401) rather than treated as
    anonymous, so a misconfigured service finds out. Who may call which route is
    the access table's business (backend/api/policy.py), not this function's.
    """
    platform: Platform = request.app[PLATFORM]
    header = request.headers.get("Authorization", "")
    settings = platform.settings
    if header.startswith("Bearer "):
        given = header[len("Bearer "):].strip()
        # The previous token too until it is retired: during a rotation the services that send it
        # are restarted one by one (python -m backend.admin token).
        if token_matches(given, settings.api_token) or token_matches(given, settings.api_token_previous):
            return SERVICE
        scrape = platform.settings.metrics_token  # Prometheus's: admitted to /metrics only (policy.py)
        if scrape and hmac.compare_digest(given.encode(), scrape.encode()):
            return SCRAPER
        raise Unauthorized("访问令牌无效。")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return await staff_for_token(platform, cookie)
    return None


def principal(request: web.Request) -> Principal:
    """The caller the access middleware authenticated (ANONYMOUS on public routes)."""
    return request["principal"]
