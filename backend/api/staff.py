"""Staff login for the console: a session cookie whose token is stored hashed.

Abuse: every failed login is an audit entry (login.failure, with the username
tried and a hash of the address, never the password), and the throttle counts
those entries (service_rules.yml `staff_login`): past max_failures_per_user for
one username, or max_failures_per_client from one address, within the window,
the login answers 429 without checking the password until the oldest counted
failure leaves the window (refused tries are logged, not audited, so the table
grows by at most the limits per address and window). A success resets the username's count (its
failures before the success no longer count), never the address's, so one
valid account cannot launder guesses at others. Argon2 runs in a worker
thread: a burst of logins cannot stall the event loop (and /healthz).

Sessions (service_rules.yml `staff_login`): one lasts at most session_hours and
ends after idle_minutes without a request (backend/api/auth.py); a staff member
holds at most max_sessions_per_user, a new login ending the oldest; logout ends
this session, `?everywhere=true` all of the staff member's sessions (a lost
laptop). The cookie is HttpOnly, SameSite=Strict, and Secure when the request
came over HTTPS or COOKIE_SECURE is set (behind a TLS-terminating proxy).
Expired and idle sessions are deleted by the sweep (backend/scheduler.py).
"""
from __future__ import annotations

import asyncio
import logging
import math
import secrets
from datetime import datetime, timedelta

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from backend import audit
from backend.api import PLATFORM
from backend.api.auth import ANONYMOUS, SESSION_COOKIE, Principal, Unauthorized, hash_token, principal
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, read_query
from backend.context import Platform
from backend.errors import TooManyAttempts
from backend.models import StaffSession, StaffUser
from backend.observability.metrics import LOGIN_FAILURES, LOGIN_THROTTLED

log = logging.getLogger(__name__)
routes = ApiRoutes("staff")
password_hasher = PasswordHasher()  # the one hasher: the login verifies with it, backend.admin hashes with it
# Verifying against a dummy hash for unknown users keeps the response time
# from telling which usernames exist.
_DUMMY_HASH = password_hasher.hash("not-a-real-password")


class LogoutQuery(BaseModel):
    everywhere: bool = Field(False, description="end every session of this staff member, not just this one")


class Login(BaseModel):
    username: str = Field(..., min_length=1, max_length=50)
    password: str = Field(..., min_length=1, max_length=200)


def _password_ok(stored: str, given: str) -> bool:
    try:
        return password_hasher.verify(stored, given)
    except (VerifyMismatchError, InvalidHashError):
        return False


async def _throttled(platform: Platform, username: str, client: str) -> int | None:
    """Seconds until a login may be tried again, or None when it may be tried now."""
    rules = platform.rules.staff_login
    now = platform.clock()
    window_start = now - timedelta(seconds=rules.window_seconds)
    waits = []
    success = await audit.last_at(platform, "login.success", username)
    since = max(window_start, success) if success else window_start
    for since_at, limit, key in ((since, rules.max_failures_per_user, {"target_id": username}),
                                 (window_start, rules.max_failures_per_client, {"client": client})):
        count, oldest = await audit.count_since(platform, "login.failure", since_at, **key)
        if count >= limit and oldest is not None:
            waits.append(_until(oldest + timedelta(seconds=rules.window_seconds), now))
    return max(waits) if waits else None


def _until(when: datetime, now: datetime) -> int:
    return max(1, math.ceil((when - now).total_seconds()))


@routes.op("POST", "/api/auth/login", "Staff login; sets the session cookie", body=Login, auth=False,
           responses={200: "Logged in", 401: "Wrong username or password",
                      429: "Too many failed logins for this username or from this address"})
async def login(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    body = await read_body(request, Login)
    client = audit.client_tag(request.remote)
    wait = await _throttled(platform, body.username, client)
    if wait is not None:
        # A log line, not an audit entry: refused tries must not let anyone grow the table at will.
        log.warning("login throttled for client %s (retry after %ss)", client, wait)
        LOGIN_THROTTLED.inc()
        minutes = max(1, math.ceil(wait / 60))
        raise TooManyAttempts(f"登录失败次数过多，请{minutes}分钟后再试。", code="login_throttled",
                              details={"retry_after": wait})
    async with platform.sessions() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == body.username))
    # In a worker thread: argon2 takes tens of milliseconds of CPU per try.
    ok = await asyncio.to_thread(_password_ok, user.password_hash if user else _DUMMY_HASH, body.password)
    if user is None or not ok or not user.active:
        LOGIN_FAILURES.inc()
        why = "unknown_user" if user is None else "wrong_password" if not ok else "inactive"
        await audit.record(platform, ANONYMOUS, "login.failure", "staff_user", body.username,
                           unit_id=user.unit_id if user else None, client=client, details={"why": why})
        raise Unauthorized("用户名或密码不正确。", code="login_failed")
    token = secrets.token_urlsafe(32)
    rules = platform.rules.staff_login
    now = platform.clock()
    async with platform.sessions() as session:
        session.add(StaffSession(token_hash=hash_token(token), user_id=user.id, created_at=now,
                                 last_seen_at=now, expires_at=now + timedelta(hours=rules.session_hours)))
        await session.flush()
        kept = select(StaffSession.id).where(StaffSession.user_id == user.id) \
            .order_by(StaffSession.created_at.desc(), StaffSession.id.desc()).limit(rules.max_sessions_per_user)
        await session.execute(delete(StaffSession).where(StaffSession.user_id == user.id,
                                                         StaffSession.id.not_in(kept.scalar_subquery()))
                              .execution_options(synchronize_session=False))
        await session.commit()
    who = Principal("staff", user.username, user.role, user.unit_id, user.id)
    await audit.record(platform, who, "login.success", "staff_user", user.username, client=client)
    me = {"username": user.username, "display_name": user.display_name, "role": user.role, "unit": user.unit_id}
    response = json_response(me)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict", path="/",
                        max_age=int(rules.session_hours * 3600),
                        secure=request.secure or platform.settings.cookie_secure)
    return response


@routes.op("POST", "/api/auth/logout", "End the staff session (?everywhere=true: every session of the user)",
           query=LogoutQuery)
async def logout(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    q = read_query(request, LogoutQuery)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        who = principal(request)
        this = StaffSession.token_hash == hash_token(token)
        ended = StaffSession.user_id == who.user_id if q.everywhere and who.user_id is not None else this
        async with platform.sessions() as session:
            await session.execute(delete(StaffSession).where(ended).execution_options(synchronize_session=False))
            await session.commit()
        await audit.record(platform, who, "logout.everywhere" if q.everywhere else "logout", "staff_user", who.name)
    response = json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.op("GET", "/api/auth/me", "Who is logged in")
async def me(request: web.Request) -> web.Response:
    who = principal(request)
    return json_response({"kind": who.kind, "username": who.name, "role": who.role, "unit": who.unit_id})
