"""The access policy: one table of every route, read by the middleware and by the test that walks it.

Each entry maps (method, path template) — the template is the route's
canonical form, `/api/tickets/{id}`, or a static prefix — to a Rule:

- who: the callers that may use the route at all. PUBLIC means anyone, no
  credentials read (the customer doors, which carry their own authority, and
  the login); SERVICE is the bearer token (BACKEND_API_TOKEN: the assistant's
  actions, the IVR, integrations); AGENT, SUPERVISOR, ADMIN are staff sessions.
- scope: how far into the unit tree the route reaches, one of the scopes named
  in backend/api/scope.py. Record scopes (the unit of the ticket, outage or
  account) are checked by the named function where the handler loads the
  record; this table says which one applies.
- note: what else the handler checks (a step only supervisors may take).

Enforced in one place, `access_middleware`, before any handler: no matching
entry → 403 and an error in the log (a new route cannot ship open); a PUBLIC
route → the handler, with the caller ANONYMOUS; no credentials → 401; the
wrong kind of caller → 403 `role_not_allowed` with a Chinese message (a page
with a login_page sends a caller without a session there instead); a change
(not GET/HEAD) made with a staff session cookie whose Origin is another site
→ 403 `cross_origin` (the service token is not a cookie). HEAD is judged as
GET. Unknown paths and methods go on to aiohttp's 404/405.

Conversations (scope.CONVERSATION, the transcript rule): the contact centre's
agents and supervisors (the root unit's) and the service token read every
masked transcript; the agent holding a conversation reads it; a unit's agents
and supervisors read only their own customers' (a ticket from it in their
subtree); only the holder writes. Admins administer accounts and configuration
and do not take calls. The assistant's handoff and the IVR webhook are the
service's alone. Look-ups by 户号 answer alike whether it exists, within a
per-client limit (backend/api/lookups.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from backend.api import scope
from backend.api.auth import ANONYMOUS, Unauthorized, authenticate
from backend.api.auth import SCRAPER as SCRAPER_PRINCIPAL
from backend.errors import Forbidden

log = logging.getLogger(__name__)

PUBLIC, SERVICE, AGENT, SUPERVISOR, ADMIN = "public", "service", "agent", "supervisor", "admin"
SCRAPER = SCRAPER_PRINCIPAL.kind  # Prometheus with METRICS_TOKEN: admitted to /metrics and nothing else
STAFF = frozenset({AGENT, SUPERVISOR, ADMIN})
EVERYONE_SIGNED_IN = STAFF | {SERVICE}
HOTLINE = frozenset({SERVICE, AGENT, SUPERVISOR})  # who serves the customers' conversations
PUBLISHERS = frozenset({SERVICE, SUPERVISOR, ADMIN})  # who publishes and moves outage notices
# Ticket steps finer than the route: only these roles may take them (POST /api/tickets/{id}/events).
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
STEP_ROLES: dict[str, tuple[str, ...]] = {"grade": (SUPERVISOR, ADMIN), "reopen": (SUPERVISOR, ADMIN)}


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and which unit-scope check the handler applies to what it touches."""

    who: frozenset[str]
    scope: str
    note: str = ""
    login_page: str | None = None  # a page: no session → redirected here instead of a 401

    def admits(self, kind: str, role: str) -> bool:
        """Whether a caller of this kind (and staff role) may use the route."""
        if PUBLIC in self.who:
            return True
        return ((kind == "service" and SERVICE in self.who) or (kind == "staff" and role in self.who)
                or (kind == SCRAPER and SCRAPER in self.who))


def _rule(who: frozenset[str] | set[str], scope_name: str, note: str = "", login_page: str | None = None) -> Rule:
    return Rule(frozenset(who), scope_name, note, login_page)


