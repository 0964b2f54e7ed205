"""Assessment indicators (考核指标) of a unit and period, rolled up the unit tree.

Population: tickets ACCEPTED in [start, end), i.e. `created_at` in the period,
counted at the ticket's current handling unit (`unit_id`, which a dispatch
may have changed). A ticket is judged on its state when the query runs, so
the figures of a past period still move while its tickets are being worked.

Definitions (numerator / denominator; the ratio is null when the denominator is 0):

- satisfaction = (satisfied + basically_satisfied) / rated, from two sources
  (`by_source`, glossary.names.RATING_SOURCES), whose numerators and
  denominators add up to the total:
  - callback (回访): a ticket's `rating`, the latest callback result, so a
    ticket reworked after `dissatisfied` and later called back `satisfied`
    counts as satisfied; one still in rework counts as dissatisfied.
    `callback_failed` is not a rating.
  - survey (问卷, the `surveys` table, answered: `answered_at` and a rating of
    SURVEY_RATINGS): (a) a ticket without a callback rating (none yet, or
    callback_failed) whose ticket survey was answered counts once, with its
    latest answer (answered_at, then id), in the ticket's period and at its
    unit like every ticket figure; a ticket rated at its callback counts only
    with the callback's rating, so no ticket is counted twice and the
    handler's callback stays the reference. (b) a chat survey (subject
    conversation) counts at its `unit_id`, in the period of its `offered_at`:
    the offer is made when the chat ends, the contact's counterpart of a
    ticket's acceptance, so like a ticket it stays in one period whenever the
    customer answers. A chat is another service than the ticket it may have
    produced, so both count.
- complaint_handling_rate = handled complaints / accepted complaints. Handled:
  status replied or closed (closing an unreplied complaint needs a reason,
  e.g. withdrawn or duplicate, and concludes it), or a `reply` clock met in
  any round, which keeps a complaint that was answered and then went back to
  rework (status processing) counted as handled.
- complaint_timeliness_rate = complaints whose round-1 `reply` clock was met
  with met_at <= due_at / handled complaints. Round 1 because rework after a
  dissatisfied callback must not turn a late first answer into an on-time
  one. met_at is compared with due_at instead of reading breached_at, since
  a reply made late before the sweep noticed is never marked breached.
- repair_arrival_timeliness = repairs whose `arrival` clock was met with
  met_at <= due_at / repairs whose arrival clock is resolved: met, or past its
  due time (breached by the sweep, or met late). A clock still running, or
  cancelled before its due time (repair closed as withdrawn), has no outcome
  yet and is left out of both.
- callback_rate = tickets with a `callback` clock (any round, any state) and
  a rating set (callback_failed included: the callback was done, nobody
  answered) / tickets with a `callback` clock. A reworked ticket whose second
  callback is pending still counts as done: it was called back once.
- overdue_count = tickets with any clock past its due time: breached_at set
  (also if later met or cancelled) or met_at > due_at. This is "ever
  overdue", unlike the ticket list's `overdue` filter ("overdue now").
- repeat_complaint_count = complaints with is_repeat.
- service_compliance (服务规范执行情况, our reading of the seed) = tickets whose
  every clock was met on time / tickets judged: at least one clock with an
  outcome (met, or late as above) and none still running. A clock cancelled
  before it was late has no outcome and is ignored; a ticket with only such
  clocks, or none, is not judged. A ticket is judged only once all its
  running clocks end, and leaves the denominator again while a rework round
  runs. `breaches`: per commitment (glossary.names.DEADLINES codes), the
  judged tickets with that clock late in any round; a ticket late on two
  commitments is in both, so they may add up to more than the non-compliant.
- supply_reliability (供电可靠率, RS-1) and supply_reliability_excl_planned:
  from the outage records, defined in backend/reliability.py; numerator
  (customer-hours supplied) and denominator (customer-hours served) are
  customer-hours with 2 decimals, the ratio has 6 (a percentage with 4).

Roll-ups add numerators and denominators and only then divide; ratios are
never averaged.

Drill-down (`TICKET_FILTERS`, beside the definitions so they change together):
the ticket list's filters (GET /api/tickets, the console's /console/tickets)
that select exactly the tickets behind a count, with the same unit (subtree)
and from/to. Only counts with an exact equivalent are listed: `overdue` is
"ever overdue" while the list's `overdue` is "overdue now", and the list has
no filter for ratings, clock outcomes or callbacks, so those numbers have no link.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import Select, Subquery

from backend import reliability
from backend.errors import InvalidInput, NotFound
from backend.models import Survey, Ticket, TicketDeadline, Unit
from backend.units import descendants, unit_tree
from glossary.names import DEADLINES, RATING_SOURCES, SURVEY_RATINGS

SATISFIED = ("satisfied", "basically_satisfied")
RATED = (*SATISFIED, "dissatisfied")
HANDLED_STATUSES = ("replied", "closed")

# indicator: (numerator count, denominator count)
RATIOS: dict[str, tuple[str, str]] = {
    "satisfaction": ("satisfied", "rated"),
    "complaint_handling_rate": ("complaints_handled", "complaints"),
    "complaint_timeliness_rate": ("complaints_on_time", "complaints_handled"),
    "repair_arrival_timeliness": ("arrival_on_time", "arrival_resolved"),
    "callback_rate": ("callback_done", "callback_due"),
    "service_compliance": ("compliance_met", "compliance_judged"),
    "supply_reliability": ("supplied_seconds", reliability.SERVED),
    "supply_reliability_excl_planned": ("supplied_unplanned_seconds", reliability.SERVED),
}
# Ratios of customer-seconds, shown as customer-hours; their ratio keeps 6 decimals.
CUSTOMER_HOURS = ("supply_reliability", "supply_reliability_excl_planned")
RATIO_DIGITS = {name: 6 for name in CUSTOMER_HOURS}
# Indicator: (its breakdown's field, the codes it is broken down by with their names, whether each part
# is a ratio (else a count)).
BREAKDOWNS: dict[str, tuple[str, dict[str, str], bool]] = {
    "satisfaction": ("by_source", RATING_SOURCES, True),
    "service_compliance": ("breaches", DEADLINES, False),
}
# indicator: the count it reports as is
COUNTS: dict[str, str] = {
    "accepted": "accepted",
    "overdue_count": "overdue",
    "repeat_complaint_count": "repeat_complaints",
}
# count: the ticket list's filters (besides unit, from, to) that select exactly its tickets
TICKET_FILTERS: dict[str, dict[str, str]] = {
    "accepted": {},
    "complaints": {"type": "complaint"},
    "repeat_complaints": {"type": "complaint", "repeat": "true"},
}


def drill_down(indicator: str) -> dict[str, dict[str, str] | None]:
    """Which ticket-list filters each number of an indicator links to (None: no exact equivalent).

    A ratio has a numerator and a denominator, a count just a count; the page
    links a number only when its filter exists, so a list never shows tickets
    other than those counted.
    """
    if indicator in RATIOS:
        num, den = RATIOS[indicator]
        return {"numerator": TICKET_FILTERS.get(num), "denominator": TICKET_FILTERS.get(den)}
    return {"count": TICKET_FILTERS.get(COUNTS[indicator])}


def percent_decimals() -> dict[str, int]:
    """Decimals of the percentage an indicator is shown with, where not 2 (the dashboard, the export)."""
    return {name: digits - 2 for name, digits in RATIO_DIGITS.items()}


def _flag(condition: ColumnElement) -> ColumnElement:
    """1 when any of the ticket's deadline rows satisfies `condition`, else 0.

    A ticket without deadlines joins one all-NULL row, for which every
    condition is NULL, so it gets 0 rather than NULL.
    """
    return func.max(case((condition, 1), else_=0))


def _count(condition: ColumnElement) -> ColumnElement:
    return func.sum(case((condition, 1), else_=0))


def _latest_survey_ratings(tickets: Select) -> Subquery:
    """(ticket_id, rating) of each of `tickets`' latest answered ticket survey.

    One ranking of the period's surveys, joined once: a subquery per ticket cost 40 % of
    a month's indicators at 1,000,000 tickets (make bench), though most tickets have none."""
    ranked = (select(Survey.ticket_id, Survey.rating,
                     func.row_number().over(partition_by=Survey.ticket_id,
                                            order_by=(Survey.answered_at.desc(), Survey.id.desc())).label("latest"))
              .where(Survey.ticket_id.in_(tickets), Survey.subject == "ticket", Survey.answered_at.is_not(None),
                     Survey.rating.in_(SURVEY_RATINGS))
              .subquery())
    return select(ranked.c.ticket_id, ranked.c.rating).where(ranked.c.latest == 1).subquery()


