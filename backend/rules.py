"""The service rules (config/service_rules.yml) as typed, validated objects.

Loaded once at start; a bad file stops the process with a message that names
the key, because a silently wrong deadline is worse than not starting.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backend.models.tickets import COMPLAINT_GRADES, SERVICE_REQUEST_KINDS, TICKET_TYPES
from backend.models.units import SITE_CLASSES
from backend.sla.durations import Duration, parse_duration

# Lifecycle steps that may start or stop a clock.
CLOCK_STEPS = ("accept", "dispatch", "contact", "arrive", "restore", "reply", "escalate", "callback")


@dataclass(frozen=True)
class ClockRule:
    name: str
    limits: dict[str, Duration]  # by site class, or {"*": d} when one limit applies
    met_by: str
    starts: str = "accept"

    def limit_for(self, site_class: str | None) -> Duration:
        if "*" in self.limits:
            return self.limits["*"]
        if site_class not in self.limits:
            # Intake always sets one (places.default_site_class); a missing one is a bug.
            raise RulesError(f"{self.name}: no site class on the ticket")
        return self.limits[site_class]


@dataclass(frozen=True)
class PublicFormRules:
    """Limits of the complaint form, the one door open to anyone (backend/web/complaint_form.py)."""

    max_submissions: int  # POSTs from one client address within the window; more get 429
    window_seconds: float
    max_body_bytes: int


@dataclass(frozen=True)
class StaffLoginRules:
    """The login throttle (backend/api/staff.py): failed logins counted in the audit log."""

    max_failures_per_user: int  # failures of one username within the window; then 429 (a success resets it)
    max_failures_per_client: int  # failures from one client address within the window; a success does not reset
    window_seconds: float
    session_hours: float  # the longest a staff session lasts (one shift)
    idle_minutes: float  # a session unused this long has ended
    max_sessions_per_user: int  # a new login beyond this ends the oldest of the user's sessions


@dataclass(frozen=True)
class RetentionRules:
    """How long personal data is kept (backend/retention.py)."""

    transcript_days: int  # lines of conversations closed longer ago are deleted
    closed_ticket_personal_data_days: int  # tickets closed longer ago lose their customer's data
    assistant_tracker_days: int = 30  # Rasa's conversations idle longer are deleted (bot/tracker_retention.py)


@dataclass(frozen=True)
class LookupRules:
    """The per-client limit on look-ups by 户号 (backend/api/lookups.py)."""

    max_accounts_per_client: int  # different 户号 one staff member or conversation names within the window
    max_accounts_per_address: int  # different 户号 named from one client address within the window
    window_seconds: float


@dataclass(frozen=True)
class IvrRules:
    """The hotline IVR channel's thresholds (backend/channels/ivr.py)."""

    asr_min_confidence: float  # below it the caller is asked to repeat; Rasa is not asked
    max_no_input: int  # silent turns in a row before a transfer to a human
    listen_timeout_ms: int
    queue: str  # the agents' queue of a transfer when the assistant names none
    context_lines: int  # last transcript lines handed over with a transfer


@dataclass(frozen=True)
class SendWindow:
    """How many customer-service messages WeChat lets us send after a customer's action, and for how long."""

    sends: int
    seconds: float


@dataclass(frozen=True)
class WechatRules:
    """The WeChat Official Account channel's limits (backend/channels/wechat.py)."""

    reply_budget_seconds: float  # a passive reply must leave before WeChat's 5 s; slower → API
    after_message: SendWindow  # a customer message opens (resets) this window
    after_event: SendWindow  # a menu click, subscribe or QR scan opens this one
    token_refresh_margin_seconds: float  # the access token is renewed this long before it expires
    api_timeout_seconds: float  # one call to WeChat's API
    token_wait_seconds: float  # how long a process waits for another one's token refresh
    signature_max_age_seconds: float  # a push signed longer ago (or ahead) than this is refused: a replay


@dataclass(frozen=True)
class WebChatRules:
    """The web chat's limits and the page's reconnection policy (backend/web/chat.py, chat_socket.py)."""

    max_message_chars: int  # one customer message; longer ones are refused with a polite sentence
    max_messages: int  # new customer messages per conversation within the window; more are refused
    window_seconds: float
    max_sessions: int  # new conversations per client address within session_window_seconds
    session_window_seconds: float
    history_lines: int  # newest transcript lines a restored page shows
    reconnect_initial_ms: int  # the page's first wait after its socket drops, doubled each try
    reconnect_max_ms: int  # ... up to this
    heartbeat_seconds: float  # the socket's ping interval (WeChat's browser drops idle sockets)
    embed_origins: tuple[str, ...]  # frame-ancestors of /chat: who may show it in an iframe


