"""`POST /api/privacy/export` and `POST /api/privacy/erase`: a customer's copy of their data and
its deletion on request (backend/privacy_requests.py says what each covers and keeps).

Who: supervisors and admins of the root unit, the contact centre that serves every
customer (scope.ROOT; a city's supervisor: 403 outside_unit). The handler has checked the
customer's identity and gives the request's reference; the audit entry ("privacy.export" /
"privacy.erase", subject masked, counts) is written before the answer, or nothing happens.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, root_validator, validator

from backend import audit, identifiers
from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.registry import ApiRoutes
from backend.api.scope import require_unit
from backend.api.validation import json_response, read_body, stripped
from backend.context import Platform
from backend.kpi import root_unit
from backend.openapi_hints import declares
from backend.privacy_requests import Subject, erase, export

routes = ApiRoutes("privacy")
NO_SUBJECT = "请提供客户的手机号码或户号。"


class PrivacyRequest(BaseModel):
    phone: str | None = Field(None, max_length=32, description="the customer's phone number")
    account_no: str | None = Field(None, max_length=32, description="the customer's 户号")
    reference: str = Field(..., min_length=4, max_length=200,
                           description="the request's reference and how the identity was checked (audited)")

    class Config:
        extra = "forbid"

    _reference = stripped("reference", at_least=4)

    _phone = validator("phone", allow_reuse=True)(identifiers.optional(identifiers.phone))
    _account_no = validator("account_no", allow_reuse=True)(identifiers.optional(identifiers.account_no))

    @root_validator(skip_on_failure=True)
    @declares(anyOf=[{"required": ["phone"]}, {"required": ["account_no"]}])
    def _someone(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not values.get("phone") and not values.get("account_no"):
            raise ValueError(NO_SUBJECT)
        return values


async def _checked(request: web.Request) -> tuple[Platform, PrivacyRequest, Subject]:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, PrivacyRequest)
    async with platform.sessions() as session:
        await require_unit(session, principal(request), await root_unit(session))
    return platform, body, Subject(body.phone, body.account_no)


@routes.op("POST", "/api/privacy/export", "A customer's copy of the personal data held about them "
           "(PIPL art. 45), for a stated request reference (audited)", body=PrivacyRequest,
           responses={200: "{subject, generated_at, accounts, tickets, conversations, surveys}",
                      403: "Not a supervisor or admin of the root unit", 422: "No or malformed phone / 户号"})
async def post_export(request: web.Request) -> web.Response:
    platform, body, subject = await _checked(request)
    copy = await export(platform, subject)
    await audit.record(platform, principal(request), "privacy.export", "customer", _target(subject),
                       reason=body.reference, client=audit.client_tag(request.remote), required=True,
                       details={k: len(copy[k]) for k in ("accounts", "tickets", "conversations", "surveys")})
    return json_response({"subject": subject.masked(), **copy})


@routes.op("POST", "/api/privacy/erase", "Delete a customer's personal data that need not be kept "
           "(PIPL art. 47), for a stated request reference (audited); says what stays and why",
           body=PrivacyRequest,
           responses={200: "{subject, erased {tickets, transcript_lines, survey_comments}, kept [{kind, id, why}]}",
                      403: "Not a supervisor or admin of the root unit", 422: "No or malformed phone / 户号"})
async def post_erase(request: web.Request) -> web.Response:
    platform, body, subject = await _checked(request)
    who = principal(request)
    # The intent is recorded before anything is erased; the outcome after.
    await audit.record(platform, who, "privacy.erase", "customer", _target(subject), reason=body.reference,
                       client=audit.client_tag(request.remote), required=True)
    done = await erase(platform, subject)
    await audit.record(platform, who, "privacy.erased", "customer", _target(subject), reason=body.reference,
                       client=audit.client_tag(request.remote), details=done["erased"])
    return json_response({"subject": subject.masked(), **done})


def _target(subject: Subject) -> str:
    masked = subject.masked()
    return " ".join(v for v in (masked["phone"], masked["account_no"]) if v)