_PUBLIC = frozenset({PUBLIC})
POLICY: dict[tuple[str, str], Rule] = {
    # service
    ("GET", "/healthz"): _rule(_PUBLIC, scope.NONE, "dependencies and counts, nothing personal"),
    ("GET", "/readyz"): _rule(_PUBLIC, scope.NONE),
    ("GET", "/metrics"): _rule({SERVICE, SCRAPER}, scope.NONE, "Prometheus: METRICS_TOKEN, or the service token"),
    ("GET", "/api/openapi.json"): _rule(_PUBLIC, scope.NONE),
    # staff sessions
    ("POST", "/api/auth/login"): _rule(_PUBLIC, scope.NONE, "throttled per username and per address"),
    ("POST", "/api/auth/logout"): _rule(STAFF, scope.OWN_SESSION),
    ("GET", "/api/auth/me"): _rule(EVERYONE_SIGNED_IN, scope.OWN_SESSION),
    # tickets
    ("POST", "/api/tickets"): _rule(EVERYONE_SIGNED_IN, scope.NEW_TICKET,
                                    "a replay answers only within the caller's subtree"),
    ("GET", "/api/tickets"): _rule(EVERYONE_SIGNED_IN, scope.SUBTREE),
    ("GET", "/api/tickets/{id}"): _rule(EVERYONE_SIGNED_IN, scope.TICKET),
    ("POST", "/api/tickets/{id}/events"): _rule(EVERYONE_SIGNED_IN, scope.TICKET,
                                                "grade, reopen: supervisor or admin; dispatch target in subtree"),
    ("POST", "/api/tickets/{id}/reveal"): _rule(STAFF, scope.TICKET, "reason required, audited (ticket.reveal); "
                                                "confidential: agents of the ticket's own unit only"),
    ("GET", "/api/tickets/{id}/steps"): _rule(STAFF, scope.TICKET, "grade, reopen offered to supervisor or admin"),
    ("POST", "/api/tickets/{id}/survey"): _rule({SERVICE}, scope.TICKET, "the customer's rating of a closed ticket "
                                                "given to the assistant (a survey answer)"),
    ("GET", "/api/kpi"): _rule(EVERYONE_SIGNED_IN, scope.SUBTREE),
    ("GET", "/api/kpi/export"): _rule({SUPERVISOR, ADMIN}, scope.SUBTREE, "written to the audit log (kpi.export)"),
    # outages
    ("GET", "/api/outages"): _rule(EVERYONE_SIGNED_IN, scope.ACCOUNT, "account_no: outside the subtree or "
                                   "unknown, answered as without notices; look-ups limited per client"),
    ("POST", "/api/outages"): _rule(PUBLISHERS, scope.OUTAGE),
    ("POST", "/api/outages/{id}/events"): _rule(PUBLISHERS, scope.OUTAGE),
    # accounts (after the identity check)
    ("POST", "/api/accounts/verify"): _rule(EVERYONE_SIGNED_IN, scope.ACCOUNT),
    ("GET", "/api/accounts/{account_no}"): _rule(EVERYONE_SIGNED_IN, scope.ACCOUNT),
    ("GET", "/api/accounts/{account_no}/bills"): _rule(EVERYONE_SIGNED_IN, scope.ACCOUNT),
    # reference data
    ("GET", "/api/units"): _rule(EVERYONE_SIGNED_IN, scope.NONE),
    ("GET", "/api/areas"): _rule(EVERYONE_SIGNED_IN, scope.NONE),
    ("GET", "/api/places/resolve"): _rule(EVERYONE_SIGNED_IN, scope.NONE),
    ("GET", "/api/tariffs/{key}"): _rule(EVERYONE_SIGNED_IN, scope.NONE),
    ("GET", "/api/tariffs/{key}/price"): _rule(EVERYONE_SIGNED_IN, scope.NONE),
    ("GET", "/api/service-commitments"): _rule(EVERYONE_SIGNED_IN, scope.NONE),
    # conversations and takeover
    ("POST", "/api/conversations/handoffs"): _rule({SERVICE}, scope.CONVERSATION, "the assistant's handoff"),
    ("GET", "/api/conversations"): _rule(HOTLINE, scope.CONVERSATION),
    ("GET", "/api/conversations/{id}"): _rule(HOTLINE, scope.CONVERSATION),
    ("POST", "/api/conversations/{id}/claim"): _rule(HOTLINE, scope.CONVERSATION),
    ("POST", "/api/conversations/{id}/messages"): _rule(HOTLINE, scope.CONVERSATION, "holder only"),
    ("POST", "/api/conversations/{id}/release"): _rule(HOTLINE, scope.CONVERSATION, "holder or supervisor"),
    ("POST", "/api/conversations/{id}/close"): _rule(HOTLINE, scope.CONVERSATION, "holder or supervisor"),
    ("POST", "/api/conversations/{id}/transfer"): _rule(HOTLINE, scope.CONVERSATION, "holder or supervisor"),
    ("POST", "/api/conversations/{id}/reveal"): _rule({AGENT, SUPERVISOR}, scope.CONVERSATION,
                                                      "reason required, audited (conversation.reveal)"),
    ("GET", "/api/conversations/{id}/assist"): _rule(HOTLINE, scope.CONVERSATION, "masked tickets only"),
    # the staff console (backend/console/): the page checks the session itself (302 to the login)
    ("GET", "/console/login"): _rule(_PUBLIC, scope.NONE),
    ("GET", "/console"): _rule(_PUBLIC, scope.OWN_SESSION, "no session: 302 to /console/login"),
    ("GET", "/console/events"): _rule({AGENT, SUPERVISOR}, scope.CONVERSATION, "Server-Sent Events"),
    ("GET", "/console/tickets"): _rule(_PUBLIC, scope.OWN_SESSION, "no session: 302 to /console/login"),
    ("GET", "/api/console/tickets"): _rule(STAFF, scope.SUBTREE, "masked; nearest deadline first"),
    ("GET", "/api/console/tickets/{id}"): _rule(STAFF, scope.TICKET, "masked, with the steps offered"),
    ("GET", "/console/dashboard"): _rule({SUPERVISOR, ADMIN}, scope.SUBTREE, "the dashboard (看板)",
                                         login_page="/console/login"),
    ("GET", "/static/console"): _rule(_PUBLIC, scope.NONE),
    # the published monthly assessment (backend/assessment.py): every unit reads it, the province publishes
    ("POST", "/api/assessments"): _rule({SUPERVISOR, ADMIN}, scope.ROOT,
                                        "month over; again only with a correction reason; audited"),
    ("GET", "/api/assessments"): _rule(STAFF, scope.PUBLISHED),
    ("GET", "/api/assessments/{month}"): _rule(STAFF, scope.PUBLISHED),
    ("GET", "/api/assessments/{month}/export"): _rule(STAFF, scope.PUBLISHED, "audited (assessment.export)"),
    ("GET", "/console/assessment"): _rule(STAFF, scope.PUBLISHED, "考核公布", login_page="/console/login"),
    ("GET", "/console/assessment/{month}"): _rule(STAFF, scope.PUBLISHED, "read-only", login_page="/console/login"),
    # improvement plans (backend/plans.py): made by supervisors, read by the responsible unit's subtree
    ("GET", "/api/plans"): _rule(STAFF, scope.SUBTREE, "by responsible unit"),
    ("POST", "/api/plans"): _rule({SUPERVISOR, ADMIN}, scope.SUBTREE,
                                  "unit seen and responsible unit in the subtree; audited (plan.create)"),
    ("GET", "/api/plans/{id}"): _rule(STAFF, scope.PLAN),
    ("POST", "/api/plans/{id}/progress"): _rule({SUPERVISOR, ADMIN}, scope.PLAN, "or its creator; audited"),
    ("POST", "/api/plans/{id}/complete"): _rule({SUPERVISOR, ADMIN}, scope.PLAN,
                                                "or its creator; records the indicator's value; audited"),
    ("POST", "/api/plans/{id}/withdraw"): _rule({SUPERVISOR, ADMIN}, scope.PLAN,
                                                "the creator or over the creator's unit; reason; audited"),
    ("GET", "/console/plans"): _rule(STAFF, scope.OWN_SESSION, "整改; its plans come from /api/plans",
                                     login_page="/console/login"),
    # a customer's rights over their data (backend/privacy_requests.py): the contact centre only
    ("POST", "/api/privacy/export"): _rule({SUPERVISOR, ADMIN}, scope.ROOT, "identity checked by the handler; "
                                           "request reference required; audited before the answer (privacy.export)"),
    ("POST", "/api/privacy/erase"): _rule({SUPERVISOR, ADMIN}, scope.ROOT, "open tickets, accounts and bills kept "
                                          "with the reason; audited before and after (privacy.erase, privacy.erased)"),
    # audit log (backend/audit.py)
    ("GET", "/api/audit"): _rule({SUPERVISOR, ADMIN}, scope.SUBTREE, "masked; entries of the subtree's units"),
    # customer doors
    ("GET", "/complaint"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN),
    ("POST", "/api/public/complaints"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN, "rate-limited per address"),
    ("GET", "/static/complaint"): _rule(_PUBLIC, scope.NONE),
    ("GET", "/survey/{token}"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN),
    ("POST", "/survey/{token}"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN, "rate-limited per address; once"),
    ("GET", "/chat"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN),
    ("POST", "/chat/session"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN),
    ("GET", "/chat/socket"): _rule(_PUBLIC, scope.CUSTOMER_TOKEN),
    ("GET", "/chat/widget.js"): _rule(_PUBLIC, scope.NONE),
    ("GET", "/static/chat"): _rule(_PUBLIC, scope.NONE),
    ("GET", "/webhooks/wechat"): _rule(_PUBLIC, scope.SIGNATURE),
    ("POST", "/webhooks/wechat"): _rule(_PUBLIC, scope.SIGNATURE),
    ("POST", "/webhooks/ivr"): _rule({SERVICE}, scope.NONE, "the hotline IVR; staff sessions refused"),
}


