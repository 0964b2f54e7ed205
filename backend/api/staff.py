"""Staff login for the console: a session cookie whose token is stored hashed."""
from __future__ import annotations

import secrets
from datetime import timedelta

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from backend.api import PLATFORM
from backend.api.auth import SESSION_COOKIE, Unauthorized, hash_token, principal
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body
from backend.models import StaffSession, StaffUser

routes = ApiRoutes("staff")
SESSION_HOURS = 12  # one working shift
_hasher = PasswordHasher()
# Verifying against a dummy hash for unknown users keeps the response time
# from telling which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class Login(BaseModel):
    username: str = Field(..., min_length=1, max_length=50)
    password: str = Field(..., min_length=1, max_length=200)


def _password_ok(stored: str, given: str) -> bool:
    try:
        return _hasher.verify(stored, given)
    except (VerifyMismatchError, InvalidHashError):
        return False


@routes.op("POST", "/api/auth/login", "Staff login; sets the session cookie", body=Login, auth=False,
           responses={200: "Logged in", 401: "Wrong username or password"})
async def login(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    body = await read_body(request, Login)
    async with platform.sessions() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == body.username))
        ok = _password_ok(user.password_hash if user else _DUMMY_HASH, body.password)
        if user is None or not ok or not user.active:
            raise Unauthorized("用户名或密码不正确。", code="login_failed")
        token = secrets.token_urlsafe(32)
        now = platform.clock()
        session.add(StaffSession(token_hash=hash_token(token), user_id=user.id, created_at=now,
                                 expires_at=now + timedelta(hours=SESSION_HOURS)))
        await session.commit()
        me = {"username": user.username, "display_name": user.display_name, "role": user.role,
              "unit": user.unit_id}
    response = json_response(me)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict",
                        max_age=SESSION_HOURS * 3600, path="/")
    return response


@routes.op("POST", "/api/auth/logout", "End the staff session")
async def logout(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with platform.sessions() as session:
            await session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))
            await session.commit()
    response = json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.op("GET", "/api/auth/me", "Who is logged in")
async def me(request: web.Request) -> web.Response:
    who = principal(request)
    return json_response({"kind": who.kind, "username": who.name, "role": who.role, "unit": who.unit_id})
