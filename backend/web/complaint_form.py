"""The complaint form channel (投诉表单): `GET /complaint` and `POST /api/public/complaints`.

Anyone may file a complaint here without logging in. The complaint goes through
the same intake as the assistant's (backend/tickets/intake.py: escalation
intent, grade, repeat linking, clocks) as a `complaint` on channel `form`.

Terms:
- token: a random string made once per render of the page, sent back as the
  hidden field `token` (plain form POST) or the `Idempotency-Key` header (the
  page's script). The ticket's idempotency key is `form:<token>`, so a double
  click, a retry or a reload of the result page files one ticket, and a public
  caller can never reach a key another channel used.
- client: the peer address (`request.remote`); at most
  `public_form.max_submissions` POSTs per client in `public_form.window_seconds`
  (backend/config/service_rules.yml), valid or not, else 429. Behind a reverse
  proxy every customer shares the proxy's address: raise the limit there.
- JSON or form: a JSON body (the script, other clients) is answered in JSON as
  the contract says; a form-encoded body (no script) with an HTML page: the
  result, or the form again with each problem next to its field.

Authority: none. The auth middleware lets /api/public/ through without a
principal, the handler never reads one, and the actor on the ticket is
`public:form` whatever cookie or token came with the request.
Anonymous: intake keeps no name, phone or 户号 and notes that the customer was
warned (the page says it by the checkbox). Confidential: stored on the ticket;
the ticket views mask the customer's details for every reader (views.customer_view).
The form's occurred_at and desired_outcome have no ticket column: they are
appended to the description, labelled, where the handler reads them.
Logs name the ticket and its flags, never the customer's details, and the
client only as a short hash.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError, validator

from backend import identifiers, surveys
from backend.api import PLATFORM
from backend.api.errors import RETRY_AFTER_SECONDS, error_response, validation_details
from backend.api.registry import ApiRoutes
from backend.api.tickets import IDEMPOTENCY
from backend.api.validation import json_response, parse_json, read_raw
from backend.context import Platform
from backend.db import unreachable
from backend.errors import Conflict, DomainError, InvalidInput
from backend.openapi_hints import declares, stripped_at_least
from backend.sla.calendar import TZ
from backend.tickets.intake import create_ticket
from backend.tickets.queries import load_ticket
from backend.tickets.schemas import Customer, TicketCreate
from backend.tickets.views import summary_view
from backend.web import complaint_wording as say
from backend.web import survey_page
from backend.web.complaint_page import (
    API_PATH,
    CHECKED,
    DESCRIPTION_MAX,
    FIELDS,
    OUTCOME_MAX,
    PAGE_PATH,
    STATIC_DIR,
    STATIC_PREFIX,
    field_order,
    page,
    render_form,
    render_message,
    render_result,
)
from backend.web.rate_limit import SlidingWindowLimiter

log = logging.getLogger(__name__)
FORM_ERROR = "form"  # an error of the whole submission: the summary links it to the form

routes = ApiRoutes("public")
LIMITER = web.AppKey("complaint_form_limiter", SlidingWindowLimiter)
ACTOR = "public:form"
CHANNEL = "form"
KEY_PREFIX = "form:"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
FORM_TYPE = "application/x-www-form-urlencoded"
# Clock skew allowed between the customer's "when it happened" and now.
FUTURE_SLACK = timedelta(minutes=10)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class PublicCustomer(BaseModel):
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, description="required unless anonymous")
    account_no: str | None = None

    _blank = validator("*", pre=True, allow_reuse=True)(_blank_to_none)
    _phone = validator("phone", allow_reuse=True)(identifiers.optional(identifiers.phone))
    _account = validator("account_no", allow_reuse=True)(identifiers.optional(identifiers.account_no))

    class Config:
        extra = "forbid"


class PublicComplaint(BaseModel):
    """The contract's body of POST /api/public/complaints."""

    description: str = Field(..., max_length=DESCRIPTION_MAX)
    customer: PublicCustomer = Field(default_factory=PublicCustomer)
    address: str | None = Field(None, max_length=200)
    occurred_at: datetime | None = Field(None, description="without an offset: Asia/Shanghai")
    desired_outcome: str | None = Field(None, max_length=OUTCOME_MAX)
    anonymous: bool = False
    confidential: bool = False

    _blank = validator("description", "address", "occurred_at", "desired_outcome", pre=True,
                       allow_reuse=True)(_blank_to_none)

    @validator("description")
    @declares(pattern=stripped_at_least(2))
    def _enough(cls, value: str) -> str:  # noqa: N805
        if len(value) < 2:
            raise ValueError(say.DESCRIPTION_SHORT)
        return value

    @validator("occurred_at")
    def _local(cls, value: datetime | None) -> datetime | None:  # noqa: N805
        return value.replace(tzinfo=TZ) if value is not None and value.tzinfo is None else value

    class Config:
        extra = "forbid"
        # Checked with the other fields' refusals by `validate`, so that one answer names them all.
        schema_extra = {"anyOf": [{"required": ["anonymous"], "properties": {"anonymous": {"enum": [True]}}},
                                  {"required": ["customer"], "properties": {"customer": {"required": ["phone"]}}}],
                        "description": "customer.phone is required unless anonymous"}




