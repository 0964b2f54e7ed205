"""The survey link of a ticket filed on the complaint form: `GET /survey/{token}` and `POST /survey/{token}`.

Terms (the rules are backend/surveys.py):
- token: the link's secret, shown once on the form's confirmation (a replay of the
  same submission shows the same link); only its SHA-256 is stored
  (surveys.token_hash). It is the whole authority of the page: no login, and a
  staff cookie gives nothing more (access table: public, CUSTOMER_TOKEN).
- open: the ticket is closed after a reply, the survey unanswered and the close at most
  `survey.link_days` ago. Otherwise the page says why (survey_wording.LINK_REFUSALS):
  still being handled (409), closed without a reply (409, withdrawn: nothing to rate),
  already answered (409), expired (410), unknown link (404).
- answer: rating (one of SURVEY_RATINGS) and an optional comment (at most
  `survey.comment_max_chars`, stored masked), written once: a second post, a double
  click or a reload is 409 `answered` and changes nothing.
- POST: a form post (the page works without script) is answered with a page, JSON
  with JSON. Posts per client address are limited (`survey.max_posts` within
  `survey.window_seconds`, 429), valid or not, so a token cannot be guessed by trying.
The page shows the ticket's number and type only: no customer data, no description.
"""
from __future__ import annotations

import logging
from html import escape
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from pydantic import BaseModel, Field

from backend import surveys
from backend.api import PLATFORM
from backend.api.errors import error_response
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, parse_json, read_raw
from backend.context import Platform
from backend.errors import DomainError
from backend.models import Survey, Ticket
from backend.web import survey_wording as say
from backend.web.complaint_page import page
from backend.web.rate_limit import SlidingWindowLimiter
from glossary import names

log = logging.getLogger(__name__)

routes = ApiRoutes("survey")
PAGE_PREFIX = "/survey"
PATH = PAGE_PREFIX + "/{token}"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_BODY = 16384
LIMITER = web.AppKey("survey_limiter", SlidingWindowLimiter)
# Why a link takes no answer → the HTTP status of that answer.
REFUSAL_STATUS = {"unknown": 404, "not_closed": 409, "not_handled": 409, "answered": 409, "expired": 410, "rating": 422,
                  "comment_too_long": 422, "rate_limited": 429}


class SurveyAnswer(BaseModel):
    """The link's answer."""

    rating: str = Field(..., enum=list(names.SURVEY_RATINGS))  # checked by the handler, for the page's wording
    comment: str | None = Field(None, description="optional; at most survey.comment_max_chars characters")


def setup(app: web.Application, platform: Platform) -> None:
    rules = platform.rules.survey
    app[LIMITER] = SlidingWindowLimiter(rules.max_posts, rules.window_seconds)


def _form(token: str, ticket: Ticket, comment_max: int, error: str | None = None) -> str:
    options = "".join(
        f'<div class="field check"><input type="radio" id="rating-{code}" name="rating" value="{code}" required>'
        f'<label for="rating-{code}">{escape(names.RATINGS[code])}</label></div>' for code in names.SURVEY_RATINGS)
    problem = f'<p class="summary" role="alert">{escape(error)}</p>' if error else ""
    intro = say.LINK_INTRO.format(ticket=ticket.ticket_no)
    return (f'<h1>{escape(say.LINK_TITLE)}</h1>{problem}<p>{escape(intro)}</p>'
            f'<form id="survey-form" method="post" action="{PAGE_PREFIX}/{escape(token)}">'
            f'<fieldset><legend>{escape(say.LINK_RATING)}</legend>{options}</fieldset>'
            f'<div class="field"><label for="comment">{escape(say.COMMENT_LABEL)}</label>'
            f'<textarea id="comment" name="comment" rows="4" maxlength="{comment_max}" '
            f'placeholder="{escape(say.COMMENT_PLACEHOLDER)}"></textarea></div>'
            f'<button type="submit">{escape(say.LINK_SUBMIT)}</button></form>')


