"""The backend's Prometheus metrics (issue #11): one registry per process, scraped at /metrics.

Counters and histograms are kept where the thing happens (a ticket filed, a turn
answered, a login refused). The gauges read from the database (open clocks in
warning or overdue, conversations by state, lines waiting for delivery) describe the
shared database, not this process: every backend replica reports the same figure, so
alert rules and dashboards take `max` over replicas, never `sum`
(deploy/prometheus/alerts.yml).

Label values are closed sets (routes are templates; channels, ticket types, states and
commitments are the platform's names; units are the unit table's ids), so a flood of
odd requests cannot grow the number of series.
"""
from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

PREFIX = "p95598"
disable_created_metrics()  # no `_created` series beside every counter: nothing of ours reads them
REGISTRY = CollectorRegistry(auto_describe=True)
# Seconds; the last buckets catch a turn that waited for a slow action.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
WAIT_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)


_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


def _name(name: str) -> str:
    return f"{PREFIX}_{name}"


def reason_label(reason: str) -> str:
    """A handoff reason as a label: the assistant's codes (request_human, escalation…) as they are,
    anything else a service wrote in words as `other`."""
    return reason if _CODE.fullmatch(reason) else "other"


HTTP_REQUESTS = Histogram(_name("http_request_duration_seconds"), "Backend HTTP requests by route and status",
                          ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
TICKETS_CREATED = Counter(_name("tickets_created"), "Tickets filed (a replayed request is not counted again)",
                          ["type", "channel"], registry=REGISTRY)
TICKET_CLOCKS = Gauge(_name("ticket_clocks"), "Running service-commitment clocks in warning or overdue, "
                      "by the ticket's handling unit and the commitment (kept by the deadline sweep)",
                      ["unit", "commitment", "state"], registry=REGISTRY)
CONVERSATIONS = Gauge(_name("conversations"), "Conversations that are not closed, by channel and state",
                      ["channel", "state"], registry=REGISTRY)
HANDOFFS = Counter(_name("handoffs"), "Conversations queued for a human agent, by channel and reason",
                   ["channel", "reason"], registry=REGISTRY)
HANDOFF_WAIT = Histogram(_name("handoff_wait_seconds"), "From joining the agents' queue to an agent taking it",
                         ["channel"], buckets=WAIT_BUCKETS, registry=REGISTRY)
HANDOFF_OLDEST_WAITING = Gauge(_name("handoff_oldest_waiting_seconds"), "How long the conversation longest in the "
                               "agents' queue has waited (0 when nobody waits)", registry=REGISTRY)
DELIVERY_PENDING = Gauge(_name("delivery_pending_lines"), "Lines for customers not yet delivered", registry=REGISTRY)
DELIVERY_OLDEST = Gauge(_name("delivery_oldest_pending_age_seconds"), "Age of the oldest undelivered line",
                        registry=REGISTRY)
WECHAT_MESSAGES = Counter(_name("wechat_customer_messages"), "WeChat customer-service messages by outcome "
                          "(sent; quota_refused: the 48-hour window or its count is used up; failed)",
                          ["outcome"], registry=REGISTRY)
LOGIN_FAILURES = Counter(_name("staff_login_failures"), "Failed staff logins", registry=REGISTRY)
LOGIN_THROTTLED = Counter(_name("staff_login_throttled"), "Staff logins refused by the throttle", registry=REGISTRY)
ASSISTANT_TURNS = Counter(_name("assistant_turns"), "Customer messages the assistant answered", ["channel"],
                          registry=REGISTRY)
ASSISTANT_FALLBACKS = Counter(_name("assistant_fallbacks"), "Turns the assistant did not understand (nlu_fallback)",
                              ["channel"], registry=REGISTRY)
ASSISTANT_LOW_CONFIDENCE = Counter(_name("assistant_low_confidence_turns"), "Turns whose intent confidence was "
                                   "below ASSISTANT_LOW_CONFIDENCE", ["channel"], registry=REGISTRY)
ASSISTANT_UNAVAILABLE = Counter(_name("assistant_unavailable"), "Customer messages the assistant could not answer "
                                "(Rasa down or timing out, or its action server silent)", ["channel"],
                                registry=REGISTRY)
ASSISTANT_REPLY = Histogram(_name("assistant_reply_seconds"), "From sending a message to Rasa to its replies",
                            ["channel"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
SCHEDULER_LAST_PASS = Gauge(_name("scheduler_last_pass_timestamp_seconds"), "When the deadline sweep last "
                            "finished a pass (Unix time)", registry=REGISTRY)
SCHEDULER_FAILURES = Counter(_name("scheduler_failed_passes"), "Deadline sweep passes that failed", registry=REGISTRY)