def setup(app: web.Application, platform: Platform) -> None:
    """Give the application the form's request counter (the routes are in `routes`)."""
    limits = platform.rules.public_form
    app[LIMITER] = SlidingWindowLimiter(limits.max_submissions, limits.window_seconds)


# --- validation ------------------------------------------------------------------

def _message(detail: dict[str, str], error: dict[str, Any]) -> str:
    """The polite sentence for one pydantic error on the public form."""
    path, kind = detail["field"], error["type"]
    label = say.FIELDS[path].label if path in say.FIELDS else path
    if kind == "value_error":  # our validators speak to the customer already
        return error["msg"]
    if kind in ("value_error.missing", "type_error.none.not_allowed"):
        return say.REQUIRED.get(path, say.FIELD_FALLBACK.format(label=label))
    if kind == "value_error.any_str.max_length":
        return say.TOO_LONG.format(label=label, limit=error["ctx"]["limit_value"])
    if kind == "value_error.extra":
        return say.UNKNOWN_FIELD.format(field=path)
    if path == "occurred_at":
        return say.OCCURRED_AT_FORMAT
    if kind == "type_error.bool":
        return say.CHECKBOX
    return say.FIELD_FALLBACK.format(label=label)




def validate(data: dict[str, Any], now: datetime) -> PublicComplaint:
    """The complaint, or InvalidInput whose details name every problem, in page order."""
    details: list[dict[str, str]] = []
    complaint = None
    try:
        complaint = PublicComplaint.parse_obj(data)
    except ValidationError as exc:
        details = [{"field": d["field"], "message": _message(d, e)}
                   for d, e in zip(validation_details(exc), exc.errors(), strict=True)]
    customer = data.get("customer")
    phone = customer.get("phone") if isinstance(customer, dict) else None
    anonymous = complaint.anonymous if complaint is not None else data.get("anonymous") in (True, "true", 1)
    if not anonymous and not _blank_to_none(phone) and "customer.phone" not in {d["field"] for d in details}:
        details.append({"field": "customer.phone", "message": say.REQUIRED["customer.phone"]})
    if complaint is not None and complaint.occurred_at and complaint.occurred_at > now + FUTURE_SLACK:
        details.append({"field": "occurred_at", "message": say.OCCURRED_AT_FUTURE})
    if details:
        details.sort(key=lambda d: field_order(d["field"]))
        raise InvalidInput(details[0]["message"], details=details)
    assert complaint is not None
    return complaint


def ticket_body(complaint: PublicComplaint) -> TicketCreate:
    """The complaint as the ticket intake takes it from every channel."""
    text = complaint.description
    extra = []
    if complaint.occurred_at:
        extra.append(f"{say.DESCRIPTION_OCCURRED_AT}：{say.local_time(complaint.occurred_at.astimezone(TZ))}")
    if complaint.desired_outcome:
        extra.append(f"{say.DESCRIPTION_OUTCOME}：{complaint.desired_outcome}")
    if extra:
        text = text + "\n\n" + "\n".join(extra)
    who = complaint.customer
    customer = Customer() if complaint.anonymous else Customer(
        name=who.name, phone=who.phone, account_no=who.account_no)
    return TicketCreate(type="complaint", channel=CHANNEL, description=text, customer=customer,
                        address=complaint.address, anonymous=complaint.anonymous,
                        confidential=complaint.confidential)


async def file_complaint(platform: Platform, complaint: PublicComplaint, token: str | None
                         ) -> tuple[dict[str, Any], bool]:
    """File it (once per token); the public view of the ticket and whether it was a replay."""
    try:
        row_id, replayed = await create_ticket(platform, ticket_body(complaint), actor=ACTOR,
                                               idempotency_key=KEY_PREFIX + token if token else None)
    except Conflict as exc:
        if exc.code == "idempotency_key_reused":
            raise Conflict(say.ALREADY_SUBMITTED, code="already_submitted") from exc
        raise
    async with platform.sessions() as session:
        ticket = await load_ticket(session, row_id=row_id)
        view = summary_view(ticket)
        # The satisfaction survey's link, answerable once the ticket is closed (backend/surveys.py).
        link = surveys.link_token(platform.settings.api_token, ticket.id, token)
        await surveys.ensure_link(session, ticket, link, platform.clock())
    log.info("complaint form: ticket %s %s (anonymous=%s, confidential=%s, grade=%s)",
             view["id"], "replayed" if replayed else "filed", complaint.anonymous,
             complaint.confidential, view["grade"])
    public = {k: view[k] for k in ("id", "type", "status", "created_at", "deadlines")}
    return {**public, "survey_url": f"{survey_page.PAGE_PREFIX}/{link}"}, replayed