def _per_ticket(unit_ids: list[str], start: datetime, end: datetime) -> Subquery:
    """One row per ticket accepted in the period: its own columns plus flags from its clocks."""
    d = TicketDeadline
    late = or_(d.breached_at.is_not(None), d.met_at > d.due_at)
    # IS NULL is true on the all-NULL row of a ticket without clocks: d.id tells a real clock.
    running = and_(d.id.is_not(None), d.cancelled_at.is_(None), d.met_at.is_(None), d.breached_at.is_(None))
    in_period = and_(Ticket.unit_id.in_(unit_ids), Ticket.created_at >= start, Ticket.created_at < end)
    survey = _latest_survey_ratings(select(Ticket.id).where(in_period))
    return (
        select(
            Ticket.unit_id, Ticket.type, Ticket.status, Ticket.rating, Ticket.is_repeat,
            func.max(survey.c.rating).label("survey_rating"),  # one survey row per ticket, or none
            _flag(and_(d.name == "reply", d.met_at.is_not(None))).label("reply_met"),
            _flag(and_(d.name == "reply", d.round == 1, d.met_at <= d.due_at)).label("reply_on_time"),
            _flag(and_(d.name == "arrival", or_(d.met_at.is_not(None), late))).label("arrival_resolved"),
            _flag(and_(d.name == "arrival", d.met_at <= d.due_at)).label("arrival_on_time"),
            _flag(d.name == "callback").label("had_callback"),
            _flag(late).label("late"),
            _flag(or_(late, d.met_at.is_not(None))).label("clock_outcome"),
            _flag(running).label("clock_running"),
            *(_flag(and_(d.name == code, late)).label(f"late_{code}") for code in DEADLINES),
        )
        .select_from(Ticket)
        .outerjoin(d, d.ticket_id == Ticket.id)
        .outerjoin(survey, survey.c.ticket_id == Ticket.id)
        # unit_id first: the (unit_id, created_at) index serves this filter.
        .where(in_period)
        .group_by(Ticket.id, Ticket.unit_id, Ticket.type, Ticket.status, Ticket.rating,
                  Ticket.is_repeat)
        .subquery()
    )