@dataclass(frozen=True)
class ConsoleRules:
    """The staff console's live feed (backend/console/feed.py)."""

    poll_seconds: float  # how often each open console's feed reads the database for changes
    keepalive_seconds: float  # a comment line this often keeps proxies from closing an idle stream


@dataclass(frozen=True)
class SurveyRules:
    """The satisfaction survey (问卷) offered when a chat ends or a ticket closes (backend/surveys.py)."""

    answer_minutes: int  # a chat's offer takes the customer's next line as the rating for this long
    comment_minutes: int  # after a chat rating, the next line within this time is the comment
    comment_max_chars: int  # a longer comment is refused (web, link page) or cut (WeChat)
    idle_minutes: int  # a served web chat idle this long (its page open) is offered its survey
    link_days: int  # a complaint form's survey link answers for this many days after the close
    max_posts: int  # answers posted to /survey/{token} from one client address within the window
    window_seconds: float
    ivr_listen_ms: int  # the hotline waits this long for the survey's one key


@dataclass(frozen=True)
class ServiceRules:
    timezone: str
    warn_fraction: float
    clocks: dict[str, tuple[ClockRule, ...]]  # "complaint", "service_request/meter_test", ...
    planned_outage_lead: Duration
    temporary_outage_lead: Duration
    residential_connection: Duration
    escalation_keywords: tuple[str, ...]
    grades: tuple[str, ...]
    escalate_grades: tuple[str, ...]
    repeat_window_days: int
    callback_max_attempts: int
    callback_types: tuple[str, ...]
    scheduler_interval: float
    scheduler_batch: int
    turn_retention_hours: float  # stored answers of channel turns, kept for repeats
    retention: RetentionRules
    identity_max_failures: int
    identity_lockout_minutes: int
    account_lookups: LookupRules
    default_site_class: str  # for a repair at a place the area table does not know
    place_index_recheck_seconds: float
    public_form: PublicFormRules
    staff_login: StaffLoginRules
    ivr: IvrRules
    wechat: WechatRules
    web_chat: WebChatRules
    console: ConsoleRules
    survey: SurveyRules

    def clocks_for(self, ticket_type: str, subtype: str | None = None) -> tuple[ClockRule, ...]:
        if ticket_type == "service_request":
            return self.clocks[f"service_request/{subtype or 'other'}"]
        return self.clocks[ticket_type]


class RulesError(ValueError):
    pass


def _clock(path: str, name: str, raw: Any) -> ClockRule:
    if not isinstance(raw, dict) or "limit" not in raw or "met_by" not in raw:
        raise RulesError(f"{path}.{name}: needs 'limit' and 'met_by'")
    limit = raw["limit"]
    try:
        if isinstance(limit, dict):
            if set(limit) != set(SITE_CLASSES):
                raise RulesError(f"{path}.{name}.limit: needs exactly {', '.join(SITE_CLASSES)}")
            limits = {k: parse_duration(v) for k, v in limit.items()}
        else:
            limits = {"*": parse_duration(limit)}
    except ValueError as exc:
        raise RulesError(f"{path}.{name}.limit: {exc}") from exc
    for key in ("met_by", "starts"):
        if raw.get(key, "accept") not in CLOCK_STEPS:
            raise RulesError(f"{path}.{name}.{key}: unknown step {raw[key]!r}")
    return ClockRule(name, limits, raw["met_by"], raw.get("starts", "accept"))


def _clocks(sla: dict[str, Any]) -> dict[str, tuple[ClockRule, ...]]:
    clocks: dict[str, tuple[ClockRule, ...]] = {}
    for ticket_type, entry in sla.items():
        if ticket_type == "service_request":
            missing = set(SERVICE_REQUEST_KINDS) - set(entry)
            if missing:
                raise RulesError(f"sla.service_request: missing {', '.join(sorted(missing))}")
            for kind, sub in entry.items():
                path = f"sla.service_request.{kind}"
                clocks[f"service_request/{kind}"] = tuple(_clock(path, n, r) for n, r in sub.items())
        else:
            clocks[ticket_type] = tuple(_clock(f"sla.{ticket_type}", n, r) for n, r in entry.items())
    missing = set(TICKET_TYPES) - {"service_request"} - set(clocks)
    missing |= {"complaint_major", "callback"} - set(clocks)
    if missing:
        raise RulesError(f"sla: missing {', '.join(sorted(missing))}")
    return clocks


def _public_form(raw: dict[str, Any]) -> PublicFormRules:
    rules = PublicFormRules(int(raw["max_submissions"]), float(raw["window_seconds"]),
                            int(raw["max_body_bytes"]))
    if rules.max_submissions < 1 or rules.window_seconds <= 0 or rules.max_body_bytes < 1024:
        raise RulesError("public_form: max_submissions >= 1, window_seconds > 0, max_body_bytes >= 1024")
    return rules


