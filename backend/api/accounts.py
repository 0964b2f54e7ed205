"""/api/accounts: identity check first, then the account and its bills, always masked.

An unknown 户号 and a wrong phone get the same 403 (backend/accounts.py); another unit's
account is refused (outside_unit) only after its identity check passed; every request
counts towards the caller's look-up limit (backend/api/lookups.py)."""
from __future__ import annotations

import re

from aiohttp import web
from pydantic import BaseModel, Field, validator

from backend import identifiers
from backend.accounts import account_view, bills_view, verified_account
from backend.api import PLATFORM, scope
from backend.api.auth import principal
from backend.api.lookups import count_lookup
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_body, read_query
from backend.context import Platform
from backend.errors import InvalidInput
from backend.openapi_hints import declares

routes = ApiRoutes("accounts")
LAST4 = re.compile(r"^[0-9]{4}$")

_CHECKS = {403: "户号与手机号码后四位不匹配 (identity_mismatch)",
           429: "验证失败次数过多，暂时锁定 (too_many_attempts), or too many different 户号 looked up "
                "(too_many_lookups)", 422: "Invalid input"}


@declares(pattern=LAST4.pattern)
def _last4(value: str) -> str:
    value = value.strip()
    # ASCII only: a full-width "１２３４" would never match and only burn an attempt.
    if not LAST4.match(value):
        raise ValueError("请输入预留手机号码的后4位数字")
    return value


class VerifyIn(BaseModel):
    account_no: str
    phone_last4: str

    _account = validator("account_no", allow_reuse=True)(identifiers.account_no)
    _phone = validator("phone_last4", allow_reuse=True)(_last4)

    class Config:
        extra = "forbid"


class IdentityQuery(BaseModel):
    phone_last4: str = Field(..., description="last 4 digits of the account's phone")

    _phone = validator("phone_last4", allow_reuse=True)(_last4)


class BillsQuery(IdentityQuery):
    months: int = Field(12, description="how many of the latest bills to list, 1-60")

    @validator("months", pre=True)
    @declares(minimum=1, maximum=60)
    def _months(cls, value: object) -> int:  # noqa: N805
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 60):
            raise ValueError("months 应为 1 到 60 之间的整数")
        return int(text)


def _path_account(request: web.Request) -> str:
    try:
        return identifiers.account_no(request.match_info["account_no"])
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_input") from exc


@routes.op("POST", "/api/accounts/verify", "Verify 户号 + phone last 4 before any account data",
           body=VerifyIn, responses={200: "Verified, with a masked account summary", **_CHECKS})
async def verify(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, VerifyIn)
    count_lookup(request, body.account_no)
    async with platform.sessions() as session:
        account = await verified_account(platform, session, body.account_no, body.phone_last4)
        await scope.account(session, principal(request), account)
        return json_response({"verified": True, "account": account_view(account)})


@routes.op("GET", "/api/accounts/{account_no}", "The account (masked), after the identity check",
           query=IdentityQuery, responses={200: "OK", **_CHECKS})
async def get_account(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    account_no = _path_account(request)
    q = read_query(request, IdentityQuery)
    count_lookup(request, account_no)
    async with platform.sessions() as session:
        account = await verified_account(platform, session, account_no, q.phone_last4)
        await scope.account(session, principal(request), account)
        return json_response(account_view(account))


@routes.op("GET", "/api/accounts/{account_no}/bills",
           "Bills newest first with arrears, late fee and days overdue as of today",
           query=BillsQuery, responses={200: "OK", **_CHECKS})
async def get_bills(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    account_no = _path_account(request)
    q = read_query(request, BillsQuery)
    count_lookup(request, account_no)
    async with platform.sessions() as session:
        account = await verified_account(platform, session, account_no, q.phone_last4)
        await scope.account(session, principal(request), account)
        return json_response(await bills_view(platform, session, account, q.months))