async def _counts_by_unit(session: AsyncSession, unit_ids: list[str], start: datetime,
                          end: datetime) -> dict[str, Counter[str]]:
    t = _per_ticket(unit_ids, start, end).c
    complaint = t.type == "complaint"
    handled = and_(complaint, or_(t.status.in_(HANDLED_STATUSES), t.reply_met == 1))
    # A callback rating wins; the survey counts only for a ticket without one.
    by_survey = or_(t.rating.is_(None), t.rating.not_in(RATED))
    judged = and_(t.clock_outcome == 1, t.clock_running == 0)
    stmt = select(
        t.unit_id,
        func.count().label("accepted"),
        _count(t.rating.in_(RATED)).label("rated_callback"),
        _count(t.rating.in_(SATISFIED)).label("satisfied_callback"),
        _count(and_(by_survey, t.survey_rating.is_not(None))).label("rated_survey"),
        _count(and_(by_survey, t.survey_rating.in_(SATISFIED))).label("satisfied_survey"),
        _count(judged).label("compliance_judged"),
        _count(and_(judged, t.late == 0)).label("compliance_met"),
        *(_count(and_(judged, t[f"late_{code}"] == 1)).label(f"breach_{code}") for code in DEADLINES),
        _count(complaint).label("complaints"),
        _count(handled).label("complaints_handled"),
        # An on-time round-1 reply is a met reply clock, so this is a subset of handled.
        _count(and_(complaint, t.reply_on_time == 1)).label("complaints_on_time"),
        _count(and_(t.type == "fault_repair", t.arrival_resolved == 1)).label("arrival_resolved"),
        _count(and_(t.type == "fault_repair", t.arrival_on_time == 1)).label("arrival_on_time"),
        _count(t.had_callback == 1).label("callback_due"),
        # A rating without a callback clock (e.g. praise called back anyway) is not in
        # the denominator, so it must not be in the numerator either.
        _count(and_(t.had_callback == 1, t.rating.is_not(None))).label("callback_done"),
        _count(t.late == 1).label("overdue"),
        _count(and_(complaint, t.is_repeat.is_(True))).label("repeat_complaints"),
    ).group_by(t.unit_id)
    result: dict[str, Counter[str]] = {}
    for row in (await session.execute(stmt)).mappings():
        result[row["unit_id"]] = Counter({k: int(v or 0) for k, v in row.items() if k != "unit_id"})
    return result