# --- reading the request ---------------------------------------------------------

async def _read(request: web.Request, limit: int) -> bytes:
    return await read_raw(request, limit, too_large=say.TOO_LARGE)


def _from_json(raw: bytes) -> dict[str, Any]:
    data = parse_json(raw, not_json=say.BAD_FORMAT)
    if not isinstance(data, dict):
        raise InvalidInput(say.BAD_FORMAT)
    return data


def _form_values(raw: bytes) -> dict[str, str]:
    try:
        pairs = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                         max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DomainError(say.BAD_FORMAT, code="invalid_form") from exc
    return {name: values[0] for name, values in pairs.items()}


def _from_form(values: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the JSON body (unknown fields are ignored: the page sent them)."""
    data: dict[str, Any] = {}
    for field in FIELDS:
        if field.kind == "checkbox":
            data[field.path] = values.get(field.name, "").lower() in CHECKED
        elif field.name in values:
            if field.path.startswith("customer."):
                data.setdefault("customer", {})[field.path.split(".", 1)[1]] = values[field.name]
            else:
                data[field.path] = values[field.name]
    return data


def _token(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not TOKEN.fullmatch(value):
        raise DomainError(say.BAD_TOKEN, code="invalid_token")
    return value


def _client_tag(request: web.Request) -> str:
    return hashlib.sha256((request.remote or "").encode()).hexdigest()[:10]


# --- handlers --------------------------------------------------------------------

routes.static(STATIC_PREFIX, STATIC_DIR)  # complaint.js and complaint.css

@routes.get(PAGE_PATH)
async def getpage(request: web.Request) -> web.Response:
    """The empty form, with a fresh token."""
    return page(render_form(token=secrets.token_urlsafe(24)))


@routes.op("POST", API_PATH, "File a complaint without logging in (the complaint form); "
           "JSON, or a form post answered with a page", body=PublicComplaint, headers=(IDEMPOTENCY,),
           auth=False, responses={201: "Filed, or the replay of the same submission",
                                  400: "Unreadable body or token", 409: "Token used for another complaint",
                                  413: "Body too large", 415: "Neither JSON nor a form",
                                  422: "Invalid input; details name each field",
                                  429: "Too many submissions from this address"})
async def post_complaint(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    as_form = request.content_type == FORM_TYPE
    verdict = request.app[LIMITER].hit(request.remote or "", platform.clock())
    if not verdict.allowed:
        log.warning("complaint form: client %s over the limit, retry after %ss",
                    _client_tag(request), verdict.retry_after)
        message = say.rate_limited(verdict.retry_after)
        headers = {"Retry-After": str(verdict.retry_after)}
        if as_form:
            return page(render_message(message), status=429, headers=headers)
        response = error_response(429, "rate_limited", message)
        response.headers.update(headers)
        return response
    values: dict[str, str] = {}
    token = None
    try:
        if not as_form and request.content_type != "application/json":
            raise DomainError(say.UNSUPPORTED, code="unsupported_media_type")
        raw = await _read(request, platform.rules.public_form.max_body_bytes)
        if as_form:
            values = _form_values(raw)
            token, data = _token(values.get("token")), _from_form(values)
        else:
            token, data = _token(request.headers.get(IDEMPOTENCY)), _from_json(raw)
        complaint = validate(data, platform.clock())
        result, replayed = await file_complaint(platform, complaint, token)
    except DomainError as exc:
        if exc.code == "unsupported_media_type":
            return error_response(415, exc.code, exc.message)
        if not as_form:
            raise
        if isinstance(exc, InvalidInput) and exc.details:
            errors = {d["field"]: d["message"] for d in exc.details}
            return page(render_form(token=token or secrets.token_urlsafe(24), values=values,
                                     errors=errors), status=exc.status)
        return page(render_message(exc.message), status=exc.status)
    except Exception as exc:
        if not (as_form and unreachable(exc)):
            raise  # JSON callers get the API's 503 (error_middleware), a retry with the same key files once
        log.error("complaint form: database unreachable (%r); the page keeps what was typed", exc)
        return page(render_form(token=token or secrets.token_urlsafe(24), values=values,
                                errors={FORM_ERROR: say.NOT_FILED}), status=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    headers = {"Idempotent-Replayed": str(replayed).lower()}
    if as_form:
        return page(render_result(result, anonymous=complaint.anonymous), status=201, headers=headers)
    return json_response(result, status=201, headers=headers)