def _message(text: str) -> str:
    return f'<h1>{escape(say.LINK_TITLE)}</h1><p class="summary" role="status">{escape(text)}</p>'


def _refusal(code: str, as_page: bool, **values: object) -> web.Response:
    message = say.LINK_REFUSALS[code].format(**values)
    status = REFUSAL_STATUS[code]
    return page(_message(message), status=status) if as_page else error_response(status, code, message)


async def _load(platform: Platform, token: str) -> tuple[Survey | None, Ticket | None, str | None]:
    """The link's survey and ticket, and why it takes no answer now (None: it does)."""
    async with platform.sessions() as session:
        survey = await surveys.by_token(session, token)
        ticket = await session.get(Ticket, survey.ticket_id) if survey and survey.ticket_id else None
        handled = await surveys.replied(session, ticket.id) if ticket is not None else False
    return survey, ticket, surveys.link_refusal(survey, ticket, platform.rules.survey, platform.clock(),
                                                handled=handled)


@routes.get(PATH)
async def get_survey(request: web.Request) -> web.Response:
    """The survey form, or why the link takes no answer now."""
    platform: Platform = request.app[PLATFORM]
    token = request.match_info["token"]
    survey, ticket, refused = await _load(platform, token)
    if refused is not None or ticket is None:
        return _refusal(refused or "unknown", True)
    return page(_form(token, ticket, platform.rules.survey.comment_max_chars))


@routes.op("POST", PATH, "Answer a closed ticket's satisfaction survey through its link (no login); "
           "JSON, or a form post answered with a page", body=SurveyAnswer, auth=False,
           responses={200: "Answered", 404: "No such link", 409: "Not closed yet, or already answered",
                      410: "The link has expired", 413: "Body too large", 422: "Invalid rating or comment",
                      429: "Too many posts from this address"})
async def post_survey(request: web.Request) -> web.Response:
    """Write the link's answer once."""
    platform: Platform = request.app[PLATFORM]
    as_page = request.content_type == FORM_TYPE
    verdict = request.app[LIMITER].hit(request.remote or "", platform.clock())
    if not verdict.allowed:
        response = _refusal("rate_limited", as_page)
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    token = request.match_info["token"]
    raw = await read_raw(request, MAX_BODY)
    rating, comment = _answer_of(raw, as_page)
    survey, ticket, refused = await _load(platform, token)
    rules, now = platform.rules.survey, platform.clock()
    if refused is not None or survey is None or ticket is None:
        return _refusal(refused or "unknown", as_page)
    if rating not in names.SURVEY_RATINGS:
        return page(_form(token, ticket, rules.comment_max_chars, say.LINK_REFUSALS["rating"]), status=422) \
            if as_page else _refusal("rating", False)
    try:
        stored = surveys.clean_comment(comment or "", rules, cut=False)
    except DomainError:
        return _refusal("comment_too_long", as_page, limit=rules.comment_max_chars)
    async with platform.sessions() as session:
        written = await surveys.rate(session, survey.id, rating, now, then=None)
        if written:
            await surveys.add_comment(session, survey.id, stored)
        await session.commit()
    if not written:  # a second post that lost the race to the first
        return _refusal("answered", as_page)
    surveys.log_answer(survey, rating, stored)
    if as_page:
        return page(_message(say.LINK_THANKS))
    return json_response({"rating": rating, "rating_name": names.RATINGS[rating], "message": say.LINK_THANKS})


def _answer_of(raw: bytes, as_page: bool) -> tuple[str | None, str | None]:
    """The rating and comment posted (unreadable → both None, answered as a bad rating)."""
    if as_page:
        try:
            values = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), max_num_fields=10).items()}
        except (UnicodeDecodeError, ValueError):
            return None, None
        data: Any = values
    else:
        data = parse_json(raw)
    if not isinstance(data, dict):
        return None, None
    rating, comment = data.get("rating"), data.get("comment")
    return (rating if isinstance(rating, str) else None), (comment if isinstance(comment, str) else None)