async def _chat_surveys_by_unit(session: AsyncSession, unit_ids: list[str], start: datetime,
                                end: datetime) -> dict[str, Counter[str]]:
    """Answered chat surveys offered in the period, per unit (the survey part (b) of satisfaction)."""
    s = Survey
    stmt = (select(s.unit_id, func.count().label("rated_survey"),
                   _count(s.rating.in_(SATISFIED)).label("satisfied_survey"))
            .where(s.unit_id.in_(unit_ids), s.subject == "conversation", s.answered_at.is_not(None),
                   s.rating.in_(SURVEY_RATINGS), s.offered_at >= start, s.offered_at < end)
            .group_by(s.unit_id))
    return {row["unit_id"]: Counter({k: int(v or 0) for k, v in row.items() if k != "unit_id"})
            for row in (await session.execute(stmt)).mappings()}


def _ratio(numerator: float, denominator: float, digits: int = 4) -> dict[str, Any]:
    value = round(numerator / denominator, digits) if denominator else None
    return {"numerator": numerator, "denominator": denominator, "ratio": value}


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def _totals(counts: Counter[str]) -> Counter[str]:
    """The sums over sources and the customer-seconds supplied, from the summed parts."""
    total = Counter(counts)
    for part in ("rated", "satisfied"):
        total[part] = sum(counts[f"{part}_{source}"] for source in RATING_SOURCES)
    served = counts[reliability.SERVED]
    total["supplied_seconds"] = served - counts[reliability.LOST]
    total["supplied_unplanned_seconds"] = served - counts[reliability.LOST_UNPLANNED]
    return total


def _view(summed: Counter[str]) -> dict[str, Any]:
    counts = _totals(summed)
    view: dict[str, Any] = {"accepted": counts["accepted"]}
    for name, (num, den) in RATIOS.items():
        view[name] = _ratio(counts[num], counts[den], RATIO_DIGITS.get(name, 4))
    for name in CUSTOMER_HOURS:
        # The ratio from the exact seconds; the parts shown in customer-hours.
        view[name] |= {"numerator": _hours(counts[RATIOS[name][0]]), "denominator": _hours(counts[RATIOS[name][1]])}
    view["satisfaction"]["by_source"] = {
        source: _ratio(counts[f"satisfied_{source}"], counts[f"rated_{source}"]) for source in RATING_SOURCES}
    view["service_compliance"]["breaches"] = {code: counts[f"breach_{code}"] for code in DEADLINES}
    for name, key in COUNTS.items():
        view[name] = counts[key]
    return view


def _unit_view(unit: Unit) -> dict[str, str]:
    return {"id": unit.id, "name": unit.name, "level": unit.level}


async def root_unit(session: AsyncSession) -> str:
    """The top of the unit tree (the province), the default scope of the indicators."""
    _, children = await unit_tree(session)
    roots = children.get(None, [])
    if not roots:
        raise NotFound("尚未配置单位。", code="unit_not_found")
    if len(roots) > 1:
        raise InvalidInput("存在多个顶级单位，请指定单位（unit）。", code="unit_required")
    return roots[0]


async def indicators(session: AsyncSession, unit_id: str, start: datetime, end: datetime, now: datetime
                     ) -> dict[str, Any]:
    """Indicators of `unit_id` over its whole subtree, and of each direct child over its own.

    `start`/`end` are aware datetimes, the period is [start, end); `now` (the
    platform's clock) ends the hours that supply reliability counts. A fixed
    number of queries (the unit tree, one aggregate of the tickets and one of
    the chat surveys grouped by unit, three for reliability); the tree sums are
    done here, so the cost does not grow with the depth of the tree.
    """
    units, children = await unit_tree(session)
    if unit_id not in units:
        raise NotFound(f"未找到单位 {unit_id}。", code="unit_not_found")
    subtree = descendants(children, unit_id)
    by_unit = await _counts_by_unit(session, subtree, start, end)
    for part in (await _chat_surveys_by_unit(session, subtree, start, end),
                 await reliability.reliability_by_unit(session, subtree, start, end, now)):
        for uid, counts in part.items():
            by_unit.setdefault(uid, Counter()).update(counts)

    def rolled_up(top: str) -> Counter[str]:
        total: Counter[str] = Counter()
        for uid in descendants(children, top):
            total.update(by_unit.get(uid, Counter()))
        return total

    return {
        "unit": _unit_view(units[unit_id]),
        "indicators": _view(rolled_up(unit_id)),
        # The unit's own tickets (e.g. those a county keeps) are in its total, not in any child.
        "children": [{"unit": _unit_view(units[child]), "indicators": _view(rolled_up(child))}
                     for child in children.get(unit_id, [])],
    }
