"""The published monthly assessment's pages (考核公布, issue #8: 定期公布考核结果).

- GET /console/assessment: the published months (latest version, when, by whom,
  downloads), and for those who may publish (supervisors of the root unit,
  admins) the publish form, which static/assessment.js posts to POST /api/assessments.
- GET /console/assessment/{YYYY-MM}[?version=]: one version's frozen table,
  drawn here on the server from the stored rows: one row per unit of the tree,
  indented by depth, each with its indicators over its subtree; a ratio as its
  percentage with numerator/denominator, as the export writes them. The columns
  are the indicator keys the version holds (names from wording.INDICATORS), so a
  table published before an indicator existed shows what it was published with.
  An unpublished month is a 404 page.

Every staff member of every unit opens these (the access table: scope
PUBLISHED, no session → the login page). CSP as the other console pages: no
inline script or style, the page's data in a JSON block.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import escape
from string import Template
from typing import Any

from aiohttp import web

from backend import assessment
from backend.api import PLATFORM
from backend.api.auth import Principal, principal
from backend.api.policy import POLICY
from backend.api.scope import unrestricted
from backend.console import wording as say
from backend.console.pages import HERE, LOGIN_PATH, _page, header_values, routes
from backend.context import Platform
from backend.errors import DomainError, InvalidInput
from backend.kpi import root_unit
from backend.models import PublishedAssessment
from backend.sla.calendar import TZ
from backend.web.chat import json_for_html

ASSESSMENT_PATH = "/console/assessment"
API_PATH = "/api/assessments"
PAGE = Template((HERE / "templates" / "assessment.html").read_text(encoding="utf-8"))
TEXT = say.ASSESSMENT


def percent(ratio: float) -> str:
    """A ratio as a percentage with every digit it was stored with (at least 2 decimals)."""
    places = max(2, -Decimal(str(ratio)).normalize().as_tuple().exponent - 2)
    return f"{ratio * 100:.{places}f}%"


def cell(value: Any) -> tuple[str, str]:
    """What a cell shows and its data-value: a count as is, a ratio as 66.67%（2/3）."""
    if not isinstance(value, dict):
        return escape(str(value)), escape(str(value))
    shown = TEXT["noValue"] if value["ratio"] is None else percent(value["ratio"])
    text = TEXT["ratio"].format(percent=shown, numerator=value["numerator"], denominator=value["denominator"])
    return escape(text), "null" if value["ratio"] is None else escape(str(value["ratio"]))


def local(record: PublishedAssessment) -> str:
    return record.published_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def downloads(record: PublishedAssessment) -> str:
    base = f"{API_PATH}/{record.month}/export?version={record.version}&amp;format="
    return (f'<span class="downloads">{escape(TEXT["download"])} <a href="{base}csv" download>{TEXT["csv"]}</a> · '
            f'<a href="{base}xlsx" download>{TEXT["xlsx"]}</a></span>')


def table_html(record: PublishedAssessment) -> str:
    """Every unit's row of the version, with the indicators it holds."""
    keys = list(record.indicators)
    head = "".join(f'<th scope="col" data-key="{escape(k)}">{escape(say.INDICATORS.get(k, k))}</th>' for k in keys)
    body = []
    for row in record.rows:
        unit = row["unit"]
        cells = []
        for key in keys:
            shown, data = cell(row["indicators"][key])
            cells.append(f'<td data-key="{escape(key)}" data-value="{data}">{shown}</td>')
        body.append(f'<tr class="depth-{min(int(row["depth"]), 4)}" data-unit="{escape(unit["id"])}">'
                    f'<th scope="row">{escape(unit["name"])}<small>{escape(unit["id"])}</small></th>'
                    f'{"".join(cells)}</tr>')
    caption = escape(TEXT["tableTitle"].format(month=record.month))
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="{caption}">'
            f'<table id="assessment-table" class="numbers"><caption>{caption}</caption>'
            f'<thead><tr><th scope="col">{escape(TEXT["unit"])}</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def version_html(record: PublishedAssessment, versions: list[PublishedAssessment]) -> str:
    """The facts of the version shown, and every version of the month."""
    latest = versions[0].version
    name = TEXT["versionN"].format(version=record.version) + (TEXT["latest"] if record.version == latest else "")
    facts = [(TEXT["version"], name), (TEXT["publishedAt"], local(record)),
             (TEXT["publishedBy"], record.publisher_name)]
    if record.reason:
        facts.append((TEXT["reason"], record.reason))
    items = "".join(f'<div><dt>{escape(k)}</dt><dd data-fact="{i}">{escape(v)}</dd></div>'
                    for i, (k, v) in enumerate(facts))
    others = "".join(
        f'<li><a href="{ASSESSMENT_PATH}/{v.month}?version={v.version}"'
        f'{" aria-current=page" if v.version == record.version else ""}>'
        f'{escape(TEXT["versionN"].format(version=v.version))}</a> {escape(local(v))} {escape(v.publisher_name)}'
        f'{(" · " + escape(TEXT["reason"]) + "：" + escape(v.reason)) if v.reason else ""}</li>' for v in versions)
    return (f'<dl class="facts" id="facts">{items}</dl><p class="frozen">{escape(TEXT["frozen"])}</p>'
            f'<p>{downloads(record)}</p><h3>{escape(TEXT["versions"])}</h3><ol class="versions">{others}</ol>')