def _retention(raw: dict[str, Any], repeat_window_days: int) -> RetentionRules:
    rules = RetentionRules(int(raw["transcript_days"]), int(raw["closed_ticket_personal_data_days"]),
                           int(raw.get("assistant_tracker_days", RetentionRules.assistant_tracker_days)))
    if rules.transcript_days < 1 or rules.assistant_tracker_days < 1:
        raise RulesError("retention.transcript_days and assistant_tracker_days: at least 1")
    if rules.closed_ticket_personal_data_days <= repeat_window_days:
        # A repeat complaint is found by the phone on the customer's earlier tickets.
        raise RulesError("retention.closed_ticket_personal_data_days: must be longer than "
                         "complaints.repeat_window_days")
    return rules


def _lookups(raw: dict[str, Any]) -> LookupRules:
    rules = LookupRules(int(raw["max_accounts_per_client"]), int(raw["max_accounts_per_address"]),
                        float(raw["window_seconds"]))
    if rules.max_accounts_per_client < 1 or rules.max_accounts_per_address < rules.max_accounts_per_client \
            or rules.window_seconds <= 0:
        raise RulesError("account_lookups: max_accounts_per_client >= 1, max_accounts_per_address >= "
                         "max_accounts_per_client, window_seconds > 0")
    return rules


def _staff_login(raw: dict[str, Any]) -> StaffLoginRules:
    rules = StaffLoginRules(int(raw["max_failures_per_user"]), int(raw["max_failures_per_client"]),
                            float(raw["window_seconds"]), float(raw["session_hours"]),
                            float(raw["idle_minutes"]), int(raw["max_sessions_per_user"]))
    if rules.max_failures_per_user < 1 or rules.max_failures_per_client < rules.max_failures_per_user \
            or rules.window_seconds <= 0 or rules.session_hours <= 0 or rules.idle_minutes <= 0 \
            or rules.max_sessions_per_user < 1:
        raise RulesError("staff_login: max_failures_per_user >= 1, max_failures_per_client >= "
                         "max_failures_per_user, window_seconds, session_hours and idle_minutes > 0, "
                         "max_sessions_per_user >= 1")
    return rules


def _ivr(raw: dict[str, Any]) -> IvrRules:
    rules = IvrRules(float(raw["asr_min_confidence"]), int(raw["max_no_input"]), int(raw["listen_timeout_ms"]),
                     str(raw["queue"]), int(raw["context_lines"]))
    if not 0 <= rules.asr_min_confidence <= 1 or rules.max_no_input < 1 or rules.listen_timeout_ms < 1000 \
            or not rules.queue or rules.context_lines < 0:
        raise RulesError("ivr: asr_min_confidence in [0, 1], max_no_input >= 1, listen_timeout_ms >= 1000, "
                         "a queue, context_lines >= 0")
    return rules


def _wechat(raw: dict[str, Any]) -> WechatRules:
    def window(name: str) -> SendWindow:
        entry = raw[name]
        return SendWindow(int(entry["sends"]), float(entry["seconds"]))

    rules = WechatRules(float(raw["reply_budget_seconds"]), window("after_message"), window("after_event"),
                        float(raw["token_refresh_margin_seconds"]), float(raw["api_timeout_seconds"]),
                        float(raw["token_wait_seconds"]), float(raw["signature_max_age_seconds"]))
    windows = (rules.after_message, rules.after_event)
    if not 0 < rules.reply_budget_seconds < 5 or any(w.sends < 0 or w.seconds <= 0 for w in windows) \
            or rules.token_refresh_margin_seconds < 0 or rules.api_timeout_seconds <= 0 \
            or rules.token_wait_seconds <= 0 or rules.signature_max_age_seconds <= 0:
        raise RulesError("wechat: reply_budget_seconds in (0, 5), windows with sends >= 0 and seconds > 0, "
                         "token_refresh_margin_seconds >= 0, api_timeout_seconds, token_wait_seconds and "
                         "signature_max_age_seconds > 0")
    return rules