def _cross_site(request: web.Request) -> bool:
    """A browser's change request whose Origin (or, lacking it, Referer) is another site."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False  # not a browser's cross-site request: browsers send Origin with every POST
    if source == "null":
        return True
    return urlsplit(source).netloc.lower() != request.host.lower()


def route_key(request: web.Request) -> tuple[str, str] | None:
    """(method, canonical template) of the matched route; None when nothing matched (404/405)."""
    route = request.match_info.route
    resource = route.resource
    if resource is None or request.match_info.http_exception is not None:
        return None
    method = "GET" if request.method == "HEAD" else request.method
    return method, resource.canonical


def rule_for(request: web.Request) -> Rule | None:
    """The matched route's rule; None when the route has no entry."""
    key = route_key(request)
    return POLICY.get(key) if key else None


@web.middleware
async def access_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Authenticate the caller and apply the matched route's rule before its handler runs."""
    key = route_key(request)
    if key is None:
        return await handler(request)  # aiohttp's 404 / 405
    rule = POLICY.get(key)
    if rule is None:
        log.error("route %s %s has no entry in the access table (backend/api/policy.py): refused", *key)
        raise Forbidden("该接口尚未配置访问权限。", code="no_access_rule")
    if PUBLIC in rule.who:
        request["principal"] = ANONYMOUS
        return await handler(request)
    who = await authenticate(request)
    if who is None and rule.login_page is not None:
        raise web.HTTPFound(rule.login_page)
    if who is None:
        raise Unauthorized("请先登录或提供有效的访问令牌。")
    if who.kind == "staff" and request.method not in SAFE_METHODS and _cross_site(request):
        log.warning("cross-site %s %s with a staff session refused", request.method, key[1])
        raise Forbidden("请求来源与本站不一致，已拒绝。", code="cross_origin")
    if not rule.admits(who.kind, who.role):
        if who.kind == "staff" and rule.who == {SERVICE}:
            raise Forbidden("该接口仅供系统服务调用，工作人员账号不能使用。", code="role_not_allowed")
        raise Forbidden("您的账号没有执行该操作的权限。", code="role_not_allowed")
    request["principal"] = who
    return await handler(request)
