"""Who is calling: a service with the bearer token, or a logged-in staff member.

Services (the action server, the console's own pages) use
`Authorization: Bearer <BACKEND_API_TOKEN>`; staff log in and carry a session
cookie whose token is stored only as a hash. Webhooks of other systems
(/webhooks/…, e.g. the hotline IVR) take the service token only: no staff
member posts there. WeChat cannot send a token: /webhooks/wechat is
authenticated by WeChat's signature in its own handler (backend/channels/wechat.py).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import select

from backend.api import PLATFORM
from backend.context import Platform
from backend.errors import DomainError, Forbidden
from backend.models import StaffSession, StaffUser

SESSION_COOKIE = "session"
PUBLIC_PREFIXES = ("/api/public/", "/api/auth/login")
PUBLIC_PATHS = ("/api/openapi.json",)
SERVICE_ONLY_PREFIXES = ("/webhooks/",)
SIGNED_WEBHOOKS = ("/webhooks/wechat",)  # each checks its sender's signature itself


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


@dataclass(frozen=True)
class Principal:
    kind: str  # "service" or "staff"
    name: str
    role: str = "service"
    unit_id: str | None = None
    user_id: int | None = None

    @property
    def actor(self) -> str:
        return "service" if self.kind == "service" else f"staff:{self.name}"

    def require_role(self, *roles: str) -> None:
        if self.kind == "staff" and self.role not in roles:
            raise Forbidden("您的账号没有执行该操作的权限。")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def staff_for_token(platform: Platform, token: str) -> Principal | None:
    async with platform.sessions() as session:
        row = (await session.execute(
            select(StaffUser, StaffSession.expires_at)
            .join(StaffSession, StaffSession.user_id == StaffUser.id)
            .where(StaffSession.token_hash == hash_token(token), StaffUser.active.is_(True))
        )).first()
    if row is None or row.expires_at <= platform.clock():
        return None
    user = row.StaffUser
    return Principal("staff", user.username, user.role, user.unit_id, user.id)


def _is_public(path: str) -> bool:
    if path in SIGNED_WEBHOOKS:
        return True
    if path.startswith(SERVICE_ONLY_PREFIXES):
        return False
    return not path.startswith("/api/") or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if _is_public(request.path):
        return await handler(request)
    platform: Platform = request.app[PLATFORM]
    header = request.headers.get("Authorization", "")
    token = platform.settings.api_token
    if header.startswith("Bearer "):
        given = header[len("Bearer "):].strip()
        # An unset token never authenticates, whatever is sent.
        if token and hmac.compare_digest(given.encode(), token.encode()):
            request["principal"] = Principal("service", "service")
            return await handler(request)
        raise Unauthorized("访问令牌无效。")
    if request.path.startswith(SERVICE_ONLY_PREFIXES):
        raise Unauthorized("请提供有效的访问令牌。")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = await staff_for_token(platform, cookie)
        if principal is not None:
            request["principal"] = principal
            return await handler(request)
    raise Unauthorized("请先登录或提供有效的访问令牌。")


def principal(request: web.Request) -> Principal:
    return request["principal"]