def _web_chat(raw: dict[str, Any]) -> WebChatRules:
    origins = raw["embed_origins"]
    rules = WebChatRules(int(raw["max_message_chars"]), int(raw["max_messages"]), float(raw["window_seconds"]),
                         int(raw["max_sessions"]), float(raw["session_window_seconds"]), int(raw["history_lines"]),
                         int(raw["reconnect_initial_ms"]), int(raw["reconnect_max_ms"]),
                         float(raw["heartbeat_seconds"]),
                         tuple(str(o) for o in (origins if isinstance(origins, list) else [origins])))
    if rules.max_message_chars < 1 or rules.max_messages < 1 or rules.window_seconds <= 0 \
            or rules.max_sessions < 1 or rules.session_window_seconds <= 0 or rules.history_lines < 1 \
            or not 100 <= rules.reconnect_initial_ms <= rules.reconnect_max_ms or rules.heartbeat_seconds <= 0 \
            or not rules.embed_origins or any(";" in o or "," in o or not o.strip() for o in rules.embed_origins):
        raise RulesError("web_chat: limits >= 1, windows > 0, 100 <= reconnect_initial_ms <= reconnect_max_ms, "
                         "heartbeat_seconds > 0, embed_origins a list of CSP sources ('*', 'self', https://…)")
    return rules


def _console(raw: dict[str, Any]) -> ConsoleRules:
    rules = ConsoleRules(float(raw["poll_seconds"]), float(raw["keepalive_seconds"]))
    if not 0 < rules.poll_seconds <= 60 or rules.keepalive_seconds <= 0:
        raise RulesError("console: poll_seconds in (0, 60], keepalive_seconds > 0")
    return rules


def _survey(raw: dict[str, Any]) -> SurveyRules:
    rules = SurveyRules(int(raw["answer_minutes"]), int(raw["comment_minutes"]), int(raw["comment_max_chars"]),
                        int(raw["idle_minutes"]), int(raw["link_days"]), int(raw["max_posts"]),
                        float(raw["window_seconds"]), int(raw["ivr_listen_ms"]))
    if min(rules.answer_minutes, rules.comment_minutes, rules.idle_minutes, rules.link_days, rules.max_posts) < 1 \
            or not 20 <= rules.comment_max_chars <= 2000 or rules.window_seconds <= 0 \
            or not 1000 <= rules.ivr_listen_ms <= 30000:
        raise RulesError("survey: minutes, link_days, max_posts >= 1, comment_max_chars in [20, 2000], "
                         "window_seconds > 0, ivr_listen_ms in [1000, 30000]")
    return rules


def load_rules(path: Path) -> ServiceRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path}: cannot read: {exc}") from exc
    try:
        complaints, scheduler, identity = raw["complaints"], raw["scheduler"], raw["identity"]
        places = raw["places"]
        if places["default_site_class"] not in SITE_CLASSES:
            raise RulesError(f"places.default_site_class: must be one of {', '.join(SITE_CLASSES)}")
        warn = float(raw["warn_fraction"])
        if not 0 < warn < 1:
            raise RulesError("warn_fraction: must be between 0 and 1")
        if float(scheduler["turn_retention_hours"]) < 1:  # WeChat resends within seconds, a page within hours
            raise RulesError("scheduler.turn_retention_hours: must be at least 1")
        grades = tuple(complaints["grades"])
        if grades != COMPLAINT_GRADES:
            raise RulesError(f"complaints.grades: must be {list(COMPLAINT_GRADES)} in this order")
        return ServiceRules(
            timezone=raw["timezone"],
            warn_fraction=warn,
            clocks=_clocks(raw["sla"]),
            planned_outage_lead=parse_duration(raw["outage_notice"]["planned_lead"]),
            temporary_outage_lead=parse_duration(raw["outage_notice"]["temporary_lead"]),
            residential_connection=parse_duration(raw["business"]["residential_connection"]),
            escalation_keywords=tuple(str(k) for k in complaints["escalation_keywords"]),
            grades=grades,
            escalate_grades=tuple(complaints["escalate_grades"]),
            repeat_window_days=int(complaints["repeat_window_days"]),
            callback_max_attempts=int(raw["callback"]["max_attempts"]),
            callback_types=tuple(raw["callback"]["applies_to"]),
            scheduler_interval=float(scheduler["interval_seconds"]),
            scheduler_batch=int(scheduler["batch_size"]),
            turn_retention_hours=float(scheduler["turn_retention_hours"]),
            retention=_retention(raw["retention"], int(complaints["repeat_window_days"])),
            identity_max_failures=int(identity["max_failures"]),
            identity_lockout_minutes=int(identity["lockout_minutes"]),
            account_lookups=_lookups(raw["account_lookups"]),
            default_site_class=places["default_site_class"],
            place_index_recheck_seconds=float(places["index_recheck_seconds"]),
            public_form=_public_form(raw["public_form"]),
            staff_login=_staff_login(raw["staff_login"]),
            ivr=_ivr(raw["ivr"]),
            wechat=_wechat(raw["wechat"]),
            web_chat=_web_chat(raw["web_chat"]),
            console=_console(raw["console"]),
            survey=_survey(raw["survey"]),
        )
    except RulesError as exc:
        raise RulesError(f"{path}: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"{path}: missing or invalid setting: {exc}") from exc
