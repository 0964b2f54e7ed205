"""How the complaint form is drawn: its fields in page order and the HTML of the form,
the receipt and a refusal (backend/web/complaint_form.py handles the requests).

Every word a customer reads comes from complaint_wording; the page works without
script, so errors are drawn next to their fields and the first one gets the focus."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from aiohttp import web

from backend.sla.calendar import TZ
from backend.web import complaint_wording as say
from backend.web import survey_wording as survey_say

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static" / "complaint"
PAGE = Template((HERE / "templates" / "complaint.html").read_text(encoding="utf-8"))
PAGE_PATH = "/complaint"
API_PATH = "/api/public/complaints"
STATIC_PREFIX = "/static/complaint"
DESCRIPTION_MAX = 3000
OUTCOME_MAX = 500
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class FormField:
    """One input: its form name (also its id), its path in the JSON body, how it is drawn."""

    name: str
    path: str
    kind: str  # textarea | text | tel | datetime-local | checkbox
    required: bool = False
    maxlength: int | None = None
    autocomplete: str | None = None
    inputmode: str | None = None


# Page order: the first invalid one in this order gets the focus.
FIELDS = (
    FormField("description", "description", "textarea", required=True, maxlength=DESCRIPTION_MAX),
    FormField("name", "customer.name", "text", maxlength=50, autocomplete="name"),
    FormField("phone", "customer.phone", "tel", required=True, maxlength=20, autocomplete="tel",
              inputmode="tel"),
    FormField("account_no", "customer.account_no", "text", maxlength=20, autocomplete="off",
              inputmode="numeric"),
    FormField("address", "address", "text", maxlength=200, autocomplete="street-address"),
    FormField("occurred_at", "occurred_at", "datetime-local"),
    FormField("desired_outcome", "desired_outcome", "textarea", maxlength=OUTCOME_MAX),
    FormField("anonymous", "anonymous", "checkbox"),
    FormField("confidential", "confidential", "checkbox"),
)
BY_PATH = {f.path: f for f in FIELDS}
CHECKED = ("1", "on", "true", "yes")


def field_order(path: str) -> int:
    return list(BY_PATH).index(path) if path in BY_PATH else len(BY_PATH)


def page(content: str, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    html = PAGE.substitute(title=escape(say.TITLE), brand=escape(say.BRAND), content=content,
                           hotline=escape(say.HOTLINE), static=STATIC_PREFIX)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                        headers={**SECURITY_HEADERS, **(headers or {})})


def _attrs(**attrs: str | bool | int | None) -> str:
    out = []
    for name, value in attrs.items():
        name = name.rstrip("_").replace("_", "-")
        if value is True:
            out.append(name)
        elif value not in (None, False):
            out.append(f'{name}="{escape(str(value))}"')
    return " ".join(out)


def _field(field: FormField, value: str, error: str | None, autofocus: bool) -> str:
    text = say.FIELDS[field.path]
    hint_id, error_id = f"{field.name}-hint", f"{field.name}-error"
    described = " ".join(i for i in (hint_id if text.hint else None, error_id) if i)
    hint = f'<p id="{hint_id}" class="hint">{escape(text.hint)}</p>' if text.hint else ""
    err = (f'<p id="{error_id}" class="error"{"" if error else " hidden"}>'
           f'{escape(error or "")}</p>')
    common = dict(id=field.name, name=field.name, data_field=field.path, aria_describedby=described,
                  aria_invalid="true" if error else None, autofocus=autofocus)
    if field.kind == "checkbox":
        box = _attrs(type="checkbox", value="1", checked=value.lower() in CHECKED, **common)
        return (f'<div class="field check"><input {box}><label for="{field.name}">{escape(text.label)}'
                f'</label>{hint}{err}</div>')
    mark = say.REQUIRED_MARK if field.required else say.OPTIONAL_MARK
    label = (f'<label for="{field.name}">{escape(text.label)}<span class="mark">{escape(mark)}</span>'
             f'</label>')
    more = dict(maxlength=field.maxlength, autocomplete=field.autocomplete, inputmode=field.inputmode,
                aria_required="true" if field.required else None, **common)
    if field.kind == "textarea":
        rows = 6 if field.name == "description" else 3
        control = f'<textarea {_attrs(rows=rows, **more)}>{escape(value)}</textarea>'
    else:
        control = f'<input {_attrs(type=field.kind, value=value or None, **more)}>'
    return f'<div class="field">{label}{hint}{err}{control}</div>'


def _summary(errors: dict[str, str]) -> str:
    items = "".join(f'<li><a href="#{BY_PATH[p].name if p in BY_PATH else "complaint-form"}">'
                    f'{escape(m)}</a></li>' for p, m in sorted(errors.items(), key=lambda e: field_order(e[0])))
    hidden = "" if errors else " hidden"
    return (f'<div id="error-summary" class="summary" role="alert" tabindex="-1"{hidden}>'
            f'<h2>{escape(say.SUMMARY_TITLE)}</h2><ul>{items}</ul></div>')


def render_form(*, token: str, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None) -> str:
    """The form; with errors, each next to its field and the first one focused."""
    values, errors = values or {}, errors or {}
    first = min(errors, key=field_order) if errors else None
    fields = [f for f in FIELDS if f.kind != "checkbox"]
    boxes = [f for f in FIELDS if f.kind == "checkbox"]
    drawn = "".join(_field(f, values.get(f.name, ""), errors.get(f.path), f.path == first) for f in fields)
    checks = "".join(_field(f, values.get(f.name, ""), errors.get(f.path), f.path == first) for f in boxes)
    messages = _attrs(data_msg_sending=say.SENDING, data_msg_network=say.NETWORK, data_msg_failed=say.FAILED,
                      data_timezone=str(TZ))
    return (
        f'<div id="form-area"><h1>{escape(say.TITLE)}</h1><p class="lead">{escape(say.INTRO)}</p>'
        f'{_summary(errors)}'
        f'<form id="complaint-form" action="{API_PATH}" method="post" novalidate {messages}>'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'{drawn}<fieldset><legend>{escape(say.OPTIONS_LEGEND)}</legend>{checks}</fieldset>'
        f'<button type="submit" id="submit">{escape(say.SUBMIT)}</button>'
        f'<p id="form-status" class="status" role="status" aria-live="polite"></p>'
        f'</form></div>{render_result(None)}'
    )


def render_result(result: dict[str, Any] | None, *, anonymous: bool = False) -> str:
    """The receipt; empty and hidden on the form page, for the script to fill in."""
    deadlines = (result or {}).get("deadlines", {})

    def when(name: str) -> str:
        value = deadlines.get(name)
        return escape(say.local_time(datetime.fromisoformat(value).astimezone(TZ))) if value else ""

    hidden = "" if result else " hidden"
    anon = "" if anonymous else " hidden"
    survey = (result or {}).get("survey_url") or ""
    return (
        f'<section id="result" class="result" aria-labelledby="result-title"{hidden}>'
        f'<h1 id="result-title" tabindex="-1">{escape(say.RESULT_TITLE)}</h1><dl>'
        f'<dt>{escape(say.RESULT_ID)}</dt><dd id="result-id">{escape((result or {}).get("id", ""))}</dd>'
        f'<dt>{escape(say.RESULT_FIRST_CONTACT)}</dt><dd id="result-first-contact">{when("first_contact")}</dd>'
        f'<dt>{escape(say.RESULT_REPLY)}</dt><dd id="result-reply">{when("reply")}</dd></dl>'
        f'<p>{escape(say.RESULT_KEEP)}</p><p id="result-anonymous"{anon}>{escape(say.RESULT_ANONYMOUS)}</p>'
        f'<p id="result-survey"{"" if survey else " hidden"}>{escape(survey_say.LINK_OFFER)} '
        f'<a id="result-survey-link" href="{escape(survey)}">{escape(survey_say.LINK_TITLE)}</a></p>'
        f'<p><a href="{PAGE_PATH}">{escape(say.RESULT_AGAIN)}</a></p></section>'
    )


def render_message(message: str) -> str:
    """A refusal of the whole submission, with the way back."""
    return (f'<h1>{escape(say.TITLE)}</h1><p class="summary" role="alert">{escape(message)}</p>'
            f'<p><a href="{PAGE_PATH}">{escape(say.BACK)}</a></p>')

