"""Starting, stopping and restarting a ticket's SLA clocks.

Each clock is a TicketDeadline row. A clock whose start step has not happened
yet (restore before the crew arrives) runs provisionally from the due time of
the clock that step meets, so the customer always gets a concrete deadline.
"""
from __future__ import annotations

from datetime import datetime

from backend.context import Platform
from backend.models import Ticket, TicketDeadline
from backend.rules import ClockRule


def _due(platform: Platform, rule: ClockRule, ticket: Ticket, start: datetime) -> datetime:
    return rule.limit_for(ticket.site_class).after(start, platform.calendar)


def _schedule(platform: Platform, deadline: TicketDeadline, start: datetime, due: datetime) -> None:
    deadline.started_at = start
    deadline.due_at = due
    deadline.warn_at = start + (due - start) * platform.rules.warn_fraction
    deadline.warned_at = None
    deadline.next_check_at = deadline.warn_at


def start_clocks(
    platform: Platform, ticket: Ticket, rules: tuple[ClockRule, ...], at: datetime, round_: int = 1
) -> list[TicketDeadline]:
    """Start the given clocks at `at`; clocks started by a later step run provisionally."""
    started: dict[str, TicketDeadline] = {}
    for rule in rules:
        provisional = rule.starts != "accept" and any(r.met_by == rule.starts for r in rules)
        start = at
        if provisional:
            predecessor = next(started[r.name] for r in rules if r.met_by == rule.starts)
            start = predecessor.due_at
        deadline = TicketDeadline(
            name=rule.name, round=round_, limit=str_limit(rule, ticket), starts=rule.starts,
            met_by=rule.met_by, provisional=provisional,
        )
        _schedule(platform, deadline, start, _due(platform, rule, ticket, start))
        ticket.deadlines.append(deadline)
        started[rule.name] = deadline
    return list(started.values())


def str_limit(rule: ClockRule, ticket: Ticket) -> str:
    limit = rule.limit_for(ticket.site_class)
    return f"{limit.value}{limit.unit}"


def open_deadlines(ticket: Ticket) -> list[TicketDeadline]:
    return [d for d in ticket.deadlines if d.met_at is None and d.cancelled_at is None]


def meet(ticket: Ticket, step: str, at: datetime) -> list[TicketDeadline]:
    """Stop every open clock that `step` meets."""
    met = [d for d in open_deadlines(ticket) if d.met_by == step]
    for deadline in met:
        deadline.met_at = at
        deadline.next_check_at = None
    return met


def restart_from(platform: Platform, ticket: Ticket, step: str, at: datetime) -> None:
    """A step happened: provisional clocks it starts now run from its real time."""
    for deadline in open_deadlines(ticket):
        if deadline.provisional and deadline.starts == step:
            rule = _rule(platform, ticket, deadline.name)
            deadline.provisional = False
            deadline.breached_at = None
            _schedule(platform, deadline, at, _due(platform, rule, ticket, at))


def cancel_open(ticket: Ticket, at: datetime, names: set[str] | None = None) -> None:
    for deadline in open_deadlines(ticket):
        if names is None or deadline.name in names:
            deadline.cancelled_at = at
            deadline.next_check_at = None


def _rule(platform: Platform, ticket: Ticket, name: str) -> ClockRule:
    extra = platform.rules.clocks["complaint_major"] + platform.rules.clocks["callback"]
    for rule in type_rules(platform, ticket) + extra:
        if rule.name == name:
            return rule
    raise KeyError(f"no clock {name!r} for {ticket.type}")


def type_rules(platform: Platform, ticket: Ticket) -> tuple[ClockRule, ...]:
    return platform.rules.clocks_for(ticket.type, ticket.subtype)


def rework_rules(platform: Platform, ticket: Ticket) -> tuple[ClockRule, ...]:
    """Clocks that run again when a ticket goes back for rework: those the handler's
    final step meets (reply; restore for repairs)."""
    return tuple(r for r in type_rules(platform, ticket) if r.met_by in ("reply", "restore"))


def current_deadlines(ticket: Ticket) -> dict[str, TicketDeadline]:
    """The latest round of each named clock, skipping cancelled ones."""
    latest: dict[str, TicketDeadline] = {}
    for deadline in ticket.deadlines:
        if deadline.cancelled_at is not None:
            continue
        seen = latest.get(deadline.name)
        if seen is None or deadline.round >= seen.round:
            latest[deadline.name] = deadline
    return latest


def next_round(ticket: Ticket, names: set[str]) -> int:
    rounds = [d.round for d in ticket.deadlines if d.name in names]
    return max(rounds, default=0) + 1