async def may_publish(platform: Platform, who: Principal) -> bool:
    """The access table's publishers who are also at the root unit (or admins)."""
    if not POLICY[("POST", API_PATH)].admits(who.kind, who.role):
        return False
    if unrestricted(who):
        return True
    async with platform.sessions() as session:
        return who.unit_id == await root_unit(session)


def publish_form(month: str) -> str:
    return (f'<section class="block"><h3>{escape(TEXT["publish"])}</h3><p class="hint">{escape(TEXT["publishHint"])}</p>'
            f'<form id="publish" class="publish"><label>{escape(TEXT["publishMonth"])}'
            f'<input name="month" type="month" required value="{escape(month)}"></label>'
            f'<label>{escape(TEXT["publishReason"])}<input name="reason" maxlength="500"></label>'
            f'<button type="submit">{escape(TEXT["publishGo"])}</button></form>'
            f'<p id="publish-status" class="done" role="status" aria-live="polite"></p>'
            f'<p id="publish-error" class="error" role="alert" hidden></p></section>')


def periods_html(records: list[PublishedAssessment]) -> str:
    """The published months, newest first, each with its latest version."""
    latest: dict[str, PublishedAssessment] = {}
    for record in records:
        latest.setdefault(record.month, record)
    if not latest:
        return f'<p id="no-periods">{escape(TEXT["none"])}</p>'
    cols = "".join(f'<th scope="col">{escape(TEXT[k])}</th>' for k in ("month", "version", "publishedAt", "publishedBy"))
    rows = "".join(
        f'<tr data-month="{r.month}"><th scope="row"><a href="{ASSESSMENT_PATH}/{r.month}">{r.month}</a></th>'
        f'<td>{escape(TEXT["versionN"].format(version=r.version))}</td><td>{escape(local(r))}</td>'
        f'<td>{escape(r.publisher_name)}</td><td>{downloads(r)}</td></tr>' for r in latest.values())
    return (f'<table id="periods" class="numbers periods"><caption>{escape(TEXT["listHeading"])}</caption>'
            f'<thead><tr>{cols}<th scope="col">{escape(TEXT["download"])}</th></tr></thead><tbody>{rows}</tbody></table>')


async def render(request: web.Request, title: str, content: str, status: int = 200) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    who = principal(request)
    config = {"logout": "/api/auth/logout", "login": LOGIN_PATH, "publish": API_PATH, "page": ASSESSMENT_PATH,
              "texts": say.assessment_texts()}
    return _page(PAGE.substitute(await header_values(platform, who), title=escape(title), content=content,
                                 config=json_for_html(config)),
                 status=status)


@routes.get(ASSESSMENT_PATH)
async def periods_page(request: web.Request) -> web.Response:
    """The published months; the publish form for those who may publish."""
    platform: Platform = request.app[PLATFORM]
    content = periods_html(await assessment.publications(platform))
    if await may_publish(platform, principal(request)):
        last_month = platform.clock().astimezone(TZ).date().replace(day=1) - timedelta(days=1)
        content += publish_form(last_month.strftime("%Y-%m"))  # the month most likely to be published next
    return await render(request, say.ASSESSMENT_TITLE, content)


@routes.get(ASSESSMENT_PATH + "/{month}")
async def table_page(request: web.Request) -> web.Response:
    """One month's published table (the latest version unless ?version= names another)."""
    platform: Platform = request.app[PLATFORM]
    month = request.match_info["month"]
    back = f'<p><a href="{ASSESSMENT_PATH}">{escape(TEXT["back"])}</a></p>'
    try:
        assessment.check_month(month)
        version = request.query.get("version")
        if version is not None and (not version.isdigit() or not 1 <= int(version) <= 10_000):
            raise InvalidInput(say.ASSESSMENT_ERRORS["bad_version"], code="invalid_version")
        record = await assessment.published(platform, month, int(version) if version else None)
    except DomainError as refusal:
        return await render(request, say.ASSESSMENT_TITLE, f'<p class="error" id="refusal">{escape(refusal.message)}</p>'
                            + back, status=refusal.status)
    versions = await assessment.publications(platform, month)
    return await render(request, TEXT["tableTitle"].format(month=month),
                        back + version_html(record, versions) + table_html(record))
